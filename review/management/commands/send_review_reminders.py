from django.core.management.base import BaseCommand

from review.reminders import send_reminders


class Command(BaseCommand):
    help = "E-mail reviewers whose reviews are due within a few days (run daily, e.g. from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="Remind this many days before the deadline.")

    def handle(self, *args, days=3, **options):
        count = send_reminders(within_days=days)
        self.stdout.write(f"{count} unsubmitted review{'s' if count != 1 else ''} reminded.")
