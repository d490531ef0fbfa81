"""The application wizard: every answer typed is kept, whatever the user does next."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessment import domain
from assessment.forms import STEPS
from assessment.models import Application, AuditEvent
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_user
from tests.factories.answers import COMPLETE, post_data

pytestmark = pytest.mark.django_db


def step_url(application, step):
    return reverse("application_step", kwargs={"pk": application.pk, "step": step})


@pytest.fixture
def jurisdiction():
    return make_jurisdiction(name="Harbor City")


@pytest.fixture
def applicant(jurisdiction):
    return make_user(jurisdiction=jurisdiction, first_name="Pat", last_name="Rivera")


@pytest.fixture
def application(jurisdiction, applicant):
    return domain.start_application(jurisdiction, make_cycle(name="2026–2028"), applicant)


@pytest.fixture
def client_in(client, applicant):
    client.force_login(applicant)
    return client


def fresh(application):
    return Application.objects.get(pk=application.pk)


def fill_every_step(client, application):
    for step, _form in STEPS:
        version = fresh(application).version
        response = client.post(step_url(application, step), post_data(step, version=version))
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    return response


def test_applicant_starts_an_application_and_lands_on_the_first_step(client_in, jurisdiction):
    cycle = make_cycle(name="2026–2028")
    response = client_in.post(reverse("application_start", args=[cycle.pk]), {"prefill": "no"})
    application = Application.objects.get(jurisdiction=jurisdiction, cycle=cycle)
    assert response.status_code == 302
    assert response.url == step_url(application, "profile")
    assert AuditEvent.objects.filter(application=application, action="application.started").count() == 1


def test_next_saves_the_step_and_moves_on(client_in, application):
    response = client_in.post(step_url(application, "profile"), post_data("profile"))
    assert response.status_code == 302
    assert response.url == step_url(application, "channels")
    saved = fresh(application)
    assert saved.answers["profile"]["yearly_contacts"] == 850000
    assert saved.answers["profile"]["crm_tracks_cases"] is True
    assert saved.version == 2
    assert saved.wizard_state["step"] == "channels"


def test_next_on_an_invalid_step_keeps_what_was_typed_and_says_what_is_wrong(client_in, application):
    values = dict(COMPLETE["performance"], abandonment_pct="120", asa_seconds="about 40")
    response = client_in.post(step_url(application, "performance"), post_data("performance", values))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A percentage cannot be above 100." in page
    assert "Enter a whole number of seconds, for example 12." in page
    assert "Your answers are saved as a draft" in page
    saved = fresh(application)
    assert saved.wizard_state["step_data"]["performance"]["performance-asa_seconds"] == ["about 40"]
    # Only valid answers reach scoring; the raw text stays in the draft.
    assert "asa_seconds" not in saved.answers["performance"]
    assert saved.answers["performance"]["service_level_pct"] == 78.0
    # And the page shows the typed text back.
    assert 'value="about 40"' in page


def test_back_keeps_the_current_step_even_when_incomplete(client_in, application):
    data = post_data("channels", {"channels": ["live_phone", "web_form"], "tty_access": "no"})
    data["wizard_goto_step"] = "profile"
    response = client_in.post(step_url(application, "channels"), data)
    assert response.url == step_url(application, "profile")
    page = client_in.get(step_url(application, "channels")).content.decode()
    assert 'value="live_phone" class="usa-checkbox__input" id="id_channels-channels_0" checked' in page
    assert 'value="no" class="usa-radio__input" id="id_channels-tty_access_1" required checked' in page


def test_jumping_to_any_step_keeps_the_current_step(client_in, application):
    data = post_data("technology", {"crm_product": "Half-typed CRM na"})
    data["wizard_goto_step"] = "planning"
    response = client_in.post(step_url(application, "technology"), data)
    assert response.url == step_url(application, "planning")
    assert fresh(application).answers["technology"]["crm_product"] == "Half-typed CRM na"


def test_save_and_exit_keeps_an_invalid_step_and_goes_to_the_dashboard(client_in, application):
    data = post_data("profile", {"yearly_contacts": "lots"}, action="save_exit")
    response = client_in.post(step_url(application, "profile"), data)
    assert response.url == reverse("home")
    assert fresh(application).wizard_state["step_data"]["profile"]["profile-yearly_contacts"] == ["lots"]


def test_a_get_never_resets_the_draft(client_in, application):
    client_in.post(step_url(application, "profile"), post_data("profile"))
    client_in.get(step_url(application, "profile") + "?reset=1")
    client_in.get(reverse("application_detail", args=[application.pk]))
    assert fresh(application).answers["profile"]["main_number"] == "311 or (555) 010-0311"


def test_session_loss_resumes_from_the_draft(client, applicant, application):
    client.force_login(applicant)
    client.post(step_url(application, "profile"), post_data("profile"))
    client.session.flush()
    client.logout()
    assert client.get(step_url(application, "profile")).status_code == 302  # to the login page
    client.force_login(applicant)
    page = client.get(step_url(application, "profile")).content.decode()
    assert 'value="Pat Rivera"' in page


def test_a_colleague_sees_and_continues_the_same_draft(client, applicant, application, jurisdiction):
    client.force_login(applicant)
    client.post(step_url(application, "profile"), post_data("profile"))
    colleague = make_user(jurisdiction=jurisdiction)
    client.force_login(colleague)
    page = client.get(reverse("home")).content.decode()
    assert step_url(application, "channels") in page  # "Continue" goes where the draft was left
    assert 'value="pat.rivera@example.gov"' in client.get(step_url(application, "profile")).content.decode()


def test_two_applications_in_two_tabs_never_mix(client_in, jurisdiction, applicant, application):
    other = domain.start_application(jurisdiction, make_cycle(name="2028–2030"), applicant)
    first = post_data("technology", {"crm_product": "CRM of the first tab"}, action="save")
    second = post_data("technology", {"crm_product": "CRM of the second tab"}, action="save")
    client_in.post(step_url(application, "technology"), first)
    client_in.post(step_url(other, "technology"), second)
    assert fresh(application).answers["technology"]["crm_product"] == "CRM of the first tab"
    assert fresh(other).answers["technology"]["crm_product"] == "CRM of the second tab"


def test_a_complete_application_is_submitted_once_with_a_receipt(
    client_in, application, jurisdiction, applicant, django_capture_on_commit_callbacks
):
    make_user(jurisdiction=jurisdiction, email="colleague@example.gov", username="colleague")
    with django_capture_on_commit_callbacks(execute=True):
        response = fill_every_step(client_in, application)
    assert response.url == reverse("application_detail", args=[application.pk])
    saved = fresh(application)
    assert saved.status == Application.Status.SUBMITTED
    assert saved.submitted_by == applicant
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, "colleague@example.gov"])
    assert mail.outbox[0].subject == f"Received: Harbor City, VA's application for {application.cycle}"
    assert f"http://127.0.0.1:8000/applications/{application.pk}/" in mail.outbox[0].body
    page = client_in.get(response.url).content.decode()
    assert "Submitted by Pat Rivera on" in page
    assert "Acme CRM 9" in page
    # Read-only now: the wizard sends them to the summary and changes nothing.
    after = client_in.post(step_url(application, "technology"), post_data("technology", {"crm_product": "Changed"}))
    assert after.url == reverse("application_detail", args=[application.pk])
    assert fresh(application).answers["technology"]["crm_product"] == "Acme CRM 9"


def test_a_double_submit_submits_once(client_in, application):
    fill_every_step(client_in, application)
    version = fresh(application).version
    response = client_in.post(step_url(application, "review"), post_data("review", version=version), follow=True)
    assert "This application has been submitted; here is what was sent." in response.content.decode()
    assert AuditEvent.objects.filter(application=application, action="application.submitted").count() == 1
    with pytest.raises(domain.NotEditable, match="already submitted"):
        domain.submit_application(fresh(application), application.created_by)


def test_an_exception_during_submit_leaves_the_draft_intact(client_in, application, monkeypatch):
    for step, _form in STEPS[:-1]:
        client_in.post(step_url(application, step), post_data(step, version=fresh(application).version))
    client_in.post(
        step_url(application, "review"), post_data("review", version=fresh(application).version, action="save")
    )
    before = fresh(application)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(domain, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        domain.submit_application(before, application.created_by)
    after = fresh(application)
    assert after.status == Application.Status.DRAFT
    assert after.submitted_at is None
    assert after.version == before.version
    assert after.wizard_state == before.wizard_state
    assert mail.outbox == []


def test_submit_lists_what_is_missing_with_links_to_the_steps(client_in, application):
    client_in.post(step_url(application, "profile"), post_data("profile"))
    response = client_in.post(step_url(application, "review"), post_data("review", version=fresh(application).version))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Before you can submit" in page
    assert (
        f'<a href="{step_url(application, "channels")}">Channels and self-service</a> — Channels that take service requests: Choose at least one channel.'
        in page
    )
    assert (
        f'<a href="{step_url(application, "metrics")}">Performance metrics</a>: List at least one metric you track.'
        in page
    )
    assert fresh(application).status == Application.Status.DRAFT


def test_the_attestation_is_required(client_in, application):
    fill_every_step_but_review = STEPS[:-1]
    for step, _form in fill_every_step_but_review:
        client_in.post(step_url(application, step), post_data(step, version=fresh(application).version))
    values = dict(COMPLETE["review"])
    del values["attest"]
    page = client_in.post(
        step_url(application, "review"), post_data("review", values, version=fresh(application).version)
    ).content.decode()
    assert "A senior official must confirm the answers before you submit." in page
    assert fresh(application).status == Application.Status.DRAFT


def test_nobody_submits_after_the_deadline_unless_granted_an_extension(client_in, application):
    for step, _form in STEPS[:-1]:
        client_in.post(step_url(application, step), post_data(step, version=fresh(application).version))
    cycle = application.cycle
    cycle.closes_at = timezone.now() - timedelta(hours=1)
    cycle.save()
    response = client_in.post(
        step_url(application, "review"), post_data("review", version=fresh(application).version), follow=True
    )
    assert "Ask the organizers for an extension." in response.content.decode()
    assert fresh(application).status == Application.Status.DRAFT

    organizer = make_organizer()
    client_in.force_login(organizer)
    until = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client_in.post(reverse("grant_extension", args=[application.pk]), {"until": until})
    assert fresh(application).extension_until is not None

    client_in.force_login(application.created_by)
    client_in.post(step_url(application, "review"), post_data("review", version=fresh(application).version))
    assert fresh(application).status == Application.Status.SUBMITTED


def test_a_returning_jurisdiction_starts_prefilled_from_its_last_application(client_in, jurisdiction, applicant):
    old_cycle = make_cycle(name="2024–2026", closes_in=timedelta(days=1))
    old_cycle.opens_at = timezone.now() - timedelta(days=700)
    old_cycle.save()
    old = domain.start_application(jurisdiction, old_cycle, applicant)
    for step, _form in STEPS:
        client_in.post(step_url(old, step), post_data(step, version=fresh(old).version))
    assert fresh(old).status == Application.Status.SUBMITTED

    new_cycle = make_cycle(name="2026–2028")
    page = client_in.get(reverse("home")).content.decode()
    assert "Start from our last application" in page
    client_in.post(reverse("application_start", args=[new_cycle.pk]), {"prefill": "yes"})
    new = Application.objects.get(jurisdiction=jurisdiction, cycle=new_cycle)
    assert new.prefilled_from == old
    assert new.answers["technology"]["crm_product"] == "Acme CRM 9"
    assert "review" not in new.answers  # a senior official attests anew


def test_another_jurisdictions_draft_is_not_found(client, application):
    outsider = make_user(jurisdiction=make_jurisdiction(name="Elsewhere"))
    client.force_login(outsider)
    assert client.get(step_url(application, "profile")).status_code == 404
    response = client.post(step_url(application, "profile"), post_data("profile", {"main_number": "hijacked"}))
    assert response.status_code == 404
    assert "profile" not in fresh(application).answers


def test_an_organizer_reads_but_cannot_edit(client, application):
    client.force_login(make_organizer())
    assert client.get(reverse("application_detail", args=[application.pk])).status_code == 200
    response = client.post(step_url(application, "profile"), post_data("profile"))
    assert response.status_code == 403
    assert "profile" not in fresh(application).answers


def test_an_unknown_step_is_not_found(client_in, application):
    assert client_in.get(step_url(application, "nonsense")).status_code == 404


def test_a_missing_version_is_a_conflict_not_an_overwrite(client_in, application):
    data = post_data("profile")
    del data["version"]
    response = client_in.post(step_url(application, "profile"), data)
    assert "Not saved" in response.content.decode()
    assert "profile" not in fresh(application).answers


def test_the_metrics_step_offers_empty_rows_after_the_saved_ones(client_in, application):
    client_in.post(step_url(application, "metrics"), post_data("metrics", action="save"))
    page = client_in.get(step_url(application, "metrics")).content.decode()
    assert 'name="metrics-TOTAL_FORMS" value="11"' in page  # six saved rows and five empty ones
    assert 'name="metrics-5-latest_value" value="86%"' in page
    assert 'name="metrics-10-kind"' in page
    # Saving with the empty rows keeps exactly the six metrics.
    client_in.post(
        step_url(application, "metrics"),
        post_data("metrics", COMPLETE["metrics"] + [{}] * 5, version=fresh(application).version),
    )
    assert len(fresh(application).answers["metrics"]) == 6
