"""The designation report reads as a report: a cover and a first page a council member reads alone, sentences
instead of machine lists, tables whose rows are never split or reordered across pages, and an accessible PDF
(PDF/UA-1, a document language, alternative text for the chart and the seal). Every PDF is read back."""

import base64
import re
from types import SimpleNamespace

import pytest

from assessment.models import Jurisdiction
from reports import application_report, render, report_words
from review import certificates
from review.models import Decision
from review.rationale import by_threshold
from scoring.domain import rubric_for
from tests.factories.answers import complete_answers
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.reviews import JUDGED, make_review
from tests.report_pdfs import flat, read, structure

pytestmark = pytest.mark.django_db


def _pdf(application):
    html = application_report.html(application_report.gather(application))
    pdf, _pages, refused = render.html_to_pdf(html, render.static_roots())
    assert refused == []
    return read(pdf)


def test_a_designee_report_opens_with_a_cover_and_a_page_read_alone():
    application = make_submitted()
    make_review(application, comments="Your callback option is a model for others.")
    make_review(application, comments="Publish the dashboard weekly.")
    decide(application, level="Designated with Distinction", total="81.5", snapshot={"judged": JUDGED})

    reader, text, pages = _pdf(application)
    cover, glance = flat(pages[0]), flat(pages[1])

    # The cover: the seal, the jurisdiction, the cycle, the level and a paragraph of summary.
    assert "Designation report" in cover and "Harbor City, VA" in cover
    assert "Citizen-Engaged Community — Designated with Distinction · 2026–2028" in cover
    assert (
        "The review panel designated Harbor City, VA a Citizen-Engaged Community — Designated with Distinction "
        "for 2026–2028, with 81.5 of 100 points. Its strongest work is in" in cover
    )
    # The first page a council member reads alone: level, total, the chart, three strengths, three priorities.
    assert "At a glance" in glance and "At a glance" not in cover
    assert "81.5 of 100 points" in glance and "Designated — Designated with Distinction" in glance
    strengths = glance[glance.index("Strengths") : glance.index("Priorities")]
    priorities = glance[glance.index("Priorities") :]
    assert strengths.count("points") >= 3 and "full points" in strengths
    assert "points: yes" not in strengths  # what "Strengths" used to list: the engine's reasons
    assert re.search(r"Priorities .+ That would add up to \d+(\.\d+)? more points?\.", priorities)
    # Comments attributed by letter, never by name or number.
    assert "Panel reviewer A" in text and "Panel reviewer B" in text and "Reviewer 1" not in text
    # The running header in full on every page but the cover, and page numbers "Page N of M".
    for number, page in enumerate(pages[1:-1], start=2):
        assert "Harbor City, VA · 2026–2028 designation report" in page
        assert "Citizen-Engaged Community Designation" in page
        assert f"Page {number} of {len(pages)}" in page


def test_the_pdf_is_pdf_ua_with_a_language_and_alternative_text():
    application = make_submitted()
    decide(application, level="Designated")

    reader, _text, _pages = _pdf(application)
    root = reader.trailer["/Root"]

    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part(>|=\")1", xmp)
    figures = [alt for role, alt in structure(reader) if role == "/Figure"]
    assert figures and all(figures), "every figure needs alternative text"
    alts = " ".join(str(alt) for alt in figures)
    assert "Seal: Citizen-Engaged Community, Harbor City, VA, Designated, 2026–2028" in alts
    assert "Points by category: A " in alts
    # Headings in order: one h1, and no level skipped.
    levels = [int(role[2]) for role, _alt in structure(reader) if re.fullmatch(r"/H[1-6]", role)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_long_tables_never_split_or_reorder_a_row_across_pages():
    # Almost nothing answered: every criterion scored by rule is a recommendation, a table over several pages.
    application = make_submitted(
        answers=complete_answers(planning={}, workforce={}, participation={}, accountability={}, technology={})
    )
    decide(application, outcome=Decision.Outcome.NOT_DESIGNATED, total="31")

    _reader, text, pages = _pdf(application)

    start = next(i for i, page in enumerate(pages) if "What would earn more points" in page)
    rows = [(i, line) for i in range(start, len(pages)) for line in pages[i].splitlines()]
    gains = [(i, line) for i, line in rows if re.search(r"\+\d+(\.\d+)?$", line.strip())]
    assert len({i for i, _line in gains}) >= 2 and len(gains) >= 10, "the table should span pages"
    # Largest gains first, across the pages.
    numbers = [float(re.search(r"\+(\d+(?:\.\d+)?)$", line.strip()).group(1)) for _i, line in gains]
    assert numbers == sorted(numbers, reverse=True)
    # A row is whole on one page: its code and its "+N" are on the same page, never the code on one and
    # the rest on the next (every code line of the table has its gain on the same page, in order).
    table_text = "\n".join(pages[start:])
    for code in ("C2", "E1", "H1"):
        page_of_code = next(i for i, line in rows if line.startswith(f"{code} "))
        row_end = next(i for i, line in rows if i >= page_of_code and re.search(r"\+\d", line))
        assert row_end == page_of_code, f"row {code} is split across pages"
    # The category table prints Total after its last row (H), on the same page.
    summary = next(page for page in pages if "Points by category" in page and "Total" in page)
    assert summary.index("H Planning and improvement") < summary.index("Total")
    assert "Total" not in table_text.split("What would earn more points")[0][-50:]


def test_a_report_not_designated_says_why_and_what_to_do_first():
    application = make_submitted(answers=complete_answers(planning={}, workforce={}))
    rubric = rubric_for(application.cycle).to_engine()
    source = application_report.gather(application)
    result = application_report.score_with_reasons(source)
    rationale = by_threshold(result, "not_designated", "", rubric)
    decide(application, outcome=Decision.Outcome.NOT_DESIGNATED, total=result["total"], rationale=rationale)

    _reader, text, pages = _pdf(application)
    words = flat(text)

    assert "The review panel did not designate Harbor City, VA for 2026–2028" in flat(pages[0])
    assert "the rubric does not designate it:" in words and "Decided by the rubric's threshold" not in words
    glance = flat(pages[1])
    priorities = glance[glance.index("Priorities") :]
    assert "Raise planning and improvement to at least" in priorities or "Earn at least" in priorities
    assert "CERTIFICATE OF DESIGNATION" not in text.upper()


def test_the_threshold_rationale_is_a_sentence():
    rubric = SimpleNamespace(
        threshold=60,
        min_category_share=40,
        prerequisites=[SimpleNamespace(code="P1", title="A central contact number")],
        categories=[
            SimpleNamespace(code="A", name="Access", points=60),
            SimpleNamespace(code="H", name="Planning", points=40),
        ],
    )
    result = {"total": 79.0, "prerequisites": {"P1": True}, "categories": {"A": 50, "H": 29}}
    assert by_threshold(result, "designated", "Exemplary", rubric) == (
        "The application meets every prerequisite and the minimum share of points in every category, "
        "and its 79 of 100 points reach the threshold of 60: it is designated at the level Exemplary by the rubric."
    )
    result = {"total": 40.5, "prerequisites": {"P1": False}, "categories": {"A": 35, "H": 5.5}}
    assert by_threshold(result, "not_designated", "", rubric) == (
        "The application earned 40.5 of 100 points, and the rubric does not designate it: "
        "the prerequisite “A central contact number” is not met; its total is below the threshold of 60; "
        "Planning is below 40 % of its points. The report's recommendations say where the missing points are."
    )


def test_the_report_words():
    assert [report_words.reviewer_letter(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]
    assert report_words.detail("3 of 3 points: 89 %.") == "89 %"
    assert report_words.detail("2 of 2 points: yes.") == ""
    criterion = {"code": "D1", "title": "Metrics tracked", "reason": "3 of 5 points: 8 metrics.", "kind": "count"}
    said = report_words.recommendation(criterion, "2", "Metrics tracked: 11 or more")
    assert said["text"] == "Metrics tracked: reach 11 or more." and said["gain_words"] == "up to 2 more points"
    yes_no = {"code": "C2", "title": "Open311 endpoint", "reason": "0 of 3 points: no.", "kind": "yes_no"}
    assert report_words.recommendation(yes_no, "3", "Open311 endpoint")["text"] == (
        "Open311 endpoint: put it in place (today's answer: no)."
    )
    assert report_words.recommendation(criterion, "1", "")["gain_words"] == "up to 1 more point"


def test_a_county_keeps_its_kind_in_the_summary():
    application = make_submitted()
    Jurisdiction.objects.filter(pk=application.jurisdiction_id).update(name="Orange County")
    application.refresh_from_db()
    decide(application, level="Designated")
    _reader, _text, pages = _pdf(application)
    assert "The review panel designated Orange County, VA a Citizen-Engaged Community" in flat(pages[0])


def test_the_certificate_is_numbered_signed_and_verifiable():
    application = make_submitted()
    cycle = application.cycle
    cycle.signatory_name, cycle.signatory_title = "Alex Rivera", "Executive Director, the program"
    cycle.save()
    decision = decide(application, level="Designated with Distinction")
    certificate = certificates.for_decision(decision)

    reader, _text, pages = _pdf(application)
    last = flat(pages[-1])

    assert float(reader.pages[-1].mediabox.width) > float(reader.pages[-1].mediabox.height)  # landscape
    assert "CERTIFICATE OF DESIGNATION" in last and "Harbor City, VA" in last
    assert "Alex Rivera Executive Director, the program" in last
    assert f"Certificate {certificate.number}" in last
    assert f"verification code {certificate.display_code}" in last
    assert f"verify at {certificate.verify_url}" in last
    assert f"{certificate.number}, verification code {certificate.display_code}" in flat(pages[0])  # the cover
    # The seal printed on the certificate carries the address too (in the SVG the PDF draws).
    seal = application_report.context(application_report.gather(application))["seal"]
    svg = base64.b64decode(seal["src"].split(",", 1)[1]).decode()
    assert f"/verify/{certificate.display_code}/" in svg


def test_a_designation_not_published_yet_has_no_certificate_page():
    application = make_submitted()
    decide(application, level="Designated", published=False)
    _reader, text, pages = _pdf(application)
    assert "CERTIFICATE OF DESIGNATION" not in text.upper()
    assert "Certificate Issued when the decision is published" in flat(pages[0])
