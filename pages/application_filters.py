"""Finding a cycle's applications: the organizer's search, filters and sort (a GET form), and the query they make.

What was typed and is wrong (a score of "abc", a lowest score above the highest, a choice the page never
offered) is said on the page, and the list is not filtered by that field: the other fields still apply.
Nothing here reads an application's answers or wizard state.
"""

from django import forms
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.forms import UswdsForm
from assessment.models import POPULATION_BANDS, Application
from review.models import Assignment, Decision, Review

# The states an organizer filters by (review.states: "submitted" holds "under review" and "question waiting").
STATUSES = [
    ("draft", gettext_lazy("Draft")),
    ("submitted", gettext_lazy("Submitted, not decided")),
    ("decided", gettext_lazy("Decided, not published")),
    ("published", gettext_lazy("Decision published")),
]

# Sortable columns: key → (the column's name, what the database sorts by, the two directions in words).
A_TO_Z = (gettext_lazy("A to Z"), gettext_lazy("Z to A"))
COLUMNS = {
    "jurisdiction": (gettext_lazy("Jurisdiction"), "jurisdiction__name", A_TO_Z),
    "state": (gettext_lazy("State"), "jurisdiction__state", A_TO_Z),
    "population": (
        gettext_lazy("Population"),
        "jurisdiction__population",
        (gettext_lazy("smallest first"), gettext_lazy("largest first")),
    ),
    "status": (gettext_lazy("Status"), "status_rank", (gettext_lazy("drafts first"), gettext_lazy("published first"))),
    "score": (
        gettext_lazy("Rule score"),
        "score__total",
        (gettext_lazy("lowest first"), gettext_lazy("highest first")),
    ),
    "reviews": (gettext_lazy("Reviews in"), "reviews_in", (gettext_lazy("fewest first"), gettext_lazy("most first"))),
    "saved": (
        gettext_lazy("Last saved / submitted"),
        "last_saved",
        (gettext_lazy("oldest first"), gettext_lazy("newest first")),
    ),
}
DEFAULT_SORT = "jurisdiction"


def sorts():
    """The choices of the sort, in the active language: "Jurisdiction, A to Z", … (evaluated for each form)."""
    return [
        (f"{prefix}{key}", _("%(column)s, %(direction)s") % {"column": name, "direction": ways[bool(prefix)]})
        for key, (name, _field, ways) in COLUMNS.items()
        for prefix in ("", "-")
    ]


def decimal_text(number, spec="g"):
    """``number`` formatted by ``spec``, as "62.5" reads in the active language ("62,5" in French)."""
    return format(number, spec).replace(".", get_format("DECIMAL_SEPARATOR"))


POINTS = {
    "invalid": gettext_lazy("Enter a number of points, for example 55 or 62.5."),
    "max_digits": gettext_lazy("Enter at most 4 digits before the decimal point and 2 after."),
    "max_decimal_places": gettext_lazy("Use at most 2 decimal places, for example 62.25."),
    "max_whole_digits": gettext_lazy("Enter at most 4 digits before the decimal point."),
}


def _points(label):
    """A bound of the rule score: a text box (a number box would not show "abc" again), with the keyboard of
    numbers on a phone."""
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=6,
        decimal_places=2,
        error_messages=POINTS,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def _band_bounds():
    """{choice value: (lowest population, first population of the next band or None)} of POPULATION_BANDS."""
    lowers = [lower for lower, _ in POPULATION_BANDS]
    return {str(lower): (lower, nxt) for lower, nxt in zip(lowers, [*lowers[1:], None], strict=True)}


BANDS = _band_bounds()


class ApplicationFilterForm(UswdsForm):
    """The search and filters of a cycle's list of applications; ``reviewers``: the cycle's assigned reviewers."""

    q = forms.CharField(label=gettext_lazy("Jurisdiction, state or county"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("Any status")), *STATUSES]
    )
    band = forms.ChoiceField(
        label=gettext_lazy("Population"),
        required=False,
        choices=[("", gettext_lazy("Any population")), *((str(lower), name) for lower, name in POPULATION_BANDS)],
    )
    score_min = _points(gettext_lazy("Rule score from"))
    score_max = _points(gettext_lazy("Rule score up to"))
    reviewer = forms.TypedChoiceField(label=gettext_lazy("Reviewer"), required=False, coerce=int, empty_value=None)
    disagree = forms.BooleanField(label=gettext_lazy("Only where the reviewers disagree"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False, choices=sorts)

    def __init__(self, *args, reviewers=(), margin=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [("", _("Any reviewer")), *((str(r.pk), str(r)) for r in reviewers)]
        if margin is not None:
            self.fields["disagree"].label = _(
                "Only where the reviewers' totals differ by more than %(margin)s points"
            ) % {"margin": margin}

    def clean(self):
        data = super().clean()
        low, high = data.get("score_min"), data.get("score_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                None,
                _(
                    "The lowest rule score (%(low)s) is above the highest (%(high)s): "
                    "the list is not filtered by rule score."
                )
                % {"low": f"{low:g}", "high": f"{high:g}"},  # as typed: the boxes take a decimal point
            )
            data.pop("score_min", None)
            data.pop("score_max", None)
        return data

    def used(self):
        """What of the form applies: its valid fields (those with errors are left out, as if not sent)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}


def _current(**conditions):
    return Exists(Decision.objects.filter(application=OuterRef("pk"), superseded_at=None, **conditions))


def _status(code):
    if code == "draft":
        return Q(status=Application.Status.DRAFT)
    if code == "submitted":
        return Q(status=Application.Status.SUBMITTED) & ~_current()
    if code == "decided":
        return _current(published_at=None)
    return _current(published_at__isnull=False)


def sort_of(used):
    """(column key, descending) of the sort asked for; the jurisdiction's name by default."""
    sort = used.get("sort") or DEFAULT_SORT
    return sort.removeprefix("-"), sort.startswith("-")


def applications(cycle, used, disagreeing):
    """The cycle's applications the filters ``used`` (``ApplicationFilterForm.used``) let through, sorted.

    ``disagreeing``: the pks of the applications whose reviewers disagree (``review.summary``'s figures, kept
    per process), so that filter is a list of keys. Rows carry what the list shows, never the JSON columns.
    """
    qs = Application.objects.filter(cycle=cycle)
    if q := used.get("q"):
        qs = qs.filter(
            Q(jurisdiction__name__icontains=q)
            | Q(jurisdiction__state__icontains=q)
            | Q(jurisdiction__county__name__icontains=q)
        )
    if "status" in used:
        qs = qs.filter(_status(used["status"]))
    if "band" in used:
        lower, upper = BANDS[used["band"]]
        qs = qs.filter(jurisdiction__population__gte=lower)
        qs = qs.filter(jurisdiction__population__lt=upper) if upper is not None else qs
    if "score_min" in used:
        qs = qs.filter(score__total__gte=used["score_min"])
    if "score_max" in used:
        qs = qs.filter(score__total__lte=used["score_max"])
    if "reviewer" in used:
        qs = qs.filter(
            Exists(Assignment.objects.filter(application=OuterRef("pk"), reviewer_id=used["reviewer"], active=True))
        )
    if used.get("disagree"):
        qs = qs.filter(pk__in=list(disagreeing))
    key, descending = sort_of(used)
    qs = _annotated_for(qs, key)
    field = F(COLUMNS[key][1])
    order = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return (
        qs.select_related("jurisdiction", "score")
        .only(
            "pk",
            "cycle_id",
            "status",
            "updated_at",
            "submitted_at",
            "jurisdiction__name",
            "jurisdiction__state",
            "jurisdiction__population",
            "score__total",
        )
        .order_by(order, "jurisdiction__name", "pk")
    )


def _annotated_for(qs, key):
    """The value a computed column is sorted by, added only when it is the one sorted by."""
    if key == "status":
        return qs.annotate(
            status_rank=Case(
                When(status=Application.Status.DRAFT, then=Value(0)),
                When(_current(published_at__isnull=False), then=Value(3)),
                When(_current(), then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    if key == "reviews":
        counted = (
            Review.objects.counted()
            .filter(assignment__application=OuterRef("pk"))
            .order_by()
            .values("assignment__application")
            .annotate(n=Count("id"))
            .values("n")
        )
        return qs.annotate(reviews_in=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)))
    if key == "saved":
        return qs.annotate(last_saved=Coalesce("submitted_at", "updated_at"))
    return qs
