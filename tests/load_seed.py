"""The load's installation (tests/load_users.py): its cycle, people, drafts and assignments, seeded in the
stack's own process, and the final state read back from it."""

import json

PASSWORD = "load-test-password-2026"
CONFLICT = "after you opened this page"  # assessment.domain.StaleVersion
REVIEW_CONFLICT = "You saved this review in another tab or window"  # review.errors.StaleReview
SERVER_TROUBLE = ("Traceback", "Internal Server Error", "database is locked", "WORKER TIMEOUT", "[ERROR]")
# Who writes what on a shared draft: each colleague a different step, so both saves are checkable.
WRITES = [("profile", "contact_name"), ("technology", "crm_product")]

SEED = """
from django.contrib.auth.hashers import make_password

from assessment import domain as applying
from review.assignment import assign
from tests.factories import make_cycle, make_jurisdiction
from tests.factories.answers import post_data, wizard_state

spec = json.loads(SPEC)
hashed = make_password(spec["password"])  # hashed once: one by one would cost longer than the load itself


def person(username, role, jurisdiction=None):
    return User.objects.create(
        username=username, email=f"{username}@example.gov", role=role, jurisdiction=jurisdiction, password=hashed
    )


def submitted(name):
    place = make_jurisdiction(name=name)
    staff = person(f"staff{place.pk}", User.Role.APPLICANT, place)
    application = applying.start_application(place, cycle, staff, prefill=False)
    applying.save_draft(application, wizard_state(), staff, application.version)
    return applying.submit_application(application, staff)


cycle = make_cycle(name="Load 2026-2028")
organizers = [person(f"organizer{n}", User.Role.ORGANIZER) for n in range(spec["organizers"])]

# Designees, so the designee export has rows (decided directly: the panel's work is not what is measured).
for n in range(spec["designees"]):
    application = submitted(f"Designee Town {n}")
    Decision.objects.create(
        application=application,
        outcome=Decision.Outcome.DESIGNATED,
        total=ScoreResult.objects.get(application=application).total,
        rationale="Seeded for the load test.",
        decided_by=organizers[0],
    )

reviewed = [submitted(f"Reviewed Town {n}") for n in range(max(2, spec["reviewers"]))]
judged = Criterion.objects.filter(rubric__cycle=cycle, kind="judged").order_by("code").first()
reviewers = []
for n in range(spec["reviewers"]):
    reviewer = person(f"reviewer{n}", User.Role.REVIEWER)
    reviews = []
    for application in (reviewed[n % len(reviewed)], reviewed[(n + 1) % len(reviewed)]):
        review = assign(application, reviewer, organizers[0]).review
        reviews.append({"pk": review.pk, "version": review.version})
    reviewers.append({"username": reviewer.username, "reviews": reviews})

# A realistic installation: the cycle's applications reviewed and some decided (bench/seed.py), before anyone signs in.
if spec["applications"]:
    from bench.seed import populate

    populate(cycle, spec["applications"], organizers[0], hashed, prefix="realistic")

applicants = []
for draft, size in enumerate([2] * spec["pairs"] + [1] * spec["solo"]):
    place = make_jurisdiction(name=f"Load City {draft}")
    for m, (step, name) in enumerate(spec["writes"][:size]):
        applicants.append(
            {
                "username": person(f"applicant{draft}x{m}", User.Role.APPLICANT, place).username,
                "step": step,
                "field": f"{step}-{name}",
                "form": post_data(step, action="save"),
                "pair": draft if size == 2 else None,
            }
        )

emit(
    {
        "cycle": cycle.pk,
        "submitted": Application.objects.filter(cycle=cycle).count(),
        "first_version": Application().version,
        "drafts": spec["pairs"] + spec["solo"],
        "designees": Decision.objects.filter(application__cycle=cycle, outcome="designated", superseded_at=None).count(),
        "judged": {"code": judged.code, "points": int(judged.points)},
        "organizers": [user.username for user in organizers],
        "reviewers": reviewers,
        "applicants": applicants,
    }
)
"""

FINAL_STATE = """
spec = json.loads(SPEC)
emit(
    {
        "applications": {
            str(pk): {"version": version, "step_data": state.get("step_data", {}), "answers": answers}
            for pk, version, state, answers in Application.objects.filter(pk__in=spec["applications"]).values_list(
                "pk", "version", "wizard_state", "answers"
            )
        },
        "reviews": {
            str(pk): {"version": version, "status": status, "comments": comments, "judged": judged}
            for pk, version, status, comments, judged in Review.objects.filter(pk__in=spec["reviews"]).values_list(
                "pk", "version", "status", "comments_for_applicant", "judged"
            )
        },
    }
)
"""


def mix(users):
    """How many of each kind of user make up ``users``: about 3/4 applicants, 1/5 reviewers, 1/25 organizers."""
    if users < 4:
        raise ValueError("The load needs at least 4 users (an organizer, a reviewer and a pair of colleagues).")
    organizers = max(1, round(users / 25))
    reviewers = max(1, users // 5)
    applicants = users - organizers - reviewers
    pairs = max(1, applicants // 6)
    return {"organizers": organizers, "reviewers": reviewers, "pairs": pairs, "solo": applicants - 2 * pairs}


def seed(stack, users, designees=5, applications=0):
    """Create the cycle, its people, drafts, submitted applications and assignments; what each user will do.

    ``applications``: that many more submitted applications in the cycle, reviewed and some decided
    (bench/seed.py), so the users work on a realistic installation instead of an empty one."""
    spec = {**mix(users), "designees": designees, "applications": applications, "password": PASSWORD, "writes": WRITES}
    return stack.run(f"SPEC = {json.dumps(spec)!r}\n" + SEED, timeout=900)
