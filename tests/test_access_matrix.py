"""Every named route × every role: the status each must get.

A new route without a row here fails ``test_every_named_route_has_expectations``.
Outsiders get 404 (they cannot tell forbidden from missing), read-only users
get 403 on writes, and a refused POST changes no row.
"""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from assessment import domain
from assessment.models import Application, AuditEvent, EvidenceDocument, Invitation, Jurisdiction, User
from review.models import Appeal, Assignment, Clarification, Decision, Review
from tests.access_matrix import EXTRA_ROW_MODULES, LOGIN, MATRIX, named_routes
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer, make_user
from tests.factories.answers import post_data

ROLES = ["anonymous", "applicant", "other_applicant", "reviewer", "assigned_reviewer", "organizer"]


def test_every_named_route_has_expectations():
    covered = {name.split("__")[0] for name in MATRIX}
    missing = sorted(set(named_routes()) - covered)
    assert missing == [], f"Add these routes to MATRIX in tests/access_matrix.py: {missing}"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    home = make_jurisdiction(name="Harbor City")
    other = make_jurisdiction(name="Elsewhere")
    cycle = make_cycle(name="2026–2028")
    people = {
        "applicant": make_user(jurisdiction=home),
        "other_applicant": make_user(jurisdiction=other),
        "reviewer": make_reviewer(jurisdiction=make_jurisdiction(name="Reviewer Town")),
        "organizer": make_organizer(),
    }
    people["assigned_reviewer"] = make_reviewer()
    application = domain.start_application(home, cycle, people["applicant"])
    # Set up directly: the review domain assigns only submitted applications.
    assignment = Assignment.objects.create(application=application, reviewer=people["assigned_reviewer"])
    review = Review.objects.create(assignment=assignment)
    appeal = Appeal.objects.create(application=application, statement="Please look again.")
    clarification = Clarification.objects.create(application=application, question="Which CRM?")
    content = b"%PDF-1.4"  # the download checks the stored file against its recorded size and hash
    document = EvidenceDocument(
        application=application,
        kind="sla",
        original_name="sla.pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        pages=1,
    )
    document.file.save("ignored.pdf", ContentFile(content), save=False)
    document.save()
    return {
        "home": home,
        "cycle": cycle,
        "people": people,
        "application": application,
        "document": document,
        "clarification": clarification,
        "assignment": assignment,
        "review": review,
        "appeal": appeal,
    }


def url_for(name, world):
    application, document = world["application"], world["document"]
    args = {
        "password_reset_confirm": {"uidb64": "MQ", "token": "bad-token"},
        "accept_invitation": {"uidb64": "MQ", "token": "bad-token"},
        "application_start": {"cycle_id": world["cycle"].pk},
        "application_detail": {"pk": application.pk},
        "application_step": {"pk": application.pk, "step": "technology"},
        "document_upload": {"pk": application.pk},
        "document_download": {"pk": document.pk},
        "document_delete": {"pk": document.pk},
        "jurisdiction_detail": {"pk": world["home"].pk},
        "grant_extension": {"pk": application.pk},
        "clarification_ask": {"pk": application.pk},
        "clarification_answer": {"pk": world["clarification"].pk},
        "review_edit": {"pk": world["review"].pk},
        "review_conflict": {"pk": world["review"].pk},
        "review_submit": {"pk": world["review"].pk},
        "appeal_file": {"pk": application.pk},
        "panel_cycle": {"pk": world["cycle"].pk},
        "panel_auto_assign": {"pk": world["cycle"].pk},
        "panel_bulk_decide": {"pk": world["cycle"].pk},
        "panel_publish": {"pk": world["cycle"].pk},
        "panel_application": {"pk": application.pk},
        "panel_assign": {"pk": application.pk},
        "panel_decide": {"pk": application.pk},
        "panel_unassign": {"pk": world["assignment"].pk},
        "appeal_decide": {"pk": world["appeal"].pk},
    }.get(name)
    for module in EXTRA_ROW_MODULES:
        if args is None and name in module.ROWS:
            args = module.url_kwargs(name, world)
    return reverse(name, kwargs=args or {})


def body_for(name, world):
    if name == "application_step":
        return post_data("technology", {"crm_product": "Changed by someone"}, version=world["application"].version)
    if name == "document_upload":
        return {"kind": "other"}
    if name == "grant_extension":
        return {"until": "2099-01-01T12:00"}
    if name == "clarification_ask":
        return {"question": "Is the line staffed on Saturdays?"}
    if name == "clarification_answer":
        return {"answer": "Yes."}
    if name == "application_start":
        return {"prefill": "no"}
    if name in ("review_conflict", "panel_unassign"):
        return {"reason": "A relative works there."}
    if name == "appeal_file":
        return {"statement": "Please reconsider."}
    if name == "appeal_decide":
        return {"outcome": "upheld", "notes": "The scores stand."}
    if name == "panel_decide":
        return {"outcome": "designated", "level": "Designated", "rationale": "Strong."}
    if name == "panel_assign":
        return {"reviewer": world["people"]["reviewer"].pk}
    for module in EXTRA_ROW_MODULES:
        if name in module.ROWS:
            return module.body(name, world)
    return {}


def snapshot():
    """What a refused request must not change."""
    return {
        "applications": sorted(Application.objects.values_list("pk", "version", "status", "extension_until")),
        "documents": sorted(EvidenceDocument.objects.values_list("pk", flat=True)),
        "users": User.objects.count(),
        "jurisdictions": Jurisdiction.objects.count(),
        "invitations": Invitation.objects.count(),
        "audit": AuditEvent.objects.count(),
        "clarifications": sorted(Clarification.objects.values_list("pk", "answer")),
        "assignments": sorted(Assignment.objects.values_list("pk", "active")),
        "reviews": sorted(Review.objects.values_list("pk", "version", "status", "excluded")),
        "decisions": Decision.objects.count(),
        "appeals": sorted(Appeal.objects.values_list("pk", "outcome")),
    }


CASES = [(key, role) for key in MATRIX for role in ROLES]


@pytest.mark.parametrize("key,role", CASES, ids=[f"{k}-{r}" for k, r in CASES])
def test_route_gives_each_role_its_expected_status(client, world, key, role):
    name = key.split("__")[0]
    method, expectations = MATRIX[key]
    expected = expectations.get(role, expectations.get("*"))
    if role != "anonymous":
        client.force_login(world["people"][role])
    url = url_for(name, world)
    before = snapshot()
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, body_for(name, world))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected, response.content.decode()[:500]
    if response.get("Content-Type", "").startswith("text/html"):
        # Every page carries the Content-Security-Policy (django-csp): no inline scripts.
        assert "script-src 'self'" in response["Content-Security-Policy"]
    if method == "post" and (expected in (403, 404, LOGIN)):
        assert snapshot() == before
