"""The "How you compare" section (templates/reports/pdf/_compare.html): as HTML, and read back from a real PDF."""

import re

import pytest
from django.template.loader import render_to_string

from reports import peers, render
from scoring.domain import rubric_for
from tests.factories import make_cycle, make_jurisdiction
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.peers import answers_with, designee
from tests.report_pdfs import flat, read, structure

pytestmark = pytest.mark.django_db

LABELS = [f.label for f in peers.FIGURES] + [
    "A Multi-channel access (of 15 points)",
    "B Self-service and mobile (of 10 points)",
]


def _compared(group=5, name="Harbor & <Bay>"):
    """Harbor & <Bay>'s comparison among ``group`` designees of its band (itself one of them)."""
    cycle = make_cycle(name="2026–2028")
    rubric_for(cycle)
    own = make_submitted(
        jurisdiction=make_jurisdiction(name=name, population=150_000),
        cycle=cycle,
        answers=answers_with(asa=12, fcr=None),
    )
    decision = decide(own, snapshot={"categories": {"A": 14, "B": 6}})
    for i in range(group - 1):
        designee(cycle, asa=30 + 10 * i, fcr=None if i else 70, categories={"A": 8 + i, "B": 5})
    return own, peers.comparison(own, decision)


def _html(own, compared):
    return render_to_string("reports/pdf/_compare.html", {"jurisdiction": own.jurisdiction, "compare": compared})


def test_the_section_is_one_accessible_table_in_the_figures_order():
    own, compared = _compared()
    html = _html(own, compared)

    assert "<h2>How Harbor &amp; &lt;Bay&gt;, VA compares</h2>" in html
    assert (
        "This table sets Harbor &amp; &lt;Bay&gt;, VA&#x27;s key figures beside those of the 5 designated jurisdictions, "
        "Harbor &amp; &lt;Bay&gt;, VA among them, in the 100,000 to 249,999 population band of the 2026–2028 cycle."
    ) in html
    assert "<caption>Harbor &amp; &lt;Bay&gt;, VA beside the designees of its population band" in html
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html)
    assert headers == ["Figure", "Yours", "Lower quartile", "Median", "Upper quartile", "Where you stand"]
    row_headers = re.findall(r'<th scope="row">([^<]*)</th>', html)
    assert row_headers[: len(LABELS)] == LABELS
    asa = re.search(r"<tr><th scope=\"row\">Average speed.*?</tr>", html).group(0)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", asa) == [
        "12 s",
        "30 s",
        "40 s",
        "50 s",
        "Below the lower quartile: among the best quarter of designees",
    ]
    fcr = re.search(r"<tr class=\"too-few\"><th scope=\"row\">First-contact resolution.*?</tr>", html).group(0)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", fcr) == [
        "Not answered",
        "Fewer than five designees in this band answered this.",
    ]
    assert '<td colspan="4">' in fcr
    assert peers.QUARTILES_NOTE in html.replace("&#x27;", "'")


def test_a_group_too_small_gets_a_sentence_and_no_table():
    own, compared = _compared(group=4)
    html = _html(own, compared)

    assert "<h2>How Harbor &amp; &lt;Bay&gt;, VA compares</h2>" in html
    assert "Fewer than five jurisdictions in the 100,000 to 249,999 population band were designated" in html
    assert "<table" not in html
    assert "12 s" not in html and "quartile" not in html


def test_the_pdf_reads_the_figures_back_in_order():
    own, compared = _compared(name="Harbor City")
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>How you compare</title>'
        f'<link rel="stylesheet" href="{render.STATIC_BASE}reports/print.css">'
        f'<link rel="stylesheet" href="{render.STATIC_BASE}reports/compare.css">'
        f"</head><body><h1>Designation report</h1>{_html(own, compared)}</body></html>"
    )

    data, pages, refused = render.html_to_pdf(html, render.static_roots())

    assert refused == []  # both style sheets were found among the static files
    _reader, text, _pages = read(data)
    text = flat(text)
    assert "How Harbor City, VA compares" in text
    positions = [text.index(label) for label in LABELS]
    assert positions == sorted(positions)
    assert "Average speed of answer (lower is better) 12 s 30 s 40 s 50 s Below the lower quartile" in text
    assert "Fewer than five designees in this band answered this." in text
    assert "Quartiles in plain words" in text
    assert pages >= 1
    tags = {role for role, _alt in structure(_reader)}
    assert {"/H2", "/Table", "/Caption", "/TH", "/TD"} <= tags  # the table is tagged as a table
