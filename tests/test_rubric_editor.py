"""The organizer's rubric pages (pages/rubric.py, pages/rubric_parts.py): the rubric as it stands, its settings and
levels, categories, copying the previous cycle's; a frozen rubric is read-only and refuses every change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from assessment.models import AuditEvent, Cycle
from scoring.domain import freeze_rubric, rescore_application, rubric_for
from scoring.models import FROZEN_MESSAGE, Category, Criterion, Rubric
from tests.factories import as_user, make_cycle, make_organizer
from tests.factories.applications import make_submitted
from tests.keep_typed_rubric import shown_form


@pytest.fixture
def organizer(db):
    return as_user(make_organizer())


@pytest.fixture
def cycle(db):
    return make_cycle(name="2026–2028")


def earlier_cycle():
    earlier = make_cycle(name="2024–2026")
    Cycle.objects.filter(pk=earlier.pk).update(opens_at=timezone.now() - timedelta(days=800))
    return earlier


def told(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def version(cycle):
    return Rubric.objects.get(cycle=cycle).version


def events(cycle, action="rubric.changed"):
    return list(AuditEvent.objects.filter(cycle=cycle, action=action).order_by("pk").values_list("summary", flat=True))


def test_the_rubric_page_shows_every_part_with_each_category_s_total(organizer, cycle):
    html = organizer.get(reverse("rubric_edit", args=[cycle.pk])).content.decode()
    assert "Threshold: <strong>60</strong> of the 100 points the categories give." in html
    assert "<strong>40 %</strong>" in html
    assert "Designated with Distinction</th><td>75</td>" in html
    assert "A Multi-channel access — 15 points" in html
    assert html.count("Criteria add up to") == 8
    assert "Criteria add up to 15 of 15 points." in html
    assert "Numeric bands (≥ or ≤)" in html and "Reads: Live-agent hours per week" in html
    assert "P3</th>" in html and "Add a prerequisite" in html
    assert reverse("rubric_criterion_edit", args=[Criterion.objects.get(rubric__cycle=cycle, code="A2").pk]) in html
    assert "Copy the rubric of" not in html  # no earlier cycle


def test_settings_and_levels_are_saved_with_one_new_version_and_an_audit_event(organizer, cycle):
    url = reverse("rubric_settings", args=[cycle.pk])
    body = shown_form(organizer, url)
    body |= {"threshold": "62.5", "min_category_share": "35", "levels-2-name": "Exemplary+", "levels-2-minimum": "92"}
    body |= {"levels-3-name": "Legend", "levels-3-minimum": "98"}
    response = organizer.post(url, body)
    assert response.status_code == 302 and response.url == reverse("rubric_edit", args=[cycle.pk])
    rubric = Rubric.objects.get(cycle=cycle)
    assert (rubric.threshold, rubric.min_category_share, rubric.version) == (Decimal("62.5"), Decimal(35), 2)
    assert [(lv.name, lv.minimum) for lv in rubric.levels.all()] == [
        ("Designated", 60),
        ("Designated with Distinction", 75),
        ("Exemplary+", 92),
        ("Legend", 98),
    ]
    assert events(cycle) == ["Rubric of 2026–2028: threshold, minimum share and levels saved"]


def test_levels_out_of_order_are_refused_and_shown_again_as_typed(organizer, cycle):
    url = reverse("rubric_settings", args=[cycle.pk])
    body = shown_form(organizer, url) | {
        "threshold": "61",
        "levels-1-name": "Typed <&> level",
        "levels-1-minimum": "55",
    }
    response = organizer.post(url, body)
    assert response.status_code == 200
    html = response.content.decode()
    assert "List the levels from the lowest minimum to the highest" in html
    assert 'value="Typed &lt;&amp;&gt; level"' in html and 'value="55"' in html and 'value="61"' in html
    assert version(cycle) == 1 and events(cycle) == []


def test_a_threshold_or_level_beyond_the_rubric_s_points_is_refused(organizer, cycle):
    url = reverse("rubric_settings", args=[cycle.pk])
    body = shown_form(organizer, url) | {"threshold": "101", "levels-2-minimum": "120", "min_category_share": "101"}
    html = organizer.post(url, body).content.decode()
    assert "Enter a share of at most 100 %." in html  # a % in a message with parameters once gave a server error
    assert "The categories give 100 points in all: a threshold of 101 cannot be reached." in html
    assert "a level from 120 cannot be reached" in html
    assert version(cycle) == 1


def test_a_category_is_added_changed_and_its_points_kept_at_least_its_criteria(organizer, cycle):
    add = reverse("rubric_category_add", args=[cycle.pk])
    response = organizer.post(add, {"code": "I", "name": "Innovation", "points": "5"})
    assert response.status_code == 302
    assert "The criteria of category I add up to 0 of its 5 points" in " ".join(told(response))
    page = organizer.get(reverse("rubric_edit", args=[cycle.pk])).content.decode()
    assert "Criteria add up to 0 of 5 points: applicants cannot reach this category" in page
    taken = organizer.post(add, {"code": "a", "name": "Again", "points": "5"})
    assert "Category a exists already" in taken.content.decode()
    category = Category.objects.get(rubric__cycle=cycle, code="A")
    edit = reverse("rubric_category_edit", args=[category.pk])
    refused = organizer.post(edit, {"code": "A", "name": "Access", "points": "14"})
    assert refused.status_code == 200
    assert "Its criteria add up to 15 points: lower theirs first, or keep at least 15." in refused.content.decode()
    assert 'value="Access"' in refused.content.decode()
    assert organizer.post(edit, {"code": "A", "name": "Access", "points": "16"}).status_code == 302
    assert version(cycle) == 3
    assert events(cycle) == ["Rubric of 2026–2028: category I added", "Rubric of 2026–2028: category A changed"]


def test_deleting_a_category_with_criteria_asks_first(organizer, cycle):
    category = Category.objects.get(rubric__cycle=cycle, code="H")
    url = reverse("rubric_category_delete", args=[category.pk])
    page = organizer.get(url).content.decode()
    assert "Its 3 criteria are deleted with it:" in page and "H3 Challenges and next steps" in page
    assert organizer.post(url, {}).url == url  # not confirmed: nothing deleted
    assert Category.objects.filter(pk=category.pk).exists()
    response = organizer.post(url, {"confirm": "delete"})
    assert response.url == reverse("rubric_edit", args=[cycle.pk])
    assert not Criterion.objects.filter(rubric__cycle=cycle, code__startswith="H").exists()
    assert events(cycle) == ["Rubric of 2026–2028: category H deleted with its 3 criteria"]


def test_the_previous_cycle_s_rubric_is_copied_after_confirmation(organizer, cycle):
    earlier = earlier_cycle()
    rubric = rubric_for(earlier)
    Category.objects.filter(rubric=rubric, code="A").update(name="Access in 2024")
    page = organizer.get(reverse("rubric_edit", args=[cycle.pk])).content.decode()
    assert "Copy the rubric of 2024–2026…" in page
    url = reverse("rubric_copy", args=[cycle.pk])
    confirm = organizer.get(url).content.decode()
    assert "its 8 categories, 43 criteria (prerequisites included) and 3 levels are deleted" in confirm
    assert organizer.post(url, {}).url == url
    assert not Category.objects.filter(rubric__cycle=cycle, name="Access in 2024").exists()
    response = organizer.post(url, {"confirm": "copy"})
    assert "The rubric of 2026–2028 is now a copy of the rubric of 2024–2026." in told(response)
    assert Category.objects.filter(rubric__cycle=cycle, name="Access in 2024").exists()
    assert events(cycle, "rubric.copied") == ["Rubric of 2026–2028 copied from 2024–2026"]
    assert version(cycle) == 2


def test_a_frozen_rubric_is_read_only_says_why_once_and_refuses_every_change(organizer, cycle):
    earlier = earlier_cycle()
    rubric_for(earlier)
    freeze_rubric(cycle)
    rubric = Rubric.objects.get(cycle=cycle)
    reason = FROZEN_MESSAGE.format(cycle=cycle, date=timezone.localtime(rubric.frozen_at).strftime("%B %-d, %Y"))
    html = organizer.get(reverse("rubric_edit", args=[cycle.pk])).content.decode()
    assert html.count("is frozen: an application was submitted on") == 1
    assert reason.replace("’", "&#x27;") in html or reason in html
    for absent in (
        "Change category",
        "Change<span",
        "Delete",
        "Add a",
        "Copy the rubric",
        reverse("rubric_settings", args=[cycle.pk]),
    ):
        assert absent not in html, absent
    category, criterion = rubric.categories.first(), rubric.criteria.first()
    posts = [
        (reverse("rubric_settings", args=[cycle.pk]), {"threshold": "50", "min_category_share": "40"}),
        (reverse("rubric_copy", args=[cycle.pk]), {"confirm": "copy"}),
        (reverse("rubric_category_add", args=[cycle.pk]), {"code": "Z", "name": "Zed", "points": "1"}),
        (reverse("rubric_category_edit", args=[category.pk]), {"code": "A", "name": "Zed", "points": "15"}),
        (reverse("rubric_category_delete", args=[category.pk]), {"confirm": "delete"}),
        (reverse("rubric_criterion_add", args=[cycle.pk]), {"code": "Z1"}),
        (reverse("rubric_criterion_edit", args=[criterion.pk]), {"code": "Z1"}),
        (reverse("rubric_criterion_delete", args=[criterion.pk]), {"confirm": "delete"}),
    ]
    for url, body in posts:
        response = organizer.post(url, body)
        assert response.status_code == 302 and response.url == reverse("rubric_edit", args=[cycle.pk]), url
        assert told(response) == [f"Nothing was changed. {reason}"], url
        assert organizer.get(url).url == reverse("rubric_edit", args=[cycle.pk])  # the forms do not open either
        organizer.get(reverse("rubric_edit", args=[cycle.pk]))  # where the message is shown
    assert version(cycle) == 1 and events(cycle) == [] and rubric.categories.count() == 8


def test_stored_scores_of_an_earlier_version_can_be_recomputed(organizer, cycle):
    application = make_submitted(cycle=cycle)
    rescore_application(application)
    Rubric.objects.filter(cycle=cycle).update(threshold=55)
    page = organizer.get(reverse("rubric_edit", args=[cycle.pk])).content.decode()
    assert "The stored scores of 1 application come from an earlier version of this rubric." in page
    response = organizer.post(reverse("rubric_rescore", args=[cycle.pk]))
    assert told(response) == ["1 application scored with the rubric as it is now."]
    application.score.refresh_from_db()
    assert application.score.rubric_version == version(cycle) == 2


def test_the_rubric_page_reads_a_fixed_number_of_queries(organizer, cycle, django_assert_num_queries):
    url = reverse("rubric_edit", args=[cycle.pk])
    organizer.get(url)
    # session, user, cycle, rubric, its criteria, categories, levels, stale stored scores, the cycle before
    with django_assert_num_queries(9):
        assert organizer.get(url).status_code == 200
    rubric = Rubric.objects.get(cycle=cycle)
    category = Category.objects.create(rubric=rubric, code="I", name="Innovation", points=5)
    for n in range(5):
        Criterion.objects.create(rubric=rubric, category=category, code=f"I{n}", title="More", kind="yes_no", points=1)
    with django_assert_num_queries(9):  # as many with 5 more criteria in one more category
        assert "Criteria add up to 5 of 5 points." in organizer.get(url).content.decode()
