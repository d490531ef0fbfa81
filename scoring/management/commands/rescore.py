from django.core.management.base import BaseCommand, CommandError

from assessment.models import Cycle
from scoring.domain import rescore_cycle


class Command(BaseCommand):
    help = "Recompute the rule-based scores of every application of a cycle (or of every cycle)."

    def add_arguments(self, parser):
        parser.add_argument("cycle", nargs="?", help='The cycle\'s name, e.g. "2026–2028". Omit with --all.')
        parser.add_argument("--all", action="store_true", help="Every cycle.")

    def handle(self, *args, cycle=None, all=False, **options):
        if all:
            cycles = list(Cycle.objects.all())
        elif cycle:
            found = Cycle.objects.filter(name=cycle).first()
            if found is None:
                names = ", ".join(Cycle.objects.values_list("name", flat=True)) or "none yet"
                raise CommandError(f"No cycle is named {cycle!r}. Cycles: {names}.")
            cycles = [found]
        else:
            raise CommandError("Name a cycle, or give --all.")
        for each in cycles:
            count = rescore_cycle(each)
            self.stdout.write(f"{each}: {count} application{'s' if count != 1 else ''} scored.")
