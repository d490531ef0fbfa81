from django.core.management.base import BaseCommand, CommandError

from assessment.models import Cycle
from reports.tasks import generate_report, progress, start_batch


class Command(BaseCommand):
    help = (
        "Make the designation reports of every submitted application of a cycle, as the organizers' "
        '"Generate all reports" does. Queued for the task worker (manage.py db_worker) unless --now.'
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", help='The cycle\'s name, e.g. "2013–2015".')
        parser.add_argument("--now", action="store_true", help="Make them here, one after the other, not by a worker.")

    def handle(self, *args, cycle, now=False, **options):
        found = Cycle.objects.filter(name=cycle).first()
        if found is None:
            names = ", ".join(Cycle.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No cycle is named {cycle!r}. Cycles: {names}.")
        batch = start_batch(found, user=None, enqueue=not now)
        if not now:
            self.stdout.write(
                f"Batch {batch.pk}: {batch.total} report(s) of {found} queued; `manage.py db_worker` makes them."
            )
            return
        for item_id in batch.items.values_list("pk", flat=True):
            generate_report.call(item_id)
        batch.refresh_from_db()
        self.stdout.write(f"Batch {batch.pk}: {progress(batch)['text']}")
        for item in batch.items.filter(status="failed").select_related("application__jurisdiction"):
            self.stdout.write(f"  {item.application.jurisdiction}: {item.error}")
