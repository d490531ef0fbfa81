"""Organizers work on cycles in the product: create one (its dates on its own clock, its rubric copied from
the cycle they choose), edit its settings, follow it on its page (phase, dates, counts, next step) and
change its phase by hand after a page that says what will happen."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import AuditEvent, Cycle
from review.models import settings_for
from scoring.models import Criterion, Rubric
from tests.factories import as_user, close_cycle, make_application, make_cycle, make_jurisdiction, make_organizer
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.reviews import assigned_panel, submit_both

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


def form(**changes):
    body = {
        "name": "2029–2031",
        "time_zone": "America/Denver",
        "opens_at": "2029-01-08T09:00",
        "closes_at": "2029-03-30T17:00",
        "valid_from": "2029-07-01",
        "valid_until": "",
        "reviewers_per_application": "3",
        "max_per_reviewer": "6",
        "review_deadline": "2029-05-15T17:00",
        "disagreement_margin": "7.5",
        "appeal_deadline": "",
    }
    return body | changes


def criteria(cycle):
    return list(
        Criterion.objects.filter(rubric__cycle=cycle)
        .order_by("code")
        .values_list("code", "title", "kind", "points", "params", "evidence", "category__code")
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def organizer():
    return as_user(make_organizer())


@pytest.fixture
def earlier():
    """Two earlier cycles; the older one's rubric tuned, so that a copy of it is told from the default."""
    older = make_cycle(name="2024–2026", valid_from=date(2024, 7, 1))
    Cycle.objects.filter(pk=older.pk).update(opens_at=timezone.now() - timedelta(days=900))
    criterion = Criterion.objects.filter(rubric__cycle=older).order_by("code").first()
    criterion.title = "How residents reach the city, as the older panel asked it"
    criterion.save()
    latest = make_cycle(name="2026–2028")
    return older, latest


def test_the_new_cycle_form_offers_the_latest_cycles_rubric_first(organizer, earlier):
    older, latest = earlier
    page = organizer.get(reverse("cycle_create")).content.decode()
    assert f'<option value="{latest.pk}" selected>A copy of the rubric of 2026–2028</option>' in page
    assert f'<option value="{older.pk}">A copy of the rubric of 2024–2026</option>' in page
    assert '<option value="">The product&#x27;s default rubric</option>' in page


def test_an_organizer_creates_a_cycle_with_a_copy_of_the_rubric_they_chose(organizer, earlier):
    older, latest = earlier
    response = organizer.post(reverse("cycle_create"), form(rubric_source=str(older.pk)), follow=True)

    cycle = Cycle.objects.get(name="2029–2031")
    assert response.redirect_chain == [(reverse("cycle_detail", args=[cycle.pk]), 302)]
    assert messages_of(response) == ["2029–2031 is created. Open it when its settings and rubric are ready."]
    # Typed on the Denver clock, whatever the server's.
    assert cycle.opens_at == datetime(2029, 1, 8, 9, 0, tzinfo=DENVER)
    assert cycle.closes_at == datetime(2029, 3, 30, 17, 0, tzinfo=DENVER)
    assert (cycle.status, cycle.valid_until) == (Cycle.Status.UPCOMING, date(2031, 7, 1))
    panel = settings_for(cycle)
    assert (panel.reviewers_per_application, panel.max_per_reviewer, float(panel.disagreement_margin)) == (3, 6, 7.5)
    assert panel.review_deadline == datetime(2029, 5, 15, 17, 0, tzinfo=DENVER) and panel.appeal_deadline is None
    assert criteria(cycle) == criteria(older) != criteria(latest)
    assert Rubric.objects.get(cycle=cycle).threshold == Rubric.objects.get(cycle=older).threshold
    event = AuditEvent.objects.get(action="cycle.created")
    assert event.summary == "Created 2029–2031 (America/Denver), with a copy of the rubric of 2024–2026"
    assert event.cycle == cycle and event.audience == AuditEvent.Audience.ORGANIZERS
    page = response.content.decode()
    assert "Applications open on January 8, 2029 at 09:00 MST." in page
    assert "March 30, 2029 at 17:00 MDT" in page


def test_the_products_default_rubric_when_chosen(organizer, earlier):
    organizer.post(reverse("cycle_create"), form(rubric_source=""))
    cycle = Cycle.objects.get(name="2029–2031")
    assert criteria(cycle) == criteria(earlier[1]) != criteria(earlier[0])
    assert AuditEvent.objects.get(action="cycle.created").summary.endswith("with the product's default rubric")


@pytest.mark.parametrize(
    "changes, field, error",
    [
        ({"closes_at": "2029-01-08T08:59"}, "closes_at", "Applications must close after they open."),
        ({"valid_until": "2029-06-30"}, "valid_until", "The designations must end after they start."),
        ({"name": " 2026–2028 "}, "name", "A cycle named 2026–2028 exists already: choose another name."),
        ({"review_deadline": "2029-03-01T12:00"}, "review_deadline", "The review deadline must come after"),
        ({"opens_at": "2029-13-01T09:00"}, "opens_at", "Enter a date and time, for example 2026-12-31 17:00."),
    ],
)
def test_a_refused_cycle_is_not_created_and_the_form_shows_what_was_typed(organizer, earlier, changes, field, error):
    body = form(name="Typed <&> name", rubric_source=str(earlier[0].pk)) | changes
    response = organizer.post(reverse("cycle_create"), body)

    assert response.status_code == 200 and not Cycle.objects.filter(name__in=["Typed <&> name", "2029–2031"]).exists()
    assert messages_of(response) == ["The cycle was not created: correct the fields marked below."]
    page = response.content.decode()
    assert f'id="id_{field}_error_1">{error}' in page.replace("&#x27;", "'")
    assert f'value="{body["closes_at"]}"' in page and 'value="7.5"' in page
    assert '<option value="America/Denver" selected>' in page
    assert f'<option value="{earlier[0].pk}" selected>' in page
    if field != "name":
        assert 'value="Typed &lt;&amp;&gt; name"' in page


def test_editing_a_cycle_saves_its_settings_and_says_what_changed(organizer):
    cycle = make_cycle(name="2026–2028", time_zone="America/Chicago")
    page = organizer.get(reverse("cycle_edit", args=[cycle.pk])).content.decode()
    shown = timezone.localtime(cycle.closes_at, ZoneInfo("America/Chicago")).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{shown}"' in page  # on the cycle's own clock

    body = form(
        name="2026–2028",
        time_zone="America/Chicago",
        opens_at=timezone.localtime(cycle.opens_at, ZoneInfo("America/Chicago")).strftime("%Y-%m-%dT%H:%M"),
        closes_at="2099-01-15T23:59",
        review_deadline="",
        valid_from=cycle.valid_from.isoformat(),
        valid_until=cycle.valid_until.isoformat(),
        reviewers_per_application="2",
        max_per_reviewer="8",
        disagreement_margin="10",
    )
    response = organizer.post(reverse("cycle_edit", args=[cycle.pk]), body, follow=True)
    assert messages_of(response) == ["Saved: applications close (the deadline)."]
    cycle.refresh_from_db()
    assert cycle.closes_at == datetime(2099, 1, 15, 23, 59, tzinfo=ZoneInfo("America/Chicago"))
    assert AuditEvent.objects.get(action="cycle.changed").summary == (
        "Settings of 2026–2028 changed: applications close (the deadline)"
    )
    again = organizer.post(reverse("cycle_edit", args=[cycle.pk]), body, follow=True)
    assert (
        messages_of(again) == ["Nothing was changed."]
        and AuditEvent.objects.filter(action="cycle.changed").count() == 1
    )


def test_the_cycle_page_shows_its_phase_dates_counts_and_links(organizer):
    cycle = make_cycle(name="2026–2028", time_zone="America/New_York")
    close_cycle(cycle)
    make_application(cycle=cycle)
    done = make_submitted(cycle=cycle)
    decide(done, published=False)
    page = organizer.get(reverse("cycle_detail", args=[cycle.pk])).content.decode()

    assert 'usa-step-indicator__segment--complete"' in page
    assert 'usa-step-indicator__segment usa-step-indicator__segment--current" aria-current="step">' in page
    assert '<span class="usa-step-indicator__heading-text">Closed</span>' in page
    assert '<th scope="row">Drafts</th><td>1</td>' in page and '<th scope="row">Decided</th><td>1</td>' in page
    assert '<th scope="row">Submitted</th><td>1</td>' in page and '<th scope="row">Published</th><td>0</td>' in page
    closes = timezone.localtime(cycle.closes_at, ZoneInfo("America/New_York"))
    assert (
        f"Applications closed on {closes:%B %-d, %Y at %H:%M} {closes.tzname()} with 1 submitted application." in page
    )
    for name in ("panel_cycle", "cycle_applications", "rubric_edit", "cycle_exports", "report_batches", "cycle_edit"):
        assert f'href="{reverse(name, args=[cycle.pk])}"' in page
    assert f'href="{reverse("cycle_phase", args=[cycle.pk, "review"])}"' in page
    assert f'href="{reverse("cycle_phase", args=[cycle.pk, "open"])}"' not in page


def test_the_dashboard_links_each_cycle_to_its_page_and_offers_a_new_one(organizer):
    cycle = make_cycle(name="2026–2028")
    page = organizer.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("cycle_detail", args=[cycle.pk])}">2026–2028</a>' in page
    assert f'href="{reverse("cycle_create")}">New cycle</a>' in page


# --- Changing the phase by hand ------------------------------------------------------------------------------


def test_opening_a_cycle_says_what_will_happen_and_acts_only_from_its_button(organizer):
    cycle = make_cycle(name="2027–2029", open=False, time_zone="America/Chicago")
    url = reverse("cycle_phase", args=[cycle.pk, "open"])
    page = organizer.get(url).content.decode()
    opens = timezone.localtime(cycle.opens_at, ZoneInfo("America/Chicago"))
    assert f"can start and submit applications from {opens:%B %-d, %Y at %H:%M} {opens.tzname()}" in page
    assert "This cannot be undone." in page
    assert '<button class="usa-button" type="submit" name="confirm" value="open">Open the cycle</button>' in page

    response = organizer.post(url, {}, follow=True)  # not from the confirm button
    assert messages_of(response) == ["Nothing was changed yet: check what will happen, then confirm."]
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.UPCOMING

    response = organizer.post(url, {"confirm": "open"}, follow=True)
    assert response.redirect_chain == [(reverse("cycle_detail", args=[cycle.pk]), 302)]
    assert messages_of(response) == ["2027–2029 is now open for applications."]
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN
    event = AuditEvent.objects.get(action="cycle.phase")
    assert event.summary == "2027–2029: Upcoming → Open for applications" and event.cycle_id == cycle.pk
    assert {key: value for key, value in event.data.items() if key != "words"} == {
        "source": "upcoming",
        "target": "open",
    }
    # Done once: the same button again is refused, and says why.
    again = organizer.post(url, {"confirm": "open"}, follow=True)
    assert messages_of(again) == [
        "Nothing was changed: 2027–2029 is open for applications: this can be done only while it is upcoming."
    ]
    assert AuditEvent.objects.filter(action="cycle.phase").count() == 1


def test_closing_early_for_review_warns_and_counts_the_drafts_it_stops(organizer):
    cycle = make_cycle(name="2026–2028")
    make_application(cycle=cycle)
    make_application(cycle=cycle, extension_until=cycle.closes_at + timedelta(days=5))
    page = organizer.get(reverse("cycle_phase", args=[cycle.pk, "review"])).content.decode()
    assert "has not passed: closing now ends applications early." in page
    assert "1 draft stays a draft: it can no longer be submitted, and its staff get no more reminders." in page
    assert "1 draft with an extension may still be submitted until the extension ends." in page
    organizer.post(reverse("cycle_phase", args=[cycle.pk, "review"]), {"confirm": "review"})
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.REVIEW


def test_marking_decided_waits_for_a_decision_on_every_submitted_application(organizer):
    cycle = make_cycle(name="2026–2028")
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.REVIEW)
    waiting = make_submitted(cycle=cycle)
    url = reverse("cycle_phase", args=[cycle.pk, "decided"])
    page = organizer.get(url).content.decode()
    assert "1 submitted application has no decision yet: record them on the review panel first." in page
    assert 'name="confirm"' not in page
    response = organizer.post(url, {"confirm": "decided"}, follow=True)
    assert messages_of(response)[0].startswith("Nothing was changed: 1 submitted application has no decision yet")
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.REVIEW and not AuditEvent.objects.exists()

    decide(waiting, published=False)
    organizer.post(url, {"confirm": "decided"})
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.DECIDED


def test_an_unknown_change_of_phase_is_not_found(organizer):
    cycle = make_cycle()
    assert organizer.get(reverse("cycle_phase", args=[cycle.pk, "publish"])).status_code == 404
    assert (
        organizer.post(reverse("cycle_phase", args=[cycle.pk, "upcoming"]), {"confirm": "upcoming"}).status_code == 404
    )


# --- The next step, phase by phase ---------------------------------------------------------------------------


def _in_review(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.REVIEW)


def _upcoming():
    cycle = make_cycle(name="2027–2029", open=False)
    opens = timezone.localtime(cycle.opens_at, ZoneInfo(cycle.time_zone))
    text = f"Applications open on {opens:%B %-d, %Y at %H:%M} {opens.tzname()}. Open the cycle once its dates"
    return cycle, text, "Open the cycle…", reverse("cycle_phase", args=[cycle.pk, "open"])


def _open():
    cycle = make_cycle(name="2026–2028")
    make_application(cycle=cycle)
    closes = timezone.localtime(cycle.closes_at, ZoneInfo(cycle.time_zone))
    text = f"Applications close on {closes:%B %-d, %Y at %H:%M} {closes.tzname()}: 0 submitted and 1 draft so far."
    return cycle, text, "See the applications", reverse("cycle_applications", args=[cycle.pk])


def _needing_reviewers():
    cycle = make_cycle(name="2026–2028")
    make_submitted(cycle=cycle)
    make_submitted(cycle=cycle, jurisdiction=make_jurisdiction(name="Cedar County"))
    _in_review(cycle)
    return (
        cycle,
        "2 submitted applications need reviewers.",
        "Assign reviewers",
        reverse("panel_cycle", args=[cycle.pk]),
    )


def _reviewed():
    panel = assigned_panel()
    submit_both(panel)
    _in_review(panel["cycle"])
    text = "1 application is fully reviewed and waiting for a decision."
    return panel["cycle"], text, "Record decisions", reverse("panel_cycle", args=[panel["cycle"].pk])


def _waiting_for_reviews():
    panel = assigned_panel()
    _in_review(panel["cycle"])
    text = "1 application waits for its reviews."
    return panel["cycle"], text, "Follow the reviews", reverse("panel_cycle", args=[panel["cycle"].pk])


def _all_decided():
    cycle = make_cycle(name="2026–2028")
    decide(make_submitted(cycle=cycle), published=False)
    _in_review(cycle)
    text = "Every submitted application has a decision."
    return cycle, text, "Mark the cycle decided…", reverse("cycle_phase", args=[cycle.pk, "decided"])


def _decided():
    cycle = make_cycle(name="2026–2028")
    decide(make_submitted(cycle=cycle), published=False)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.DECIDED)
    text = "1 decision is ready to be published."
    return cycle, text, "Publish designees…", reverse("panel_publish", args=[cycle.pk])


def _published():
    cycle = make_cycle(name="2026–2028")
    decide(make_submitted(cycle=cycle), published=True)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED)
    text = "The designees are published: 1 decision in all."
    return cycle, text, "See the designees", reverse("public_designees") + f"?cycle={cycle.pk}"


@pytest.mark.parametrize(
    "make",
    [_upcoming, _open, _needing_reviewers, _reviewed, _waiting_for_reviews, _all_decided, _decided, _published],
)
def test_the_cycle_page_says_the_next_step_with_its_button(organizer, make):
    cycle, text, label, url = make()
    page = organizer.get(reverse("cycle_detail", args=[cycle.pk])).content.decode()
    start = page.index('id="next-step"')
    box = page[start : page.index("</div>", page.index("usa-button", start))]
    assert text in box.replace("&#x27;", "'")
    assert f'<a class="usa-button" href="{url}">{label}</a>' in box.replace("&amp;", "&")
