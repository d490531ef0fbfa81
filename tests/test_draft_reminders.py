"""Reminder e-mails to the staff of drafts still open before their deadline (assessment/draft_reminders.py).

The run's "now" is fixed: NOW is Friday January 8, 2027, 10:00 in New York, and the usual deadline is
January 15, 2027 at 23:59 in New York, so of the reminders 14, 7 and 2 days before (January 1, 8 and 13)
the 7-day one is the most recent due.
"""

import io
import smtplib
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db.models.signals import pre_save
from django.utils import timezone

from assessment.draft_reminders import send_draft_reminders
from assessment.models import Application, Cycle, DraftReminder, User
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer, make_user
from tests.factories.answers import COMPLETE, wizard_state

NOW = datetime(2027, 1, 8, 15, 0, tzinfo=UTC)
DEADLINE = datetime(2027, 1, 16, 4, 59, tzinfo=UTC)  # January 15, 2027 at 23:59 EST
DAYS = (14, 7, 2)
SITE = "https://designation.example.org"
# Three steps with problems: one wrong number, a step never filled in (6 answers), the attestation (3).
PARTLY = {step: values for step, values in COMPLETE.items() if step not in ("channels", "review")}
PARTLY["profile"] = {**COMPLETE["profile"], "agents_fte": "many"}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.DRAFT_REMINDER_DAYS = DAYS


def draft(deadline=DEADLINE, jurisdiction=None, zone="America/New_York", cycle_name=None, cycle_status=None, **kw):
    """A draft of ``jurisdiction`` in a cycle of its own, open since long before NOW, closing at ``deadline``."""
    cycle = make_cycle(name=cycle_name, time_zone=zone)
    cycle.opens_at, cycle.closes_at = deadline - timedelta(days=120), deadline
    cycle.status = cycle_status or cycle.status
    cycle.save()
    return make_application(
        jurisdiction=jurisdiction or make_jurisdiction(),
        cycle=cycle,
        wizard_state=wizard_state(PARTLY, "technology"),
        **kw,
    )


@pytest.fixture
def harbor(db):
    """Harbor City's draft (its clock is Pacific, the cycle's Eastern) with two staff to write to."""
    city = make_jurisdiction(name="Harbor City", state="CA", time_zone="America/Los_Angeles")
    staff = [make_user(jurisdiction=city, first_name="Pat", last_name="Rivera"), make_user(jurisdiction=city)]
    make_organizer(first_name="Dana", last_name="Okafor", email="dana.okafor@example.org")
    application = draft(jurisdiction=city, cycle_name="2026–2028")
    return application, staff


def body_of(application):
    return (
        "Hello,\n\n"
        "Harbor City, CA's application for the Citizen-Engaged Community designation 2026–2028 is still a draft. "
        "It must be submitted by January 15, 2027 at 23:59 EST (20:59 PST in Harbor City).\n\n"
        "10 answers are missing or need correcting, in these steps:\n"
        "- Contact center profile (1)\n"
        "- Channels and self-service (6)\n"
        "- Review and submit (3)\n\n"
        f"Continue the application: {SITE}/applications/{application.pk}/steps/technology/\n"
        "Its last step lists every answer still missing, and submits the application once none is left.\n\n"
        "If you need more time, ask the program's organizers for an extension before the deadline passes; "
        "only they can grant one.\n"
        "Write to: Dana Okafor <dana.okafor@example.org>\n\n"
        "You receive this e-mail as a staff member of Harbor City, CA.\n"
    )


def test_due_reminder_goes_once_to_each_staff_member(harbor):
    application, staff = harbor
    [reminder] = send_draft_reminders(now=NOW)
    assert (reminder.outcome, reminder.days_before) == ("sent", 7)
    assert sorted(message.to for message in mail.outbox) == sorted([person.email] for person in staff)
    for message in mail.outbox:
        assert (
            message.subject == "Reminder: Harbor City, CA's 2026–2028 application is due January 15, 2027 at 23:59 EST"
        )
        assert message.body == body_of(application)
        assert message.content_subtype == "plain" and not getattr(message, "alternatives", None)
    record = DraftReminder.objects.get()
    assert (record.application, record.days_before, record.remind_on) == (application, 7, NOW.date())
    assert (record.deadline, record.sent_at, record.recipients) == (DEADLINE, NOW, 2)


def test_second_run_sends_nothing(harbor):
    send_draft_reminders(now=NOW)
    mail.outbox.clear()
    assert send_draft_reminders(now=NOW + timedelta(hours=5)) == []
    assert mail.outbox == []
    assert DraftReminder.objects.count() == 1


def test_next_reminder_date_sends_the_next_reminder(harbor):
    send_draft_reminders(now=NOW)
    [reminder] = send_draft_reminders(now=datetime(2027, 1, 13, 14, 0, tzinfo=UTC))
    assert reminder.days_before == 2
    assert len(mail.outbox) == 4


def test_draft_twenty_days_out_gets_nothing(db):
    make_user(jurisdiction=draft(deadline=NOW + timedelta(days=20)).jurisdiction)
    assert send_draft_reminders(now=NOW) == []
    assert mail.outbox == [] and not DraftReminder.objects.exists()


def test_extension_moves_the_dates(db):
    later = draft(deadline=NOW + timedelta(days=5), extension_until=NOW + timedelta(days=20))
    extended = draft(deadline=NOW - timedelta(days=1), extension_until=DEADLINE)
    for application in (later, extended):
        make_user(jurisdiction=application.jurisdiction)
    [reminder] = send_draft_reminders(now=NOW)
    assert (reminder.application, reminder.days_before) == (extended, 7)
    assert mail.outbox[0].subject.endswith("application is due January 15, 2027 at 23:59 EST")


def test_extension_after_the_last_reminder_starts_the_reminders_again(harbor):
    application, _staff = harbor
    send_draft_reminders(now=datetime(2027, 1, 13, 14, 0, tzinfo=UTC))  # the 2-day reminder
    application.extension_until = DEADLINE + timedelta(days=14)  # January 29
    application.save()
    assert send_draft_reminders(now=datetime(2027, 1, 14, 14, 0, tzinfo=UTC)) == []
    [reminder] = send_draft_reminders(now=datetime(2027, 1, 15, 14, 0, tzinfo=UTC))
    assert (reminder.days_before, reminder.remind_on.isoformat()) == (14, "2027-01-15")
    assert "submitted by January 29, 2027 at 23:59 EST" in mail.outbox[-1].body


@pytest.mark.parametrize(
    "kw",
    [
        {"status": Application.Status.SUBMITTED},
        {"deadline": NOW - timedelta(hours=1)},
        {"deadline": NOW - timedelta(days=2), "extension_until": NOW - timedelta(hours=1)},
        {"cycle_status": Cycle.Status.REVIEW},  # closed early by the organizers
    ],
    ids=["submitted", "past-deadline", "past-extension", "closed-cycle"],
)
def test_drafts_that_cannot_be_submitted_get_nothing(db, kw):
    make_user(jurisdiction=draft(**kw).jurisdiction)
    assert send_draft_reminders(now=NOW) == []
    assert mail.outbox == []


def test_missed_days_send_only_the_latest(harbor):
    [reminder] = send_draft_reminders(now=datetime(2027, 1, 14, 14, 0, tzinfo=UTC))
    assert reminder.days_before == 2
    assert len(mail.outbox) == 2
    assert list(DraftReminder.objects.values_list("days_before", flat=True)) == [2]


def test_reminder_dates_are_on_the_cycles_clock(db):
    application = draft(deadline=datetime(2027, 1, 16, 7, 59, tzinfo=UTC), zone="America/Los_Angeles")
    make_user(jurisdiction=application.jurisdiction)
    DraftReminder.objects.create(
        application=application,
        days_before=7,
        remind_on="2027-01-08",
        deadline=application.deadline(),
        claimed_at=NOW,
        sent_at=NOW,
    )
    # January 13 in UTC, still January 12 in Los Angeles: the 2-day reminder (January 13) is not due.
    assert send_draft_reminders(now=datetime(2027, 1, 13, 5, 0, tzinfo=UTC)) == []
    [reminder] = send_draft_reminders(now=datetime(2027, 1, 13, 8, 0, tzinfo=UTC))
    assert reminder.days_before == 2


def test_days_come_from_the_setting_or_the_call(harbor, settings):
    settings.DRAFT_REMINDER_DAYS = (3,)
    assert send_draft_reminders(now=NOW) == []
    [reminder] = send_draft_reminders(now=NOW, days=(10,))
    assert reminder.days_before == 10


def test_failed_send_records_nothing_and_the_next_run_sends(harbor):
    refused = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with mock.patch.object(locmem.EmailBackend, "send_messages", side_effect=refused):
        [reminder] = send_draft_reminders(now=NOW)
    assert (reminder.outcome, reminder.error) == ("failed", "SMTPServerDisconnected: Connection unexpectedly closed")
    assert not DraftReminder.objects.exists()
    [reminder] = send_draft_reminders(now=NOW + timedelta(hours=1))
    assert reminder.outcome == "sent" and len(mail.outbox) == 2


def test_one_failed_draft_does_not_stop_the_others(harbor):
    other = draft()
    make_user(jurisdiction=other.jurisdiction)
    send_messages = locmem.EmailBackend.send_messages

    def refuse_harbor_city(backend, messages):
        if any("Harbor City" in message.subject for message in messages):
            raise smtplib.SMTPDataError(451, "Try again later")
        return send_messages(backend, messages)

    with mock.patch.object(locmem.EmailBackend, "send_messages", refuse_harbor_city):
        outcomes = {r.application.jurisdiction.name: r.outcome for r in send_draft_reminders(now=NOW)}
    assert outcomes == {"Harbor City": "failed", other.jurisdiction.name: "sent"}
    assert list(DraftReminder.objects.values_list("application", flat=True)) == [other.pk]


def test_of_two_runs_at_once_only_one_sends(harbor):
    """The other run writes its row after this run looked for one and before it writes its own: the database's
    constraint refuses this run's row, and this run sends nothing."""
    application, _staff = harbor
    other_run = []

    def other_run_records_first(sender, instance, **kwargs):
        if instance is not other_run[0]:
            other_run[0].save()

    other_run.append(
        DraftReminder(application=application, days_before=7, remind_on=NOW.date(), deadline=DEADLINE, claimed_at=NOW)
    )
    pre_save.connect(other_run_records_first, sender=DraftReminder)
    try:
        [reminder] = send_draft_reminders(now=NOW)
    finally:
        pre_save.disconnect(other_run_records_first, sender=DraftReminder)
    # (The other run's row went back with this run's savepoint: here both share one connection.)
    assert reminder.outcome == "taken"
    assert mail.outbox == []


def test_a_run_still_sending_is_left_alone_and_a_dead_one_is_retried(harbor):
    application, _staff = harbor
    claim = {"application": application, "days_before": 7, "remind_on": NOW.date(), "deadline": DEADLINE}
    DraftReminder.objects.create(**claim, claimed_at=NOW - timedelta(minutes=10))
    assert send_draft_reminders(now=NOW) == []
    DraftReminder.objects.update(claimed_at=NOW - timedelta(hours=2))
    [reminder] = send_draft_reminders(now=NOW)
    assert reminder.outcome == "sent" and len(mail.outbox) == 2
    assert DraftReminder.objects.get().sent_at == NOW


def test_dry_run_sends_and_records_nothing(harbor):
    application, staff = harbor
    [reminder] = send_draft_reminders(now=NOW, dry_run=True)
    assert (reminder.outcome, reminder.recipients) == ("due", [person.email for person in staff])
    assert reminder.body == body_of(application)
    assert mail.outbox == [] and not DraftReminder.objects.exists()


def test_only_active_applicant_staff_with_an_email_are_written_to(harbor):
    application, staff = harbor
    city = application.jurisdiction
    make_user(jurisdiction=city, is_active=False)
    make_user(jurisdiction=city, email="")
    make_user(role=User.Role.REVIEWER, jurisdiction=city)
    make_user(jurisdiction=make_jurisdiction())  # another jurisdiction, without a draft due
    send_draft_reminders(now=NOW)
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(p.email for p in staff)


def test_no_other_jurisdiction_in_an_email(harbor):
    application, staff = harbor
    bayside = make_jurisdiction(name="Bayside")
    outsider = make_user(jurisdiction=bayside, first_name="Sam", last_name="Outsider")
    draft(jurisdiction=bayside, cycle_name="Bayside's cycle")
    send_draft_reminders(now=NOW)
    harbor_mail = [message for message in mail.outbox if message.to != [outsider.email]]
    assert len(harbor_mail) == 2 and len(mail.outbox) == 3
    for message in harbor_mail:
        for text in ("Bayside", "Sam", "Outsider", outsider.email, outsider.username):
            assert text not in message.subject + message.body


def test_a_draft_without_staff_to_write_to_is_not_recorded(db):
    draft()
    [reminder] = send_draft_reminders(now=NOW)
    assert reminder.outcome == "nobody"
    assert mail.outbox == [] and not DraftReminder.objects.exists()


def test_the_run_reads_in_four_queries_however_many_drafts(db, django_assert_num_queries):
    for _ in range(3):
        make_user(jurisdiction=draft().jurisdiction)
        # The drafts with their jurisdiction and cycle, their staff, their reminders, the organizers.
        with django_assert_num_queries(4):
            send_draft_reminders(now=NOW, dry_run=True)


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_draft_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def due_now(db):
    """Harbor City's draft, due in five days from the real clock (the command runs at the real time)."""
    city = make_jurisdiction(name="Harbor City", state="CA")
    staff = [make_user(jurisdiction=city), make_user(jurisdiction=city)]
    application = draft(deadline=timezone.now() + timedelta(days=5), jurisdiction=city)
    return application, staff


def test_command_sends_and_says_so(due_now):
    application, staff = due_now
    out, err = command()
    assert out == f"{application}: 7-day reminder: sent to 2 staff members.\nSent 2 reminders for 1 draft.\n"
    assert err == "" and len(mail.outbox) == 2
    assert command() == ("Sent 0 reminders for 0 drafts.\n", "")


def test_command_dry_run_prints_the_email(due_now):
    application, staff = due_now
    out, _err = command("--dry-run")
    assert out.startswith(f"{application}: 7-day reminder: would be sent to {staff[0].email}, {staff[1].email}.\n")
    assert f"    Subject: Reminder: Harbor City, CA's {application.cycle} application is due " in out
    assert f"    Continue the application: {SITE}/applications/{application.pk}/steps/technology/\n" in out
    assert out.endswith("Would send 2 reminders for 1 draft.\n")
    assert mail.outbox == [] and not DraftReminder.objects.exists()


def test_command_days_option(due_now):
    assert command("--days", "3") == ("Sent 0 reminders for 0 drafts.\n", "")
    out, _err = command("--days", "30,3")
    assert out.endswith(": 30-day reminder: sent to 2 staff members.\nSent 2 reminders for 1 draft.\n")
    with pytest.raises(CommandError, match="--days: expected whole numbers from 1 to 365"):
        command("--days", "7,soon")


def test_command_fails_with_the_drafts_it_could_not_remind(due_now):
    application, _staff = due_now
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.object(locmem.EmailBackend, "send_messages", side_effect=ConnectionRefusedError(111, "refused")):
        with pytest.raises(CommandError) as failure:
            call_command("send_draft_reminders", stdout=out, stderr=err)
    assert failure.value.returncode == 1
    assert str(failure.value) == f"1 draft could not be reminded: {application}."
    assert err.getvalue() == (
        f"{application}: 7-day reminder: FAILED (ConnectionRefusedError: [Errno 111] refused); "
        "the next run tries again.\n"
    )
    assert out.getvalue() == "Sent 0 reminders for 0 drafts.\n"
