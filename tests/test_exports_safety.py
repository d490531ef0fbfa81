"""Organizer exports: formula-like text stays text in workbooks and CSV, the CSV matches the workbooks,
the exports page links every download and only organizers export."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports import exports
from tests.export_world import (
    HOSTILE_CONTACT,
    HOSTILE_EMAIL,
    HOSTILE_NAME,
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
    make_organizer,
    make_reviewer,
    make_user,
)

pytestmark = pytest.mark.django_db


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
