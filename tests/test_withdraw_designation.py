"""Withdrawing a designation: organizers only, from the application's page, after a page that says what will
happen and asks the reason. The designation ends (a new published decision), the jurisdiction leaves the
public list, the certificate's page says "withdrawn", the staff are e-mailed, and it is audited."""

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessment.models import AuditEvent
from pages.withdraw import WithdrawForm
from reports import designees
from review import certificates
from review.decisions import decide, publish_decisions
from review.models import Decision
from tests.factories import as_user, close_cycle, make_reviewer
from tests.factories.reviews import submit_both
from tests.fuzz_forms import answered, form_body, fuzz, post, rolled_back, sent

pytestmark = pytest.mark.django_db

REASON = "The contact center closed in March; residents can no longer reach the city by phone."


@pytest.fixture
def designated(panel):
    """Harbor City's designation, published, with its certificate."""
    submit_both(panel)
    decide(panel["application"], "designated", "Designated with Distinction", "Strong.", panel["organizer"], "Why.")
    close_cycle(panel["cycle"])
    panel["decision"] = publish_decisions(panel["cycle"], panel["organizer"])[0]
    panel["certificate"] = certificates.for_decision(panel["decision"])
    panel["url"] = reverse("designation_withdraw", args=[panel["application"].pk])
    panel["client"] = as_user(panel["organizer"])
    return panel


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def decisions(application):
    return list(application.decisions.order_by("decided_at", "pk").values("pk", "outcome", "superseded_at"))


def test_the_application_page_offers_organizers_to_withdraw_a_published_designation(designated):
    detail = reverse("application_detail", args=[designated["application"].pk])
    link = f'<a class="usa-button usa-button--outline" href="{designated["url"]}">Withdraw the designation…</a>'
    assert link in designated["client"].get(detail).content.decode()
    assert designated["url"] not in as_user(designated["applicant"]).get(detail).content.decode()


def test_no_withdrawal_is_offered_before_the_designation_is_published(panel):
    submit_both(panel)
    decide(panel["application"], "designated", "Designated", "Good.", panel["organizer"], "Why.")
    client = as_user(panel["organizer"])
    url = reverse("designation_withdraw", args=[panel["application"].pk])
    assert url not in client.get(reverse("application_detail", args=[panel["application"].pk])).content.decode()
    response = client.get(url, follow=True)
    assert messages_of(response) == [
        "There is no published designation to withdraw: the application's decision is not one."
    ]


def test_the_confirmation_page_says_what_will_happen_and_asks_the_reason(designated):
    page = " ".join(designated["client"].get(designated["url"]).content.decode().split())
    assert '<h1 class="margin-top-4">Withdraw the designation of Harbor City, VA</h1>' in page
    assert "<strong>Designated — Designated with Distinction</strong>, 2026–2028" in page
    certificate = designated["certificate"]
    assert f"Certificate {certificate.number}, verification code {certificate.display_code}." in page
    for effect in (
        "end the designation now: a new decision, <strong>Not designated</strong>, published at once",
        "take Harbor City, VA off the public list of designees, its seal and the open data (CSV and JSON)",
        "say that the designation was withdrawn, and when (not why)",
        "e-mail the jurisdiction's staff, with the reason.",
    ):
        assert effect in page
    assert 'Why is the designation withdrawn? <span class="usa-hint usa-hint--required">(required)</span>' in page
    assert f'<input type="hidden" name="replaces" value="{designated["decision"].pk}"' in page
    assert '<button class="usa-button usa-button--secondary" type="submit">Withdraw the designation</button>' in page


def test_a_reason_is_required_and_what_was_typed_comes_back(designated):
    before = decisions(designated["application"])
    body = {"reason": "   ", "replaces": designated["decision"].pk}
    response = designated["client"].post(designated["url"], body)
    assert response.status_code == 200
    assert messages_of(response) == ["The designation was not withdrawn: correct the field marked below."]
    assert "Write the reason for withdrawing the designation." in response.content.decode()
    long = "Typed <&> " + "x" * 2000
    response = designated["client"].post(designated["url"], {**body, "reason": long})
    assert "Ensure this value has at most 2000 characters (it has 2010)." in response.content.decode()
    assert "Typed &lt;&amp;&gt; xxx" in response.content.decode()
    assert (
        decisions(designated["application"]) == before
        and not AuditEvent.objects.filter(action="designation.withdrawn").exists()
    )


def test_withdrawing_ends_the_designation_everywhere_and_tells_the_staff(
    designated, client, django_capture_on_commit_callbacks
):
    application, certificate = designated["application"], designated["certificate"]
    assert [a.pk for a in designees.public_list()] == [application.pk]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = designated["client"].post(
            designated["url"], {"reason": f"  {REASON} ", "replaces": designated["decision"].pk}, follow=True
        )
    assert response.redirect_chain[-1][0] == reverse("application_detail", args=[application.pk])
    assert messages_of(response) == [
        "The designation of Harbor City, VA is withdrawn. It no longer appears on the public list, "
        "and its staff are told by e-mail."
    ]
    now = Decision.objects.get(application=application, superseded_at=None)
    assert (now.outcome, now.level, now.override_reason) == ("not_designated", "", REASON)
    assert now.rationale == f"Designation withdrawn: {REASON}" and now.published_at is not None
    assert Decision.objects.get(pk=designated["decision"].pk).superseded_at == now.decided_at
    assert list(designees.public_list()) == []
    event = AuditEvent.objects.get(action="designation.withdrawn")
    assert event.summary == f"Designation withdrawn (Designated with Distinction): {REASON}"
    assert event.audience == AuditEvent.Audience.APPLICANT and event.actor == designated["organizer"]
    [message] = mail.outbox
    assert message.to == [designated["applicant"].email]
    assert message.subject == "Your 2026–2028 designation is withdrawn"
    assert f"The reason: {REASON}" in message.body
    assert reverse("application_detail", args=[application.pk]) in message.body
    page = client.get(reverse("verify_certificate", args=[certificate.display_code])).content.decode()
    assert "This designation was withdrawn on" in page and REASON not in page
    assert "Withdraw the designation…" not in response.content.decode()
    assert certificates.for_decision(now) is None  # no certificate for a decision that does not designate


def test_a_page_opened_before_another_decision_withdraws_nothing(designated):
    application = designated["application"]
    organizer = designated["organizer"]
    newer = decide(application, "designated", "Exemplary", "On appeal.", organizer, "Site visit.", published=True)
    before = decisions(application)
    response = designated["client"].post(designated["url"], {"reason": REASON, "replaces": designated["decision"].pk})
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("The decision changed after you opened this page: it is now Designated — Exemplary")
    assert message.endswith("Nothing was withdrawn; read it, and withdraw the designation again if you still mean to.")
    assert decisions(application) == before
    page = response.content.decode()
    assert REASON in page and f'name="replaces" value="{newer.pk}"' in page  # the one shown now


def test_only_organizers_may_withdraw(designated, client):
    body = {"reason": REASON, "replaces": designated["decision"].pk}
    for person in (designated["applicant"], designated["first"], make_reviewer()):
        other = as_user(person)
        assert other.get(designated["url"]).status_code == 403
        assert other.post(designated["url"], body).status_code == 403
    response = client.post(designated["url"], body)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Decision.objects.get(application=designated["application"], superseded_at=None).outcome == "designated"


@fuzz
@given(data=st.data())
def test_fuzzing_the_withdrawal_form(designated, data):
    """Whatever is posted: withdrawn with the reason as typed (302), or refused with a message (200)."""
    application = designated["application"]
    before = decisions(application)
    body = form_body(data, WithdrawForm)
    if data.draw(st.booleans(), label="the page's own token"):
        body["replaces"] = str(designated["decision"].pk)
    with rolled_back():
        messages = answered(post(designated["client"], designated["url"], body), 200, 302)
        after = decisions(application)
        assert len(messages) == 1
        if messages[0].startswith("The designation of Harbor City, VA is withdrawn"):
            current = application.decisions.get(superseded_at=None)
            assert current.rationale == f"Designation withdrawn: {sent(body, 'reason').strip()}"
            assert len(after) == len(before) + 1
        else:
            assert after == before
