"""The application page: the answers, documents and history, with the panel's questions and the decision.

Once its reader may see the decision (``assessment.access.may_read_decision``) the page leads with it: the
outcome, level, rationale, the report with the certificate, and the appeal window while it is open; the
estimate of where the application stands is gone then, since the panel has said where it stands.
"""

from django.shortcuts import render

from assessment import answers, history
from assessment.access import (
    can_edit,
    get_application_for,
    may_appeal,
    may_ask,
    may_read_appeals,
    may_read_applicant_comments,
    may_read_submission_record,
    may_withdraw_designation,
)
from pages.extension import extension_form
from review.appeals import why_no_appeal
from review.forms import AnswerForm, AppealForm, QuestionForm
from review.queries import applicant_comments
from review.states import state_of
from scoring.domain import estimate_for


def application_detail(request, pk):
    return application_page(request, get_application_for(request, pk))


def application_page(request, application, question_form=None, answer_form=None, appeal_form=None, extension=None):
    """The page of ``application`` (its reader already checked); a form given replaces the page's empty one of
    its kind, as it was posted and refused (``answer_form``: (the question's pk, the form))."""
    answerable = can_edit(request.user, application)
    asks = may_ask(request.user, application)
    state = state_of(request.user, application)
    decision = state.decision if state else None
    return render(
        request,
        "assessment/application_detail.html",
        {
            "application": application,
            "state": state,
            "sections": answers.sections(application),
            "documents": application.documents.all(),
            "editable": application.is_draft and answerable,
            "answerable": answerable,
            "appellant": may_appeal(request.user, application),
            "history": history.history_for(request.user, application, limit=50),
            # Where it stands by rule, until the reader has the panel's word instead.
            "standing": estimate_for(application) if decision is None else None,
            "submission_record": may_read_submission_record(request.user, application),
            "extension_form": extension
            or (extension_form(application) if request.user.is_organizer and application.is_draft else None),
            "clarifications": [  # who answered, and the document sent, fetched only when there are questions
                (c, _answer_form(c, answer_form) if answerable and not c.answered_at else None)
                for c in application.clarifications.prefetch_related("answered_by", "document")
            ],
            "may_ask": asks,
            "question_form": (question_form or QuestionForm()) if asks else None,
            **_decision_context(request.user, application, state, appeal_form),
        },
    )


def _answer_form(clarification, posted):
    if posted is not None and posted[0] == clarification.pk:
        return posted[1]
    return AnswerForm(auto_id=f"id_answer{clarification.pk}_%s")


def _decision_context(user, application, state, appeal_form=None):
    """What the reader sees of the decision ``state_of`` lets them read: never private notes. A refused appeal
    (``appeal_form``) is shown again as typed, even once the window has closed: its text is the applicant's."""
    decision = state.decision if state else None
    if decision is None:
        return {"appeal_form": appeal_form}
    # The state says whether the window is open; why_no_appeal, the rule filing follows, has the last word.
    can_appeal = state.appeal_open and may_appeal(user, application) and not why_no_appeal(application)
    return {
        "decision": decision,
        "reviewer_comments": (
            applicant_comments(application) if may_read_applicant_comments(user, application, decision) else []
        ),
        "appeals": application.appeals.all() if may_read_appeals(user, application) else [],
        "appeal_form": appeal_form or (AppealForm() if can_appeal else None),
        "withdrawable": may_withdraw_designation(user, decision),  # the designation in force: organizers may end it
    }
