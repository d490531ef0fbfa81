"""What a reviewer's page of their review reads (``review.views.review_edit``), in few queries.

The review comes with its application and everything the page reads of it in one query: the
application's jurisdiction, its stored rule score, its cycle with the cycle's panel settings and
rubric. The documents are read once, for the list and for the engine's reasons. The other reviews
are read only once the review is submitted, when the page shows them.
"""

from django.shortcuts import get_object_or_404

from review.models import Review, settings_for
from review.queries import application_panel
from review.rule_scores import rule_result
from scoring import engine
from scoring.domain import facts_for, rubric_for


def own_review(user, pk):
    """The reviewer's own review on an active assignment, with what its page reads; 404 for anyone else."""
    return get_object_or_404(
        Review.objects.select_related(
            "assignment__application__jurisdiction",
            "assignment__application__score",
            "assignment__application__cycle__review_settings",
            "assignment__application__cycle__rubric",
        ),
        pk=pk,
        assignment__reviewer=user,
        assignment__active=True,
    )


def page_data(review):
    """The rubric, the rule scores (as stored, and in words), the documents, the deadline and, once the
    review is submitted, the other counted reviews with their combination (``application_panel``)."""
    application = review.assignment.application
    cycle = application.cycle
    # Loaded with the review; a cycle without a rubric or panel settings yet gets them as the page always did.
    stored = getattr(cycle, "rubric", None)
    rubric = (stored or rubric_for(cycle)).to_engine()
    review_settings = getattr(cycle, "review_settings", None) or settings_for(cycle)
    documents = list(application.documents.all())
    data = {
        "rubric": rubric,
        "documents": documents,
        "deadline": review_settings.review_deadline,
        # The rule scores with their reasons (``review.queries.explained``, the documents' kinds known already).
        "explained": engine.score(rubric, facts_for(application, [d.kind for d in documents])),
        "others": [],
        "combined": None,
    }
    if review.is_submitted:  # independence: the others' scores only once your own review is in
        panel = application_panel(application, rubric)
        data.update(rule=panel["rule"], combined=panel["combined"])
        data["others"] = [r for r in panel["reviews"] if r.pk != review.pk]
    else:
        data["rule"] = rule_result(application, rubric)  # the stored score, loaded with the review
    return data
