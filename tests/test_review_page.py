"""The reviewer's page reads like the task: each judged criterion beside the answers it reads and its
anchors, the rule scores by category (collapsed unless adjusted), the reviewer's running total, a
read-only page once submitted; and the reviewer's dashboard says where each review stands."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from review.assignment import assign
from review.models import settings_for
from review.reviewing import save_review
from scoring.domain import rubric_for
from scoring.models import Criterion
from tests.factories import as_user, make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import submitted
from tests.factories.reviews import FULL

pytestmark = pytest.mark.django_db

NARRATIVES = {
    "D7": "Average speed of answer fell from 75 s to 41 s after we added a callback option.",
    "F6": "Pothole requests mapped by ward moved two crews to the east side.",
    "H3": "Our telephony contract ends in 2027; we will move to a cloud contact center.",
}


def url(review):
    return reverse("review_edit", args=[review.pk])


def page_of(client, review):
    response = client.get(url(review))
    assert response.status_code == 200
    return response.content.decode()


def element(page, tag, element_id):
    """The HTML of the ``<tag id="element_id">`` on the page, its opening tag included (not nested in itself)."""
    start = page.index(f'id="{element_id}"')
    start = page.rindex(f"<{tag}", 0, start)
    return page[start : page.index(f"</{tag}>", start)]


def draft(panel, judged=None, adjustments=None, comments=""):
    review = panel["r1"]
    save_review(review, panel["first"], review.version, judged or {}, adjustments or {}, comments, "", submit=False)
    review.refresh_from_db()
    return review


def test_each_judged_criterion_stands_beside_the_answers_it_reads_and_its_anchors(panel):
    page = page_of(as_user(panel["first"]), panel["r1"])
    for code, narrative in NARRATIVES.items():
        fieldset = element(page, "fieldset", f"judged-{code}")
        assert html.escape(narrative, quote=False) in html.escape(html.unescape(fieldset), quote=False)
        assert f'name="judged_{code}"' in fieldset
        others = [n for c, n in NARRATIVES.items() if c != code]
        assert not any(html.unescape(n) in html.unescape(fieldset) for n in others)
    d7 = element(page, "fieldset", "judged-D7")
    assert re.search(r"<legend[^>]*><h3[^>]*>D7 Year-on-year improvement \(0 to 4\)</h3></legend>", d7)
    assert "What the applicant answered: Performance results" in d7
    # Each anchor is the label of its points, the points between two anchors say so; each radio carries its points.
    labels = re.findall(r'<label class="usa-radio__label" for="id_judged_D7_\d">([^<]*)</label>', d7)
    assert labels == [
        "0 — No improvement described, or only intentions.",
        "1 — between the anchors for 0 and 2",
        "2 — Improvements named with figures for one year.",
        "3 — between the anchors for 2 and 4",
        "4 — Sustained improvement over several measures, with figures and what caused it.",
    ]
    assert 'value="3" class="usa-radio__input usa-radio__input--tile" id="id_judged_D7_3" data-points="3"' in d7
    # The answers shown beside a criterion are not repeated at the bottom; the other steps are there.
    rest = element(page, "section", "the-application")
    assert "Performance results</summary>" not in rest and "Contact center profile</summary>" in rest


def test_a_judged_criterion_reads_the_steps_its_rubric_names(db):
    cycle = make_cycle()
    Criterion.objects.filter(rubric=rubric_for(cycle), code="D7").update(
        params={"anchors": {"0": "None.", "4": "Strong."}, "reads": ["workforce", "no-such-step"]}
    )
    Criterion.objects.filter(rubric=rubric_for(cycle), code="F6").update(params={"anchors": {"0": "None."}})
    application = submitted(make_jurisdiction(name="Harbor City"), cycle)
    reviewer = make_reviewer()
    review = assign(application, reviewer, make_organizer()).review
    page = page_of(as_user(reviewer), review)
    d7 = element(page, "fieldset", "judged-D7")
    assert "What the applicant answered: Workforce and operations" in d7 and "Performance results" not in d7
    # F6 names no answer: it reads the steps its category's criteria read (participation).
    f6 = element(page, "fieldset", "judged-F6")
    assert re.findall(r"What the applicant answered: ([^<]*)<", f6) == ["Participation, social media and open data"]


def test_rule_scores_are_collapsed_by_category_with_their_reasons(panel):
    page = page_of(as_user(panel["first"]), panel["r1"])
    a = element(page, "details", "rule-A")
    assert a.startswith('<details class="review-category" id="rule-A">')  # closed
    assert "<summary" in a and "A. Multi-channel access: 15 of 15 by rule</summary>" in a
    assert "<strong>A1 Channels that take service requests</strong>: 6 of 6 by rule" in a
    assert "6 of 6 points: Live agent by phone" in a
    assert 'name="adjust_A1"' in a and 'name="reason_A1"' in a
    assert '<label class="usa-label" for="id_adjust_A1">Adjusted points for A1</label>' in a
    # A category holds only rule-scored criteria: D's judged D7 is scored above it, not counted in it.
    d = element(page, "details", "rule-D")
    assert "D. Performance measurement and reporting: 10 of 16 by rule</summary>" in d
    assert 'name="adjust_D7"' not in d and 'name="judged_D7"' not in d
    nav = element(page, "nav", "review-nav")
    assert all(f'href="#{target}"' in nav for target in ("judged-D7", "rule-A", "rule-H", "comments", "submit"))


def test_a_category_with_an_adjustment_or_an_error_opens(panel):
    client = as_user(panel["first"])
    draft(panel, adjustments={"B1": {"points": 2, "reason": "Only two work."}})
    page = page_of(client, panel["r1"])
    b = element(page, "details", "rule-B")
    assert b.startswith('<details class="review-category" id="rule-B" open>')
    assert "B. Self-service and mobile: 9 of 10 by rule, 1 adjusted by you</summary>" in b
    assert 'value="Only two work."' in b
    assert " open>" not in element(page, "details", "rule-A")
    # A refused adjustment (no reason) opens its category, with the error in it.
    post = {"version": str(panel["r1"].version), "action": "save", "adjust_C2": "1", "reason_C2": ""}
    page = client.post(url(panel["r1"]), post).content.decode()
    c = element(page, "details", "rule-C")
    assert c.startswith('<details class="review-category" id="rule-C" open>')
    assert "Say why you adjust C2 from 3 points." in c


def test_the_running_total_adds_up_the_saved_draft_and_what_was_posted(panel):
    client = as_user(panel["first"])
    page = page_of(client, panel["r1"])
    assert page.count("Your total: 70 of 100 (rule 70 + judged 0, adjustments 0)") == 2  # beside the nav, at submit
    review = draft(panel, {"D7": 3, "F6": 2}, {"A1": {"points": 4.5, "reason": "A pilot."}})
    page = page_of(client, review)
    assert "Your total: 73.5 of 100 (rule 70 + judged 5, adjustments −1.5)" in page
    assert 'data-review-total data-rule="70" data-most="100"' in page  # what review_total.js reads
    assert 'name="adjust_A1" value="4.5" min="0" max="6" step="0.01" data-rule-points="6.0" data-most="6"' in page
    # A page refused comes back with the total of what was posted (what the form refuses left out).
    post = {
        "version": str(review.version),
        "action": "save",
        "judged_D7": "4",
        "judged_H3": "9",
        "adjust_B1": "4",
        "reason_B1": "",
        "adjust_C2": "lots",
    }
    page = client.post(url(review), post).content.decode()
    assert "Your review was not saved" in page
    assert "Your total: 75 of 100 (rule 70 + judged 4, adjustments +1)" in page


def test_a_submitted_review_is_read_only_with_the_others_shown(panel):
    client = as_user(panel["first"])
    # Before submitting: nothing of the other reviewer, though their review is in.
    save_review(panel["r2"], panel["second"], 1, {"D7": 2, "F6": 2, "H3": 1}, {}, "Keep going.", "", submit=True)
    page = page_of(client, panel["r1"])
    assert "The other reviewers" not in page and 'id="other-reviewers"' not in page and "Keep going." not in page
    assert "You see the other reviewers' scores once you have submitted yours." in page

    adjust = {"A1": {"points": 5, "reason": "Chat is a pilot."}}
    save_review(panel["r1"], panel["first"], 1, FULL, adjust, "Clear figures.", "Solid.", submit=True)
    page = page_of(client, panel["r1"])
    main = page[page.index("<main") : page.index("</main>")]
    assert 'id="review-form"' not in main and "<textarea" not in main and "review_total.js" not in page
    assert not re.search(r'name="(judged|adjust|reason)_|name="(comments_for_applicant|private_notes|reason)"', main)
    assert "You submitted this review on" in main and "it can no longer change" in main
    assert "Your score: <strong>4 — Sustained improvement over several measures" in element(
        main, "section", "judged-D7"
    )
    assert "Your score: <strong>3 — Challenges named, each with a funded" in element(main, "section", "judged-H3")
    assert re.search(r"A1 Channels that take service requests</th>.*?6 of 6</td>.*?>5</td>.*?>Chat is a pilot\.", main)
    assert "Clear figures." in main and "Solid." in main
    assert "Your total: 78 of 100 (rule 70 + judged 9, adjustments −1)" in main
    assert str(panel["second"]) in main[main.index('id="other-reviewers"') :]


def test_the_dashboard_says_where_each_review_stands(panel):
    cycle = panel["cycle"]
    review_settings = settings_for(cycle)
    review_settings.review_deadline = timezone.now() - timedelta(days=2)
    review_settings.save()
    other = assign(submitted(make_jurisdiction(name="Bay Town"), cycle), panel["first"], panel["organizer"]).review
    third = assign(submitted(make_jurisdiction(name="Cove Village"), cycle), panel["first"], panel["organizer"]).review
    draft(panel, {"D7": 3})
    save_review(third, panel["first"], 1, FULL, {}, "", "", submit=True)
    page = as_user(panel["first"]).get(reverse("home")).content.decode()
    rows = {
        name: row
        for row in page.split("<tr>")[2:]
        for name in ("Harbor City", "Bay Town", "Cove Village")
        if name in row
    }
    assert "Draft: 1 of 3 judged criteria scored" in rows["Harbor City"]
    assert "Not started" in rows["Bay Town"] and other.pk
    assert "Submitted on " in rows["Cove Village"]
    overdue = '<span class="text-error-dark text-bold">Overdue: it was due '
    assert overdue in rows["Harbor City"] and overdue in rows["Bay Town"] and overdue not in rows["Cove Village"]


def test_submitting_asks_first_with_the_scores_and_what_happens(panel):
    client = as_user(panel["first"])
    review = draft(panel, FULL, {"A2": {"points": 1, "reason": "The hours are not published."}}, "Clear figures.")
    confirm = reverse("review_submit", args=[review.pk])

    page = html.unescape(client.get(confirm).content.decode())
    assert "Submitting cannot be undone." in page and "your private notes stay with the panel" in page
    assert "A2 Live-agent hours per week" in page and "The hours are not published." in page
    assert "Clear figures." in page and "With your scores the application has" in page
    for code, points in FULL.items():
        assert re.search(rf"{code} [^<]*</th><td>{points:g} of \d", page)
    assert not review.is_submitted

    # Saved in another tab after the page was opened: nothing is submitted, the page is shown again.
    opened_on = review.version
    review = draft(panel, FULL, comments="Changed in another tab.")
    response = client.post(confirm, {"version": str(opened_on)}, follow=True)
    assert "The review changed after this page was opened" in response.content.decode()
    assert response.redirect_chain[-1][0] == confirm and not type(review).objects.get(pk=review.pk).is_submitted

    response = client.post(confirm, {"version": str(review.version)}, follow=True)
    assert "Your review is submitted." in response.content.decode()
    review.refresh_from_db()
    assert review.is_submitted and review.comments_for_applicant == "Changed in another tab."
    # Once submitted, the page says so instead of asking again.
    assert "it can no longer change" in client.get(confirm, follow=True).content.decode()


def test_a_review_that_cannot_be_submitted_is_refused_before_the_question(panel):
    client = as_user(panel["first"])
    review = panel["r1"]
    body = {"version": str(review.version), "action": "submit", "comments_for_applicant": "Typed.", "private_notes": ""}
    response = client.post(url(review), body | {"judged_D7": "2"})
    page = response.content.decode()
    assert response.status_code == 200 and "score it before submitting" in page and "Typed.</textarea>" in page
    review.refresh_from_db()
    assert review.judged == {} and review.version == 1  # nothing saved, nothing asked
    # The confirmation of a draft that lacks scores says why and offers no button; posted anyway, it refuses.
    page = client.get(reverse("review_submit", args=[review.pk])).content.decode()
    assert "The review cannot be submitted yet" in page and "Submit the review" not in page
    response = client.post(reverse("review_submit", args=[review.pk]), {"version": "1"}, follow=True)
    assert "score it before submitting" in response.content.decode()
    assert not type(review).objects.get(pk=review.pk).is_submitted
