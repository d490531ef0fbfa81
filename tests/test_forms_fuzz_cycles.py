"""Form fuzzing (tests/fuzz_forms.py), organizers' cycle pages: creating a cycle (NewCycleForm) and editing its
settings (CycleSettingsForm). What is refused comes back on the form's page (200), as typed
(tests/test_forms_keep_typed.py); what is saved goes to the cycle's page (302), and that page opens."""

from datetime import datetime, timedelta

from django.urls import reverse
from hypothesis import event, given, settings
from hypothesis import strategies as st

from assessment.models import AuditEvent, Cycle
from pages.cycle_forms import CycleSettingsForm, NewCycleForm
from review.models import settings_for
from scoring.models import Rubric
from tests.fuzz_forms import (
    answered,
    edges_for,
    fuzz,
    moments,
    post,
    rolled_back,
    sent,
    spoil,
    world_fixture,  # noqa: F401  (the ``world`` fixture: pytest finds it by name)
)

ZONES = ["America/Chicago", "America/St_Johns", "Pacific/Chatham", "Asia/Kathmandu"]
MOMENT = "%Y-%m-%dT%H:%M"


@st.composite
def settings_body(draw):
    """A body the forms mostly accept: dates in order, on the clock of a zone with odd offsets."""
    opens = draw(st.datetimes(datetime(2001, 1, 1), datetime(2090, 1, 1)), label="opens")
    closes = opens + draw(st.timedeltas(timedelta(hours=1), timedelta(days=400)), label="open for")
    start = closes.date() + timedelta(days=draw(st.integers(0, 60)))
    return {
        "name": draw(st.text(min_size=1, max_size=50).filter(str.strip) | st.sampled_from(["2026–2028", " Next "])),
        "time_zone": draw(st.sampled_from(ZONES)),
        "opens_at": opens.strftime(MOMENT),
        "closes_at": closes.strftime(MOMENT),
        "valid_from": start.isoformat(),
        "valid_until": draw(st.sampled_from(["", (start + timedelta(days=730)).isoformat()])),
        "reviewers_per_application": str(draw(st.integers(1, 20))),
        "max_per_reviewer": str(draw(st.integers(1, 1000))),
        "review_deadline": draw(st.sampled_from(["", (closes + timedelta(days=30)).strftime(MOMENT)])),
        "disagreement_margin": str(draw(st.decimals(0, 1000, places=1))),
        "appeal_deadline": draw(st.sampled_from(["", (closes + timedelta(days=90)).strftime(MOMENT)])),
    }


def spoiled(data, form):
    """``settings_body``, then a few fields dropped, sent twice or replaced by hostile or edge values."""
    body = data.draw(settings_body(), label="body")
    edges = edges_for(form) | {name: moments for name in ("opens_at", "closes_at", "review_deadline")}
    return spoil(data, body, set(form.fields), edges=edges, most=3)


def cycle_row(pk):
    return Cycle.objects.filter(pk=pk).values().get()


@settings(fuzz, max_examples=25)
@given(data=st.data())
def test_creating_a_cycle(world, data):
    client = world.client["organizer"]
    body = spoiled(data, NewCycleForm())
    body.setdefault("rubric_source", data.draw(st.sampled_from([str(world.cycle.pk), "", "0", "x"]), label="rubric"))
    before = set(Cycle.objects.values_list("pk", flat=True))
    with rolled_back():
        response = post(client, reverse("cycle_create"), body)
        messages = answered(response, 200, 302)
        made = set(Cycle.objects.values_list("pk", flat=True)) - before
        event(f"status {response.status_code}")
        if response.status_code == 200:
            assert made == set() and "The cycle was not created" in messages[0]
            return
        cycle = Cycle.objects.get(pk=made.pop())
        assert cycle.name == sent(body, "name").strip() and cycle.status == Cycle.Status.UPCOMING
        assert cycle.opens_at < cycle.closes_at and cycle.valid_from < cycle.valid_until
        assert Rubric.objects.filter(cycle=cycle).exists()
        assert AuditEvent.objects.filter(cycle=cycle, action="cycle.created").count() == 1
        assert response.url == reverse("cycle_detail", args=[cycle.pk])
        assert client.get(response.url).status_code == 200


@settings(fuzz, max_examples=25)
@given(data=st.data())
def test_editing_a_cycle(world, data):
    client = world.client["organizer"]
    url = reverse("cycle_edit", args=[world.cycle.pk])
    body = spoiled(data, CycleSettingsForm(cycle=world.cycle))
    before = cycle_row(world.cycle.pk)
    panel_before = settings_for(world.cycle).review_deadline
    with rolled_back():
        response = post(client, url, body)
        messages = answered(response, 200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 200:
            assert "The settings were not saved" in messages[0]
            assert cycle_row(world.cycle.pk) == before and settings_for(world.cycle).review_deadline == panel_before
            return
        after = Cycle.objects.get(pk=world.cycle.pk)
        assert after.name == sent(body, "name").strip() and after.status == before["status"]
        assert after.opens_at < after.closes_at and after.valid_from < after.valid_until
        assert client.get(reverse("cycle_detail", args=[world.cycle.pk])).status_code == 200
        assert client.get(reverse("home")).status_code == 200
