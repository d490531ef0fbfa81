"""The application page: the answers, documents and history, with the panel's questions and the decision."""

from django.shortcuts import render

from assessment import answers, history
from assessment.access import (
    can_edit,
    get_application_for,
    may_appeal,
    may_ask,
    may_read_appeals,
    may_read_applicant_comments,
)
from pages.extension import extension_form
from review.appeals import why_no_appeal
from review.forms import AnswerForm, AppealForm, QuestionForm
from review.models import settings_for
from review.queries import applicant_comments, current_decision
from scoring.domain import estimate_for


def application_detail(request, pk):
    application = get_application_for(request, pk)
    answerable = can_edit(request.user, application)
    asks = may_ask(request.user, application)
    return render(
        request,
        "assessment/application_detail.html",
        {
            "application": application,
            "sections": answers.sections(application),
            "documents": application.documents.all(),
            "editable": application.is_draft and answerable,
            "history": history.history_for(request.user, application, limit=50),
            "standing": estimate_for(application),
            "extension_form": (
                extension_form(application) if request.user.is_organizer and application.is_draft else None
            ),
            "clarifications": [  # who answered, and the document sent, fetched only when there are questions
                (c, AnswerForm(auto_id=f"id_answer{c.pk}_%s") if answerable and not c.answered_at else None)
                for c in application.clarifications.prefetch_related("answered_by", "document")
            ],
            "may_ask": asks,
            "question_form": QuestionForm() if asks else None,
            **_decision_context(request.user, application),
        },
    )


def _decision_context(user, application):
    """What the applicant's staff see of the decision: only once published, never private notes."""
    decision = current_decision(application)
    if decision is None or not (decision.published_at or user.is_organizer):
        return {}
    can_appeal = may_appeal(user, application) and not why_no_appeal(application)
    return {
        "published_decision": decision,
        "reviewer_comments": (
            applicant_comments(application) if may_read_applicant_comments(user, application, decision) else []
        ),
        "appeals": application.appeals.all() if may_read_appeals(user, application) else [],
        "appeal_form": AppealForm() if can_appeal else None,
        "appeal_deadline": settings_for(application.cycle).appeal_deadline,
    }
