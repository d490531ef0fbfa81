"""The public page that verifies a certificate by its code (/verify/<code>/): no sign-in, the status at the top
in plain words (valid, expired, withdrawn, replaced, unknown), only what the certificate says, the report's
fingerprint; the form that takes a code; a throttle on guessing."""

from datetime import date
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from pages.verify import BAD_CODE, VerifyForm
from reports.models import ReportFile
from review import certificates
from review.models import Decision
from tests.factories import decisions as straight
from tests.factories import make_application, make_cycle, make_jurisdiction
from tests.fuzz_forms import form_body, fuzz, rolled_back

pytestmark = pytest.mark.django_db

SECRETS = ("Private rationale of the panel", "Private override of the organizer")


def designation(cycle=None, name="Harbor City", level="Designated with Distinction"):
    cycle = cycle or make_cycle(name="2026–2028", valid_from=date(2026, 7, 1), signatory_name="Morgan T. Reyes")
    application = make_application(jurisdiction=make_jurisdiction(name=name), cycle=cycle, status="submitted")
    decision = straight.decide(application, level=level, rationale=SECRETS[0], override_reason=SECRETS[1], total=81)
    return certificates.issue(decision)


def later(certificate, **kw):
    """A later published decision on the certificate's application, which supersedes its designation."""
    now = timezone.now()
    Decision.objects.filter(pk=certificate.decision_id).update(superseded_at=now)
    return straight.decide(certificate.decision.application, **kw)


def verify(client, code):
    response = client.get(reverse("verify_certificate", args=[code]))
    return response, " ".join(response.content.decode().split())


def on_its_clock(moment, cycle):
    local = timezone.localtime(moment, ZoneInfo(cycle.time_zone))
    return f"{local:%B} {local.day}, {local.year}"


def test_a_valid_certificate_says_so_at_the_top_and_what_it_certifies(client):
    certificate = designation()
    cycle = certificate.decision.application.cycle
    response, page = verify(client, certificate.display_code)
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in page and response["X-Robots-Tag"] == "noindex"
    alert = page.index("usa-alert--success")
    assert page.index('<h2 class="usa-alert__heading" id="status-heading">This certificate is valid</h2>') > alert
    assert "Harbor City, VA is a designated Citizen-Engaged Community, Designated with Distinction" in page
    rows = {
        "Certificate number": certificate.number,
        "Jurisdiction": "Harbor City, VA",
        "Cycle": "2026–2028",
        "Level": "Designated with Distinction",
        "Valid from": "July 1, 2026",
        "Valid until": f"{cycle.valid_until:%B} {cycle.valid_until.day}, {cycle.valid_until.year}",
        "Issued": on_its_clock(certificate.issued_at, cycle),
        "Signed by": "Morgan T. Reyes",
        "Report fingerprint (SHA-256)": "The report has not been printed yet.",
    }
    for label, value in rows.items():
        assert f'<th scope="row">{label}</th><td>{value}</td>' in page, label
    for secret in (*SECRETS, "points", "Total", str(certificate.decision.application_id)):
        assert secret not in page


@pytest.mark.parametrize("typed", ["lower", "no dash", "lower, no dash", "lookalikes"])
def test_the_code_is_found_however_it_is_typed(client, typed):
    certificate = designation()
    code = {
        "lower": certificate.display_code.lower(),
        "no dash": certificate.code,
        "lower, no dash": certificate.code.lower(),
        "lookalikes": certificate.display_code.replace("0", "O").replace("1", "l"),
    }[typed]
    response, page = verify(client, code)
    assert response.status_code == 200 and "This certificate is valid" in page


def test_the_fingerprint_is_the_sha256_of_the_report_made_for_the_designation(client):
    certificate = designation()
    application = certificate.decision.application
    digest = "ab12" * 16
    ReportFile.objects.create(
        kind=ReportFile.Kind.APPLICATION,
        cycle=application.cycle,
        application=application,
        inputs_hash="0" * 64,
        file="reports/application/x.pdf",
        sha256=digest,
    )
    _response, page = verify(client, certificate.display_code)
    assert f'<td><code class="verify-fingerprint">{digest}</code></td>' in page
    assert "The report has not been printed yet" not in page


def test_an_expired_designation_says_when_it_ended(client):
    cycle = make_cycle(name="2019–2021", valid_from=date(2019, 7, 1), valid_until=date(2021, 6, 30))
    certificate = designation(cycle)
    response, page = verify(client, certificate.display_code)
    assert response.status_code == 200
    assert "usa-alert--warning" in page
    assert '<h2 class="usa-alert__heading" id="status-heading">This designation expired on June 30, 2021</h2>' in page
    assert "This certificate is valid" not in page


def test_a_withdrawn_designation_says_when_never_why(client):
    certificate = designation()
    ended = later(certificate, outcome="not_designated", rationale="Withdrawn: the contact center closed.")
    response, page = verify(client, certificate.code.lower())
    assert response.status_code == 200 and "usa-alert--error" in page
    when = on_its_clock(ended.decided_at, certificate.decision.application.cycle)
    assert f"This designation was withdrawn on {when}</h2>" in page
    assert "Harbor City, VA is no longer a designated Citizen-Engaged Community for 2026–2028." in page
    assert "contact center closed" not in page and "Report fingerprint" not in page


def test_a_replaced_certificate_names_the_one_in_force_and_its_level(client):
    certificate = designation()
    newer = certificates.issue(later(certificate, level="Exemplary"))
    response, page = verify(client, certificate.display_code)
    superseded = Decision.objects.get(pk=certificate.decision_id).superseded_at
    when = on_its_clock(superseded, certificate.decision.application.cycle)
    assert response.status_code == 200
    assert f"This certificate was replaced on {when} by certificate {newer.number}</h2>" in page
    assert "is designated Exemplary for 2026–2028 now" in page
    assert newer.code not in page and newer.display_code not in page  # the new code is its holder's to give
    _response, page = verify(client, newer.display_code)
    assert "This certificate is valid" in page


def test_an_unknown_code_is_a_friendly_not_found_page(client):
    designation()
    response, page = verify(client, "7KQ2M-X9PDT")
    assert response.status_code == 404
    assert '<h2 class="usa-alert__heading" id="status-heading">No certificate has this code</h2>' in page
    assert "Check the code printed on the certificate or the seal" in page
    assert '<meta name="robots" content="noindex">' in page
    assert "Harbor City" not in page and "Certificate number" not in page
    response, page = verify(client, "not a code")
    assert response.status_code == 404 and "This is not a certificate code" in page and "“not a code”" in page


def test_a_lookup_is_one_query_whatever_the_answer(django_assert_num_queries):
    certificate = designation()
    for code in (certificate.display_code, "7KQ2M-X9PDT", certificate.code.lower()):
        with django_assert_num_queries(1):
            certificates.lookup(code)
    with django_assert_num_queries(0):
        assert certificates.lookup("too short").status == certificates.Status.UNKNOWN


def test_the_form_takes_a_code_to_its_page_and_keeps_a_bad_one(client):
    certificate = designation()
    page = client.get(reverse("verify_form")).content.decode()
    assert '<label class="usa-label" for="id_code">Verification code' in page
    response = client.get(reverse("verify_form"), {"code": f" {certificate.code.lower()} "})
    assert response.status_code == 302
    assert response.url == reverse("verify_certificate", args=[certificate.display_code])
    response = client.get(reverse("verify_form"), {"code": "7KQ2M-X9PDU"})
    assert response.status_code == 200
    page = response.content.decode()
    assert BAD_CODE in page and 'value="7KQ2M-X9PDU"' in page


def test_guessing_is_throttled_whatever_the_codes(client, settings):
    settings.VERIFY_LIMIT_PER_CLIENT = 3
    certificate = designation()
    for code in ("7KQ2M-X9PDT", "AAAAA-AAAAA", certificate.display_code):
        assert verify(client, code)[0].status_code in (200, 404)
    response, page = verify(client, certificate.display_code)  # the fourth, even a good one
    assert response.status_code == 429
    assert "Too many codes were checked from your network" in page and certificate.number not in page
    other = client.get(reverse("verify_certificate", args=["7KQ2M-X9PDT"]), REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 404  # another network has its own count


@fuzz
@given(data=st.data())
def test_fuzzing_the_verification_form(client, data):
    """Whatever is typed: the page again with the reason (200), or the code's page (302 to a well-formed code);
    whatever the address, the page or a 404, never a server error."""
    body = form_body(data, VerifyForm)
    path = data.draw(st.one_of(st.text(max_size=60), st.sampled_from(["7kq2mx9pdt", "%", "..", ".", "O" * 10])))
    with rolled_back():
        designation()
        response = client.get(reverse("verify_form"), body)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            code = certificates.normalize(response.url.split("/")[-2])
            assert code is not None and response.url == reverse("verify_certificate", args=[certificates.display(code)])
        elif "code" in body:
            assert "usa-error-message" in response.content.decode()
        answer = client.get(f"/verify/{quote(path, safe='')}/")
        assert answer.status_code in (200, 301, 404), path
