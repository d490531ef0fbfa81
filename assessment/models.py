"""The data of the designation: who applies, in which cycle, with what.

Models stay data. State changes (create a draft, save a step, submit,
grant an extension) are functions in ``assessment.domain``; they are the only
way the status moves and each one writes an ``AuditEvent``.
"""

import functools
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The program made awards in four population categories (domain.md). The
# bounds are ours: they split US cities and counties that run contact
# centers into groups of comparable size.
POPULATION_BANDS = [
    (0, _("Under 100,000")),
    (100_000, _("100,000 to 249,999")),
    (250_000, _("250,000 to 749,999")),
    (750_000, _("750,000 and over")),
]


def population_band(population):
    label = POPULATION_BANDS[0][1]
    for lower, name in POPULATION_BANDS:
        if population is not None and population >= lower:
            label = name
    return label


# Time zones: IANA names (zoneinfo). The select lists the common North American zones first, then every other
# name zoneinfo knows; a cycle's deadline is set in one, and each jurisdiction reads it also in its own.
COMMON_TIME_ZONES = [
    ("America/St_Johns", _("Newfoundland (St. John's)")),
    ("America/Halifax", _("Atlantic (Halifax)")),
    ("America/Puerto_Rico", _("Atlantic, no daylight saving (Puerto Rico)")),
    ("America/New_York", _("Eastern (New York)")),
    ("America/Toronto", _("Eastern (Toronto)")),
    ("America/Chicago", _("Central (Chicago)")),
    ("America/Winnipeg", _("Central (Winnipeg)")),
    ("America/Regina", _("Central, no daylight saving (Saskatchewan)")),
    ("America/Denver", _("Mountain (Denver)")),
    ("America/Edmonton", _("Mountain (Edmonton)")),
    ("America/Phoenix", _("Mountain, no daylight saving (Arizona)")),
    ("America/Los_Angeles", _("Pacific (Los Angeles)")),
    ("America/Vancouver", _("Pacific (Vancouver)")),
    ("America/Anchorage", _("Alaska (Anchorage)")),
    ("Pacific/Honolulu", _("Hawaii (Honolulu)")),
]


@functools.cache
def valid_time_zones():
    """Every IANA name zoneinfo can load here, less the machine's own alias and the placeholder."""
    return frozenset(zoneinfo.available_timezones() - {"localtime", "Factory"})


def time_zone_choices():
    """The zone select's choices, in the active language (called each time a form lists them)."""
    common = [(name, f"{label} — {name}") for name, label in COMMON_TIME_ZONES if name in valid_time_zones()]
    taken = {name for name, _label in common}
    others = [(name, name) for name in sorted(valid_time_zones() - taken)]
    return [(str(_("North America")), common), (str(_("Other time zones")), others)]


def validate_time_zone(value):
    if value not in valid_time_zones():
        raise ValidationError(_("Choose a time zone by its IANA name, for example America/Chicago."), "time_zone")


def default_time_zone():
    return settings.TIME_ZONE


def time_zone_field(help_text):
    return models.CharField(
        max_length=64,
        choices=time_zone_choices,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=help_text,
    )


class Jurisdiction(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        CITY_COUNTY = "city-county", _("City-county")
        TOWN = "town", _("Town")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(_("state or province"), max_length=100)
    country = models.CharField(max_length=100, default="United States")
    population = models.PositiveIntegerField()
    county = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="places",
        limit_choices_to={"kind": Kind.COUNTY},
        help_text=_("For a city or town: the county it lies in (used to find conflicts of interest)."),
    )
    time_zone = time_zone_field(_("Where its staff read deadlines: each deadline is also shown in this zone."))
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the e-mails sent to its staff and of its designation report and certificate."),
    )

    class Meta:
        ordering = ["name", "state"]
        constraints = [models.UniqueConstraint(fields=["name", "state", "country"], name="unique_jurisdiction")]

    def __str__(self):
        return f"{self.name}, {self.state}"

    @property
    def population_band(self):
        return population_band(self.population)


class User(AbstractUser):
    class Role(models.TextChoices):
        APPLICANT = "applicant", _("Applicant (jurisdiction staff)")
        REVIEWER = "reviewer", _("Reviewer")
        ORGANIZER = "organizer", _("Organizer")

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.APPLICANT)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Applicants: the jurisdiction they work for. Reviewers: their own (a conflict of interest)."),
    )
    title = models.CharField(_("job title"), max_length=200, blank=True)
    # Set by the language switch (config/language.py); empty: the browser's language.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)

    @property
    def is_applicant(self):
        return self.role == self.Role.APPLICANT

    @property
    def is_reviewer(self):
        return self.role == self.Role.REVIEWER

    @property
    def is_organizer(self):
        return self.role == self.Role.ORGANIZER

    @property
    def mail_language(self):
        """Their e-mails' language: a jurisdiction's staff read the jurisdiction's, others theirs, else the default."""
        if self.is_applicant and self.jurisdiction_id:
            return self.jurisdiction.language
        return self.language or settings.LANGUAGE_CODE

    def __str__(self):
        return self.get_full_name() or self.email or self.username


def _two_years_after(day):
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)


class Cycle(models.Model):
    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        OPEN = "open", _("Open for applications")
        REVIEW = "review", _("In review")
        DECIDED = "decided", _("Decided")
        PUBLISHED = "published", _("Designees published")

    name = models.CharField(max_length=50, unique=True, help_text=_("For example 2025–2027."))
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(help_text=_("Submission deadline, in the cycle's time zone."))
    time_zone = time_zone_field(_("The zone the cycle's dates are set and shown in."))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPCOMING)
    valid_from = models.DateField(help_text=_("First day designations from this cycle are valid."))
    valid_until = models.DateField(blank=True, help_text=_("Two years after the start unless set."))
    # Who signs the cycle's certificates of designation (review.certificates), as printed under the signature.
    signatory_name = models.CharField(max_length=120, blank=True)
    signatory_title = models.CharField(max_length=160, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-opens_at"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.valid_until:
            self.valid_until = _two_years_after(self.valid_from)
        super().save(*args, **kwargs)

    def is_accepting(self, now=None):
        """Open, and before the deadline."""
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now <= self.closes_at


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="applications")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # What the wizard stores: the raw data of every step as it was typed,
    # valid or not (formtools' storage format), and the current step.
    wizard_state = models.JSONField(default=dict, blank=True)
    # The answers that validate, per step: what scoring and reports read.
    answers = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, help_text=_("Raised by every save; guards against lost updates."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    extension_until = models.DateTimeField(
        null=True, blank=True, help_text=_("An organizer's extension: the applicant may submit until then.")
    )
    prefilled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["jurisdiction__name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "cycle"], name="one_application_per_cycle"),
        ]
        # Lists find, count and sort a cycle's applications from these, without reading a row: on SQLite
        # the row holds the answers' and the wizard's JSON (several kilobytes) before its keys.
        indexes = [
            # A cycle's (submitted) applications: the panel, its confirmation pages, counts, the drafts.
            models.Index(fields=["cycle", "status", "jurisdiction", "id"], name="application_cycle_status"),
            # An application found by its id (a decision's, an assignment's): its cycle and jurisdiction.
            models.Index(fields=["id", "cycle", "jurisdiction"], name="application_id_cycle"),
        ]

    def __str__(self):
        return f"{self.jurisdiction} — {self.cycle}"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def deadline(self):
        if self.extension_until and self.extension_until > self.cycle.closes_at:
            return self.extension_until
        return self.cycle.closes_at

    def can_submit_now(self, now=None):
        now = now or timezone.now()
        if not self.is_draft:
            return False
        cycle = self.cycle
        if self.extension_until and now <= self.extension_until:
            return cycle.opens_at <= now
        return cycle.is_accepting(now)


def evidence_upload_to(instance, filename):
    # The name on disk is made by the server; the applicant's file name is
    # kept only as metadata (original_name).
    return f"evidence/{instance.application_id}/{instance.id}.pdf"


class EvidenceDocument(models.Model):
    class Kind(models.TextChoices):
        TECHNOLOGY_PLAN = "technology_plan", _("Technology plan")
        SLA = "sla", _("Service-level agreement with departments")
        PERFORMANCE_REPORT = "performance_report", _("Performance report")
        SOCIAL_MEDIA_POLICY = "social_media_policy", _("Social-media policy")
        CONTINUITY_PLAN = "continuity_plan", _("Continuity plan")
        OTHER = "other", _("Other supporting document")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    file = models.FileField(upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"


class AuditEvent(models.Model):
    """An append-only record of a state change: who did what, to what, when, and who may read it.

    The audience is decided where the event is written (``assessment.audit.AUDIENCES``
    gives each action its own) and every page that shows history filters on it
    (``assessment.access.visible_events``).
    """

    class Audience(models.TextChoices):
        # Only organizers (reasons for ending assignments, conflicts, draft saves of reviews).
        ORGANIZERS = "organizers", _("Organizers only")
        # Organizers, and the reviewers of the application once their own review is submitted.
        PANEL = "panel", _("The review panel")
        # Organizers and the applicant's staff (appeals, extensions).
        APPLICANT = "applicant", _("Organizers and the applicant")
        # Everyone who may read the application (its staff, its reviewers, organizers).
        PUBLIC = "public", _("Everyone who may read the application")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=60)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    cycle = models.ForeignKey(Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.CharField(max_length=300, help_text=_("In words, written for the event's audience."))
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.ORGANIZERS)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # The applications with an event of an action (the recorded designations), without reading the events.
        indexes = [models.Index(fields=["action", "application"], name="auditevent_action_application")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only; they are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only; they are never deleted.")


class Invitation(models.Model):
    """An organizer's invitation to a person; accepted by setting a password."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"Invitation of {self.user} ({self.sent_at:%Y-%m-%d})"


class DraftReminder(models.Model):
    """A reminder e-mail about a draft, one per draft and reminder date (``assessment.draft_reminders``).

    The row is written before the e-mails go out (``claimed_at``), so that of two runs at once only one sends;
    ``sent_at`` is set once they went out. A failed send deletes the row, so the next run tries again.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="draft_reminders")
    days_before = models.PositiveSmallIntegerField(help_text=_("The reminder N days before the deadline."))
    remind_on = models.DateField(help_text=_("The deadline's date, in the cycle's zone, less days_before."))
    deadline = models.DateTimeField(help_text=_("The deadline it reminded of (an extension's, if any)."))
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-remind_on"]
        constraints = [models.UniqueConstraint(fields=["application", "remind_on"], name="one_draft_reminder_a_day")]

    def __str__(self):
        return f"{self.application}: {self.days_before} days before, on {self.remind_on}"
