"""Pages of the review panel for reviewers and applicants: assignments, reviews, questions and answers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessment import domain as assessment_domain
from assessment.access import can_edit, get_application_for, may_ask
from assessment.evidence import StorageError
from assessment.forms import STEP_TITLES, STEPS
from review.assignment import declare_conflict
from review.clarifications import answer_clarification, ask_clarification
from review.errors import ReviewError, StaleReview
from review.forms import AnswerForm, QuestionForm, ReviewForm
from review.models import Assignment, Clarification, Review, settings_for
from review.queries import application_panel, explained
from review.reviewing import save_review
from scoring.models import Criterion


def reviewer_home(request):
    """Each assignment with its state, what is left to do and the deadline (a constant number of queries)."""
    assignments = list(
        Assignment.objects.filter(reviewer=request.user, active=True)
        .select_related("application__jurisdiction", "application__cycle__review_settings", "review")
        .order_by("application__cycle__opens_at", "application__jurisdiction__name")
    )
    cycles = {a.application.cycle_id for a in assignments}
    judged_per_cycle = dict(
        Criterion.objects.filter(kind="judged", rubric__cycle__in=cycles)
        .values_list("rubric__cycle_id")
        .annotate(n=Count("id"))
    )
    for assignment in assignments:
        cycle = assignment.application.cycle
        review_settings = getattr(cycle, "review_settings", None)
        assignment.deadline = review_settings.review_deadline if review_settings else None
        review = assignment.review
        assignment.left = 0 if review.is_submitted else judged_per_cycle.get(cycle.pk, 0) - len(review.judged)
    return render(request, "review/home_reviewer.html", {"assignments": assignments})


@require_POST
def ask(request, pk):
    application = get_application_for(request, pk)
    if not may_ask(request.user, application):
        raise PermissionDenied("Only the panel can ask the applicant a question.")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            ask_clarification(application, form.cleaned_data["question"], request.user)
        except ReviewError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Your question was sent to the applicant.")
    else:
        messages.error(request, "The question was not sent: " + " ".join(form.errors["question"]))
    return redirect("application_detail", application.pk)


@require_POST
def answer(request, pk):
    clarification = get_object_or_404(Clarification.objects.select_related("application"), pk=pk)
    application = get_application_for(request, clarification.application_id)  # 404 for outsiders
    if not can_edit(request.user, application):
        raise PermissionDenied("Only the jurisdiction's staff can answer.")
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            answer_clarification(
                clarification,
                form.cleaned_data["answer"],
                request.user,
                upload=form.cleaned_data.get("document"),
                checked=form.checked,
            )
        except ReviewError as refused:
            messages.error(request, str(refused))
        except StorageError as refused:
            # The document could not be written (a full disk): the answer was not sent either (one transaction).
            # The page after the redirect has an empty form, so what was typed comes back in the message to copy.
            messages.error(
                request,
                f"Your answer was not sent. {refused} Your answer, to send again: {form.cleaned_data['answer']}",
            )
        else:
            messages.success(request, "Your answer was sent to the panel.")
    else:
        messages.error(
            request, "The answer was not sent: " + " ".join(e for errors in form.errors.values() for e in errors)
        )
    return redirect("application_detail", application.pk)


# Reviewing --------------------------------------------------------------------


def _own_review(request, pk):
    """The reviewer's own review on an active assignment; 404 for anyone else."""
    return get_object_or_404(
        Review.objects.select_related("assignment__application__jurisdiction", "assignment__application__cycle"),
        pk=pk,
        assignment__reviewer=request.user,
        assignment__active=True,
    )


def review_edit(request, pk):
    review = _own_review(request, pk)
    application = review.assignment.application
    panel = application_panel(application)
    form = ReviewForm(
        request.POST or None, rubric=panel["rubric"], rule=panel["rule"], initial=ReviewForm.initial_for(review)
    )
    if request.method == "POST":
        if review.is_submitted:
            messages.error(request, "You have submitted this review; it can no longer change.")
            return redirect("review_edit", review.pk)
        if form.is_valid():
            judged, adjustments = form.scores()
            submit = request.POST.get("action") == "submit"
            try:
                version = int(request.POST.get("version", review.version))
            except ValueError:
                version = -1
            try:
                save_review(
                    review,
                    request.user,
                    version,
                    judged,
                    adjustments,
                    form.cleaned_data["comments_for_applicant"],
                    form.cleaned_data["private_notes"],
                    submit=submit,
                )
            except ReviewError as refused:
                messages.error(request, str(refused))
                if isinstance(refused, StaleReview):
                    return redirect("review_edit", review.pk)
            else:
                messages.success(request, "Your review is submitted." if submit else "Your review draft is saved.")
                return redirect("review_edit", review.pk)
        else:
            messages.error(request, "Your review was not saved: correct the fields marked below.")
    # Independence: the others' scores only once your own review is in.
    others = []
    if review.is_submitted:
        others = [r for r in panel["reviews"] if r.pk != review.pk]
    return render(
        request,
        "review/review_edit.html",
        {
            "review": review,
            "application": application,
            "rule": explained(application, panel["rubric"]),  # the rule scores with their reasons
            "form": form,
            "others": others,
            "combined": panel["combined"] if review.is_submitted else None,
            "documents": application.documents.all(),
            "sections": _answer_sections(application),
            "deadline": settings_for(application.cycle).review_deadline,
        },
    )


def _answer_sections(application):
    state = application.wizard_state.get("step_data", {})
    sections = []
    for step, _form_class in STEPS:
        form = assessment_domain.bind_step(step, state.get(step))
        form.is_valid()
        sections.append({"step": step, "title": STEP_TITLES[step], "form": form, "is_formset": hasattr(form, "forms")})
    return sections


@require_POST
def review_conflict(request, pk):
    review = _own_review(request, pk)
    reason = request.POST.get("reason", "")
    try:
        declare_conflict(request.user, review.assignment.application.jurisdiction, reason, request.user)
    except ReviewError as refused:
        messages.error(request, str(refused))
        return redirect("review_edit", review.pk)
    messages.success(request, "Your conflict is recorded and the application is taken off your list.")
    return redirect("home")
