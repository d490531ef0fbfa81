"""Load the demo data (``make run`` calls this after ``migrate``). Never in production settings.

It lives in ``review`` because the demo includes the panel's work (``review.demo``), which builds
on the applications of ``assessment.demo``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from assessment import demo as applications_demo
from assessment import demo_data
from review import demo

# The e-mails the domain sends while the demo is built (receipts, assignments, questions, the
# publication, the appeal) would go to fictional people at demo.example: to the terminal in development
# (drowning the logins below), or to a real mail server if one is configured. They go nowhere.
NO_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


class Command(BaseCommand):
    help = (
        "Load the demo: fictional jurisdictions in an open 2026–2028 cycle, a 2025–2027 cycle in review with the "
        "panel at work, an earlier 2024–2026 cycle decided and appealed, and the 2013–2015 designees. "
        "Does nothing if the demo is already loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo data first, then load it afresh.")

    def handle(self, *args, reset=False, **options):
        if not (settings.DEBUG or getattr(settings, "DEMO", False)):
            raise CommandError(
                "The demo data never loads in production settings (DEBUG and DEMO are off). "
                "Set DEMO=1 (or DEBUG=1) to load it."
            )
        if not reset and applications_demo.is_loaded():
            self.stdout.write("The demo data is already loaded; nothing changed (load_demo --reset starts it afresh).")
            self.write_logins()
            return
        try:
            # One transaction: a failed reload leaves the old demo in place. The e-mails are sent when
            # it commits, so the override covers the whole block.
            with override_settings(EMAIL_BACKEND=NO_EMAIL), transaction.atomic():
                if reset:
                    deleted = demo.reset()
                    self.stdout.write(f"Removed the previous demo data ({deleted} applications).")
                counts = demo.load()
        except applications_demo.DemoError as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(self.style.SUCCESS("Demo data loaded:"))
        for cycle, by_status in counts.items():
            described = ", ".join(f"{count} {status}" for status, count in by_status.items() if count)
            self.stdout.write(f"  {cycle}: {described}")
        panel = demo.panel_summary()
        self.stdout.write(
            f"  Review panel: {panel['assignments']} assignments ({panel['not started']} not started, "
            f"{panel['draft']} drafts, {panel['submitted']} submitted), {panel['decisions']} decisions "
            f"({panel['published']} published), {panel['questions']} questions ({panel['open questions']} open), "
            f"{panel['pending appeals']} appeal{'s' if panel['pending appeals'] != 1 else ''} pending."
        )
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
