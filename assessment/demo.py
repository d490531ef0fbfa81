"""The demo: a program to click through, built only through the domain functions.

``load()`` creates four cycles, all marked ``Cycle.is_demo``, with eighteen fictional
jurisdictions, every name starting "Demo: ", of the four kinds, in sixteen states and all
four population bands:

- **2026–2028**, open now: twelve of them. Their applications are in every
  state a demo needs: not started (Riverton, whose staff can start from its
  last application), barely started, half done with an invalid value kept as
  typed, nearly complete, a draft with an organizer's extension, and submitted
  ones that are strong, middling and weak (one without a CRM, which fails a
  prerequisite). Nobody reviews an open cycle: organizers assign reviewers
  after the deadline.
- **2025–2027**, closed and in review: seven submitted applications for the
  panel to work on: Harbor City's (which drafts its 2026–2028 one meanwhile, and
  has a question of the panel to answer), and six of that cycle only.
- **2024–2026**, closed and in review: the earlier applications of Demo: Riverton
  and Demo: Bayport (which applies to 2026–2028 again), whose decisions the panel
  publishes.
- **2013–2015**, published: the thirteen real designees PTI announced on
  September 25, 2013 (seed 004), each with a submitted application and an
  ``application.designated`` audit event. Their answers are an *illustrative
  reconstruction* that matches the announcement's aggregate highlights (all
  multi-channel with a mobile app and a CRM integrated with telephony, work
  management, GIS and a knowledge base; 5 to 14 metrics; at least 5
  self-service options; 11 of 13 with a technology plan and SLAs; some with
  remote call takers; one with web chat, none with voice recognition; social
  media taking requests). They are not the jurisdictions' real applications,
  which were never published, so names, numbers and products are "not
  recorded" rather than invented.

This module builds the applications' side only (``assessment`` never imports ``review``):
``review.demo`` calls ``load()``, then adds the panel's work on the cycles in review, and
``manage.py load_demo`` calls ``review.demo``. The data (jurisdictions, people — logins,
reviewers without one, contacts — answers, plans) is in ``assessment.demo_data``.

Every application is made the way the wizard makes it: a wizard state saved
step by step with ``save_draft``, then ``submit_application``. Demo objects are
found again by their marks: ``Cycle.is_demo``, jurisdiction names starting
"Demo: ", user e-mail addresses at ``demo.example``.
"""

import math
from datetime import date, datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from assessment import domain
from assessment.audit import audit, said
from assessment.demo_data import (
    ARCHIVE_USERNAME,
    CYCLE_2013_2015,
    DESIGNATED,
    DESIGNATION_SUMMARY,
    DESIGNEES_2013_2015,
    EARLIER_CYCLE,
    EMAIL_DOMAIN,
    LOGINS,
    NAME_PREFIX,
    OPEN_CYCLE,
    PANELISTS,
    PASSWORD,
    PLACES,
    REVIEW_CYCLE,
    SIGNATORY,
    STATE_TIME_ZONES,
    Role,
    designee_answers,
    earlier_cycle_plans,
    open_cycle_plans,
    review_cycle_plans,
)
from assessment.forms import STEPS
from assessment.models import Application, AuditEvent, Cycle, EvidenceDocument, Jurisdiction, User


class DemoError(Exception):
    """The demo cannot load or be removed; the message says what is in the way."""


def step_data(step, values):
    """One step's data as the wizard stores it: prefixed keys, every value a list of strings."""
    if step == "metrics":
        data = {
            "metrics-TOTAL_FORMS": [str(len(values))],
            "metrics-INITIAL_FORMS": ["0"],
            "metrics-MIN_NUM_FORMS": ["0"],
            "metrics-MAX_NUM_FORMS": ["40"],
        }
        for index, row in enumerate(values):
            for field, value in row.items():
                data[f"metrics-{index}-{field}"] = [value]
        return data
    return {
        f"{step}-{field}": list(value) if isinstance(value, (list, tuple)) else [value]
        for field, value in values.items()
    }


def wizard_state(answers, current_step):
    """The whole wizard state for these answers, standing on ``current_step``."""
    state = domain.empty_state()
    state["step"] = current_step
    state["step_data"] = {step: step_data(step, answers[step]) for step, _form in STEPS if step in answers}
    return state


# --- Building -----------------------------------------------------------------


def _aware(year, month, day, hour=0, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def _start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time(0, 0)))


def _end_of_day(day):
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def build_application(jurisdiction, cycle, answers, step, actors, submit_at=None, submit=False):
    """Start, save the typed steps as the wizard would, then maybe submit.

    The wizard saves on every step; the demo saves once per person who worked
    on the application (each takes a share of the steps, in order), which
    leaves the same state for a fraction of the work.
    """
    application = domain.start_application(jurisdiction, cycle, actors[0], prefill=False)
    steps = [name for name, _form in STEPS if name in answers]
    share = max(1, math.ceil(len(steps) / len(actors)))
    for actor, end in zip(actors, range(share, len(steps) + share, share), strict=False):
        done = steps[:end]
        following = steps[len(done)] if len(done) < len(steps) else step
        typed = {name: answers[name] for name in done}
        domain.save_draft(application, wizard_state(typed, following), actor, expected_version=application.version)
    if submit:
        application = domain.submit_application(application, actors[-1], now=submit_at)
    return application


def is_loaded():
    return Cycle.objects.filter(is_demo=True).exists()


def _in_the_way():
    found = []
    usernames = [login.username for login in LOGINS] + [ARCHIVE_USERNAME] + [p.contact_username for p in PLACES]
    usernames += [panelist.username for panelist in PANELISTS]
    found += [f"user {u}" for u in User.objects.filter(username__in=usernames).values_list("username", flat=True)]
    found += [str(j) for j in Jurisdiction.objects.filter(name__startswith=NAME_PREFIX)]
    names = [OPEN_CYCLE, REVIEW_CYCLE, EARLIER_CYCLE, CYCLE_2013_2015]
    found += [f"cycle {c}" for c in Cycle.objects.filter(name__in=names).values_list("name", flat=True)]
    return found


def _user(username, email, role, jurisdiction=None, password=None, **fields):
    # Without a password, create_user makes one that can never be used to sign in.
    return User.objects.create_user(username, email, password, role=role, jurisdiction=jurisdiction, **fields)


@transaction.atomic
def load():
    """Create the demo (see the module docstring); returns {cycle name: {status: count}}.

    Raises DemoError if demo objects, or objects with the demo's names, are already there.
    """
    in_the_way = _in_the_way()
    if in_the_way:
        raise DemoError(
            "Some of the demo's names are taken ("
            + ", ".join(in_the_way[:5])
            + (", …" if len(in_the_way) > 5 else "")
            + "). If an earlier demo left them, load_demo --reset removes them; otherwise rename them first."
        )

    places = {}
    for place in PLACES:
        places[place.name] = Jurisdiction.objects.create(
            name=place.name,
            kind=place.kind,
            state=place.state,
            population=place.population,
            county=places.get(place.county),
            time_zone=STATE_TIME_ZONES[place.state],
        )
    logins = {}
    for login in LOGINS:
        logins[login.username] = _user(
            login.username,
            login.email,
            login.role,
            places.get(login.jurisdiction),
            PASSWORD,
            first_name=login.first_name,
            last_name=login.last_name,
            title=login.title,
            is_staff=login.role == Role.ORGANIZER,
            is_superuser=login.role == Role.ORGANIZER,
        )
    staff = {
        name: [u for u in logins.values() if u.jurisdiction_id == j.pk and u.is_applicant] for name, j in places.items()
    }
    for place in PLACES:
        if place.contact:
            first, last, title = place.contact
            contact = _user(
                place.contact_username,
                f"{first}.{last}@{EMAIL_DOMAIN}".lower(),
                Role.APPLICANT,
                places[place.name],
                first_name=first,
                last_name=last,
                title=title,
            )
            staff[place.name].append(contact)
    for panelist in PANELISTS:
        _user(
            panelist.username,
            panelist.email,
            Role.REVIEWER,
            first_name=panelist.first_name,
            last_name=panelist.last_name,
            title=panelist.title,
        )
    archive = _user(
        ARCHIVE_USERNAME, f"archive@{EMAIL_DOMAIN}", Role.ORGANIZER, first_name="PTI archive (demo)", is_active=False
    )
    organizer = logins["organizer"]

    # 2024–2026: Riverton applied last time, so it can start 2026–2028 from that application; Bayport
    # too, and applies again. The panel (review.demo) decides both and publishes the decisions.
    earlier = _historic_cycle(EARLIER_CYCLE, _aware(2024, 10, 1, 9), _aware(2024, 12, 13, 17), date(2025, 1, 1))
    for name, answers, submitted_at in earlier_cycle_plans():
        build_application(
            places[name], earlier, answers, "review", staff[name], submit=True, submit_at=_aware(*submitted_at)
        )
    _close(earlier)

    # 2025–2027: closed before 2026–2028 opened; the panel (review.demo) is at work on it.
    today = timezone.localdate()
    in_review = _historic_cycle(
        REVIEW_CYCLE,
        _start_of_day(today - timedelta(days=150)),
        _end_of_day(today - timedelta(days=40)),
        date(2026, 1, 1),
    )
    for index, plan in enumerate(review_cycle_plans()):
        build_application(
            places[plan.jurisdiction],
            in_review,
            plan.answers,
            plan.step,
            staff[plan.jurisdiction],
            submit=True,
            submit_at=in_review.closes_at - timedelta(days=12 - index, hours=7, minutes=14),
        )
    _close(in_review)

    # 2026–2028: open now.
    current = Cycle.objects.create(
        name=OPEN_CYCLE,
        opens_at=_start_of_day(today - timedelta(days=30)),
        closes_at=_end_of_day(today + timedelta(days=45)),
        status=Cycle.Status.OPEN,
        valid_from=date(2027, 1, 1),
        is_demo=True,
    )
    for plan in open_cycle_plans():
        application = build_application(
            places[plan.jurisdiction], current, plan.answers, plan.step, staff[plan.jurisdiction], submit=plan.submit
        )
        if plan.extension_days:
            domain.grant_extension(application, current.closes_at + timedelta(days=plan.extension_days), organizer)

    # 2013–2015: the real designees, as recorded from PTI's announcement.
    historic = _historic_cycle(CYCLE_2013_2015, _aware(2013, 3, 1, 9), _aware(2013, 6, 28, 17), date(2013, 10, 14))
    applications = []
    for index, designee in enumerate(DESIGNEES_2013_2015):
        jurisdiction, _created = Jurisdiction.objects.get_or_create(
            name=designee.name,
            state=designee.state,
            country="United States",
            defaults={
                "kind": designee.kind,
                "population": designee.population,
                "time_zone": STATE_TIME_ZONES[designee.state],
            },
        )
        applications.append(
            build_application(
                jurisdiction,
                historic,
                designee_answers(designee, index),
                "review",
                [archive],
                submit=True,
                submit_at=_aware(2013, 6, 3 + index, 10),
            )
        )
    _publish(historic)
    for application in applications:
        audit(
            archive,
            DESIGNATED,
            DESIGNATION_SUMMARY,
            application,
            words=said(
                gettext_noop("Designated %(cycle)s (recorded from the PTI announcement of %(announced)s)"),
                cycle=CYCLE_2013_2015,
                announced={"en": "September 25, 2013", "fr": "25 septembre 2013"},
            ),
            designated_on="2013-10-14",
            announced_on="2013-09-25",
            source="PTI announcement #166, September 25, 2013",
        )
    Cycle.objects.filter(is_demo=True).update(**SIGNATORY)  # the name and title printed on their certificates
    return summary()


def _historic_cycle(name, opens_at, closes_at, valid_from):
    # Created open so that submit_application accepts submissions dated inside
    # its window; _close or _publish closes it once they are in.
    return Cycle.objects.create(
        name=name, opens_at=opens_at, closes_at=closes_at, status=Cycle.Status.OPEN, valid_from=valid_from, is_demo=True
    )


def _close(cycle):
    # Closed to applications, for the panel: review.demo publishes the decisions through the review domain.
    cycle.status = Cycle.Status.REVIEW
    cycle.save(update_fields=["status"])


def _publish(cycle):
    # The 2013–2015 designations are recorded from an announcement, not decided by the panel.
    cycle.status = Cycle.Status.PUBLISHED
    cycle.save(update_fields=["status"])


def summary():
    """{cycle name: {application status: count}} for the demo cycles, newest first."""
    result = {}
    for cycle in Cycle.objects.filter(is_demo=True).order_by("-opens_at"):
        counts = {status: 0 for status in Application.Status.values}
        for status in cycle.applications.values_list("status", flat=True):
            counts[status] += 1
        result[cycle.name] = counts
    return result


def applications():
    """The demo's applications, and any added to demo jurisdictions since: those ``reset`` deletes."""
    cycles = Cycle.objects.filter(is_demo=True)
    places = Jurisdiction.objects.filter(name__startswith=NAME_PREFIX)
    return Application.objects.filter(Q(cycle__in=cycles) | Q(jurisdiction__in=places))


@transaction.atomic
def reset():
    """Delete everything the demo made, and whatever was added to demo jurisdictions since.

    The panel's part goes first (``review.demo.reset``, which calls this): reviews protect their
    assignments, which otherwise go with the applications, as the questions, decisions and appeals do.
    Returns the number of applications deleted. Raises DemoError if something
    outside the demo still refers to a demo object.
    """
    cycles = Cycle.objects.filter(is_demo=True)
    places = Jurisdiction.objects.filter(name__startswith=NAME_PREFIX)
    demo_applications = applications()
    users = User.objects.filter(Q(email__iendswith=f"@{EMAIL_DOMAIN}") | Q(jurisdiction__in=places))
    try:
        for document in EvidenceDocument.objects.filter(application__in=demo_applications):
            # Files go only once the rows are gone for good.
            transaction.on_commit(partial(document.file.storage.delete, document.file.name))
        # Audit events are otherwise never deleted; the demo's are, with the
        # demo, so that a fresh demo does not show the history of one thrown away.
        AuditEvent.objects.filter(Q(application__in=demo_applications) | Q(cycle__in=cycles)).delete()
        deleted = demo_applications.count()
        demo_applications.delete()
        users.delete()
        cycles.delete()
        places.delete()
        designees = Q()
        for designee in DESIGNEES_2013_2015:
            designees |= Q(name=designee.name, state=designee.state)
        Jurisdiction.objects.filter(designees, applications=None, staff=None, places=None).delete()
    except ProtectedError as refused:
        blockers = ", ".join(str(obj) for obj in list(refused.protected_objects)[:5])
        raise DemoError(f"Demo objects are still used outside the demo ({blockers}); remove those first.") from None
    return deleted
