"""Certificates of designation: issued when a designation is published (by the cycle's publication or on
appeal), once; numbered per cycle's first year; a verification code that cannot be guessed; the seal that
prints where to verify it; the signatory each cycle names; and the migration that issued them for the
designations published before certificates existed."""

import importlib
import string
from collections import Counter
from datetime import date, timedelta
from itertools import combinations

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from assessment.models import AuditEvent
from reports import designees
from review import certificates
from review.appeals import decide_appeal, file_appeal
from review.decisions import decide, publish_decisions
from review.models import Appeal, Certificate, settings_for
from tests.factories import as_user, close_cycle, make_application, make_cycle, make_jurisdiction, make_organizer
from tests.factories import decisions as straight
from tests.factories.reviews import submit_both
from tests.keep_typed_rubric import shown_form

pytestmark = pytest.mark.django_db

CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def published(panel, outcome="designated", level="Designated with Distinction"):
    submit_both(panel)
    decide(panel["application"], outcome, level, "As the panel read it.", panel["organizer"], "Because.")
    close_cycle(panel["cycle"])
    return publish_decisions(panel["cycle"], panel["organizer"])[0]


def designee(cycle, name, **kw):
    application = make_application(jurisdiction=make_jurisdiction(name=name), cycle=cycle, status="submitted")
    return straight.decide(application, **kw)


# --- Issuing ---------------------------------------------------------------------------------------------


def test_publishing_a_designation_issues_its_certificate(panel):
    decision = published(panel)
    certificate = Certificate.objects.get()
    assert certificate.decision == decision
    assert certificate.number == f"CEC-{panel['cycle'].valid_from.year}-0001"
    assert certificate.issued_at == decision.published_at
    assert len(certificate.code) == 10 and set(certificate.code) <= CROCKFORD
    assert certificate.display_code == f"{certificate.code[:5]}-{certificate.code[5:]}"
    assert certificates.for_decision(decision) == certificate


def test_a_decision_that_does_not_designate_gets_no_certificate(panel):
    decision = published(panel, "not_designated", "")
    assert decision.published_at is not None
    assert not Certificate.objects.exists()
    assert certificates.for_decision(decision) is None
    assert certificates.issue(decision) is None


def test_an_unpublished_designation_gets_none_until_it_is_published(panel):
    submit_both(panel)
    decision = decide(panel["application"], "designated", "Designated", "Good.", panel["organizer"], "Because.")
    assert certificates.for_decision(decision) is None and not Certificate.objects.exists()
    close_cycle(panel["cycle"])
    publish_decisions(panel["cycle"], panel["organizer"])
    assert Certificate.objects.get().decision_id == decision.pk


def test_a_designation_made_on_appeal_gets_its_own_certificate(panel):
    first = published(panel, "not_designated", "")
    config = settings_for(panel["cycle"])
    config.appeal_deadline = timezone.now() + timedelta(days=14)
    config.save()
    appeal = file_appeal(panel["application"], "Our CSAT is 91 %.", panel["applicant"])
    decide_appeal(appeal, Appeal.Outcome.CHANGED, "New evidence.", panel["organizer"], "Exemplary", designated=True)
    certificate = Certificate.objects.get()
    assert certificate.decision.superseded_at is None and certificate.decision.level == "Exemplary"
    assert certificate.decision_id != first.pk
    assert certificate.number.endswith("-0001")


def test_issuing_twice_gives_the_same_certificate():
    decision = designee(make_cycle(), "Harbor City")
    first = certificates.issue(decision)
    assert certificates.issue(decision) == first
    assert certificates.for_decision(decision) == first
    assert Certificate.objects.count() == 1


def test_a_superseded_designation_gets_no_new_certificate():
    decision = designee(make_cycle(), "Harbor City", superseded=True)
    assert certificates.issue(decision) is None and certificates.for_decision(decision) is None


def test_numbers_follow_each_other_in_a_cycle_and_start_again_in_the_next():
    cycle = make_cycle(name="2027–2029", valid_from=date(2027, 1, 1))
    later = make_cycle(name="2029–2031", valid_from=date(2029, 1, 1))
    numbers = [certificates.issue(designee(cycle, name)).number for name in ("Alder Bay", "Birch Hill", "Cedar")]
    assert numbers == ["CEC-2027-0001", "CEC-2027-0002", "CEC-2027-0003"]
    assert certificates.issue(designee(later, "Dunmore")).number == "CEC-2029-0001"
    assert certificates.issue(designee(cycle, "Elm Grove")).number == "CEC-2027-0004"


def test_a_code_taken_meanwhile_is_drawn_again(monkeypatch):
    taken = certificates.issue(designee(make_cycle(), "Harbor City"))
    draws = iter([taken.code, "ABCDE12345"])
    monkeypatch.setattr(certificates, "new_code", lambda: next(draws))
    again = certificates.issue(designee(make_cycle(), "Other Town"))
    assert again.code == "ABCDE12345"


# --- Codes -----------------------------------------------------------------------------------------------


def test_codes_come_from_the_operating_systems_randomness(monkeypatch):
    drawn = []

    def choice(alphabet):
        drawn.append(alphabet)
        return alphabet[len(drawn) % len(alphabet)]

    monkeypatch.setattr(certificates.secrets, "choice", choice)
    code = certificates.new_code()
    assert drawn == [certificates.ALPHABET] * 10 and code == "".join(certificates.ALPHABET[i] for i in range(1, 11))


def test_codes_are_not_a_sequence_two_differ_in_most_places():
    cycle = make_cycle()
    codes = [certificates.issue(designee(cycle, f"Town {n}")).code for n in range(12)]
    assert len(set(codes)) == 12
    # Consecutive certificates share no guessable structure: any two differ in at least half their characters
    # (by chance two random codes agree in a place one time in 32).
    assert all(sum(a != b for a, b in zip(x, y, strict=True)) >= 5 for x, y in combinations(codes, 2))
    many = [certificates.new_code() for _ in range(2000)]
    assert len(set(many)) == 2000
    used = Counter("".join(many))
    assert set(used) == CROCKFORD and min(used.values()) > 400  # every symbol, about 625 times each


@pytest.mark.parametrize(
    "typed",
    ["7KQ2M-X9PDT", "7kq2m-x9pdt", "7KQ2MX9PDT", " 7kq2m x9pdt ", "7KQ2M–X9PDT", "7kq2mx9pdt"],
)
def test_a_code_is_read_as_crockford_says(typed):
    assert certificates.normalize(typed) == "7KQ2MX9PDT"


def test_lookalike_letters_read_as_digits_and_anything_else_is_no_code():
    assert certificates.normalize("OOIIL-ooill") == "0011100111"
    for bad in ["", "7KQ2M", "7KQ2M-X9PDTX", "7KQ2M-X9PDU", "7KQ2M/X9PDT", "7KQ2M-X9PD!", None, "٣" * 10]:
        assert certificates.normalize(bad) is None, bad
    assert set(certificates.ALPHABET) == set(string.digits + string.ascii_uppercase) - set("ILOU")


# --- The seal ---------------------------------------------------------------------------------------------


def test_the_seal_prints_where_to_verify_the_designation(client, settings):
    settings.SITE_URL = "https://cec.example.org"
    cycle = make_cycle(name="2026–2028")
    decision = designee(cycle, "Metro City", level="Exemplary")
    url = reverse("public_seal", kwargs={"cycle_id": cycle.pk, "jurisdiction_id": decision.application.jurisdiction_id})
    assert "Verify:" not in client.get(url).content.decode()  # no certificate yet: no address
    certificate = certificates.issue(decision)
    seal = client.get(url).content.decode()
    line = f"Verify: cec.example.org/verify/{certificate.display_code}/"
    assert '<text class="verify" x="200" y="336" font-size="' in seal and f">{line}</text>" in seal
    assert f"Valid until {cycle.valid_until:%B} {cycle.valid_until.day}, {cycle.valid_until.year}. {line}" in seal
    assert certificate.verify_url == f"https://cec.example.org/verify/{certificate.display_code}/"
    application = designees.public_designee(cycle.pk, decision.application.jurisdiction_id)
    assert f">{line}</text>" in designees.seal_svg(application, certificate)


# --- The signatory of a cycle ------------------------------------------------------------------------------


def test_organizers_name_who_signs_a_cycles_certificates():
    organizer = as_user(make_organizer())
    cycle = make_cycle(name="2026–2028", time_zone="America/Chicago")
    url = reverse("cycle_edit", args=[cycle.pk])
    page = organizer.get(url).content.decode()
    assert "Certificates of designation" in page and 'name="signatory_name"' in page
    body = {
        name: values[0]
        for name, values in shown_form(organizer, url).items()
        if name not in ("signatory_name", "signatory_title")
    }
    body |= {"signatory_name": "Alan R. Shark", "signatory_title": "Executive Director, Public Technology Institute"}
    response = organizer.post(url, body, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Saved: name of the signatory, title of the signatory."]
    cycle.refresh_from_db()
    assert (cycle.signatory_name, cycle.signatory_title) == (
        "Alan R. Shark",
        "Executive Director, Public Technology Institute",
    )
    assert "Alan R. Shark, Executive Director, Public Technology Institute" in response.content.decode()
    assert AuditEvent.objects.get(action="cycle.changed").summary.endswith(
        "name of the signatory, title of the signatory"
    )
    assert 'value="Alan R. Shark"' in organizer.get(url).content.decode()


# --- The data migration -------------------------------------------------------------------------------------


def test_the_migration_issues_certificates_for_designations_published_before():
    migration = importlib.import_module("review.migrations.0005_certificate")
    cycle = make_cycle(valid_from=date(2025, 1, 1))
    later = designee(cycle, "Later Town", days_ago=1)
    earlier = designee(cycle, "Earlier Town", days_ago=3)
    designee(cycle, "Unpublished Town", published=False)
    designee(cycle, "Refused Town", outcome="not_designated")
    designee(cycle, "Overturned Town", superseded=True, days_ago=5)
    migration.issue_published_designations(apps, None)
    issued = {c.decision_id: c.number for c in Certificate.objects.all()}
    assert issued == {earlier.pk: "CEC-2025-0001", later.pk: "CEC-2025-0002"}
    assert all(certificates.normalize(c.code) == c.code for c in Certificate.objects.all())
    assert certificates.issue(designee(cycle, "New Town")).number == "CEC-2025-0003"
