"""Applications' rule scores as the panel reads them: the stored ``ScoreResult``, or computed for any
whose stored score is missing or from another rubric version."""

from assessment.models import Application, EvidenceDocument
from scoring import engine
from scoring.domain import facts_for
from scoring.models import ScoreResult


def rule_results(applications, rubric):
    """Each application's rule scores (``engine.totals``) by pk: as stored, or computed for those whose
    stored score is missing or from another rubric version (two queries for all of them together)."""
    results, missing = {}, []
    for application in applications:
        try:
            stored = application.score
        except ScoreResult.DoesNotExist:
            stored = None
        if stored is not None and stored.rubric_version == rubric.version:
            results[application.pk] = stored.result
        else:
            missing.append(application.pk)
    if missing:
        results.update(computed_rule_results(missing, rubric))
    return results


def computed_rule_results(application_ids, rubric):
    """The rule scores of these applications computed from their answers and documents (two queries)."""
    kinds, results = {}, {}
    for application_id, kind in EvidenceDocument.objects.filter(application__in=application_ids).values_list(
        "application_id", "kind"
    ):
        kinds.setdefault(application_id, set()).add(kind)
    for application in Application.objects.filter(pk__in=application_ids).select_related("cycle"):
        results[application.pk] = engine.totals(rubric, facts_for(application, kinds.get(application.pk, ())))
    return results


def rule_result(application, rubric):
    """One application's rule scores: ``rule_results`` of it alone."""
    return rule_results([application], rubric)[application.pk]
