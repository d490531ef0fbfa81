"""The public designee list, its open data (CSV, JSON) and the seals: published designations only."""

import csv
import io
import json
from datetime import date, timedelta

import pytest
from defusedxml import ElementTree
from django.core.management import call_command
from django.urls import reverse

from assessment import demo_data
from assessment.models import AuditEvent, Cycle
from reports import designees as public
from tests.factories import make_application, make_cycle, make_jurisdiction
from tests.factories.decisions import decide

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '</text><script>alert(1)</script><text x="0">&amp; "Quoted" \'City\' <b>'
FORMULA = '=HYPERLINK("http://evil.example","Click")'


def apply(cycle, name, population=120_000, state="VA"):
    jurisdiction = make_jurisdiction(name=name, population=population, state=state)
    return make_application(jurisdiction=jurisdiction, cycle=cycle, status="submitted")


def record_designation(application):
    return AuditEvent.objects.create(
        action=public.RECORDED_DESIGNATION,
        application=application,
        summary="Designated (recorded)",
        data={"designated_on": "2013-10-14"},
    )


@pytest.fixture
def cycle():
    return make_cycle(name="2026–2028")


@pytest.fixture
def world(cycle):
    """Designees and non-designees, every case the public must not see."""
    apps = {
        "big": apply(cycle, "Metro City", population=900_000),
        "small": apply(cycle, "Smallville", population=20_000),
        "hostile": apply(cycle, HOSTILE, population=300_000),
        "formula": apply(cycle, FORMULA, population=150_000),
        "not_designated": apply(cycle, "Rejected Town"),
        "unpublished": apply(cycle, "Secret County"),
        "undecided": apply(cycle, "Waiting City"),
        "appeal_lost": apply(cycle, "Overturned City"),
        "appeal_won": apply(cycle, "Appealed City"),
    }
    decide(apps["big"], level="Exemplary")
    decide(apps["small"], level="")  # a decision without a level reads "Designated"
    decide(apps["hostile"])
    decide(apps["formula"], level="Designated with Distinction")
    decide(apps["not_designated"], outcome="not_designated")
    decide(apps["unpublished"], published=False)
    decide(apps["appeal_lost"], superseded=True, days_ago=2)
    decide(apps["appeal_lost"], outcome="not_designated")
    decide(apps["appeal_won"], outcome="not_designated", superseded=True, days_ago=2)
    decide(apps["appeal_won"], level="Designated")
    return apps


PUBLIC = {"Metro City", "Smallville", HOSTILE, FORMULA, "Appealed City"}
PRIVATE = {"Rejected Town", "Secret County", "Waiting City", "Overturned City"}


def test_designees_are_current_designated_published_decisions(world):
    names = {a.jurisdiction.name for a in public.designees()}
    assert names == PUBLIC
    levels = {a.jurisdiction.name: a.level for a in public.designees()}
    assert levels["Metro City"] == "Exemplary" and levels["Smallville"] == "Designated"
    with_unpublished = {a.jurisdiction.name for a in public.designees(published_only=False)}
    assert with_unpublished == PUBLIC | {"Secret County"}


def test_designees_are_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [(a.jurisdiction.name, a.cycle.name, a.level) for a in public.designees()]
    assert len(rows) == len(PUBLIC)


def test_recorded_designations_count_in_published_cycles_until_a_decision(cycle):
    historic = make_cycle(name="2013–2015", valid_from=date(2013, 10, 14))
    recorded = apply(historic, "City of Durham", state="NC")
    decided_since = apply(historic, "City of Dallas", state="TX")
    record_designation(recorded)
    record_designation(decided_since)
    decide(decided_since, outcome="not_designated")
    in_open_cycle = apply(cycle, "Too Early City")
    record_designation(in_open_cycle)
    assert list(public.designees()) == []  # the 2013–2015 cycle is not published yet
    historic.status = Cycle.Status.PUBLISHED
    historic.save()
    found = list(public.designees())
    assert [(a.jurisdiction.name, a.level) for a in found] == [("City of Durham", "Designated")]
    assert public.designated_on(found[0].decision_decided_at, found[0].recorded_designated_on) == date(2013, 10, 14)


def test_the_recorded_action_is_the_demos():
    assert public.RECORDED_DESIGNATION == demo_data.DESIGNATED


def test_the_demos_thirteen_designees_of_2013_2015_are_public(client, settings):
    settings.DEMO = True
    call_command("load_demo", stdout=io.StringIO())
    historic = Cycle.objects.get(name=demo_data.CYCLE_2013_2015)
    assert public.designees(historic).count() == 13
    response = client.get(reverse("public_designees"))
    page = response.content.decode()
    for designee in demo_data.DESIGNEES_2013_2015:
        assert designee.name in page
    # One fictional jurisdiction is designated, by the panel, in 2024–2026: Bayport. The open cycle's
    # applicants are not designated (yet), nor are the others.
    earlier = Cycle.objects.get(name=demo_data.EARLIER_CYCLE)
    assert [(a.jurisdiction.name, a.level) for a in public.designees(earlier)] == [
        ("Demo: Bayport", "Designated with Distinction")
    ]
    for place in demo_data.PLACES:
        assert (place.name in page) == (place.name == "Demo: Bayport"), place.name
    listed = client.get(reverse("public_designees") + f"?cycle={earlier.pk}").content.decode()
    assert "Demo: Bayport" in listed and "City of Dallas" not in listed
    data = json.loads(client.get(reverse("public_designees_json") + f"?cycle={historic.pk}").content)
    assert data["count"] == 13
    assert {row["level"] for row in data["designees"]} == {"Designated"}
    assert {row["valid_until"] for row in data["designees"]} == {historic.valid_until.isoformat()}


def test_public_page_groups_designees_by_cycle_and_band(client, cycle, world):
    earlier = make_cycle(name="2024–2026", valid_from=date(2025, 1, 1))
    earlier.opens_at = cycle.opens_at - timedelta(days=730)
    earlier.save()
    decide(apply(earlier, "Old Town", population=60_000))
    response = client.get(reverse("public_designees"))  # anonymous
    assert response.status_code == 200
    page = response.content.decode()
    for name in PRIVATE:
        assert name not in page
    assert "Metro City" in page and "Exemplary" in page and "Old Town" in page
    assert page.index("2026–2028") < page.index("2024–2026")  # newest cycle first
    assert page.index("Population 750,000 and over") < page.index("Population under 100,000")
    assert "<script>alert(1)</script>" not in page
    assert (
        reverse("public_seal", kwargs={"cycle_id": cycle.pk, "jurisdiction_id": world["big"].jurisdiction_id}) in page
    )
    sections = public.grouped(public.designees())
    assert [s["cycle"].name for s in sections] == ["2026–2028", "2024–2026"]
    assert [b["name"] for b in sections[0]["bands"]] == [
        "750,000 and over",
        "250,000 to 749,999",
        "100,000 to 249,999",
        "Under 100,000",
    ]
    filtered = client.get(reverse("public_designees") + f"?cycle={earlier.pk}").content.decode()
    assert "Old Town" in filtered and "Metro City" not in filtered


def test_open_data_csv_lists_only_designees_and_escapes_formulas(client, cycle, world):
    response = client.get(reverse("public_designees_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert not body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    names = {row["jurisdiction"] for row in rows}
    assert names == (PUBLIC - {FORMULA}) | {"'" + FORMULA}
    assert list(rows[0]) == public.OPEN_DATA_FIELDS
    metro = next(row for row in rows if row["jurisdiction"] == "Metro City")
    assert metro["level"] == "Exemplary" and metro["population_band"] == "750,000 and over"
    assert metro["valid_until"] == cycle.valid_until.isoformat()
    assert client.get(metro["seal_url"]).status_code == 200
    assert "contact" not in body.lower() and "total" not in rows[0]


def test_open_data_json_lists_only_designees(client, cycle, world):
    response = client.get(reverse("public_designees_json"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["count"] == len(PUBLIC)
    assert {row["jurisdiction"] for row in data["designees"]} == PUBLIC  # JSON keeps names exactly
    assert set(data["designees"][0]) == set(public.OPEN_DATA_FIELDS)
    assert json.loads(client.get(reverse("public_designees_json") + "?cycle=abc").content) == {
        "error": "“cycle” must be a cycle’s number, as in ?cycle=3."
    }


@pytest.mark.parametrize("name", ["public_designees", "public_designees_csv", "public_designees_json"])
def test_bad_cycle_filters_get_a_clear_answer(client, world, name):
    url = reverse(name)
    assert client.get(url + "?cycle=x'%20OR%201=1").status_code == 400
    assert client.get(url + "?cycle=" + "9" * 40).status_code == 400
    assert client.get(url + "?cycle=999999").status_code == 404
    assert client.get(url + "?cycle=").status_code == 200


def seal(client, application):
    return client.get(
        reverse(
            "public_seal",
            kwargs={"cycle_id": application.cycle_id, "jurisdiction_id": application.jurisdiction_id},
        )
    )


def test_a_seal_is_an_svg_download_without_scripts(client, cycle, world):
    response = seal(client, world["big"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == 'attachment; filename="seal-metro-city-2026-2028.svg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    texts = " ".join(el.text or "" for el in root.iter(f"{SVG}text"))
    assert "Metro City" in texts and "Exemplary" in texts and "2026–2028" in texts
    assert f"Valid until {cycle.valid_until:%B} {cycle.valid_until.day}, {cycle.valid_until.year}" in texts
    assert not [el for el in root.iter() if el.tag.endswith(("script", "foreignObject", "a", "image", "use"))]
    assert not [name for el in root.iter() for name in el.attrib if name.lower().startswith("on")]


def test_a_hostile_name_is_only_text_in_the_seal(client, world):
    response = seal(client, world["hostile"])
    assert response.status_code == 200
    assert b"<script" not in response.content and b"<b>" not in response.content
    root = ElementTree.fromstring(response.content)
    assert [el.tag for el in root.iter() if "script" in el.tag] == []
    title = root.find(f"{SVG}title").text
    assert HOSTILE in title
    drawn = "".join(el.text or "" for el in root.iter(f"{SVG}text"))
    assert drawn.startswith("CITIZEN-ENGAGEDCOMMUNITY</text><script>")


def test_control_characters_and_long_names_still_make_a_valid_seal(client, cycle):
    application = apply(cycle, "City\x0b of\x01 " + "Very-Long-Name " * 12)
    decide(application)
    response = seal(client, application)
    root = ElementTree.fromstring(response.content)  # parses: no character XML forbids
    lines = [el.text for el in root.iter(f"{SVG}text") if el.get("class") == "name"]
    assert len(lines) == 3 and lines[0].startswith("City of Very-Long-Name") and lines[-1].endswith("…")


@pytest.mark.parametrize("key", ["not_designated", "unpublished", "undecided", "appeal_lost"])
def test_no_seal_for_anyone_not_publicly_designated(client, world, key):
    assert seal(client, world[key]).status_code == 404


def test_no_seal_for_another_cycle_or_a_missing_one(client, world):
    other = make_cycle(name="2028–2030")
    big = world["big"]
    url = reverse("public_seal", kwargs={"cycle_id": other.pk, "jurisdiction_id": big.jurisdiction_id})
    assert client.get(url).status_code == 404
    url = reverse("public_seal", kwargs={"cycle_id": 999_999, "jurisdiction_id": 999_999})
    assert client.get(url).status_code == 404
