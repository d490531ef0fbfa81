"""The scoring engine on real answers saved through the wizard; the rubric, its freeze and rescoring."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import domain
from assessment.forms import STEPS
from assessment.models import Application
from scoring.domain import copy_previous_rubric, explain_application, rescore_cycle
from scoring.models import Criterion, Rubric, RubricFrozen, ScoreResult
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_user, pdf_bytes
from tests.factories.answers import COMPLETE, post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    home = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=home)
    cycle = make_cycle(name="2026–2028")
    application = domain.start_application(home, cycle, applicant)
    client.force_login(applicant)
    return {"client": client, "applicant": applicant, "cycle": cycle, "application": application}


def save_step(client, application, step, values=None, action="next"):
    version = Application.objects.get(pk=application.pk).version
    url = reverse("application_step", kwargs={"pk": application.pk, "step": step})
    response = client.post(url, post_data(step, values, version=version, action=action))
    assert response.status_code == 302, response.content.decode()[:2000]


def fill_all(client, application, **overrides):
    for step, _ in STEPS:
        values = COMPLETE[step]
        if step in overrides:
            values = overrides[step] if step == "metrics" else dict(values, **overrides[step])
        # The last step is saved, not submitted: tests submit when they mean to.
        save_step(client, application, step, values, action="save" if step == "review" else "next")


def result_of(application):
    """The explained result, after checking that the stored numbers are up to date with it."""
    stored = ScoreResult.objects.get(application=application)
    explained = explain_application(Application.objects.get(pk=application.pk))
    assert float(stored.total) == explained["total"]
    assert stored.rubric_version == explained["rubric_version"] == stored.result["rubric_version"]
    assert stored.eligible == explained["eligible"]
    return explained


def criterion(result, code):
    return next(c for c in result["criteria"] if c["code"] == code)


def attach(client, application, kind):
    response = client.post(
        reverse("document_upload", kwargs={"pk": application.pk}),
        {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", pdf_bytes(), content_type="application/pdf")},
    )
    assert response.status_code == 302


def test_every_rule_kind_scores_answers_saved_through_the_wizard(world):
    client, application = world["client"], world["application"]
    fill_all(client, application)
    result = result_of(application)

    # One point per choice, capped.
    a1 = criterion(result, "A1")
    assert a1["points"] == 6
    assert a1["reason"].startswith("6 of 6 points: Live agent by phone, Interactive voice response (IVR), Web form")
    c1 = criterion(result, "C1")
    assert c1["points"] == 8
    assert "Asset management would add points" in c1["reason"]
    # Numeric bands, both directions.
    assert criterion(result, "D3")["reason"] == "1 of 2 points: 41 s; 30 s or less earns 2."
    assert criterion(result, "D2")["reason"] == "2 of 3 points: 78 %; 80 % or more earns 3."
    assert criterion(result, "D4")["points"] == 2
    # A count of items.
    assert criterion(result, "D1")["reason"] == "2 of 5 points: 6 metrics; 8 or more earn 3."
    assert criterion(result, "B1")["reason"] == "3 of 4 points: 5 chosen; 7 or more earn 4."
    # Yes / no, and an answer given.
    assert criterion(result, "A4")["reason"] == "2 of 2 points: yes."
    assert criterion(result, "C2")["reason"] == "3 of 3 points: given."
    # One of some choices.
    assert criterion(result, "D6")["reason"] == "2 of 2 points: Monthly."
    # Evidence required: the answer earns points only with the document attached.
    assert criterion(result, "H1")["reason"] == (
        "0 of 3 points: the answer would earn 3, but no technology plan is attached."
    )
    # Judged criteria are left open for reviewers.
    d7 = criterion(result, "D7")
    assert d7["points"] is None and d7["reason"] == "Scored by reviewers, 0 to 4 points."
    assert result["pending"] == ["D7", "F6", "H3"]
    assert result["pending_points"] == 11

    assert result["prerequisites_met"] is True
    assert result["total"] == 70
    # Planning reaches 1 of 7 points, below the 40 % every category needs.
    assert result["eligible"] is False
    assert "Planning and improvement: below 40 % of its points." in result["blockers"]
    assert result["improvements"][:2] == [
        {"code": "E1", "gain": 3, "text": "Attach the service-level agreement with departments"},
        {"code": "H1", "gain": 3, "text": "Attach the technology plan"},
    ]

    attach(client, application, "technology_plan")
    result = result_of(application)
    assert criterion(result, "H1")["reason"] == "3 of 3 points: updated in 2025."
    assert result["total"] == 73
    assert result["eligible"] is True
    assert result["level"] == "Designated"


def test_an_evidence_rule_added_by_an_organizer(world):
    client, application, cycle = world["client"], world["application"], world["cycle"]
    rubric = cycle.rubric
    Criterion.objects.create(
        rubric=rubric,
        category=rubric.categories.get(code="G"),
        code="G7",
        title="Performance report attached",
        kind="evidence",
        points=1,
        params={"document": "performance_report"},
    )
    fill_all(client, application)
    assert criterion(result_of(application), "G7")["reason"] == "0 of 1 point: no performance report attached."
    attach(client, application, "performance_report")
    assert criterion(result_of(application), "G7")["reason"] == "1 of 1 point: Performance report attached."


def test_failed_prerequisites_are_named_and_mean_not_eligible(world):
    client, application = world["client"], world["application"]
    fill_all(
        client,
        application,
        profile={"crm_tracks_cases": "no"},
        channels={"channels": ["live_phone", "email"]},
        metrics=COMPLETE["metrics"][:3],
    )
    attach(client, application, "technology_plan")
    result = result_of(application)
    missing = {p["code"]: p["reason"] for p in result["prerequisites"] if not p["met"]}
    assert missing == {
        "P2": "Not met: no.",
        "P3": "Not met: needs at least 3 including Web form; you have 2.",
        "P4": "Not met: needs at least 5; 3 metrics.",
    }
    assert result["eligible"] is False and result["level"] is None
    assert "Prerequisite not met: Contacts tracked as cases in a CRM." in result["blockers"]


def test_drafts_are_rescored_as_answers_change(world):
    client, application = world["client"], world["application"]
    save_step(client, application, "profile")
    assert criterion(result_of(application), "A2")["points"] == 3
    save_step(client, application, "profile", dict(COMPLETE["profile"], live_agent_hours_per_week="45"))
    assert criterion(result_of(application), "A2")["reason"] == "1 of 3 points: 45 hours; 50 hours or more earns 2."


def test_the_applicant_sees_where_they_stand_on_the_review_step_and_dashboard(world):
    client, application = world["client"], world["application"]
    fill_all(client, application)
    page = client.get(reverse("application_step", kwargs={"pk": application.pk, "step": "review"})).content.decode()
    assert "Where you stand" in page and "estimate" in page
    assert "<strong>70</strong> of 100 points by rule" in page
    assert "Changes that would raise your score most" in page
    assert "Attach the technology plan" in page
    assert "Reviewers score the narrative answers" in page
    home = client.get(reverse("home")).content.decode()
    assert "Where you stand" in home and "Attach the technology plan" in home


def test_where_you_stand_has_one_heading_and_points_for_people(world):
    client, application = world["client"], world["application"]
    fill_all(client, application)
    detail = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert detail.count(">Where you stand") == 1
    assert home.count(">Where you stand") == 1 and f">Where you stand: {application.cycle}" in home
    # The category minimums are 40 % of 8 and of 7 points: written 3.2 and 2.8, never 3.20 and 2.80.
    for page in (detail, home):
        assert "<td>3.2" in page and "<td>2.8" in page
        assert "3.20" not in page and "2.80" not in page


def test_standing_lists_missing_prerequisites(world):
    client, application = world["client"], world["application"]
    save_step(client, application, "profile", dict(COMPLETE["profile"], crm_tracks_cases="no"))
    page = client.get(reverse("home")).content.decode()
    assert "Prerequisites still missing" in page
    assert "Contacts tracked as cases in a CRM" in page


# The rubric: per cycle, tunable, then frozen ---------------------------------


def test_every_new_cycle_gets_a_copy_of_the_default_rubric():
    cycle = make_cycle()
    rubric = Rubric.objects.get(cycle=cycle)
    assert rubric.categories.count() == 8
    assert sum(c.points for c in rubric.categories.all()) == 100
    assert rubric.criteria.filter(category=None).count() == 5
    assert [(lv.name, lv.minimum) for lv in rubric.levels.all()] == [
        ("Designated", 60),
        ("Designated with Distinction", 75),
        ("Exemplary", 90),
    ]
    for c in rubric.categories.all():
        assert sum(k.points for k in c.criteria.all()) == c.points, c


def admin_post_data(response):
    """The admin change form as the browser would submit it, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = field.widget.format_value(value) if name == "params" else value
    return {k: v for k, v in data.items() if v is not None}


def test_organizers_tune_the_rubric_in_the_admin_until_the_first_submission(world):
    client = Client()
    cycle, application = world["cycle"], world["application"]
    rubric = cycle.rubric
    organizer = make_organizer(is_staff=True, is_superuser=True)
    client.force_login(organizer)
    url = reverse("admin:scoring_rubric_change", args=[rubric.pk])
    data = admin_post_data(client.get(url))
    data["threshold"] = "65"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    rubric.refresh_from_db()
    assert rubric.threshold == 65 and rubric.version > 1

    # The first submission freezes the rubric.
    fill_all(world["client"], application)
    domain.submit_application(Application.objects.get(pk=application.pk), world["applicant"])
    rubric.refresh_from_db()
    assert rubric.is_frozen
    version = rubric.version

    # Opened before the submission, the editable page is sent after it: refused once, with the reason.
    response = client.post(url, data | {"threshold": "50"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert response.content.decode().count("is frozen: an application was submitted") == 1
    # Opened now, the frozen rubric is read-only: no field to type in, no save button.
    page = client.get(url).content.decode()
    assert "This rubric is frozen" in page and "It is shown read-only." in page
    assert 'name="threshold"' not in page and 'name="_save"' not in page and 'name="criteria-0-points"' not in page
    rubric.refresh_from_db()
    assert rubric.threshold == 65 and rubric.version == version

    a1 = rubric.criteria.get(code="A1")
    a1.points = 10
    with pytest.raises(RubricFrozen):
        a1.save()
    with pytest.raises(RubricFrozen):
        a1.delete()
    assert rubric.criteria.get(code="A1").points == 6


def test_a_criterion_with_bad_settings_gets_a_clear_message(world):
    rubric = world["cycle"].rubric
    bad = Criterion(rubric=rubric, category=rubric.categories.first(), code="X1", title="x", kind="bands", points=1)
    bad.params = {"field": "performance.nonsense"}
    with pytest.raises(Exception, match="is not an answer"):
        bad.full_clean()
    bad.params = {"field": "performance.asa_seconds", "direction": "le", "bands": [[30]]}
    with pytest.raises(Exception, match="threshold, points"):
        bad.full_clean()


def test_a_new_cycle_can_start_from_the_previous_ones_rubric(world):
    old = world["cycle"].rubric
    old.criteria.filter(code="A1").update(points=7)
    old.categories.filter(code="A").update(points=16)
    new_cycle = make_cycle(name="2028–2030")
    new_cycle.opens_at = old.cycle.opens_at.replace(year=old.cycle.opens_at.year + 2)
    new_cycle.save()
    source = copy_previous_rubric(new_cycle.rubric)
    assert source == old
    assert new_cycle.rubric.criteria.get(code="A1").points == 7
    assert new_cycle.rubric.categories.get(code="A").points == 16
    assert new_cycle.rubric.criteria.get(code="A1").category.rubric == new_cycle.rubric


def test_rescoring_a_cycle_follows_a_rubric_change(world):
    client, application, cycle = world["client"], world["application"], world["cycle"]
    fill_all(client, application)
    assert result_of(application)["total"] == 70
    a2 = cycle.rubric.criteria.get(code="A2")
    a2.params = dict(a2.params, bands=[[70, 3], [60, 1]])
    a2.save()
    out = io.StringIO()
    call_command("rescore", "2026–2028", stdout=out)
    assert "2026–2028: 1 application scored." in out.getvalue()
    result = result_of(application)
    assert criterion(result, "A2")["reason"] == "1 of 3 points: 60 hours; 70 hours or more earns 3."
    assert result["rubric_version"] == Rubric.objects.get(cycle=cycle).version


def test_the_rescore_command_says_which_cycles_exist():
    make_cycle(name="2026–2028")
    with pytest.raises(CommandError, match="No cycle is named 'nope'. Cycles: 2026–2028."):
        call_command("rescore", "nope")


def test_rescoring_a_cycle_uses_the_same_number_of_queries_for_10_or_60_applications():
    def queries_for(count):
        cycle = make_cycle()
        for _ in range(count):
            app = Application.objects.create(jurisdiction=make_jurisdiction(), cycle=cycle, answers={})
            app.answers = {"profile": {"crm_tracks_cases": True}}
            app.save()
        with CaptureQueriesContext(connection) as captured:
            assert rescore_cycle(cycle) == count
        return len(captured)

    # At either size: the rubric, its categories, criteria and levels; the cycle's evidence documents
    # and applications; one bulk insert of the scores.
    assert queries_for(10) == 7
    assert queries_for(60) == 7


def test_the_organizer_action_recomputes_a_cycle(world):
    client = Client()
    fill_all(world["client"], world["application"])
    ScoreResult.objects.all().delete()
    client.force_login(make_organizer(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:scoring_rubric_changelist"),
        {"action": "recompute_scores", "_selected_action": [world["cycle"].rubric.pk]},
        follow=True,
    )
    assert re.search(r"2026–2028: 1 applications? scored", response.content.decode())
    assert ScoreResult.objects.get(application=world["application"]).total == 70
