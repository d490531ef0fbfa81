"""The rubric of each cycle, and the scores it produced.

A cycle owns its rubric (a copy of the product's default, or of an earlier
cycle's). Organizers tune it in the admin until the first application is
submitted; then it is frozen so every applicant is scored by the same rules.
Every change raises the rubric's version; scores record the version that
produced them.

Every change also gives the rubric a new ``stamp``, and ``Rubric.to_engine()`` keeps the rubric it built
in this process keyed by (pk, version, stamp): a rubric read again after any change (in this process or
another) misses the cache and is built afresh. The stamp covers what the version cannot: a version number
used twice for the same pk (a rolled-back transaction reusing the pk on SQLite, a restored backup).
Each way of changing the parts raises the version and the stamp (``scoring/versions.py``).
"""

import functools
import numbers
import uuid

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import questionnaire
from assessment.models import Application, Cycle, EvidenceDocument
from scoring import default_rubric, engine
from scoring.built import ENGINES
from scoring.rules import RULE_KINDS, plain
from scoring.versions import ENGINE_FIELDS, RubricPartQuerySet, RubricQuerySet, raise_versions

CHOICE_LABELS = questionnaire.choice_labels()
EVIDENCE_LABELS = dict(EvidenceDocument.Kind.choices)

# A level's key: scores and decisions store a level by its name in this language, whoever scored or decided
# (``Rubric.to_engine``); ``scoring.levels`` says it in the reader's.
STORED_LANGUAGE = "en"

FROZEN_MESSAGE = gettext_lazy(
    "The rubric of {cycle} is frozen: an application was submitted on {date}, and every applicant "
    "in a cycle is scored by the same rules. Change the rubric of a new cycle instead."
)


def long_date(value):
    """A date as the reader writes it in a sentence: "March 5, 2026" in English, "5 mars 2026" in French."""
    english = (translation.get_language() or "en").startswith("en")
    return formats.date_format(value, "F j, Y" if english else "j F Y")


@functools.cache
def _default():
    return engine.Rubric.from_data(default_rubric, choice_labels=CHOICE_LABELS, evidence_labels=EVIDENCE_LABELS)


class RubricFrozen(ValidationError):
    pass


class Rubric(models.Model):
    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="rubric")
    version = models.PositiveIntegerField(default=1, editable=False)
    # New with every version: the key of the rubric built for the engine (see the module's docstring).
    stamp = models.UUIDField(default=uuid.uuid4, editable=False)
    threshold = models.DecimalField(
        max_digits=5, decimal_places=2, default=60, help_text=gettext_lazy("Total points needed to be designated.")
    )
    min_category_share = models.DecimalField(
        gettext_lazy("minimum share per category (%)"),
        max_digits=5,
        decimal_places=2,
        default=40,
        help_text=gettext_lazy("Each category must reach this share of its points."),
    )
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RubricQuerySet.as_manager()

    def __str__(self):
        return f"Rubric of {self.cycle} (version {self.version})"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk and (update_fields is None or ENGINE_FIELDS & set(update_fields)):
            self.refuse_if_frozen()
            self.version = (Rubric.objects.filter(pk=self.pk).values_list("version", flat=True).first() or 0) + 1
            self.stamp = uuid.uuid4()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "stamp"}
        super().save(*args, **kwargs)

    @property
    def is_frozen(self):
        return self.frozen_at is not None

    def refuse_if_frozen(self):
        # Read the flag from the database: another request may have frozen it.
        frozen_at = Rubric.objects.filter(pk=self.pk).values_list("frozen_at", flat=True).first() if self.pk else None
        if frozen_at:
            raise RubricFrozen(
                str(FROZEN_MESSAGE).format(cycle=self.cycle, date=long_date(timezone.localtime(frozen_at))),
                code="frozen",
            )

    def clean(self):
        self.refuse_if_frozen()
        if not (0 <= self.min_category_share <= 100):
            raise ValidationError({"min_category_share": _("Enter a share between 0 and 100 %.")})

    def bump_version(self):
        raise_versions(Rubric.objects.using(self._state.db), [self.pk])
        self._behind = True  # this object's version is now behind: to_engine() reads it again

    @staticmethod
    def default():
        """The product's default rubric (``scoring/default_rubric.py``) as the engine's plain data (built once)."""
        return _default()

    def to_engine(self):
        """The rubric as the engine's plain data, with the words for choices and documents.

        Built once per version and language in each process (three queries), then no query: the rubric as of
        this object's version (read again with ``rubric_for`` or ``refresh_from_db`` to see a change made
        elsewhere), its titles and choice words in the active language (``translation.get_language()``); its
        levels by their English names, whatever the language (what scores and decisions store).
        """
        if self.pk is None:
            return self._build()
        if self.__dict__.pop("_behind", False):  # one of its parts was changed through this object
            self.refresh_from_db(fields=["version", "stamp"])
        key = (
            self._state.db,
            self.pk,
            self.version,
            self.stamp,
            self.threshold,
            self.min_category_share,
            translation.get_language(),
        )
        return ENGINES.get(key, self._build)

    def _build(self):
        categories = list(self.categories.all())
        criteria = list(self.criteria.select_related("category").all())
        by_category = {c.pk: [] for c in categories}
        prerequisites = []
        for criterion in criteria:
            data = engine.Criterion(
                code=criterion.code,
                title=criterion.title,
                kind=criterion.kind,
                points=plain(criterion.points),
                params=criterion.params,
                evidence=criterion.evidence,
                category=criterion.category.code if criterion.category else "",
            )
            if criterion.category_id:
                by_category[criterion.category_id].append(data)
            else:
                prerequisites.append(data)
        return engine.Rubric(
            version=self.version,
            threshold=plain(self.threshold),
            min_category_share=plain(self.min_category_share),
            # A level's name is its key, stored on scores and decisions: always the English one (scoring.levels
            # says it in the reader's language).
            levels=tuple((lv.name_en or lv.name, plain(lv.minimum)) for lv in self.levels.all()),
            categories=tuple(
                engine.Category(code=c.code, name=c.name, points=plain(c.points), criteria=tuple(by_category[c.pk]))
                for c in categories
            ),
            prerequisites=tuple(prerequisites),
            choice_labels=CHOICE_LABELS,
            evidence_labels=EVIDENCE_LABELS,
        )


class RubricPart(models.Model):
    """Categories, criteria and levels: refused once the rubric is frozen; each change raises its version."""

    objects = RubricPartQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.rubric.refuse_if_frozen()
        with transaction.atomic(using=self._state.db, savepoint=False):
            super().save(*args, **kwargs)
            self.rubric.bump_version()
            moved_from = getattr(self, "_loaded_rubric_id", None)
            if moved_from not in (None, self.rubric_id):  # it left another rubric: that one changed too
                raise_versions(Rubric.objects.using(self._state.db), [moved_from])
            self._loaded_rubric_id = self.rubric_id

    def delete(self, *args, **kwargs):
        self.rubric.refuse_if_frozen()
        with transaction.atomic(using=self._state.db, savepoint=False):
            result = super().delete(*args, **kwargs)
            self.rubric.bump_version()
        return result

    @classmethod
    def from_db(cls, db, field_names, values):
        part = super().from_db(db, field_names, values)
        part._loaded_rubric_id = part.__dict__.get("rubric_id")
        return part

    def clean(self):
        super().clean()
        if self.rubric_id:
            self.rubric.refuse_if_frozen()


class Level(RubricPart):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(max_length=100)
    minimum = models.DecimalField(gettext_lazy("minimum total"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["minimum"]

    def __str__(self):
        return f"{self.name} (≥ {self.minimum:g})"


class Category(RubricPart):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(max_length=5)
    name = models.CharField(max_length=200)
    points = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="unique_category_code")]

    def __str__(self):
        return f"{self.code} {self.name} ({self.points:g} points)"


class Criterion(RubricPart):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="criteria",
        help_text=gettext_lazy("Empty for a prerequisite (pass or fail, no points)."),
    )
    code = models.CharField(max_length=10)
    title = models.CharField(gettext_lazy("question it reads"), max_length=300)
    kind = models.CharField(gettext_lazy("rule"), max_length=20, choices=RULE_KINDS)
    points = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text=gettext_lazy("The most this criterion can give (its cap).")
    )
    params = models.JSONField(
        default=dict,
        blank=True,
        help_text='The rule\'s settings, e.g. {"field": "performance.asa_seconds", "direction": "le", '
        '"bands": [[30, 2], [60, 1]]}. Judged criteria list their anchors: {"anchors": {"0": "…", "4": "…"}}.',
    )
    evidence = models.CharField(
        gettext_lazy("evidence required"),
        max_length=40,
        blank=True,
        choices=EvidenceDocument.Kind.choices,
        help_text=gettext_lazy("Points only when a document of this kind is attached."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "criteria"
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="unique_criterion_code")]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_prerequisite(self):
        return self.category_id is None

    @property
    def anchors(self):
        return sorted(((int(k), v) for k, v in (self.params.get("anchors") or {}).items()), key=lambda a: a[0])

    def clean(self):
        super().clean()
        if self.category_id and self.category.rubric_id != self.rubric_id:
            raise ValidationError({"category": _("Choose a category of this rubric.")})
        if self.is_prerequisite and self.points:
            raise ValidationError({"points": _("A prerequisite is pass or fail: leave its points at 0.")})
        if self.kind == "judged" and self.is_prerequisite:
            raise ValidationError({"kind": _("A prerequisite is checked by rule, not judged by reviewers.")})
        problem = params_problem(self.kind, self.params)
        if problem:
            raise ValidationError({"params": problem})


ANSWER_FIELDS = questionnaire.answer_paths()
# The values a rule may name for a question with choices (a yes/no is stored as True or False, not as its choices).
OFFERED = {
    path: labels
    for path, labels in CHOICE_LABELS.items()
    if questionnaire.question(*path.split(".", 1)).kind in ("choice", "multiple_choice")
}


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _are_bands(bands):
    return (
        isinstance(bands, list)
        and len(bands) > 0
        and all(isinstance(b, list) and len(b) == 2 and all(map(_is_number, b)) and b[1] >= 0 for b in bands)
    )


def params_problem(kind, params):
    """A sentence saying what is wrong with a rule's settings, or None."""
    if not isinstance(params, dict):
        return _('Settings must be an object such as {"field": "…"}.')
    if kind == "evidence":
        if params.get("document") not in dict(EvidenceDocument.Kind.choices):
            kinds = ", ".join(k for k, _label in EvidenceDocument.Kind.choices)
            return _("Name the document kind: %(kinds)s.") % {"kinds": kinds}
        return None
    if kind == "judged":
        anchors = params.get("anchors")
        if not isinstance(anchors, dict) or not anchors or not all(str(k).isdigit() for k in anchors):
            return _('List the anchors by points, e.g. {"anchors": {"0": "None", "2": "Some", "4": "Strong"}}.')
        in_french = params.get("anchors_fr", {})
        if not isinstance(in_french, dict) or not {str(k) for k in in_french} <= {str(k) for k in anchors}:
            return _("Give the French anchors by the points of the English ones.")
        return None
    if params.get("field") not in ANSWER_FIELDS:
        said = {"field": params.get("field"), "answers": ", ".join(sorted(ANSWER_FIELDS))}
        return _("“%(field)s” is not an answer. Use one of: %(answers)s.") % said
    # The engine counts with these: text, or points below 0, would break every score of the cycle.
    for key in ("per_choice", "min"):
        if key in params and not (_is_number(params[key]) and params[key] >= 0):
            return _('Set "%(key)s" to a number of 0 or more.') % {"key": key}
    for key in ("require", "only"):
        if key in params and not (isinstance(params[key], list) and all(isinstance(v, str) for v in params[key])):
            return _('Give "%(key)s" as a list of answers, e.g. ["live_phone", "web_form"].') % {"key": key}
    if kind == "bands":
        bands = params.get("bands")
        if params.get("direction") not in ("ge", "le"):
            return _('Set "direction" to "ge" (at least) or "le" (at most).')
        if not _are_bands(bands):
            return _('Give bands as [threshold, points] pairs, points 0 or more, e.g. "bands": [[30, 2], [60, 1]].')
    if kind == "count" and "bands" in params:
        if not _are_bands(params["bands"]):
            return _('Give bands as [count, points] pairs, points 0 or more, e.g. "bands": [[11, 5], [8, 3]].')
    if kind == "one_of" and not isinstance(params.get("values"), list):
        return _('List the answers that earn the points, e.g. "values": ["weekly", "monthly"].')
    choices = OFFERED.get(params["field"])
    if choices and kind in ("choices", "one_of"):
        named = params["values"] if kind == "one_of" else [*params.get("require", ()), *params.get("only", ())]
        wrong = [v for v in named if not (isinstance(v, str) and v in choices)]
        if wrong:
            said = {"value": wrong[0], "field": params["field"], "answers": ", ".join(choices)}
            return _("“%(value)s” is not an answer to %(field)s. Use one of: %(answers)s.") % said
    if kind == "recent_year" and not _is_number(params.get("within_years", 2)):
        return _('Set "within_years" to a number.')
    return None


class ScoreResult(models.Model):
    """The rule-based score of one application, as the engine produced it."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="score")
    rubric_version = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=6, decimal_places=2)
    eligible = models.BooleanField()
    level = models.CharField(max_length=100, blank=True)
    result = models.JSONField()
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.application}: {self.total}"
