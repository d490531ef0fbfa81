"""Pages of the review panel: reviewers' assignments, questions to applicants."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessment.access import can_edit, get_application_for
from assessment.forms import UswdsForm
from review import domain
from review.models import Assignment, Clarification, Review, settings_for


class QuestionForm(UswdsForm):
    question = forms.CharField(
        label="Question for the applicant", max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(UswdsForm):
    answer = forms.CharField(label="Your answer", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    document = forms.FileField(
        label="A document that answers it (PDF, optional)",
        required=False,
        help_text="It is added to the application's evidence; the rest of the application stays as submitted.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].widget.attrs["accept"] = "application/pdf,.pdf"
        self.checked = None  # what check_pdf made of the document: the copy to store

    def clean_document(self):
        from django.conf import settings

        from assessment.evidence import check_pdf

        upload = self.cleaned_data.get("document")
        if upload:
            if upload.size > settings.EVIDENCE_MAX_BYTES:
                raise forms.ValidationError(
                    f"The file is larger than {settings.EVIDENCE_MAX_BYTES / 1_048_576:.0f} MB.", code="too_large"
                )
            self.checked = check_pdf(upload)
        return upload


def reviewer_home(request):
    """Each assignment with its state, what is left to do and the deadline (a constant number of queries)."""
    from django.db.models import Count

    from scoring.models import Criterion

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
        config = getattr(cycle, "review_settings", None)
        assignment.deadline = config.review_deadline if config else None
        review = assignment.review
        assignment.left = 0 if review.is_submitted else judged_per_cycle.get(cycle.pk, 0) - len(review.judged)
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
    from assessment.evidence import StorageError

    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            domain.answer_clarification(
                clarification,
                form.cleaned_data["answer"],
                request.user,
                upload=form.cleaned_data.get("document"),
                checked=form.checked,
            )
        except domain.ReviewError as refused:
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


class ReviewForm(UswdsForm):
    """One reviewer's review: judged criteria against their anchors, adjustments with reasons, comments."""

    comments_for_applicant = forms.CharField(
        label="Comments for the applicant",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The applicant reads these in their report.",
    )
    private_notes = forms.CharField(
        label="Private notes for the panel",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Never shown to the applicant.",
    )

    def __init__(self, *args, rubric, rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        rule_by_code = {c["code"]: c for c in rule["criteria"]}
        self.judged_fields, self.adjust_fields = [], []
        for criterion in rubric.criteria:
            if criterion.is_judged:
                anchors = criterion.params.get("anchors", {})
                choices = [
                    (str(n), f"{n} — {anchors[str(n)]}" if str(n) in anchors else str(n))
                    for n in range(int(criterion.points) + 1)
                ]
                name = f"judged_{criterion.code}"
                self.fields[name] = forms.ChoiceField(
                    label=f"{criterion.code} {criterion.title} (0 to {criterion.points:g})",
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect,
                )
                self.judged_fields.append((criterion, name))
            else:
                points, reason = f"adjust_{criterion.code}", f"reason_{criterion.code}"
                self.fields[points] = forms.DecimalField(
                    label=f"Adjusted points for {criterion.code}",
                    required=False,
                    min_value=0,
                    max_value=criterion.points,
                    decimal_places=2,
                    error_messages={"max_value": f"At most {criterion.points:g} points."},
                )
                self.fields[reason] = forms.CharField(
                    label=f"Why you adjust {criterion.code}", required=False, max_length=1000
                )
                self.adjust_fields.append((criterion, rule_by_code.get(criterion.code), points, reason))
        from assessment.forms import style_for_uswds

        style_for_uswds(self)

    def clean(self):
        data = super().clean()
        for criterion, rule, points, reason in self.adjust_fields:
            value = data.get(points)
            if value is not None and rule and float(value) != float(rule["points"] or 0):
                if not (data.get(reason) or "").strip():
                    self.add_error(reason, f"Say why you adjust {criterion.code} from {rule['points']:g} points.")
        return data

    def scores(self):
        data = self.cleaned_data
        judged = {c.code: int(data[name]) for c, name in self.judged_fields if data.get(name) not in (None, "")}
        adjustments = {}
        for criterion, rule, points, reason in self.adjust_fields:
            value = data.get(points)
            if value is not None and rule and float(value) != float(rule["points"] or 0):
                adjustments[criterion.code] = {"points": float(value), "reason": data[reason].strip()}
        return judged, adjustments

    @staticmethod
    def initial_for(review):
        initial = {
            "comments_for_applicant": review.comments_for_applicant,
            "private_notes": review.private_notes,
        }
        initial.update({f"judged_{code}": str(points) for code, points in review.judged.items()})
        for code, adjustment in review.adjustments.items():
            initial[f"adjust_{code}"] = adjustment["points"]
            initial[f"reason_{code}"] = adjustment["reason"]
        return initial


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
    panel = domain.application_panel(application)
    rule = panel["rule"]
    form = ReviewForm(request.POST or None, rubric=panel["rubric"], rule=rule, initial=ReviewForm.initial_for(review))
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
                domain.save_review(
                    review,
                    request.user,
                    version,
                    judged,
                    adjustments,
                    form.cleaned_data["comments_for_applicant"],
                    form.cleaned_data["private_notes"],
                    submit=submit,
                )
            except domain.ReviewError as refused:
                messages.error(request, str(refused))
                if isinstance(refused, domain.StaleReview):
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
            "rule": rule,
            "form": form,
            "others": others,
            "combined": panel["combined"] if review.is_submitted else None,
            "documents": application.documents.all(),
            "sections": _answer_sections(application),
            "deadline": settings_for(application.cycle).review_deadline,
        },
    )


def _answer_sections(application):
    from assessment import domain as assessment_domain
    from assessment.forms import STEP_TITLES, STEPS

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
        domain.declare_conflict(request.user, review.assignment.application.jurisdiction, reason, request.user)
    except domain.ReviewError as refused:
        messages.error(request, str(refused))
        return redirect("review_edit", review.pk)
    messages.success(request, "Your conflict is recorded and the application is taken off your list.")
    return redirect("home")
