"""What the application process does, as functions with verb names.

These are the only places an application's status changes, and each state
change writes an AuditEvent with its actor.
"""

import copy
import functools
import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from assessment.audit import audit, in_each_language, named, said
from assessment.forms import STEPS
from assessment.models import Application, User
from assessment.step_checks import bind_step as bind_step  # the wizard and the pages bind a step from here
from assessment.step_checks import checked_step
from assessment.templatetags.zones import deadline_text, in_zone
from scoring.domain import freeze_rubric, rescore_application

log = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A refused action, with a message meant for the user."""


class StaleVersion(ApplicationError):
    """The step being saved was saved by someone (or somewhere) else after the page was opened."""

    def __init__(self, current, step, user):
        self.current = current
        self.step = step
        stamp = step_stamp(current, step)
        self.by_you = stamp is not None and stamp["by"] == user.pk
        self.saved_by = current.updated_by if stamp is None else User.objects.filter(pk=stamp["by"]).first()
        saved_at = current.updated_at if stamp is None else datetime.fromisoformat(stamp["at"])
        self.saved_at = timezone.localtime(saved_at)
        when = self.saved_at.strftime("%H:%M")
        if self.by_you:
            message = _("You saved this page in another tab or window at %(time)s, after you opened this page.") % {
                "time": when
            }
        elif self.saved_by:
            message = _("%(person)s saved this page at %(time)s, after you opened this page.") % {
                "person": self.saved_by,
                "time": when,
            }
        else:
            message = _("A colleague saved this page at %(time)s, after you opened this page.") % {"time": when}
        super().__init__(message)


class NotEditable(ApplicationError):
    pass


class Incomplete(ApplicationError):
    def __init__(self, problems):
        self.problems = problems
        super().__init__(
            ngettext(
                "%(count)s answer(s) are missing or need correcting before you can submit.",
                "%(count)s answer(s) are missing or need correcting before you can submit.",
                len(problems),
            )
            % {"count": len(problems)}
        )


def empty_state():
    return {"step": None, "step_data": {}, "step_files": {}, "extra_data": {}, "saved": {}}


# Fields without a length of their own (numbers, dates) keep at most this many characters of a value.
ANSWER_MAX_CHARS = 10_000


def _flat_choices(choices):
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # a group of choices
            yield from _flat_choices(label)
        else:
            yield value, label


def _answer_limit(field):
    """The most characters a person can put in ``field``: its max_length, the longest choice, or the default."""
    choices = list(_flat_choices(getattr(field, "choices", None) or []))
    if choices:
        return max(len(str(value)) for value, _label in choices)
    return getattr(field, "max_length", None) or ANSWER_MAX_CHARS


def _cut(value, limit):
    # Browsers stop typing at maxlength counting a line break as one character, but send it as two (CRLF).
    return value[: limit + value.count("\r\n")]


@functools.cache  # the steps' forms are fixed: built once per process, then only read
def _step_fields(step):
    """({posted name: field} of everything the step's form or formset reads, the formset's row count key, its max)."""
    form_class = dict(STEPS)[step]
    if not hasattr(form_class, "form"):
        form = form_class(prefix=step)
        return {form.add_prefix(name): field for name, field in form.fields.items()}, None, None
    formset = form_class(prefix=step)
    management = formset.management_form
    fields = {management.add_prefix(name): field for name, field in management.fields.items()}
    row_fields = formset.empty_form.fields
    for index in range(formset.max_num):
        fields.update({f"{formset.add_prefix(index)}-{name}": field for name, field in row_fields.items()})
    return fields, management.add_prefix("TOTAL_FORMS"), formset.max_num


def _at_most(value, maximum):
    try:
        return str(maximum) if int(value) > maximum else value
    except ValueError:
        return value


def strip_non_answers(data, step):
    """The posted data of one step, as lists: only what the step's form (or formset) reads, within its limits.

    Tokens, buttons and unknown keys are dropped; a single-value field keeps the value the form reads (the
    last), a multiple-choice field at most as many values as it has choices, a formset at most its max_num
    rows; each value is cut to what its field accepts. Nothing a browser sends for what a person typed or
    chose is lost.
    """
    if isinstance(data, MultiValueDict):
        data = dict(data.lists())
    fields, total_key, max_rows = _step_fields(step)
    kept = {}
    for key, values in data.items():
        field = fields.get(key)
        if field is None:
            continue
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        if getattr(field.widget, "allow_multiple_selected", False):
            values = values[: len(list(_flat_choices(field.choices)))]
        else:
            values = values[-1:]
        limit = _answer_limit(field)
        # NUL cannot be stored in PostgreSQL text or jsonb; nobody types it on purpose.
        values = [_cut(str(value).replace("\x00", ""), limit) for value in values]
        if key == total_key and values:
            values = [_at_most(values[0], max_rows)]
        if values:
            kept[key] = values
    return kept


def answers_from_state(state):
    """The valid answers of every step, by step and field, for scoring and reports.

    Fields that do not validate yet are left out; the raw text stays in the
    wizard state so nothing typed is lost. Each step is checked once per content
    (assessment/step_checks.py): a save re-checks only the step that changed.
    """
    step_data = state.get("step_data", {})
    return {step: checked_step(step, step_data[step])[0] for step, _form_class in STEPS if step in step_data}


def problems_in(state):
    """What stops submission: every invalid or missing answer, with its step."""
    step_data = state.get("step_data", {})
    return [problem for step, _form_class in STEPS for problem in checked_step(step, step_data.get(step))[1]]


def _rescore(application):
    # Scores follow the answers.
    rescore_application(application)


def start_application(jurisdiction, cycle, user, prefill=True):
    """The jurisdiction's application for the cycle, created on first use.

    With ``prefill``, a new application starts from the jurisdiction's most
    recent earlier one (designations last two years; most applicants return).
    The attestation is never carried over: a senior official attests anew.
    """
    existing = Application.objects.filter(jurisdiction=jurisdiction, cycle=cycle).first()
    if existing:
        return existing
    previous = None
    if prefill:
        previous = (
            Application.objects.filter(jurisdiction=jurisdiction, cycle__opens_at__lt=cycle.opens_at)
            .order_by("-cycle__opens_at")
            .first()
        )
    state = empty_state()
    if previous:
        state["step_data"] = {
            step: data
            for step, data in copy.deepcopy(previous.wizard_state.get("step_data", {})).items()
            if step != "review"
        }
    try:
        with transaction.atomic():
            application = Application.objects.create(
                jurisdiction=jurisdiction,
                cycle=cycle,
                wizard_state=state,
                answers=answers_from_state(state),
                created_by=user,
                updated_by=user,
                prefilled_from=previous,
            )
            if previous:
                words = said(
                    gettext_noop("Started the %(cycle)s application, prefilled from %(previous)s"),
                    cycle=named(cycle),
                    previous=named(previous.cycle),
                )
            else:
                words = said(gettext_noop("Started the %(cycle)s application"), cycle=named(cycle))
            audit(user, "application.started", application=application, words=words)
    except IntegrityError:
        # A colleague started it at the same moment: use theirs.
        return Application.objects.get(jurisdiction=jurisdiction, cycle=cycle)
    _rescore(application)
    return application


def step_stamp(application, step):
    """Who last saved ``step`` of the draft, at which version and when: {"version", "by", "at"}, or None."""
    return application.wizard_state.get("saved", {}).get(step)


def _saved_since(application, step, version):
    if version < 0:  # a page that did not say which version it showed
        return True
    # A draft last saved before steps were stamped: any save since the page was opened may have been this step's.
    if "saved" not in application.wizard_state:
        return application.version != version
    stamp = step_stamp(application, step)
    return stamp is not None and stamp["version"] > version


def save_draft(application, state, user, expected_version, step=None):
    """Store the wizard's state; with ``step``, only that step's answers are this save's.

    The page was opened at ``expected_version``. When others saved since, their saves are kept: a save of
    other steps is merged (this step's answers go into the draft as it is now), and only a save of this same
    step since the page was opened raises StaleVersion (nothing is stored). Raises NotEditable after submission.
    """
    if not application.is_draft:
        raise NotEditable(_("This application has been submitted and can no longer be changed."))
    while True:
        now = timezone.now()
        if step is not None:
            stamps = {
                **state.get("saved", {}),
                step: {"version": expected_version + 1, "by": user.pk, "at": now.isoformat()},
            }
            state = {**state, "saved": stamps}
        answers = answers_from_state(state)
        updated = Application.objects.filter(
            pk=application.pk, version=expected_version, status=Application.Status.DRAFT
        ).update(wizard_state=state, answers=answers, version=F("version") + 1, updated_by=user, updated_at=now)
        if updated:
            break
        current = Application.objects.select_related("updated_by").get(pk=application.pk)
        if not current.is_draft:
            raise NotEditable(_("This application has been submitted and can no longer be changed."))
        if step is None or _saved_since(current, step, expected_version):
            raise StaleVersion(current, step, user)
        # Colleagues (or this user's other tab) saved other steps: theirs stay, this step's answers join them.
        ours, pointer = state["step_data"].get(step), state.get("step")
        state = copy.deepcopy(current.wizard_state)
        state["step_data"][step] = ours
        state["step"] = pointer  # where this user goes next
        expected_version = current.version
    application.wizard_state = state
    application.answers = answers
    application.version = expected_version + 1
    application.updated_by = user
    application.updated_at = now
    _rescore(application)
    return application


def submit_application(application, user, now=None):
    """Submit once, all or nothing: checks, the status change, the audit, then the receipt."""
    now = now or timezone.now()
    with transaction.atomic():
        # On PostgreSQL the row lock serialises two submits; on SQLite the
        # IMMEDIATE transaction already holds the database's write lock.
        current = Application.objects.select_for_update().select_related("cycle", "jurisdiction").get(pk=application.pk)
        if not current.is_draft:
            raise NotEditable(
                _("This application was already submitted on %(when)s.") % {"when": in_zone(current.submitted_at)}
            )
        if not current.can_submit_now(now):
            deadline = deadline_text(current.deadline(), current.cycle.time_zone, current.jurisdiction)
            raise NotEditable(
                _("The deadline for %(cycle)s was %(deadline)s. Ask the organizers for an extension.")
                % {"cycle": current.cycle, "deadline": deadline}
            )
        problems = problems_in(current.wizard_state)
        if problems:
            raise Incomplete(problems)
        current.answers = answers_from_state(current.wizard_state)
        current.status = Application.Status.SUBMITTED
        current.submitted_at = now
        current.submitted_by = user
        current.version = F("version") + 1
        current.save(update_fields=["answers", "status", "submitted_at", "submitted_by", "version", "updated_at"])
        current.refresh_from_db(fields=["version"])
        words = said(gettext_noop("Submitted the %(cycle)s application"), cycle=named(current.cycle))
        audit(user, "application.submitted", application=current, words=words)
        # From the first submission on, every applicant of the cycle is scored by the same rules.
        freeze_rubric(current.cycle, now)
        _rescore(current)
        transaction.on_commit(lambda: send_receipt(current))
    return current


def send_receipt(application):
    staff = application.jurisdiction.staff.filter(is_active=True, role=User.Role.APPLICANT).exclude(email="")
    with translation.override(application.jurisdiction.language):  # the language of its staff's e-mails
        subject, body = _receipt(application)
    messages = [(subject, body, None, [person.email]) for person in staff]
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # the submission stands; a lost receipt is logged, not fatal
        log.exception("Could not send the receipt for application %s", application.pk)


def _receipt(application):
    """The receipt's subject and body, in the active language."""
    names = {"jurisdiction": application.jurisdiction, "cycle": application.cycle}
    subject = _("Received: %(jurisdiction)s's application for %(cycle)s") % names
    when = in_zone(application.submitted_at, application.jurisdiction.time_zone)  # the readers' own clock
    link = f"{settings.SITE_URL}{reverse('application_detail', args=[application.pk])}"
    body = (
        _(
            "%(person)s submitted %(jurisdiction)s's application for the "
            "Citizen-Engaged Community designation %(cycle)s on %(when)s."
        )
        % {**names, "person": application.submitted_by, "when": when}
        + "\n\n"
        + _("You can read what was submitted at %(link)s") % {"link": link}
        + "\n"
        + _("The review panel will contact you if it has questions.")
        + "\n"
    )
    return subject, body


def grant_extension(application, until, user):
    """Let a jurisdiction submit after the deadline, until ``until``."""
    if not application.is_draft:
        raise NotEditable(_("This application is already submitted."))
    if until <= timezone.now():
        raise ApplicationError(_("An extension must end in the future."))
    application.extension_until = until
    application.save(update_fields=["extension_until", "updated_at"])
    deadline = in_each_language(lambda: deadline_text(until, application.cycle.time_zone, application.jurisdiction))
    words = said(gettext_noop("Extension granted until %(deadline)s"), deadline=deadline)
    audit(user, "application.extension", application=application, words=words)
    return application
