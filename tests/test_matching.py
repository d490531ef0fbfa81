"""Automatic assignment as a minimum-cost maximum flow (review.matching), and the one e-mail per reviewer it sends.

The pure solver is checked against the greedy order it replaced (most constrained application first, lightest
load then name) on a case where that order leaves a slot empty, and against brute force on small cases; the
domain through the panel pages: every slot filled, one e-mail per reviewer listing each link and the due date.
"""

import itertools
import random
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from review.matching import Need, Reviewer, match, shortfalls
from review.models import Assignment, DeclaredConflict, Review, settings_for
from tests.factories import as_user, make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import make_submitted


def greedy(applications, reviewers, eligible):
    """The assignment this project used before the flow, on the solver's inputs, for comparison."""
    room = {r.id: r.cap - r.load for r in reviewers}
    load = {r.id: r.load for r in reviewers}
    made = []
    for need in sorted(applications, key=lambda a: (sum(1 for p in eligible if p[0] == a.id), a.id)):
        candidates = sorted((r for a, r in eligible if a == need.id and room[r] > 0), key=lambda r: (load[r], r))
        for reviewer in candidates[: need.slots]:
            made.append((need.id, reviewer))
            room[reviewer] -= 1
            load[reviewer] += 1
    return sorted(made)


def loads(reviewers, made):
    given = Counter(r for _a, r in made)
    return {r.id: r.load + given[r.id] for r in reviewers}


# --- The pure solver ------------------------------------------------------------------------------------------

# "alpha" and "beta" each need one reviewer and have two eligible, so greedy takes alpha first and gives it the
# flexible reviewer (no load yet); beta's only other reviewer is full, so beta is left short. The flow gives
# alpha its other reviewer and beta the flexible one.
EXCLUSIVE = (
    [Need("alpha", 1), Need("beta", 1)],
    [Reviewer("flex", 0, 1), Reviewer("ra", 0, 1), Reviewer("rb", 1, 1)],
    [("alpha", "flex"), ("alpha", "ra"), ("beta", "flex"), ("beta", "rb")],
)


def test_the_flow_fills_the_slot_the_greedy_order_leaves_empty():
    applications, reviewers, eligible = EXCLUSIVE
    before = greedy(applications, reviewers, eligible)
    assert before == [("alpha", "flex")] and shortfalls(applications, before) == [("beta", 1)]
    made = match(applications, reviewers, eligible)
    assert made == [("alpha", "ra"), ("beta", "flex")]
    assert shortfalls(applications, made) == []


def test_the_flow_fills_every_slot_where_greedy_leaves_several_empty():
    # Five applications anyone may review ("any-…", sorted first) and five only the specialist may (the only
    # other eligible reviewer is full); the specialist's cap is five. Greedy spreads the open ones over the
    # specialist and b first, and the specialist has no room left for three of the others.
    reviewers = [Reviewer("a-specialist", 0, 5), Reviewer("b", 0, 5), Reviewer("z-full", 5, 5)]
    anyone = [Need(f"any-{i}", 1) for i in range(5)]
    only = [Need(f"only-{i}", 1) for i in range(5)]
    eligible = [(n.id, "a-specialist") for n in anyone + only] + [(n.id, "b") for n in anyone]
    eligible += [(n.id, "z-full") for n in only]
    applications = anyone + only
    assert shortfalls(applications, greedy(applications, reviewers, eligible)) == [(f"only-{i}", 1) for i in (2, 3, 4)]
    made = match(applications, reviewers, eligible)
    assert shortfalls(applications, made) == [] and len(made) == 10
    assert {a for a, r in made if r == "a-specialist"} == {n.id for n in only}


def test_the_load_is_balanced_and_counts_the_work_reviewers_already_have():
    applications = [Need(i, 2) for i in range(7)]
    reviewers = [Reviewer(name, 0, 10) for name in "abcd"]
    eligible = [(a.id, r.id) for a in applications for r in reviewers]
    made = match(applications, reviewers, eligible)
    assert len(made) == 14 and sorted(loads(reviewers, made).values()) == [3, 3, 4, 4]
    # With work already given (a: 4, b: 2), the new work goes to those with less, evening the totals out.
    reviewers = [Reviewer("a", 4, 10), Reviewer("b", 2, 10), Reviewer("c", 0, 10), Reviewer("d", 0, 10)]
    made = match(applications, reviewers, eligible)
    after = loads(reviewers, made)
    assert len(made) == 14 and max(after.values()) - min(after.values()) <= 1 and after["a"] == 5


def test_caps_and_conflicts_are_never_crossed_even_if_slots_stay_empty():
    applications = [Need("alpha", 3), Need("beta", 2)]
    reviewers = [Reviewer("a", 0, 1), Reviewer("b", 1, 2), Reviewer("c", 0, 3), Reviewer("conflicted", 0, 9)]
    eligible = [("alpha", "a"), ("alpha", "b"), ("alpha", "c"), ("beta", "c")]  # "conflicted" on both: no pair
    made = match(applications, reviewers, eligible)
    assert made == [("alpha", "a"), ("alpha", "b"), ("alpha", "c"), ("beta", "c")]
    assert shortfalls(applications, made) == [("beta", 1)]
    assert loads(reviewers, made) == {"a": 1, "b": 2, "c": 2, "conflicted": 0}


def test_a_preference_is_honoured_when_it_costs_nothing():
    applications = [Need("alpha", 1), Need("beta", 1)]
    reviewers = [Reviewer("x", 0, 2), Reviewer("y", 0, 2)]
    eligible = [(a.id, r.id) for a in applications for r in reviewers]
    assert match(applications, reviewers, eligible, {("alpha", "y"): 1, ("beta", "x"): 1}) == [
        ("alpha", "y"),
        ("beta", "x"),
    ]
    assert match(applications, reviewers, eligible, {("alpha", "x"): 1, ("beta", "y"): 1}) == [
        ("alpha", "x"),
        ("beta", "y"),
    ]


def test_a_preference_never_costs_a_slot_nor_the_balance():
    # Costs a slot: alpha prefers x, but beta can only have x.
    applications = [Need("alpha", 1), Need("beta", 1)]
    reviewers = [Reviewer("x", 0, 1), Reviewer("y", 0, 1)]
    eligible = [("alpha", "x"), ("alpha", "y"), ("beta", "x")]
    assert match(applications, reviewers, eligible, {("alpha", "x"): 5}) == [("alpha", "y"), ("beta", "x")]
    # Costs the balance: everyone prefers x, who could take all four; the work is still split two and two.
    applications = [Need(i, 1) for i in range(4)]
    reviewers = [Reviewer("x", 0, 4), Reviewer("y", 0, 4)]
    eligible = [(a.id, r.id) for a in applications for r in reviewers]
    made = match(applications, reviewers, eligible, {(a.id, "x"): 1 for a in applications})
    assert loads(reviewers, made) == {"x": 2, "y": 2}


def test_the_same_input_in_any_order_gives_the_same_answer():
    rng = random.Random(7)
    applications = [Need(i, 2) for i in range(30)]
    reviewers = [Reviewer(f"r{i:02}", rng.randrange(3), 6) for i in range(12)]
    eligible = [(a.id, r.id) for a in applications for r in reviewers if rng.random() < 0.6]
    preference = {pair: 1 for pair in eligible if rng.random() < 0.3}
    first = match(applications, reviewers, eligible, preference)
    for _ in range(3):
        rng.shuffle(applications), rng.shuffle(reviewers), rng.shuffle(eligible)
        assert match(applications, reviewers, eligible, preference) == first


def _score(reviewers, preference, chosen):
    """What the flow optimises, in order: slots filled, then balance (less convex load cost), then preference."""
    given = Counter(r for _a, r in chosen)
    convex = sum((r.load + given[r.id]) * (r.load + given[r.id] + 1) for r in reviewers)
    return (len(chosen), -convex, sum(preference.get(p, 0) for p in chosen))


def _brute_force_best(applications, reviewers, eligible, preference):
    """The best score over every subset of the eligible pairs that respects slots and caps."""
    slots = {a.id: a.slots for a in applications}
    best = None
    for size in range(len(eligible) + 1):
        for chosen in itertools.combinations(eligible, size):
            per_app, per_reviewer = Counter(a for a, _r in chosen), Counter(r for _a, r in chosen)
            if any(per_app[a] > slots[a] for a in per_app) or any(
                r.load + per_reviewer[r.id] > r.cap for r in reviewers
            ):
                continue
            score = _score(reviewers, preference, chosen)
            best = score if best is None or score > best else best
    return best


@settings(max_examples=40, deadline=None)
@given(
    slots=st.lists(st.integers(0, 2), min_size=1, max_size=3),
    rooms=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)), min_size=1, max_size=3),
    pairs=st.sets(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=8),
    liked=st.sets(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=4),
)
def test_the_flow_is_as_good_as_brute_force(slots, rooms, pairs, liked):
    """On small cases: as many slots as any assignment, then the best balance, then the most preferred pairs."""
    applications = [Need(i, n) for i, n in enumerate(slots)]
    reviewers = [Reviewer(i, load, load + room) for i, (load, room) in enumerate(rooms)]
    eligible = sorted((a, r) for a, r in pairs if a < len(slots) and r < len(rooms))
    preference = dict.fromkeys(liked, 1)
    made = match(applications, reviewers, eligible, preference)
    assert set(made) <= set(eligible) and len(set(made)) == len(made)
    per_reviewer = Counter(r for _a, r in made)
    assert all(r.load + per_reviewer[r.id] <= r.cap for r in reviewers)
    assert all(Counter(a for a, _r in made)[a.id] <= a.slots for a in applications)
    assert _score(reviewers, preference, made) == _brute_force_best(applications, reviewers, eligible, preference)


# --- Through the panel pages ----------------------------------------------------------------------------------

DUE = "The review deadline is January 15, 2027 at 23:59 CST."  # the deadline below, on the cycle's clock (Chicago)


def _cycle(per_application, cap):
    cycle = make_cycle(time_zone="America/Chicago")
    config = settings_for(cycle)
    config.reviewers_per_application, config.max_per_reviewer = per_application, cap
    config.review_deadline = datetime(2027, 1, 16, 5, 59, tzinfo=UTC)
    config.save()
    return cycle


def _link(assignment):
    return f"{django_settings.SITE_URL}{reverse('review_edit', args=[assignment.review.pk])}"


@pytest.mark.django_db
def test_automatic_assignment_fills_the_slot_the_greedy_order_left_empty(django_capture_on_commit_callbacks):
    # The domain's version of EXCLUSIVE: one reviewer each, a cap of one. c_rb already reviews Earlier and is
    # conflicted on Alpha, b_ra on Beta. Greedy took Alpha first (by name) and gave it a_flex (first by name at
    # equal load), leaving Beta without anyone; the flow gives Alpha b_ra and Beta a_flex.
    cycle, organizer = _cycle(per_application=1, cap=1), make_organizer()
    flex, ra, rb = (make_reviewer(username=name) for name in ("a_flex", "b_ra", "c_rb"))
    alpha, beta, earlier = (make_submitted(make_jurisdiction(name=n), cycle) for n in ("Alpha", "Beta", "Earlier"))
    Review.objects.create(assignment=Assignment.objects.create(application=earlier, reviewer=rb))
    DeclaredConflict.objects.create(reviewer=rb, jurisdiction=alpha.jurisdiction, reason="Former employer")
    DeclaredConflict.objects.create(reviewer=ra, jurisdiction=beta.jurisdiction, reason="Lives there")
    with django_capture_on_commit_callbacks(execute=True):
        page = as_user(organizer).post(reverse("panel_auto_assign", args=[cycle.pk]), follow=True)
    assert "2 assignments made." in page.content.decode() and "missing" not in page.content.decode()
    active = Assignment.objects.filter(application__cycle=cycle, active=True)
    assert set(active.values_list("application__jurisdiction__name", "reviewer__username")) == {
        ("Alpha", "b_ra"),
        ("Beta", "a_flex"),
        ("Earlier", "c_rb"),
    }
    assert sorted(m.to[0] for m in mail.outbox) == [flex.email, ra.email]


@pytest.mark.django_db
def test_each_reviewer_gets_one_email_per_batch_with_every_link_and_the_due_date(django_capture_on_commit_callbacks):
    cycle, organizer = _cycle(per_application=2, cap=2), make_organizer()
    panel = [make_reviewer() for _ in range(3)] + [make_reviewer(email="")]  # the last has no address
    for name in ("Alder", "Birch", "Cedar", "Dogwood"):
        make_submitted(make_jurisdiction(name=name), cycle)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(organizer).post(reverse("panel_auto_assign", args=[cycle.pk]))
    assert sorted(m.to for m in mail.outbox) == sorted([r.email] for r in panel[:3])
    for reviewer in panel[:3]:
        (message,) = [m for m in mail.outbox if m.to == [reviewer.email]]
        theirs = Assignment.objects.filter(reviewer=reviewer).select_related("review", "application__jurisdiction")
        assert len(theirs) == 2 and message.subject == f"2 new reviews ({cycle})"
        for assignment in theirs:
            assert f"- {assignment.application.jurisdiction} ({cycle})\n  Review: {_link(assignment)}\n" in message.body
        assert message.body.count(DUE) == 2 and message.body.count("Review: http") == 2
        # The link opens the review form for that reviewer.
        review_page = as_user(reviewer).get(_link(theirs[0]).removeprefix(django_settings.SITE_URL))
        assert (
            review_page.status_code == 200 and str(theirs[0].application.jurisdiction) in review_page.content.decode()
        )
    assert Assignment.objects.filter(reviewer=panel[3]).count() == 2  # assigned all the same, just not written to


@pytest.mark.django_db
def test_a_hand_assignment_sends_one_email_with_its_link_and_due_date(django_capture_on_commit_callbacks):
    cycle, organizer = _cycle(per_application=2, cap=2), make_organizer()
    reviewer = make_reviewer()
    application = make_submitted(make_jurisdiction(name="Alder"), cycle)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(organizer).post(reverse("panel_assign", args=[application.pk]), {"reviewer": reviewer.pk})
    (message,) = mail.outbox
    assignment = Assignment.objects.get(reviewer=reviewer)
    assert message.to == [reviewer.email] and message.subject == f"New review: Alder, VA ({cycle})"
    assert f"review an application:\n\n- Alder, VA ({cycle})\n  Review: {_link(assignment)}\n  {DUE}\n" in (
        message.body
    )
