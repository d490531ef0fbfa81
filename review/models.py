"""The review panel's data: conflicts, assignments, reviews, clarifications, decisions, appeals.

Models stay data; every change goes through the panel's action modules
(``review.assignment``, ``review.reviewing``, ``review.decisions``…), which write
the audit record. Nothing here is edited with ``queryset.update()`` except the
conditional claims of once-only actions (``UPDATE … WHERE answered_at IS NULL``
and the like), each followed by its audit record in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import Application, Cycle, EvidenceDocument, Jurisdiction


class ReviewSettings(models.Model):
    """How a cycle's panel works."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="review_settings")
    reviewers_per_application = models.PositiveSmallIntegerField(default=2)
    max_per_reviewer = models.PositiveSmallIntegerField(
        default=8, help_text=_("Automatic assignment never gives a reviewer more than this.")
    )
    review_deadline = models.DateTimeField(null=True, blank=True)
    disagreement_margin = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=10,
        help_text=_("Flag an application when reviewers' totals differ by more than this many points."),
    )
    divergence_margin = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=2,
        help_text=_("Flag a criterion when a reviewer's adjusted score differs from the rule score by more than this."),
    )
    appeal_deadline = models.DateTimeField(null=True, blank=True, help_text=_("Appeals are accepted until then."))

    def __str__(self):
        return f"Review settings of {self.cycle}"


def settings_for(cycle):
    """The cycle's panel settings, made with the defaults on first use."""
    review_settings = ReviewSettings.objects.get_or_create(cycle=cycle)[0]
    review_settings.cycle = cycle  # known already: reading it later (its time zone) costs no query
    return review_settings


class DeclaredConflict(models.Model):
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_conflicts")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reviewer", "jurisdiction"], name="one_declaration_per_pair")]

    def __str__(self):
        return f"{self.reviewer} ✕ {self.jurisdiction}"


class Assignment(models.Model):
    """A reviewer's assignment to an application. Removed assignments stay, inactive, as history."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], condition=models.Q(active=True), name="one_active_assignment"
            )
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.application}"


class ReviewQuerySet(models.QuerySet):
    def counted(self):
        """The reviews that count towards a result: submitted, and not excluded for a conflict."""
        return self.filter(status=Review.Status.SUBMITTED, excluded=False)


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="review")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # {criterion code: points} for reviewer-judged criteria.
    judged = models.JSONField(default=dict, blank=True)
    # {criterion code: {"points": n, "reason": "…"}} for adjusted rule scores.
    adjustments = models.JSONField(default=dict, blank=True)
    comments_for_applicant = models.TextField(blank=True)
    private_notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    excluded = models.BooleanField(
        default=False, help_text=_("Left out of the result (a conflict found after scoring).")
    )
    excluded_reason = models.CharField(max_length=300, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        # What ``review.summary.fingerprint`` reads of every review, without reading a row (its comments).
        indexes = [models.Index(fields=["status", "excluded", "version", "updated_at"], name="review_fingerprint")]

    def __str__(self):
        return f"Review by {self.assignment.reviewer} of {self.assignment.application}"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def counts(self):
        """The same test as ``Review.objects.counted()``, on a review already loaded."""
        return self.is_submitted and not self.excluded


class Clarification(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    question = models.TextField(max_length=3000)
    answer = models.TextField(max_length=5000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(EvidenceDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["asked_at"]

    def __str__(self):
        return f"Question on {self.application}"


class Decision(models.Model):
    """A panel decision. A later decision (an appeal) supersedes it; none is ever changed."""

    class Outcome(models.TextChoices):
        DESIGNATED = "designated", _("Designated")
        NOT_DESIGNATED = "not_designated", _("Not designated")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    level = models.CharField(max_length=100, blank=True)
    total = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    rationale = models.TextField()
    suggested_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    suggested_level = models.CharField(max_length=100, blank=True)
    override_reason = models.TextField(blank=True)
    # What the decision was made on, frozen: the rubric, the scores and the reviews.
    snapshot = models.JSONField(default=dict)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(superseded_at=None), name="one_current_decision"
            )
        ]
        # The current decisions by outcome and publication (designees, the publishing page's counts), without
        # reading a row (its snapshot).
        indexes = [
            models.Index(
                fields=["outcome", "published_at", "level", "application"],
                condition=models.Q(superseded_at=None),
                name="current_decision_outcome",
            )
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} {self.level}: {self.application}"


class Appeal(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Decision upheld")
        CHANGED = "changed", _("Decision changed")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="appeals")
    statement = models.TextField(max_length=10000)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_notes = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One appeal at a time: a second one filed while the first is pending is refused by
            # the database itself, so parallel requests cannot both get in.
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(outcome="pending"), name="one_pending_appeal"
            )
        ]

    def __str__(self):
        return f"Appeal of {self.application}"


class Certificate(models.Model):
    """The certificate of a published designation: a number for people and a code anyone can verify.

    Issued once, when the designation is published (``review.certificates.issue``); it stays when the
    designation is withdrawn or replaced, so that its verification page can say so.
    """

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="certificate")
    # "CEC-2026-0007": the cycle's first year of validity and the certificate's place in it.
    number = models.CharField(max_length=20, unique=True)
    # Ten characters of Crockford's base32, drawn by ``secrets``; shown as "7KQ2M-X9PDT", stored without the dash.
    code = models.CharField(max_length=10, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issued_at", "pk"]

    def __str__(self):
        return f"Certificate {self.number}"

    @property
    def display_code(self):
        """The code as printed and typed: two groups of five ("7KQ2M-X9PDT")."""
        return f"{self.code[:5]}-{self.code[5:]}"

    @property
    def verify_url(self):
        """The address of its public verification page, on the site's own address (settings.SITE_URL)."""
        # The page is pages' (pages/verify.py): found by its name when asked, never imported.
        return settings.SITE_URL + reverse("verify_certificate", args=[self.display_code])
