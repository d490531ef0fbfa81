"""After the decision: the applicant's dashboard and application page lead with it (review/states.py,
pages/home.py, pages/application.py), and the dashboard says where each application really stands.

Harbor City's 2026–2028 application goes the panel's own way (two reviews, a decision, publication);
what its staff, an organizer, one of its reviewers and another jurisdiction's staff then see is read
from the pages, as they read them.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import Application
from review.assignment import assign
from review.clarifications import answer_clarification, ask_clarification
from review.decisions import decide, publish_decisions
from review.models import settings_for
from tests.factories import (
    as_user,
    close_cycle,
    make_application,
    make_cycle,
    make_jurisdiction,
    make_organizer,
    make_reviewer,
    make_user,
)
from tests.factories import decisions as decisions_factory
from tests.factories.applications import make_submitted
from tests.factories.reviews import submit_both

pytestmark = pytest.mark.django_db

RATIONALE = "Strong multi-channel access; performance published monthly."
LEVEL = "Designated with Distinction"


def _detail(application):
    return reverse("application_detail", args=[application.pk])


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _status_of(page, cycle_name):
    """The words of the dashboard's status cell in the row of ``cycle_name``, tags stripped."""
    row = re.search(rf'<th scope="row" data-label="Cycle">{re.escape(cycle_name)}</th>(.*?)</tr>', page, re.S)
    assert row, f"no row for {cycle_name}"
    cell = re.search(r'<td data-label="Status">(.*?)</td>', row.group(1), re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


@pytest.fixture
def decided(panel):
    """The panel's application decided (not published) with two reviews in; an appeal window of ten days."""
    submit_both(panel)
    decide(panel["application"], "designated", LEVEL, RATIONALE, panel["organizer"])
    review_settings = settings_for(panel["cycle"])
    review_settings.appeal_deadline = timezone.now() + timedelta(days=10)
    review_settings.save()
    return panel


def _publish(panel):
    close_cycle(panel["cycle"])
    publish_decisions(panel["cycle"], panel["organizer"])


# --- Before publication ---------------------------------------------------------------------------


def test_before_publication_the_applicant_sees_under_review_and_no_decision(decided):
    applicant = as_user(decided["applicant"])
    page = _page(applicant, _detail(decided["application"]))
    assert '<span class="usa-tag">Under review</span>' in page
    assert "Submitted — under review" in page
    for secret in ("The panel's decision", LEVEL, RATIONALE, "Decided", "report.pdf", "appeal"):
        assert secret not in page
    # Until the decision is theirs to read, the estimate stays: its going would tell them there is one.
    assert "Where you stand" in page
    home = _page(applicant, reverse("home"))
    assert _status_of(home, "2026–2028").startswith("Under review Submitted ")
    for secret in ("The panel's decision", LEVEL, RATIONALE, "Decided", "report.pdf"):
        assert secret not in home


def test_before_publication_an_organizer_sees_the_decision_not_published(decided):
    page = _page(as_user(decided["organizer"]), _detail(decided["application"]))
    assert '<span class="usa-tag">Decided (not published)</span>' in page
    assert 'The panel\'s decision <span class="usa-tag bg-gold text-ink">not published</span>' in page
    assert f"<strong>Designated — {LEVEL}</strong>" in page and RATIONALE in page
    assert "the applicant sees it once it is published" in page
    assert reverse("application_report_pdf", args=[decided["application"].pk]) in page
    assert "Where you stand" not in page


# --- After publication ----------------------------------------------------------------------------


def test_a_published_decision_leads_the_application_page_and_the_estimate_is_gone(decided):
    application = decided["application"]
    _publish(decided)
    page = _page(as_user(decided["applicant"]), _detail(application))
    lead = page.index("The panel's decision")
    assert lead < page.index("Submitted by") < page.index("Contact center")  # before the record and the answers
    assert '<span class="usa-tag bg-green">Decision published</span>' in page
    assert f"<strong>Designated — {LEVEL}</strong>" in page and RATIONALE in page
    report = reverse("application_report_pdf", args=[application.pk])
    assert f'href="{report}">Download the report and certificate (PDF)' in page
    assert "The certificate of designation is the report's last page." in page
    assert "You may appeal this decision until" in page and 'id="appeal"' in page
    assert "Good work." in page and "Keep going." in page and "Seemed rushed." not in page
    for gone in ("Where you stand", "estimate", "on track for", "Changes that would raise your score most"):
        assert gone not in page


def test_a_published_decision_leads_the_dashboard(decided):
    application = decided["application"]
    _publish(decided)
    home = _page(as_user(decided["applicant"]), reverse("home"))
    lead = home.index("2026–2028: the panel's decision")
    assert lead < home.index("Our applications")
    assert f"<strong>Designated — {LEVEL}</strong>" in home and RATIONALE in home
    report = reverse("application_report_pdf", args=[application.pk])
    assert f'href="{report}">Download the report and certificate (PDF)' in home
    assert "You may appeal this decision until" in home
    assert f'href="{_detail(application)}#appeal">File an appeal' in home
    assert f'href="{_detail(application)}#decision">The decision and the reviewers\' comments' in home
    assert _status_of(home, "2026–2028") == f"Decision published Designated — {LEVEL}"
    assert "Where you stand" not in home and "Submitted" not in _status_of(home, "2026–2028")


def test_once_the_appeal_window_closes_it_is_no_longer_offered(decided):
    _publish(decided)
    review_settings = settings_for(decided["cycle"])
    review_settings.appeal_deadline = timezone.now() - timedelta(minutes=1)
    review_settings.save()
    applicant = as_user(decided["applicant"])
    for page in (_page(applicant, reverse("home")), _page(applicant, _detail(decided["application"]))):
        assert LEVEL in page
        assert "You may appeal" not in page and "File an appeal" not in page and 'id="appeal"' not in page


def test_a_pending_appeal_is_said_instead_of_the_window(decided):
    _publish(decided)
    applicant = as_user(decided["applicant"])
    applicant.post(reverse("appeal_file", args=[decided["application"].pk]), {"statement": "Our CSAT is 91 %."})
    home = _page(applicant, reverse("home"))
    assert "Your appeal is with the organizers; they will tell you its outcome." in home
    assert "You may appeal" not in home
    page = _page(applicant, _detail(decided["application"]))
    assert "Your appeal is with the organizers" in page and 'id="appeal"' not in page


def test_a_not_designated_decision_offers_the_report_without_a_certificate(panel):
    submit_both(panel)
    decide(
        panel["application"],
        "not_designated",
        "",
        "Below the threshold in category D.",
        panel["organizer"],
        override_reason="The narrative answers did not hold up.",
    )
    _publish(panel)
    home = _page(as_user(panel["applicant"]), reverse("home"))
    assert "<strong>Not designated</strong>" in home and "Below the threshold in category D." in home
    assert "Download the designation report (PDF)" in home and "certificate" not in home


# --- Questions --------------------------------------------------------------------------------------


def test_an_open_question_waits_for_the_applicant_with_a_link(panel):
    application = panel["application"]
    question = ask_clarification(application, "Is the 311 line staffed on Saturdays?", panel["first"])
    applicant = as_user(panel["applicant"])
    home = _page(applicant, reverse("home"))
    assert "A question from the review panel is waiting for you" in home
    assert f'href="{_detail(application)}#questions">Read and answer it' in home
    assert _status_of(home, "2026–2028").startswith("Question waiting for you")
    page = _page(applicant, _detail(application))
    assert "A question from the review panel is waiting for your answer" in page
    assert '<h2 id="questions">Questions from the review panel</h2>' in page
    organizer_page = _page(as_user(panel["organizer"]), _detail(application))
    assert "Question waiting for the applicant" in organizer_page
    answer_clarification(question, "Yes, 9 to 1.", panel["applicant"])
    home = _page(applicant, reverse("home"))
    assert "waiting for you" not in home and _status_of(home, "2026–2028").startswith("Under review")


# --- Every state on the dashboard -------------------------------------------------------------------


NAMES = {
    "draft": "Alpha",
    "sent": "Bravo",
    "review": "Charlie",
    "question": "Delta",
    "decided": "Echo",
    "out": "Foxtrot",
}


def test_the_dashboard_shows_each_applications_real_state():
    home = make_jurisdiction(name="Harbor City")
    staff = make_user(jurisdiction=home)
    organizer = make_organizer()
    cycles = {state: make_cycle(name=name) for state, name in NAMES.items()}
    make_application(jurisdiction=home, cycle=cycles["draft"])
    made = {state: make_submitted(home, cycle) for state, cycle in cycles.items() if state != "draft"}
    for state in ("review", "question", "decided", "out"):
        assign(made[state], make_reviewer(), organizer)
    ask_clarification(made["question"], "How many metrics?", organizer)
    decisions_factory.decide(made["decided"], level="Exemplary", rationale="Hidden yet.", published=False)
    decisions_factory.decide(made["out"], level=LEVEL, rationale="Out.", days_ago=400)
    page = _page(as_user(staff), reverse("home"))
    assert _status_of(page, "Alpha") == "Draft"
    assert _status_of(page, "Bravo").startswith("Submitted on ")
    assert _status_of(page, "Charlie").startswith("Under review Submitted ")
    assert _status_of(page, "Delta").startswith("Question waiting for you Submitted ")
    assert _status_of(page, "Delta").endswith("Read and answer it on the Delta application")
    # Decided but not published: to the applicant, still under review.
    assert _status_of(page, "Echo").startswith("Under review Submitted ")
    assert "Exemplary" not in page and "Hidden yet." not in page and "Decided" not in page
    assert _status_of(page, "Foxtrot") == f"Decision published Designated — {LEVEL}"
    # The organizer reads the decided one as it is.
    decided_page = _page(as_user(organizer), _detail(made["decided"]))
    assert "Decided (not published)" in decided_page and "Exemplary" in decided_page


def test_an_older_published_decision_does_not_lead_a_newer_submission(panel):
    """The lead is the latest submitted application's decision; an older one stays in the list."""
    home = panel["application"].jurisdiction
    old = make_submitted(home, make_cycle(name="2024–2026"))
    Application.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=700))
    old.cycle.opens_at = timezone.now() - timedelta(days=800)
    old.cycle.save()
    decisions_factory.decide(old, level="Designated", rationale="Two years ago.", days_ago=600)
    page = _page(as_user(panel["applicant"]), reverse("home"))
    assert "the panel's decision" not in page
    assert _status_of(page, "2024–2026") == "Decision published Designated — Designated"
    assert _status_of(page, "2026–2028").startswith("Under review")


# --- Who sees none of it ------------------------------------------------------------------------------


LEAD = ("The panel's decision", "Decision published", "waiting for", "You may appeal", "Download a record")


def test_a_reviewer_and_another_jurisdiction_see_none_of_it(decided):
    application = decided["application"]
    ask_clarification(application, "Is the 311 line staffed on Saturdays?", decided["organizer"])
    _publish(decided)
    # A reviewer whose review is in reads the panel's work (its history says the decision): not the lead.
    done = _page(as_user(decided["first"]), _detail(application))
    for hidden in LEAD:
        assert hidden not in done
    # One whose review is not in reads nothing of the decision at all.
    blind = make_reviewer()
    assign(application, blind, decided["organizer"])
    page = _page(as_user(blind), _detail(application))
    for hidden in (*LEAD, LEVEL, RATIONALE, "report.pdf"):
        assert hidden not in page
    elsewhere = as_user(make_user(jurisdiction=make_jurisdiction(name="Elsewhere")))
    assert elsewhere.get(_detail(application)).status_code == 404
    their_home = _page(elsewhere, reverse("home"))
    for hidden in ("2026–2028:", LEVEL, RATIONALE, "Harbor City", "waiting for you", str(application.pk)):
        assert hidden not in their_home


# --- The record of what was submitted -------------------------------------------------------------------


def test_the_record_of_submission_is_offered_to_its_staff_and_organizers_once_submitted(panel):
    application = panel["application"]
    record = reverse("application_submission_record", args=[application.pk])
    link = f'<a href="{record}">Download a record of what you submitted (PDF)</a>'
    assert link in _page(as_user(panel["applicant"]), _detail(application))
    assert link in _page(as_user(panel["organizer"]), _detail(application))
    assert "Download a record" not in _page(as_user(panel["first"]), _detail(application))
    draft = make_application(jurisdiction=application.jurisdiction)
    assert "Download a record" not in _page(as_user(panel["applicant"]), _detail(draft))


# --- What the dashboard costs -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 8])
def test_the_dashboard_costs_the_same_whatever_the_number_of_applications(django_assert_num_queries, size):
    home = make_jurisdiction(name="Harbor City")
    staff = make_user(jurisdiction=home)
    organizer = make_organizer()
    for index in range(size):
        application = make_submitted(home, make_cycle(name=f"Cycle {index:02}"))
        assign(application, make_reviewer(), organizer)
        ask_clarification(application, "How many metrics?", organizer)
        decisions_factory.decide(application, published=index % 2 == 0)
    settings_for(application.cycle)  # one cycle with its panel settings, the others without
    client = as_user(staff)
    # 7: the session, the user; the applications with their jurisdiction and cycle; their open questions,
    # reviewers and pending appeals; their current decisions; the appeal windows of the cycles whose
    # decision is published; the open cycles. The jurisdiction comes with the applications.
    with django_assert_num_queries(7):
        page = _page(client, reverse("home"))
    assert page.count("#questions") == 2 * size  # a warning above the list, a link in the row
    assert page.count("Decision published") == (size + 1) // 2
