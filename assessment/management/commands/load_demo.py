"""Load the demo data (``make run`` calls this after ``migrate``). Never in production settings."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessment import demo, demo_data


class Command(BaseCommand):
    help = (
        "Load the demo: fictional jurisdictions in an open 2026–2028 cycle, an earlier 2024–2026 cycle, "
        "and the 2013–2015 designees. Does nothing if the demo is already loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo data first, then load it afresh.")

    def handle(self, *args, reset=False, **options):
        if not (settings.DEBUG or getattr(settings, "DEMO", False)):
            raise CommandError(
                "The demo data never loads in production settings (DEBUG and DEMO are off). "
                "Set DEMO=1 (or DEBUG=1) to load it."
            )
        if not reset and demo.is_loaded():
            self.stdout.write("The demo data is already loaded; nothing changed (load_demo --reset starts it afresh).")
            self.write_logins()
            return
        try:
            # One transaction: a failed reload leaves the old demo in place.
            with transaction.atomic():
                if reset:
                    deleted = demo.reset()
                    self.stdout.write(f"Removed the previous demo data ({deleted} applications).")
                counts = demo.load()
        except demo.DemoError as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(self.style.SUCCESS("Demo data loaded:"))
        for cycle, by_status in counts.items():
            described = ", ".join(f"{count} {status}" for status, count in by_status.items() if count)
            self.stdout.write(f"  {cycle}: {described}")
        self.write_logins()

    def write_logins(self):
        rows = [("user name", "role", "jurisdiction", "what to try")]
        rows += [
            (login.username, login.role, login.jurisdiction or "—", login.what_to_try) for login in demo_data.LOGINS
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        self.stdout.write(f"\nDemo logins (password {demo_data.PASSWORD}):")
        for index, row in enumerate(rows):
            self.stdout.write(
                "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
