from django.core.management.base import BaseCommand, CommandError

from assessment.models import Cycle
from reports.models import ReportBatch
from reports.tasks import generate_report, lease, progress, resume, start_batch


class Command(BaseCommand):
    help = (
        "Make the designation reports of every submitted application of a cycle, as the organizers' "
        '"Generate all reports" does. Queued for the task worker (manage.py run_worker) unless --now. '
        "With --resume, start nothing new: queue again the reports of unfinished batches (of the cycle, "
        "or of every cycle) whose worker stopped, as the batch page's Resume button does."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", nargs="?", help='The cycle\'s name, e.g. "2013–2015".')
        parser.add_argument("--now", action="store_true", help="Make them here, one after the other, not by a worker.")
        parser.add_argument(
            "--resume", action="store_true", help="Queue again what stopped with its worker; safe to run at any time."
        )

    def handle(self, *args, cycle=None, now=False, resume=False, **options):
        found = self._cycle(cycle) if cycle or not resume else None
        if resume:
            return self._resume(found)
        batch = start_batch(found, user=None, enqueue=not now)
        if not now:
            self.stdout.write(
                f"Batch {batch.pk}: {batch.total} report(s) of {found} queued; `manage.py run_worker` makes them."
            )
            return
        for item_id in batch.items.values_list("pk", flat=True):
            generate_report.call(item_id)
        batch.refresh_from_db()
        self.stdout.write(f"Batch {batch.pk}: {progress(batch)['text']}")
        for item in batch.items.filter(status="failed").select_related("application__jurisdiction"):
            self.stdout.write(f"  {item.application.jurisdiction}: {item.error}")

    def _cycle(self, name):
        found = Cycle.objects.filter(name=name).first() if name else None
        if found is None:
            names = ", ".join(Cycle.objects.values_list("name", flat=True)) or "none yet"
            problem = f"No cycle is named {name!r}." if name else "Name the cycle whose reports to make."
            raise CommandError(f"{problem} Cycles: {names}.")
        return found

    def _resume(self, cycle):
        batches = ReportBatch.objects.filter(finished_at__isnull=True).select_related("cycle").order_by("pk")
        if cycle is not None:
            batches = batches.filter(cycle=cycle)
        resumed = 0
        for batch in batches:
            again, failed = resume(batch)
            if again or failed:
                resumed += 1
                self.stdout.write(f"Batch {batch.pk} ({batch.cycle}): {again} report(s) queued again, {failed} failed.")
        if not resumed:
            minutes = lease().total_seconds() / 60
            self.stdout.write(f"Nothing to resume (a report counts as stopped after {minutes:g} minutes).")
