"""PDF reports: what they say, who may read them, their cache and the cycle summary (hostile text and bounded
rendering: tests/test_reports_pdf_safety.py).

Every PDF is opened with pypdf: its text, pages, bookmarks, tags, links and
embedded files are checked, not just its status code.
"""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessment.audit import audit
from assessment.models import Application, Cycle
from reports import application_report, cycle_summary, render
from reports.designees import RECORDED_DESIGNATION, designees
from reports.downloads import download_name
from review.models import Assignment, Decision, Review
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer, make_user
from tests.factories.answers import complete_answers
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.reviews import JUDGED, make_review
from tests.report_pdfs import (
    download,
    embedded_files,
    flat,
    media,  # noqa: F401  (an autouse fixture: pytest finds it by name)
    outline_titles,
    pdf_bytes,
    read,
)

pytestmark = pytest.mark.django_db


# --- What the report says ----------------------------------------------------------------


def test_a_designee_report_has_every_part_and_a_certificate(client):
    application = make_submitted()
    make_review(application, comments="Your callback option is a model for others.", notes="PRIVATE-NOTE-1")
    make_review(application, comments="Publish the dashboard weekly.", notes="PRIVATE-NOTE-2")
    make_review(application, comments="EXCLUDED-COMMENT", notes="PRIVATE-NOTE-3", excluded=True)
    make_review(application, comments="UNSUBMITTED-COMMENT", status=Review.Status.DRAFT)
    decide(
        application,
        level="Designated with Distinction",
        total="81.5",
        rationale="Strong multi-channel access.",
        snapshot={"judged": JUDGED, "adjusted": {"A2": 1}},
    )

    reader, text, pages = read(pdf_bytes(download(client, make_organizer(), application)))
    words = flat(text)

    # Cover
    assert "Designation report" in pages[0] and "Harbor City, VA" in pages[0] and "2026–2028" in pages[0]
    assert "Designated" in pages[0] and "Designated with Distinction" in flat(pages[0]) and "81.5 of 100" in pages[0]
    assert "DRAFT" not in text
    # The panel's decision, with its rationale (the applicant sees it on the application page too)
    assert "The panel's decision" in text and "Strong multi-channel access." in words
    # Scores: chart and table, every criterion with its points and reason
    assert "At a glance" in text and "Points by category" in text
    assert "Every criterion, with its points and reason" in text
    assert "6 of 6 points: Live agent by phone" in words
    assert "scored by reviewers" in words  # the judged points came from the decision's snapshot
    assert "1 of 3 points: adjusted by reviewers." in words  # and so did the adjusted rule scores
    # Comments for the applicant only: submitted, not excluded, never private notes
    assert "Your callback option is a model for others." in words and "Publish the dashboard weekly." in words
    assert "Panel reviewer A" in text and "Panel reviewer B" in text and "Panel reviewer C" not in text
    for hidden in ("PRIVATE-NOTE", "EXCLUDED-COMMENT", "UNSUBMITTED-COMMENT"):
        assert hidden not in text
    # Strengths and recommendations
    assert "Strengths" in text and "Priorities" in text
    assert "Recommendations" in text and "What would earn more points, largest gains first" in text
    # The certificate is the last page, in landscape
    last = reader.pages[-1]
    assert "CERTIFICATE OF DESIGNATION" in pages[-1] and "Harbor City, VA" in pages[-1]
    assert "Citizen-Engaged Community" in pages[-1] and "Designated with Distinction" in pages[-1]
    assert float(last.mediabox.width) > float(last.mediabox.height)
    # Page numbers and the running header (margin boxes), bookmarks from the headings, tags
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert "Harbor City, VA · 2026–2028 designation report" in pages[1]
    titles = list(outline_titles(reader.outline))
    assert {
        "Designation report",
        "The panel's decision",
        "At a glance",
        "Points by category",
        "Reviewers' comments",
        "Strengths",
        "Recommendations",
    } <= set(titles)
    assert "Certificate of designation" in titles
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title.startswith("Designation report: Harbor City, VA")
    assert embedded_files(reader) == []


def test_without_a_decision_the_report_is_a_draft_without_certificate(client):
    application = make_submitted()
    make_review(application, comments="Looks promising.")
    reviewer = make_reviewer()
    Assignment.objects.create(application=application, reviewer=reviewer)

    reader, text, pages = read(pdf_bytes(download(client, make_organizer(), application)))

    assert "Draft designation report" in pages[0] and "Not decided yet" in flat(pages[0])
    assert all("DRAFT" in page for page in pages)  # watermark and footer on every page
    assert "CERTIFICATE OF DESIGNATION" not in text.upper()
    assert "Looks promising." in text

    # Independence: the reviewer who has not submitted reads the rule scores alone.
    client.logout()
    _reader, text, _pages = read(pdf_bytes(download(client, reviewer, application)))
    assert "Draft designation report" in text and "pending" in text  # judged criteria wait for the reviewers
    assert "Looks promising." not in text
    assert "other reviewers' scores and comments appear once your own review is submitted" in flat(text)


def test_a_report_of_a_jurisdiction_not_designated_has_no_certificate(client):
    application = make_submitted(answers=complete_answers(planning={}, workforce={}))
    decide(application, outcome=Decision.Outcome.NOT_DESIGNATED)

    reader, text, pages = read(pdf_bytes(download(client, make_organizer(), application)))

    assert "Not designated" in pages[0]
    assert "CERTIFICATE OF DESIGNATION" not in text.upper()
    assert "What stands between this application and a designation" in text
    assert "Planning and improvement" in text


def test_a_superseded_decision_gives_way_to_the_current_one(client):
    application = make_submitted()
    first = decide(application, outcome=Decision.Outcome.NOT_DESIGNATED)
    first.superseded_at = timezone.now()
    first.save()
    decide(application, level="Exemplary")

    _reader, text, _pages = read(pdf_bytes(download(client, make_organizer(), application)))

    assert "Exemplary" in text and "Not designated" not in text


# --- Who may read it ---------------------------------------------------------------------


def test_the_applicant_gets_the_report_only_once_the_current_decision_is_published(client):
    application = make_submitted()
    applicant = make_user(jurisdiction=application.jurisdiction)
    assert download(client, applicant, application).status_code == 403

    decision = decide(application, published=False)
    response = download(client, applicant, application)
    assert response.status_code == 403
    assert "once the panel" in response.content.decode()

    decision.published_at = timezone.now()
    decision.save()
    _reader, text, _pages = read(pdf_bytes(download(client, applicant, application)))
    assert "CERTIFICATE OF DESIGNATION" in text

    # An appeal's new decision, not yet published, closes the door again.
    decision.superseded_at = timezone.now()
    decision.save()
    decide(application, published=False)
    assert download(client, applicant, application).status_code == 403


def test_outsiders_get_404_and_an_ended_assignment_closes_the_report(client):
    application = make_submitted()
    decide(application)
    other_staff = make_user(jurisdiction=make_jurisdiction(name="Elsewhere"))
    assert download(client, other_staff, application).status_code == 404
    assert download(client, make_reviewer(), application).status_code == 404

    reviewer = make_reviewer()
    assignment = Assignment.objects.create(application=application, reviewer=reviewer)
    assert download(client, reviewer, application).status_code == 200
    assignment.active = False
    assignment.save()
    assert download(client, reviewer, application).status_code == 404


# --- The cache -------------------------------------------------------------------------------


def test_a_report_is_made_again_only_when_what_it_shows_changes(monkeypatch):
    application = make_submitted()
    calls = []
    real = render.render_pdf
    monkeypatch.setattr(render, "render_pdf", lambda html, timeout=None: calls.append(1) or real(html, timeout))

    first = application_report.report_file(application)
    assert not first.reused and len(calls) == 1 and first.pages >= 5 and first.size > 1000
    assert application_report.report_file(application).reused and len(calls) == 1

    changes = [
        lambda: make_review(application, comments="A new comment."),
        lambda: decide(application),
        lambda: Application.objects.filter(pk=application.pk).update(
            answers=complete_answers(workforce={"remote_call_takers": False})
        ),
    ]
    for number, change in enumerate(changes, start=2):
        change()
        application.refresh_from_db()
        report = application_report.report_file(application)
        assert not report.reused and len(calls) == number
        assert application_report.report_file(application).reused and len(calls) == number
    # A private note changes nothing the report shows.
    Review.objects.update(private_notes="Changed my private mind.")
    assert application_report.report_file(application).reused and len(calls) == len(changes) + 1
    # One file on disk per report: the old ones were removed.
    folder = first.file.storage.path(f"reports/application/{application.pk}")
    assert len(list(__import__("pathlib").Path(folder).iterdir())) == 1


# --- The cycle summary ---------------------------------------------------------------------------


def test_the_cycle_summary_lists_published_designees_with_highlights(client):
    cycle = make_cycle(name="2026–2028")
    designated = make_submitted(jurisdiction=make_jurisdiction(name="Harbor City"), cycle=cycle)
    decide(designated, level="Exemplary")
    second = make_submitted(
        jurisdiction=make_jurisdiction(name="Lakeside", population=60_000),
        cycle=cycle,
        answers=complete_answers(planning={"technology_plan": False}),
    )
    decide(second, level="Designated")
    unpublished = make_submitted(jurisdiction=make_jurisdiction(name="Quiet Town"), cycle=cycle)
    decide(unpublished, published=False)
    refused = make_submitted(jurisdiction=make_jurisdiction(name="Refused City"), cycle=cycle)
    decide(refused, outcome=Decision.Outcome.NOT_DESIGNATED)
    # A designation recorded from an announcement (in a published cycle) counts only where no decision exists.
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED)
    audit(None, RECORDED_DESIGNATION, "Recorded", refused)
    recorded = make_submitted(jurisdiction=make_jurisdiction(name="Old Town"), cycle=cycle)
    audit(None, RECORDED_DESIGNATION, "Recorded", recorded)

    client.force_login(make_organizer())
    response = client.get(reverse("cycle_summary_pdf", args=[cycle.pk]))
    _reader, text, _pages = read(pdf_bytes(response))
    words = flat(text)

    assert "Designated Citizen-Engaged Communities 2026–2028" in words
    assert "3 designated communities" in words
    for name in ("Harbor City, VA", "Lakeside, VA", "Old Town, VA"):
        assert name in words
    for name in ("Quiet Town", "Refused City"):
        assert name not in words
    assert "Exemplary" in words
    assert "All 3 take service requests by live agent by phone, interactive voice response (IVR)" in words
    assert "67 % have a written technology plan" in words
    assert "They track 6 performance metrics" in words


def test_the_summary_of_the_2013_2015_designees_matches_the_announcement(client, settings):
    settings.DEMO = True
    call_command("load_demo", stdout=io.StringIO())
    cycle = Cycle.objects.get(name="2013–2015")

    rows = list(designees(cycle))
    assert len(rows) == 13 and all(cycle_summary.is_recorded(row) for row in rows)
    sentences = cycle_summary.highlights([row.answers for row in rows])
    text = " ".join(sentences)
    assert "All 13 take service requests by live agent by phone, interactive voice response (IVR), web form" in text
    assert "mobile app" in text
    assert "They track 5 to 14 performance metrics" in text
    assert "Every one offers at least 5 self-service choices" in text
    assert "85 % have a written technology plan and 85 % written service-level agreements" in text
    assert "None offers voice recognition." in sentences and "Only 1 of 13 offers web chat." in sentences

    client.force_login(make_organizer())
    _reader, pdf_text, _pages = read(pdf_bytes(client.get(reverse("cycle_summary_pdf", args=[cycle.pk]))))
    words = flat(pdf_text)
    for name in ("City of Chesapeake, VA", "Washington, DC", "Pinellas County, FL", "Montgomery County, MD"):
        assert name in words
    assert "13 designated communities" in words


def test_the_cycle_summary_is_for_organizers_only(client):
    cycle = make_cycle()
    for user in (make_user(jurisdiction=make_jurisdiction()), make_reviewer()):
        client.force_login(user)
        assert client.get(reverse("cycle_summary_pdf", args=[cycle.pk])).status_code == 403
    client.force_login(make_organizer())
    assert client.get(reverse("cycle_summary_pdf", args=[cycle.pk + 1000])).status_code == 404


def test_download_names_are_plain():
    assert download_name("Harbor City, VA", "2026–2028", "designation report") == (
        "harbor-city-va-2026-2028-designation-report.pdf"
    )


def test_points_are_written_as_people_write_them():
    assert [application_report.points(v) for v in (12.0, 3.2, 2.75, Decimal("81.50"), None, 0)] == [
        "12",
        "3.2",
        "2.75",
        "81.5",
        None,
        "0",
    ]
