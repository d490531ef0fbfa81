"""The cycle summary PDF in the manner of seed 004: a cover with the program's seal, the designees by
population band each with its seal, highlights, and trends since the cycle before. Every PDF is read back.

The sentences' wording for every count: tests/test_summary_highlights.py.
"""

from datetime import date

import pytest
from django.urls import reverse

from assessment.audit import audit
from assessment.models import Application, Cycle
from reports import cycle_summary, render
from reports.designees import RECORDED_DESIGNATION
from review import certificates
from review.models import Decision
from tests.factories import make_cycle, make_jurisdiction, make_organizer
from tests.factories.answers import complete_answers
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.report_pdfs import (
    flat,
    media,  # noqa: F401  (an autouse fixture: pytest finds it by name)
    pdf_bytes,
    read,
    structure,
)

pytestmark = pytest.mark.django_db

WEB_CHAT = complete_answers(
    channels={**complete_answers()["channels"], "channels": ["live_phone", "web_form", "web_chat"]}
)


def _designee(cycle, name, population=120_000, level="Designated", answers=None, **decision):
    application = make_submitted(
        jurisdiction=make_jurisdiction(name=name, population=population), cycle=cycle, answers=answers
    )
    decide(application, level=level, **decision)
    return application


def _pdf(cycle):
    gathered, _digest = cycle_summary.gather(cycle)
    pdf, pages, refused = render.html_to_pdf(cycle_summary.html(cycle, gathered), render.static_roots())
    assert refused == [] and pages >= 1
    return read(pdf)


def test_the_summary_has_a_cover_the_designees_by_band_with_their_seals_and_highlights():
    cycle = make_cycle(name="2026–2028", valid_from=date(2027, 1, 1))
    _designee(cycle, "Harbor City", population=820_000, level="Exemplary")
    _designee(cycle, "Lakeside", population=60_000, answers=WEB_CHAT)
    _designee(cycle, "Brookfield", population=300_000, level="Designated with Distinction")
    _designee(cycle, "Ashford", population=310_000)
    _designee(cycle, "Quiet Town", published=False)
    _designee(cycle, "Refused City", outcome=Decision.Outcome.NOT_DESIGNATED)

    reader, text, pages = _pdf(cycle)
    cover, words = flat(pages[0]), flat(text)

    # The cover: the program, the title, the counts by band, the validity and the announcement's paragraph.
    assert "CITIZEN-ENGAGED COMMUNITY DESIGNATION" in cover  # the program, in small capitals
    assert "Designated Citizen-Engaged Communities 2026–2028" in cover
    assert "4 designated communities" in cover
    assert "Designees by population band Population Designees 750,000 and over 1 250,000 to 749,999 2" in cover
    assert "100,000 to 249,999 0 Under 100,000 1" in cover
    assert "This summary presents the 4 communities designated as Citizen-Engaged Communities for 2026–2028." in cover
    assert "valid from January 1, 2027 until January 1, 2029" in cover
    assert "Highlights" not in cover
    # The designees, largest band first and by name within a band, each with its level.
    order = ["Harbor City, VA", "Ashford, VA", "Brookfield, VA", "Lakeside, VA"]
    positions = [words.index(name) for name in order]
    assert positions == sorted(positions) and words.index("Population 750,000 and over") < positions[0]
    assert words.index("Population under 100,000") < words.index("Lakeside, VA")
    assert "City, population 820,000 Exemplary" in words
    for name in ("Quiet Town", "Refused City", "(none)", "Almost none", "Trends since"):
        assert name not in words
    # The highlights, worded for the counts.
    assert "All 4 take service requests by live agent by phone and web form." in words
    assert "Only 1 of 4 offers web chat." not in words and "1 of 4 offers web chat" not in words
    assert "None offers text message (SMS), walk-in counter or voice recognition." in words

    # Every image is a seal with its alternative text: the program's on the cover, then each designee's.
    elements = structure(reader)
    figures = [str(alt) for role, alt in elements if role == "/Figure"]
    assert figures == ["Seal of the Citizen-Engaged Communities designees 2026–2028"] + [
        f"Seal of {name}: {level}, 2026–2028"
        for name, level in zip(
            order, ["Exemplary", "Designated", "Designated with Distinction", "Designated"], strict=True
        )
    ]
    # Headings in order without a skipped level: h1, then h2s, each band an h3 under the designees' h2.
    headings = [int(role[2]) for role, _alt in elements if role in ("/H1", "/H2", "/H3")]
    assert headings == [1, 2, 2, 3, 3, 3]


def test_a_cycle_of_one_designee_speaks_of_it_in_the_singular():
    cycle = make_cycle(name="2026–2028")
    _designee(cycle, "Harbor City")

    _reader, text, pages = _pdf(cycle)
    words = flat(text)

    assert "1 designated community" in flat(pages[0]) and "1 designated communities" not in words
    assert "This summary presents the community designated as a Citizen-Engaged Community for 2026–2028." in words
    assert "What the designated community reported in its application:" in words
    assert "The designee tracks 6 performance metrics." in words
    assert "The designee does not offer web chat, text message (SMS), walk-in counter or voice recognition." in words


def test_a_cycle_without_designees_is_one_page_that_says_so():
    cycle = make_cycle(name="2026–2028")
    decide(make_submitted(cycle=cycle), published=False)

    _reader, text, pages = _pdf(cycle)
    words = flat(text)

    assert len(pages) == 1
    assert "No designated community yet" in words
    assert "No designation of the 2026–2028 cycle has been published yet" in words
    assert "Highlights" not in words and "Population" not in words


def test_trends_compare_with_the_latest_earlier_cycle_that_has_published_designees():
    oldest = make_cycle(name="2020–2022", valid_from=date(2021, 1, 1))
    _designee(oldest, "Old Harbor", answers=WEB_CHAT)
    previous = make_cycle(name="2022–2024", valid_from=date(2023, 1, 1))
    for name in ("Ashford", "Brookfield"):
        _designee(previous, name)
    # Not the cycle before: its only designation is unpublished.
    unpublished = make_cycle(name="2024–2026", valid_from=date(2025, 1, 1))
    _designee(unpublished, "Quiet Town", answers=WEB_CHAT, published=False)
    # Nor a later one.
    _designee(make_cycle(name="2028–2030", valid_from=date(2029, 1, 1)), "Future Town")
    cycle = make_cycle(name="2026–2028", valid_from=date(2027, 1, 1))
    for name, answers in (("Harbor City", WEB_CHAT), ("Lakeside", WEB_CHAT), ("Clearwater", None)):
        _designee(cycle, name, answers=answers)

    assert cycle_summary.previous_cycle(cycle) == previous
    words = flat(_pdf(cycle)[1])

    assert "Trends since 2022–2024" in words
    assert "Compared with the designees of 2022–2024, the shares that changed:" in words
    assert "Web chat: none of 2 in 2022–2024, 2 of 3 now" in words
    assert "Interactive voice response (IVR): both in 2022–2024, 1 of 3 now" in words
    # A share that did not change is not a trend.
    assert "Live agent by phone:" not in words and "Written technology plan:" not in words
    # The earliest cycle has none before it.
    assert cycle_summary.previous_cycle(oldest) is None
    assert "Trends since" not in flat(_pdf(oldest)[1])


def test_the_summarys_cache_changes_with_what_the_trends_are_made_from(django_assert_num_queries):
    previous = make_cycle(name="2022–2024", valid_from=date(2023, 1, 1))
    earlier = _designee(previous, "Ashford")
    cycle = make_cycle(name="2026–2028", valid_from=date(2027, 1, 1))
    _designee(cycle, "Harbor City")

    # The cycle's designees, their certificates (their seals print where to verify them), the cycle before, and
    # its designees.
    with django_assert_num_queries(4):
        gathered, digest = cycle_summary.gather(cycle)
    assert gathered.previous == previous and [a.pk for a in gathered.previous_rows] == [earlier.pk]

    Application.objects.filter(pk=earlier.pk).update(answers=WEB_CHAT)
    _gathered, changed = cycle_summary.gather(cycle)
    assert changed != digest
    Decision.objects.filter(application=earlier).update(published_at=None)
    _gathered, without = cycle_summary.gather(cycle)
    assert without not in (digest, changed) and _gathered.previous is None


def test_designations_recorded_from_the_announcement_are_marked_as_announced(client):
    cycle = make_cycle(name="2013–2015", valid_from=date(2013, 10, 14))
    _designee(cycle, "Decided City", level="Exemplary")
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED)
    recorded = make_submitted(jurisdiction=make_jurisdiction(name="City of Chesapeake"), cycle=cycle)
    audit(None, RECORDED_DESIGNATION, "Recorded", recorded)

    client.force_login(make_organizer())
    reader, text, _pages = read(pdf_bytes(client.get(reverse("cycle_summary_pdf", args=[cycle.pk]))))
    words = flat(text)

    assert "City of Chesapeake, VA City, population 120,000 Designated (as announced)" in words
    assert "Decided City, VA City, population 120,000 Exemplary" in words
    assert "Designations marked “as announced” were made before this system" in words
    figures = [str(alt) for role, alt in structure(reader) if role == "/Figure"]
    assert "Seal of City of Chesapeake, VA: Designated, 2013–2015" in figures and len(figures) == 3


def test_a_designees_seal_prints_where_to_verify_its_certificate_and_the_cache_knows_it(settings):
    settings.SITE_URL = "https://designation.example.org"
    cycle = make_cycle(name="2026–2028")
    decision = decide(make_submitted(cycle=cycle))
    _gathered, without = cycle_summary.gather(cycle)

    certificate = certificates.issue(decision)
    gathered, digest = cycle_summary.gather(cycle)
    words = flat(_pdf(cycle)[1])

    assert gathered.certificates == {decision.application_id: certificate} and digest != without
    assert f"Verify: designation.example.org/verify/{certificate.display_code}/" in words
