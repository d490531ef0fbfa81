"""Pages of the review panel: reviewers' assignments, questions to applicants."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessment.access import can_edit, get_application_for
from assessment.forms import UswdsForm
from review import domain
from review.models import Assignment, Clarification, settings_for


class QuestionForm(UswdsForm):
    question = forms.CharField(
        label="Question for the applicant", max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(UswdsForm):
    answer = forms.CharField(label="Your answer", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


def reviewer_home(request):
    assignments = list(
        Assignment.objects.filter(reviewer=request.user, active=True)
        .select_related("application__jurisdiction", "application__cycle", "review")
        .order_by("application__cycle__opens_at", "application__jurisdiction__name")
    )
    deadlines = {}
    for assignment in assignments:
        cycle = assignment.application.cycle
        if cycle.pk not in deadlines:
            deadlines[cycle.pk] = settings_for(cycle).review_deadline
        assignment.deadline = deadlines[cycle.pk]
    return render(request, "review/home_reviewer.html", {"assignments": assignments})


def may_ask(user, application):
    if user.is_organizer:
        return True
    return user.is_reviewer and application.assignments.filter(reviewer=user, active=True).exists()


@require_POST
def ask(request, pk):
    application = get_application_for(request, pk)
    if not may_ask(request.user, application):
        raise PermissionDenied("Only the panel can ask the applicant a question.")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            domain.ask_clarification(application, form.cleaned_data["question"], request.user)
        except domain.ReviewError as refused:
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
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            domain.answer_clarification(clarification, form.cleaned_data["answer"], request.user)
        except domain.ReviewError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Your answer was sent to the panel.")
    else:
        messages.error(request, "The answer was not sent: " + " ".join(form.errors["answer"]))
    return redirect("application_detail", application.pk)
