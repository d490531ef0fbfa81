"""Organizer exports: the designee list and the analysis table, as Excel workbooks and CSV (formulas kept
as text, the CSV and who may export: tests/test_exports_safety.py)."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.models import AuditEvent, Cycle
from reports import export_tables, exports
from reports.designees import RECORDED_DESIGNATION
from scoring.domain import rescore_cycle, rubric_for
from scoring.models import Rubric
from tests.export_world import (
    HOSTILE_NAME,
    SNAPSHOT,
    apply,
    by_name,
    cycle_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    download,
    organizer_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    sheet_xml,
    workbook,
    world_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
)
from tests.factories import (
    make_cycle,
)
from tests.factories.answers import COMPLETE
from tests.factories.decisions import decide

pytestmark = pytest.mark.django_db


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

    # Each table at either size: the rubric's row (its categories, criteria and levels are read once per
    # version in a process: rubric_for(cycle).to_engine() below); then one query for the rows (the
    # applications with their current decision and score joined or annotated).
    rubric_for(cycle).to_engine()
    tables = ("designee_table", "analysis_table")
    assert {name: queries(getattr(export_tables, name)) for name in tables} == {name: 2 for name in tables}
    for index in range(5):
        decide(apply(cycle, f"More {index}"), snapshot=SNAPSHOT)
    rescore_cycle(cycle)
    assert {name: queries(getattr(export_tables, name)) for name in tables} == {name: 2 for name in tables}
