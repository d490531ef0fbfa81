"""Irreversible steps are guarded: publishing and bulk decisions ask first, appeals are decided with reasons.

Publishing waits until the cycle has closed (its deadline and every draft's
extension) and every submitted application has a decision; both publishing and
deciding by threshold show what will happen and do it only from the confirm
button. One pending appeal per application is the database's rule; changing a
decision on appeal changes it or says why not. Parallel requests are in
tests/test_once_only.py.
"""

import copy
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Application, AuditEvent, Cycle
from review.appeals import decide_appeal, file_appeal
from review.assignment import assign
from review.decisions import decide, publish_decisions
from review.errors import DecidedMeanwhile, ReviewError
from review.models import Appeal, Decision, Review, settings_for
from review.reviewing import save_review
from tests.factories import (
    as_user,
    close_cycle,
    make_application,
    make_jurisdiction,
    make_organizer,
    make_reviewer,
    make_user,
)
from tests.factories.answers import COMPLETE
from tests.factories.applications import submitted
from tests.factories.reviews import FULL, submit_both

pytestmark = pytest.mark.django_db


def when(moment):
    """As the confirmation pages write it: on the server's clock, with the zone's abbreviation."""
    local = timezone.localtime(moment)
    return f"{local:%B %-d, %Y at %H:%M} {local.tzname()}"


def decided(panel):
    submit_both(panel)
    decide(panel["application"], "designated", "Designated with Distinction", "Strong.", panel["organizer"])
    return panel


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Publishing ----------------------------------------------------------------------------------


def test_publishing_waits_for_the_deadline_and_every_drafts_extension(panel):
    decided(panel)
    cycle, organizer = panel["cycle"], panel["organizer"]
    late = make_application(jurisdiction=make_jurisdiction(name="Late Town"), cycle=cycle)
    late.extension_until = cycle.closes_at + timedelta(days=7)
    late.save()
    client = as_user(organizer)
    url = reverse("panel_publish", args=[cycle.pk])

    still_open = (
        f"The cycle is still open: the deadline is {when(cycle.closes_at)} and "
        f"Late Town, VA has an extension until {when(late.extension_until)}."
    )
    page = client.get(url).content.decode()
    assert "The decisions cannot be published now" in page and still_open in page
    assert 'name="confirm"' not in page  # no button to press
    response = client.post(url, {"confirm": "publish"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert messages_of(response) == [still_open]
    assert Decision.objects.get().published_at is None
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN

    # The deadline passed; the draft's extension has not.
    close_cycle(cycle)
    with pytest.raises(ReviewError) as refused:
        publish_decisions(cycle, organizer)
    assert (
        str(refused.value)
        == f"The cycle is still open: Late Town, VA has an extension until {when(late.extension_until)}."
    )

    # A submitted application's extension no longer matters: it cannot submit again.
    Application.objects.filter(pk=late.pk).update(status=Application.Status.SUBMITTED)
    with pytest.raises(ReviewError) as refused:
        publish_decisions(cycle, organizer)
    assert str(refused.value) == "1 submitted application has no decision yet: Late Town, VA."

    Application.objects.filter(pk=late.pk).update(status=Application.Status.DRAFT, extension_until=timezone.now())
    assert [d.application for d in publish_decisions(cycle, organizer)] == [panel["application"]]
    assert Decision.objects.get().published_at is not None


def test_publishing_needs_a_current_decision_for_every_submitted_application(panel):
    decided(panel)
    cycle = panel["cycle"]
    for name in ("Cedar Falls", "Alder Bay", "Birch Hill"):
        submitted(make_jurisdiction(name=name), cycle)
    close_cycle(cycle)
    response = as_user(panel["organizer"]).post(
        reverse("panel_publish", args=[cycle.pk]), {"confirm": "publish"}, follow=True
    )
    missing = "3 submitted applications have no decision yet: Alder Bay, VA, Birch Hill, VA, Cedar Falls, VA."
    assert messages_of(response) == [missing]
    assert missing in response.content.decode()  # the confirmation page says it too
    assert not Decision.objects.exclude(published_at=None).exists()
    assert not AuditEvent.objects.filter(action__in=["decision.published", "cycle.published"]).exists()


def test_the_confirmation_page_says_what_publishing_will_do_and_only_its_button_publishes(
    panel, django_capture_on_commit_callbacks
):
    decided(panel)
    cycle, organizer = panel["cycle"], panel["organizer"]
    make_user(jurisdiction=panel["application"].jurisdiction, email="")  # no address: not e-mailed
    make_user(jurisdiction=panel["application"].jurisdiction, email="deputy@example.gov")
    close_cycle(cycle)
    client = as_user(organizer)
    url = reverse("panel_publish", args=[cycle.pk])

    page = client.get(url).content.decode()
    assert "publish 1 decision: 1 designation and 0 not designated;" in page
    assert "make 1 designee public" in page
    assert "e-mail 1 applicant (2 addresses)" in page
    assert "<td>Designated — Designated with Distinction</td>" in page
    assert '<button class="usa-button" type="submit" name="confirm" value="publish">Publish 1 decision</button>' in page
    assert "usa-button--secondary" not in page

    # A POST that does not come from the button publishes nothing.
    response = client.post(url, follow=True)
    assert messages_of(response) == ["Nothing was published yet: check what will happen, then confirm."]
    # Neither does one made on figures that changed in between.
    response = client.post(url, {"confirm": "publish", "expected": "2"}, follow=True)
    assert messages_of(response) == [
        "The decisions changed after you opened the page: 1 decision would be published now. "
        "Nothing was published; check the figures and confirm again."
    ]
    assert Decision.objects.get().published_at is None

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "publish", "expected": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("panel_cycle", args=[cycle.pk])
    assert messages_of(response) == [
        "1 decision is published; 1 designee is now public, and the applicants are told by e-mail."
    ]
    assert sorted(mail.outbox[0].to) == sorted([panel["applicant"].email, "deputy@example.gov"])
    assert [e.summary for e in AuditEvent.objects.filter(action="cycle.published")] == [
        "Published 1 decision of 2026–2028: 1 designee, 0 not designated; 2 e-mails to 1 applicant"
    ]
    # Published once; a second try says there is nothing left.
    response = client.post(url, {"confirm": "publish", "expected": "1"}, follow=True)
    assert messages_of(response) == ["There are no unpublished decisions in this cycle."]


def test_primary_actions_are_plain_buttons_and_red_is_for_ending_an_assignment(panel):
    decided(panel)
    client = as_user(panel["organizer"])
    cycle_page = client.get(reverse("panel_cycle", args=[panel["cycle"].pk])).content.decode()
    assert "usa-button--secondary" not in cycle_page
    assert (
        f'<a class="usa-button usa-button--outline" href="{reverse("panel_publish", args=[panel["cycle"].pk])}">'
        in cycle_page
    )
    application_page = client.get(reverse("panel_application", args=[panel["application"].pk])).content.decode()
    red = [line for line in application_page.splitlines() if "usa-button--secondary" in line]
    assert len(red) == 2 and all("Take off" in line for line in red)  # one per reviewer
    assert '<button class="usa-button" type="submit">Record the decision</button>' in application_page


# --- Deciding by threshold -------------------------------------------------------------------------


def test_deciding_by_threshold_shows_how_many_will_be_decided_then_decides_on_confirmation(panel):
    cycle, organizer = panel["cycle"], panel["organizer"]
    config = settings_for(cycle)
    config.reviewers_per_application = 1
    config.save()
    submit_both(panel)
    no_crm = copy.deepcopy(COMPLETE)
    no_crm["profile"]["crm_tracks_cases"] = "no"  # a prerequisite missed: not designated
    weak = submitted(make_jurisdiction(name="Weak Town"), cycle, values=no_crm)
    reviewer = make_reviewer()
    review = assign(weak, reviewer, organizer).review
    save_review(review, reviewer, review.version, FULL, {}, "", "", submit=True)
    submitted(make_jurisdiction(name="Unread City"), cycle)  # no review yet
    client = as_user(organizer)
    url = reverse("panel_bulk_decide", args=[cycle.pk])

    page = client.get(url).content.decode()
    assert "2 applications will be decided: 1 designated and 1 not designated." in page
    assert "1 is not fully reviewed yet and will be left undecided: Unread City, VA." in page
    assert "0 already have decisions" in page
    assert '<button class="usa-button" type="submit" name="confirm" value="decide">Record 2 decisions</button>' in page
    response = client.post(url, follow=True)
    assert messages_of(response) == ["Nothing was decided yet: check what will happen, then confirm."]
    assert Decision.objects.count() == 0

    response = client.post(url, {"confirm": "decide"}, follow=True)
    assert messages_of(response) == ["2 decided by threshold; 1 not fully reviewed yet."]
    assert sorted(Decision.objects.values_list("application__jurisdiction__name", "outcome")) == [
        ("Harbor City", "designated"),
        ("Weak Town", "not_designated"),
    ]
    assert "0 applications will be decided" not in client.get(url).content.decode()
    assert "No application can be decided by threshold now" in client.get(url).content.decode()


# --- Decisions recorded at the same time --------------------------------------------------------------


def test_a_decision_made_on_an_out_of_date_page_is_refused_not_superseding(panel):
    submit_both(panel)
    application, organizer = panel["application"], panel["organizer"]
    first = decide(application, "designated", "Designated with Distinction", "Strong.", organizer, replaces=None)
    # A second organizer's page was opened before the first decision: it said "no decision yet".
    with pytest.raises(DecidedMeanwhile) as refused:
        decide(application, "designated", "Exemplary", "Even better.", organizer, "Site visit.", replaces=None)
    assert str(refused.value).startswith(
        "A decision was recorded after you opened the page: Designated — Designated with Distinction by "
    )
    assert list(Decision.objects.values_list("pk", flat=True)) == [first.pk]
    # From the page that shows the current decision, a second decision supersedes it.
    client = as_user(organizer)
    page = client.get(reverse("panel_application", args=[application.pk])).content.decode()
    assert f'<input type="hidden" name="current" value="{first.pk}"' in page
    body = {"outcome": "designated", "level": "Exemplary", "rationale": "Better.", "override_reason": "Site visit."}
    response = client.post(reverse("panel_decide", args=[application.pk]), {**body, "current": ""}, follow=True)
    assert messages_of(response)[0].startswith("A decision was recorded after you opened the page")
    response = client.post(reverse("panel_decide", args=[application.pk]), {**body, "current": first.pk}, follow=True)
    assert messages_of(response) == ["The decision is recorded: Designated — Exemplary."]
    assert Decision.objects.filter(superseded_at=None).get().level == "Exemplary"


# --- Appeals ---------------------------------------------------------------------------------------------


@pytest.fixture
def appealed(panel):
    decided(panel)
    close_cycle(panel["cycle"])
    publish_decisions(panel["cycle"], panel["organizer"])
    config = settings_for(panel["cycle"])
    config.appeal_deadline = timezone.now() + timedelta(days=14)
    config.save()
    panel["appeal"] = file_appeal(panel["application"], "Our CSAT is 91 %.", panel["applicant"])
    return panel


def test_the_database_keeps_one_pending_appeal_per_application(appealed):
    application = appealed["application"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(application=application, statement="Again.")
    Appeal.objects.create(application=application, statement="An old one.", outcome=Appeal.Outcome.UPHELD)
    with pytest.raises(ReviewError) as refused:
        file_appeal(application, "And again.", appealed["applicant"])
    assert (
        str(refused.value) == "An appeal of this decision is already pending; the organizers will tell you its outcome."
    )
    assert application.appeals.filter(outcome=Appeal.Outcome.PENDING).count() == 1


def test_filing_an_appeal_emails_the_active_organizers(panel, django_capture_on_commit_callbacks):
    decided(panel)
    close_cycle(panel["cycle"])
    publish_decisions(panel["cycle"], panel["organizer"])
    config = settings_for(panel["cycle"])
    config.appeal_deadline = timezone.now() + timedelta(days=14)
    config.save()
    make_organizer(email="second@example.gov")
    make_organizer(email="")
    make_organizer(email="gone@example.gov", is_active=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(panel["applicant"]).post(
            reverse("appeal_file", args=[panel["application"].pk]), {"statement": "Our CSAT is 91 %."}, follow=True
        )
    assert messages_of(response) == ["Your appeal is filed. The organizers will tell you the outcome."]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([panel["organizer"].email, "second@example.gov"])
    message = mail.outbox[0]
    assert message.subject == "An appeal from Harbor City, VA (2026–2028)"
    assert "Our CSAT is 91 %." in message.body
    assert reverse("panel_application", args=[panel["application"].pk]) in message.body


def test_organizers_see_pending_appeals_on_their_dashboard_in_a_constant_number_of_queries(appealed):
    client = as_user(appealed["organizer"])

    def dashboard():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("home")).content.decode()
        return len(captured), page

    few, page = dashboard()
    assert "Appeals waiting for you" in page and "Uphold or change the decision" in page
    assert f'href="{reverse("panel_application", args=[appealed["application"].pk])}#appeals"' in page
    for name in ("Oak Park", "Pine Ridge", "Elm Grove"):
        application = make_application(jurisdiction=make_jurisdiction(name=name), cycle=appealed["cycle"])
        Appeal.objects.create(application=application, statement="Look again.", filed_by=make_user())
    many, page = dashboard()
    # With one pending appeal or four: the session, the user, the pending appeals (with their
    # applications), the cycles, their counts, the applications.
    assert few == 6
    assert many == 6
    assert page.count("Uphold or change the decision") == 4
    decide_appeal(appealed["appeal"], Appeal.Outcome.UPHELD, "The scores stand.", appealed["organizer"])
    assert dashboard()[1].count("Uphold or change the decision") == 3


def test_the_new_level_is_chosen_from_the_rubrics_levels(appealed):
    client = as_user(appealed["organizer"])
    page = client.get(reverse("panel_application", args=[appealed["application"].pk])).content.decode()
    for level in ("Designated", "Designated with Distinction", "Exemplary"):
        assert f'<option value="{level}">{level}</option>' in page
    url = reverse("appeal_decide", args=[appealed["appeal"].pk])
    response = client.post(
        url, {"outcome": "changed", "designated": "on", "level": "Platinum", "notes": "x"}, follow=True
    )
    assert messages_of(response) == [
        "The outcome was not recorded: Select a valid choice. Platinum is not one of the available choices."
    ]
    response = client.post(url, {"outcome": "changed", "designated": "on", "notes": "x"}, follow=True)
    assert messages_of(response) == ["The outcome was not recorded: Choose the level after the change."]
    assert Appeal.objects.get(pk=appealed["appeal"].pk).outcome == Appeal.Outcome.PENDING


def test_deciding_an_appeal_says_so_in_a_sentence(appealed):
    client = as_user(appealed["organizer"])
    url = reverse("appeal_decide", args=[appealed["appeal"].pk])
    body = {"outcome": "changed", "designated": "on", "level": "Exemplary", "notes": "New CSAT evidence."}
    response = client.post(url, body, follow=True)
    assert messages_of(response) == [
        "The appeal is decided: the decision is changed to Designated — Exemplary, and the new decision is published."
    ]
    response = client.post(url, body, follow=True)
    assert messages_of(response) == ["This appeal has already been decided."]
    assert Decision.objects.count() == 2

    second = file_appeal(appealed["application"], "Please look again.", appealed["applicant"])
    response = client.post(
        reverse("appeal_decide", args=[second.pk]), {"outcome": "upheld", "notes": "The scores stand."}, follow=True
    )
    assert messages_of(response) == ["The appeal is decided: the decision is upheld."]


def test_changing_a_decision_on_appeal_is_refused_with_the_reason(appealed):
    appeal, organizer = appealed["appeal"], appealed["organizer"]

    def refusal(**change):
        with pytest.raises(ReviewError) as refused:
            decide_appeal(appeal, Appeal.Outcome.CHANGED, "Reconsidered.", organizer, **change)
        assert Appeal.objects.get(pk=appeal.pk).outcome == Appeal.Outcome.PENDING  # nothing was claimed
        assert Decision.objects.count() == 1
        return str(refused.value)

    assert refusal(designated=True, level="Designated with Distinction") == (
        "The decision is already Designated — Designated with Distinction. To change it, choose another outcome "
        "or level; to keep it, uphold it."
    )
    assert refusal(designated=True, level="Platinum") == (
        "The decision cannot be changed: Choose the level: Designated, Designated with Distinction, Exemplary."
    )
    # Every counted review taken out (conflicts found after scoring): nothing to decide on.
    Review.objects.filter(assignment__application=appealed["application"]).update(excluded=True)
    assert refusal(designated=False) == (
        "The decision cannot be changed: No submitted review counts yet: the panel decides after reviewing."
    )


def test_no_template_styles_a_primary_action_as_an_error():
    """USWDS's --secondary is red: kept for the destructive actions, ending an assignment, withdrawing a
    designation and deleting a part of a rubric (each on its confirmation page)."""
    templates, red, category = Path(__file__).resolve().parent.parent / "templates", [], "Delete category {{ code }}"
    for path in templates.rglob("*.html"):
        for button in re.findall(r"<button[^>]*usa-button--secondary[^>]*>(.*?)</button>", path.read_text(), re.S):
            words = re.sub(r"{% translate \"([^\"]*)\" %}", r"\1", button)  # the English the button says
            words = re.sub(r"{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}", r"\1", words)
            red.append((path.name, re.sub(r"<[^>]+>.*", "", words).strip()))
    assert sorted(red) == [
        ("designation_withdraw.html", "Withdraw the designation"),
        ("panel_application.html", "Take off"),
        (
            "rubric_category_delete.html",
            f"{{% if criteria %}}{category} and its criteria{{% else %}}{category}{{% endif %}}",
        ),
        ("rubric_criterion_delete.html", "Delete criterion {{ code }}"),
    ]
