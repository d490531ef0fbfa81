"""What a criterion's form (``scoring/criterion_forms.py``) shows and reads of each rule kind: the settings of
each kind, the answers a rule may read, and how the typed values become the rubric's settings.

The words are in the reader's language: the rule kinds' (``scoring/rules.RULE_KINDS``, English there) are
translated here, lazily, as they are shown.
"""

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import questionnaire
from scoring.models import ANSWER_FIELDS, OFFERED
from scoring.rules import RULE_KINDS

RULE_WORDS = {kind: gettext_lazy(words) for kind, words in RULE_KINDS}  # the words in the reader's language
# The settings each kind reads (scoring/rules.py, measure_<kind> and reason_<kind>), as fields of the form.
KIND_SETTINGS = {
    "choices": ("field", "per_choice", "min", "require", "only"),
    "bands": ("field", "direction", "unit", "bands"),
    "count": ("field", "min", "bands"),
    "yes_no": ("field",),
    "one_of": ("field", "values"),
    "recent_year": ("field", "within_years"),
    "evidence": ("document",),
    "judged": ("field", "anchors"),  # the answer reviewers read beside the anchors
}
MANAGED = {"anchors_fr", *(key for keys in KIND_SETTINGS.values() for key in keys)}
CHOSEN_ANSWERS = ("values", "require", "only")  # check boxes of the chosen question's choices


def answer_groups():
    """The answers a rule may read, by step: [(step title, [(path, question), ...]), ...]."""
    groups = []
    for step in questionnaire.STEPS:
        if step.repeated:
            rows = _("%(step)s: the rows given (how many)") % {"step": step.title}
            groups.append((step.title, [(step.key, rows)]))
        else:
            groups.append((step.title, [(f"{step.key}.{q.key}", q.label) for q in step.questions]))
    return groups


ANSWERS = ANSWER_FIELDS  # the paths of answer_groups(), as the model checks them


def offered_choices(path):
    """The choices of the question at ``path`` a rule may name, [(value, label)] (none for a yes/no)."""
    return list(OFFERED.get(path, {}).items()) if path in ANSWERS else []


def json_number(value):
    """A form's Decimal as the rubric stores numbers: 3, not 3.00; 2.5 as 2.5."""
    return int(value) if value == value.to_integral_value() else float(value)


def in_order(chosen, before):
    """The ticked values, those the criterion named already in its order first (so nothing moves)."""
    return sorted(chosen, key=lambda v: (before.index(v) if v in before else len(before), chosen.index(v)))


def mutable_copy(data):
    """The posted data as a QueryDict the form may change (what the page shows next)."""
    if isinstance(data, QueryDict):
        return data.copy()
    copy = QueryDict(mutable=True)
    for name, value in data.items():
        copy.setlist(name, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    return copy


def rows_posted(data, prefix):
    return data if data is not None and f"{prefix}-TOTAL_FORMS" in data else None


# What is wrong with a criterion's rows: (some are wrong, none is given), by the rows' kind.
ROW_WORDS = {
    "band": (gettext_lazy("Correct the bands marked below."), gettext_lazy("Give at least one band.")),
    "anchor": (gettext_lazy("Correct the anchors marked below."), gettext_lazy("Give at least one anchor.")),
}
