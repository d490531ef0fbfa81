"""``Rubric.to_engine()`` is built once per rubric version in a process, and every change is a new version."""

import pytest
from django.test import Client
from django.urls import reverse

from scoring.built import ENGINES
from scoring.domain import copy_previous_rubric, rubric_for
from scoring.models import Category, Criterion, Level, Rubric
from tests.factories import make_cycle, make_organizer

pytestmark = pytest.mark.django_db


def points(rubric, code):
    return next(c.points for c in [*rubric.criteria, *rubric.prerequisites] if c.code == code)


@pytest.fixture
def cycle():
    return make_cycle(name="2026–2028")


def test_a_second_to_engine_of_the_same_version_reads_nothing(cycle, django_assert_num_queries):
    rubric = rubric_for(cycle)
    built = rubric.to_engine()
    with django_assert_num_queries(0):
        assert rubric.to_engine() is built
    with django_assert_num_queries(1):  # the rubric's row (rubric_for); its parts are not read again
        assert rubric_for(cycle).to_engine() is built


def test_a_criterion_saved_or_deleted_is_seen_by_the_next_to_engine(cycle):
    rubric = rubric_for(cycle)
    assert points(rubric.to_engine(), "A1") == 6
    a1 = rubric.criteria.get(code="A1")
    a1.points = 5
    a1.save()
    assert points(rubric.to_engine(), "A1") == 5  # the same object: it knows its version is behind
    assert points(rubric_for(cycle).to_engine(), "A1") == 5
    Criterion.objects.get(rubric=rubric, code="A2").delete()
    assert "A2" not in {c.code for c in rubric_for(cycle).to_engine().criteria}


def test_changes_in_bulk_raise_the_version_too(cycle):
    rubric = rubric_for(cycle)
    rubric.to_engine()
    version = rubric.version
    Criterion.objects.filter(rubric=rubric, code="A1").update(points=4)
    assert points(rubric_for(cycle).to_engine(), "A1") == 4
    a1 = Criterion.objects.get(rubric=rubric, code="A1")
    a1.points = 3
    Criterion.objects.bulk_update([a1], ["points"])
    assert points(rubric_for(cycle).to_engine(), "A1") == 3
    Level.objects.filter(rubric=rubric, name="Exemplary").delete()
    assert [name for name, _ in rubric_for(cycle).to_engine().levels] == ["Designated", "Designated with Distinction"]
    Level.objects.bulk_create([Level(rubric=rubric, name="Exemplary", minimum=95)])
    assert rubric_for(cycle).to_engine().levels[-1] == ("Exemplary", 95)
    Category.objects.filter(rubric=rubric, code="A").update(points=9)
    assert rubric_for(cycle).to_engine().categories[0].points == 9
    Rubric.objects.filter(pk=rubric.pk).update(threshold=61)
    assert rubric_for(cycle).to_engine().threshold == 61
    assert rubric_for(cycle).version == version + 6


def test_a_criterion_moved_to_another_rubric_changes_both(cycle):
    rubric, other = rubric_for(cycle), rubric_for(make_cycle(name="2028–2030"))
    rubric.to_engine(), other.to_engine()
    a1 = Criterion.objects.get(rubric=rubric, code="A1")
    a1.rubric, a1.category, a1.code = other, None, "P9"
    a1.save()
    assert "A1" not in {c.code for c in rubric_for(cycle).to_engine().criteria}
    assert "P9" in {c.code for c in rubric_for(other.cycle).to_engine().prerequisites}


def test_the_rubric_itself_saved_is_a_new_version(cycle):
    rubric = rubric_for(cycle)
    rubric.to_engine()
    rubric.threshold = 62
    rubric.save()
    assert rubric.to_engine().threshold == 62
    again = rubric_for(cycle)
    again.min_category_share = 30
    again.save(update_fields=["min_category_share"])
    assert rubric_for(cycle).to_engine().min_category_share == 30


def test_a_rubric_copied_from_the_previous_cycle_is_a_new_version(cycle):
    old = rubric_for(cycle)
    old.criteria.filter(code="A1").update(points=7)
    later = make_cycle(name="2028–2030")
    later.opens_at = cycle.opens_at.replace(year=cycle.opens_at.year + 2)
    later.save()
    assert points(rubric_for(later).to_engine(), "A1") == 6
    copy_previous_rubric(later.rubric)
    assert points(rubric_for(later).to_engine(), "A1") == 7


def test_the_same_pk_and_version_with_other_contents_is_not_mistaken_for_the_cached_one(cycle):
    """As after a rolled-back transaction that reused the pk (SQLite), or a restored backup."""
    rubric = rubric_for(cycle)
    assert points(rubric.to_engine(), "A1") == 6
    pk, version = rubric.pk, rubric.version
    Rubric.objects.filter(pk=pk).delete()
    other = Rubric.objects.create(pk=pk, cycle=cycle, version=version)
    Criterion.objects.bulk_create([Criterion(rubric=other, code="A1", title="A1", kind="yes_no")], bump=False)
    assert (other.pk, other.version) == (pk, version)
    assert [c.code for c in other.to_engine().prerequisites] == ["A1"]


def test_the_cache_keeps_a_few_rubrics_only(cycle):
    for n in range(ENGINES.size + 3):
        rubric_for(make_cycle(name=f"Cycle {n}")).to_engine()
    assert len(ENGINES) == ENGINES.size


def admin_post_data(response):
    """The admin change form as the browser would submit it, unchanged."""
    data, forms = {}, [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms.extend(inline.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = field.widget.format_value(value) if name == "params" else value
    return data


def test_a_criterion_changed_in_the_admin_is_seen_by_the_next_to_engine(cycle):
    rubric = rubric_for(cycle)
    assert points(rubric.to_engine(), "A1") == 6
    client = Client()
    client.force_login(make_organizer(is_staff=True, is_superuser=True))
    url = reverse("admin:scoring_rubric_change", args=[rubric.pk])
    page = client.get(url)
    data = admin_post_data(page)
    formset = next(i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is Criterion)
    form = next(f for f in formset.forms if f.instance.code == "A1")
    data[form.add_prefix("points")] = "4"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert points(rubric_for(cycle).to_engine(), "A1") == 4
