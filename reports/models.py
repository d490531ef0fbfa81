"""Generated PDF reports, and the batches that generate a cycle's reports in the background.

A ``ReportFile`` is a cache: one row per report (an application's report, a
cycle's summary), holding the PDF made from inputs whose hash it records.
The report is made again only when that hash changes, so a batch run twice
renders nothing the second time, and an applicant's download after a batch is
instant. The PDFs live under MEDIA_ROOT, which is never served directly.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessment.models import Application, Cycle


def report_upload_to(instance, filename):
    # Names made by the server; the hash in the name keeps an old download
    # from being overwritten while someone reads it.
    owner = instance.application_id or f"cycle-{instance.cycle_id}"
    return f"reports/{instance.kind}/{owner}/{instance.inputs_hash[:16]}.pdf"


class ReportFile(models.Model):
    class Kind(models.TextChoices):
        APPLICATION = "application", "Designation report"
        CYCLE_SUMMARY = "cycle_summary", "Cycle summary of designees"
        # For a reviewer whose own review is not in: the rule scores alone.
        BLIND = "blind", "Draft report without the panel's reviews"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="report_files"
    )
    inputs_hash = models.CharField(max_length=64, help_text="SHA-256 of everything the report was made from.")
    file = models.FileField(upload_to=report_upload_to, max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the stored file; the cache trusts the file only if it matches."
    )
    pages = models.PositiveIntegerField(default=0)
    render_seconds = models.FloatField(default=0)
    generated_at = models.DateTimeField(default=timezone.now)
    error = models.TextField(blank=True, help_text="Why the last attempt failed; empty when the file is good.")

    class Meta:
        ordering = ["-generated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "application"],
                condition=Q(application__isnull=False),
                name="one_report_per_application",
            ),
            models.UniqueConstraint(
                fields=["kind", "cycle"], condition=Q(application__isnull=True), name="one_summary_per_cycle"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.application or self.cycle}"

    def is_current(self, inputs_hash):
        return bool(self.file) and not self.error and self.inputs_hash == inputs_hash


class ReportBatch(models.Model):
    """An organizer's "Generate all reports" for a cycle: one item per submitted application."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="report_batches")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Counters moved with F() by each task as it ends, so the progress page
    # reads one row; they always equal the items' statuses.
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "report batches"

    def __str__(self):
        return f"Reports of {self.cycle} started {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self):
        return self.done + self.failed

    @property
    def is_finished(self):
        return self.finished >= self.total

    @property
    def percent(self):
        return 100 if not self.total else round(100 * self.finished / self.total)


class ReportBatchItem(models.Model):
    """One application's report in a batch: PENDING → RUNNING (claimed by a worker) → DONE or FAILED.

    A worker killed mid-render leaves its item RUNNING; ``claimed_at`` lets
    ``reports.tasks.resume`` tell that lost claim from a live one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    batch = models.ForeignKey(ReportBatch, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    reused = models.BooleanField(default=False, help_text="The cached report was still current.")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current attempt began; a claim older than the lease is a lost one."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application__jurisdiction__name"]
        constraints = [models.UniqueConstraint(fields=["batch", "application"], name="one_item_per_application")]

    def __str__(self):
        return f"{self.application}: {self.get_status_display()}"


class WorkerHeartbeat(models.Model):
    """A running task worker (``manage.py run_worker``), as last seen: one row per worker process.

    The worker writes ``seen_at`` every ``WORKER_HEARTBEAT_SECONDS`` and deletes its row when it stops;
    a row older than ``WORKER_HEARTBEAT_STALE_SECONDS`` is a worker that died without saying so.
    /health/ and the batch page read it.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"Worker {self.worker_id} on {self.host} (pid {self.pid}), seen {self.seen_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def live(cls, now=None):
        """The workers seen within the stale threshold."""
        cutoff = (now or timezone.now()) - timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)
        return cls.objects.filter(seen_at__gte=cutoff)
