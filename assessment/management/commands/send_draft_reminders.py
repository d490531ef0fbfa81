"""``manage.py send_draft_reminders``: e-mail the staff of drafts still open before their deadline (daily, cron)."""

from django.core.management.base import BaseCommand, CommandError

from assessment.draft_reminders import MOST_DAYS, OUTCOMES, send_draft_reminders
from config.env import positive_ints


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "E-mail the staff of each draft its reminder when a reminder date has arrived (DRAFT_REMINDER_DAYS days "
        "before the draft's deadline, an extension counted); each reminder once. Run daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", help="Days before the deadline to remind on, e.g. 14,7,2 (default: the setting).")
        parser.add_argument("--dry-run", action="store_true", help="Show the e-mails; send and record nothing.")

    def handle(self, *args, days=None, dry_run=False, **options):
        if days is not None:
            try:
                days = positive_ints(days, MOST_DAYS)
            except ValueError as error:
                raise CommandError(f"--days: {error}") from None
        reminders = send_draft_reminders(days=days, dry_run=dry_run)
        for reminder in reminders:
            application = reminder.application
            line = f"{application.jurisdiction} — {application.cycle}: {reminder.days_before}-day reminder"
            if reminder.outcome == "failed":
                self.stderr.write(f"{line}: FAILED ({reminder.error}); the next run tries again.")
            elif dry_run and reminder.outcome == "due":
                self.stdout.write(f"{line}: would be sent to {', '.join(reminder.recipients)}.")
                self.stdout.write(f"    Subject: {reminder.subject}\n")
                self.stdout.write("".join(f"    {text}".rstrip() + "\n" for text in reminder.body.splitlines()))
            elif reminder.outcome == "sent":
                self.stdout.write(f"{line}: sent to {_plural(len(reminder.recipients), 'staff member')}.")
            else:
                self.stdout.write(f"{line}: {OUTCOMES[reminder.outcome]}.")
        done = [r for r in reminders if r.outcome == ("due" if dry_run else "sent")]
        emails = _plural(sum(len(r.recipients) for r in done), "reminder")
        self.stdout.write(f"{'Would send' if dry_run else 'Sent'} {emails} for {_plural(len(done), 'draft')}.")
        failed = [r for r in reminders if r.outcome == "failed"]
        if failed:
            names = "; ".join(f"{r.application.jurisdiction} — {r.application.cycle}" for r in failed)
            raise CommandError(f"{_plural(len(failed), 'draft')} could not be reminded: {names}.")
