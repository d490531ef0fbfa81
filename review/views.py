"""Pages of the review panel for reviewers: their assignments and reviews.

The application page's questions and answers are in pages/application_forms.py.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from review import review_conflicts
from review.assignment import declare_conflict
from review.errors import ReviewError, StaleReview
from review.forms import ReviewForm
from review.models import Assignment
from review.review_page import layout, own_review, page_data
from review.reviewing import save_review, submit_context
from scoring.models import Criterion

REVIEWS_PER_PAGE = 50


def reviewer_home(request):
    """Each assignment with its state (not started, a draft with how many judged criteria it scores,
    submitted and when) and its deadline, overdue said in words, ``REVIEWS_PER_PAGE`` at a time (a
    constant number of queries; no application's answers, no review's comments read)."""
    mine = (
        Assignment.objects.filter(reviewer=request.user, active=True)
        .select_related("application__jurisdiction", "application__cycle__review_settings", "review")
        .defer(
            "application__answers",
            "application__wizard_state",
            "review__adjustments",
            "review__comments_for_applicant",
            "review__private_notes",
        )
        .order_by("application__cycle__opens_at", "application__jurisdiction__name", "pk")
    )
    listed = Paginator(mine, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    assignments = list(listed.object_list)
    cycles = {a.application.cycle_id for a in assignments}
    judged_per_cycle = dict(
        # order_by(): the criteria's default order (code) would otherwise be grouped by too.
        Criterion.objects.filter(kind="judged", rubric__cycle__in=cycles)
        .order_by()
        .values_list("rubric__cycle_id")
        .annotate(n=Count("id"))
    )
    now = timezone.now()
    for assignment in assignments:
        cycle = assignment.application.cycle
        review_settings = getattr(cycle, "review_settings", None)
        assignment.deadline = review_settings.review_deadline if review_settings else None
        review = assignment.review
        assignment.judged_total = judged_per_cycle.get(cycle.pk, 0)
        assignment.judged_done = min(len(review.judged), assignment.judged_total)
        assignment.started = bool(review.judged) or review.version > 1  # a draft saved at least once
        assignment.overdue = not review.is_submitted and assignment.deadline is not None and assignment.deadline < now
    page_range = listed.paginator.get_elided_page_range(listed.number, on_each_side=2, on_ends=1)
    return render(
        request, "review/home_reviewer.html", {"assignments": assignments, "page": listed, "page_range": page_range}
    )


# Reviewing --------------------------------------------------------------------


def review_edit(request, pk):
    review = own_review(request.user, pk)
    data = page_data(review)
    form = ReviewForm(
        request.POST or None, rubric=data["rubric"], rule=data["rule"], initial=ReviewForm.initial_for(review)
    )
    if request.method == "POST":
        if review.is_submitted:
            messages.error(request, _("You have submitted this review; it can no longer change."))
            return redirect("review_edit", review.pk)
        if form.is_valid():
            judged, adjustments = form.scores()
            # "Submit review…" saves what was typed as the draft, then asks (review_submit); a review that
            # could not be submitted as it is is refused here, and nothing is saved.
            submitting = request.POST.get("action") == "submit"
            try:
                save_review(
                    review,
                    request.user,
                    _version(request, review),
                    judged,
                    adjustments,
                    form.cleaned_data["comments_for_applicant"],
                    form.cleaned_data["private_notes"],
                    complete=submitting,
                )
            except StaleReview as stale:
                # Saved in another tab or window meanwhile: what was typed stays in the form, beside what is
                # saved now; the page carries the saved version, so saving again keeps what was typed.
                review.refresh_from_db()
                messages.error(request, str(stale))
                return _review_page(request, review, data, form, stale=stale)
            except ReviewError as refused:
                messages.error(request, str(refused))
            else:
                if submitting:
                    return redirect("review_submit", review.pk)
                messages.success(request, _("Your review draft is saved."))
                return redirect("review_edit", review.pk)
        else:
            messages.error(request, _("Your review was not saved: correct the fields marked below."))
    return _review_page(request, review, data, form)


def _version(request, review):
    """The version of the review the page was opened on (-1, never current, when it is not a number)."""
    try:
        return int(request.POST.get("version", review.version))
    except ValueError:
        return -1


def review_submit(request, pk):
    """Submitting a review, asked first: what the review holds and what submitting does. Confirming submits
    the saved draft as the page showed it (its version); a review changed meanwhile is shown again."""
    review = own_review(request.user, pk)
    if review.is_submitted:
        messages.info(request, _("You have submitted this review; it can no longer change."))
        return redirect("review_edit", review.pk)
    data = page_data(review)
    if request.method == "POST":
        try:
            save_review(
                review,
                request.user,
                _version(request, review),
                review.judged,
                review.adjustments,
                review.comments_for_applicant,
                review.private_notes,
                submit=True,
            )
        except StaleReview:
            messages.error(request, _("The review changed after this page was opened: check it and confirm again."))
            return redirect("review_submit", review.pk)
        except ReviewError as refused:
            messages.error(request, str(refused))
            return redirect("review_edit", review.pk)
        messages.success(request, _("Your review is submitted."))
        return redirect("review_edit", review.pk)
    return render(request, "review/review_submit.html", submit_context(review, data))


def _review_page(request, review, data, form, conflict_reason="", stale=None):
    """The reviewer's page of their review: ``form`` (the review, as posted or as saved) arranged like the
    task (``review_page.layout``: each judged criterion beside the answers it reads, the rule scores by
    category, the running total of what the form holds); read-only once submitted. When a declared
    conflict was refused, the reason typed for it (``conflict_reason``); with ``stale``, the review saved
    elsewhere meanwhile beside what was typed."""
    application = review.assignment.application
    parts = layout(form, data["rubric"], data["explained"], data["rule"], application.wizard_state)
    return render(
        request,
        "review/review_edit.html",
        {
            "review": review,
            "application": application,
            "rule": data["explained"],  # the rule scores with their reasons
            "form": form,
            "judged": parts["judged"],
            "categories": parts["categories"],
            "total": parts["total"],
            "adjusted": parts["adjusted"],
            "other_steps": parts["other_steps"],
            "others": data["others"],  # empty until the review is submitted (independence)
            "combined": data["combined"],
            "documents": data["documents"],
            "deadline": data["deadline"],
            "conflict_reason": conflict_reason,
            "stale": stale,
            "differences": review_conflicts.differences(form, review) if stale else [],
        },
    )


@require_POST
def review_conflict(request, pk):
    review = own_review(request.user, pk)
    reason = request.POST.get("reason", "")
    try:
        declare_conflict(request.user, review.assignment.application.jurisdiction, reason, request.user)
    except ReviewError as refused:
        messages.error(request, str(refused))
        # The review page again, the reason as it was typed in its box (the review's form as saved).
        data = page_data(review)
        form = ReviewForm(rubric=data["rubric"], rule=data["rule"], initial=ReviewForm.initial_for(review))
        return _review_page(request, review, data, form, conflict_reason=reason)
    messages.success(request, _("Your conflict is recorded and the application is taken off your list."))
    return redirect("home")
