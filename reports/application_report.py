"""An application's designation report: what it says, and its cached PDF.

The report shows the engine's score with every criterion's reason, as the
panel decided it (the judged and adjusted points frozen in the current
decision), the reviewers' comments for the applicant, strengths,
recommendations and, for designees, the certificate. Without a decision it is
a draft; the *blind* draft, for a reviewer whose own review is not in yet,
shows the rule scores alone, without the panel's decision, scores or comments.

The report is written in the language of the jurisdiction (``Jurisdiction.language``): that copy is the
one stored, whose SHA-256 the certificate's verification page gives. A copy in the other language, asked
for by someone who reads that one, is made for the download and never stored (``translated_pdf``), so
the two can never be mistaken for one another.

``gather`` reads everything once (the rubric, the documents, the decision, the
comments) and hashes it; only when the cached file is not current does
``context`` score the application, once, and the template
``templates/reports/pdf/application.html`` (autoescaped) say it.

The score is not read from the stored ``ScoreResult``: that row holds the rule
numbers alone, while the report needs each criterion's reason in words and the
panel's judged and adjusted points.
"""

import base64
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports import peers, render, report_files
from reports import report_words as words
from reports.designees import PLAIN_LEVEL, seal_svg
from reports.models import ReportFile
from reports.render import STATIC_BASE
from reports.report_words import points
from review import certificates
from review.queries import applicant_comments, current_decision
from scoring import engine, levels
from scoring.domain import facts_for, rubric_for

CHART_ROW = 30
CHART_LABEL = 250
CHART_BAR = 280


# --- What the panel decided -------------------------------------------------------------


def _points_map(decision, key):
    """A {criterion code: points} map frozen in the decision's snapshot, numbers only."""
    found = (decision.snapshot or {}).get(key) if decision else None
    if not isinstance(found, dict):
        return {}
    return {
        str(code): float(value)
        for code, value in found.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    }


def judged_points(decision):
    """The reviewers' combined points per judged criterion, as frozen in the decision."""
    return _points_map(decision, "judged")


def adjusted_points(decision):
    """Rule scores the reviewers adjusted (with a written reason), as frozen in the decision."""
    return _points_map(decision, "adjusted")


def _decision_data(decision):
    if decision is None:
        return None
    return {
        "id": decision.pk,
        "outcome": decision.outcome,
        "level": decision.level,
        "rationale": decision.rationale,
        "total": None if decision.total is None else str(decision.total),
        "decided_at": decision.decided_at.isoformat(),
        "judged": judged_points(decision),
        "adjusted": adjusted_points(decision),
    }


# --- What the report is made from -------------------------------------------------------


@dataclass
class Source:
    """What one application's report is made from, read once; ``hash`` identifies it."""

    application: object
    decision: object
    comments: list
    rubric: object  # the cycle's scoring.models.Rubric
    document_kinds: list
    hash: str
    blind: bool = False
    certificate: object = None  # review.models.Certificate of a published designation, else None
    compare: dict = None  # reports.peers.comparison: how it compares with the designees of its band


def gather(application, blind=False):
    """Read what the report needs, and hash it: answers, documents, rubric version, decision, comments.

    ``blind``: the report for a reviewer whose own review is not in yet: the
    rule scores alone, without the panel's decision, scores or comments.
    """
    decision = None if blind else current_decision(application)
    comments = [] if blind else applicant_comments(application)
    certificate = None if blind else certificates.for_decision(decision)
    # Peers only beside a decision: a draft has no category points of its own to set beside them.
    rubric = rubric_for(application.cycle)
    compare = peers.comparison(application, decision, rubric.to_engine().categories) if decision else None
    document_kinds = sorted(application.documents.values_list("kind", flat=True))
    jurisdiction, cycle = application.jurisdiction, application.cycle
    inputs = {
        "design": report_files.design_version(),
        "language": translation.get_language(),
        "application": [str(application.pk), application.status, application.submitted_at],
        "jurisdiction": [jurisdiction.name, jurisdiction.state, jurisdiction.kind, jurisdiction.population],
        "cycle": [cycle.name, cycle.valid_from, cycle.valid_until, cycle.signatory_name, cycle.signatory_title],
        "certificate": [certificate.number, certificate.code, certificate.issued_at] if certificate else None,
        "answers": application.answers,
        "documents": document_kinds,
        "rubric": [rubric.pk, rubric.version],
        "decision": _decision_data(decision),
        "comments": comments,
        "blind": blind,
        "compare": peers.comparison_data(compare) if compare else None,
    }
    return Source(
        application=application,
        decision=decision,
        comments=comments,
        rubric=rubric,
        document_kinds=document_kinds,
        hash=report_files.inputs_hash(inputs),
        blind=blind,
        certificate=certificate,
        compare=compare,
    )


def score_with_reasons(source):
    """The engine's score with every criterion's reason, with the decision's judged and adjusted points.

    Without a decision (a draft, or the blind draft): the rule scores alone.
    """
    decision = source.decision
    facts = facts_for(source.application, source.document_kinds, judged_points(decision), adjusted_points(decision))
    return engine.score(source.rubric.to_engine(), facts)


# --- What the report says ---------------------------------------------------------------


def _num(value):
    return f"{value:.1f}"


def _shown(row, *keys):
    """A copy of an engine row with its numbers written as points."""
    return {**row, **{key: points(row.get(key)) for key in keys}}


def category_chart(categories):
    """Geometry of the bar chart of points by category, drawn as inline SVG (no script, nothing fetched)."""
    bars = []
    for index, category in enumerate(categories):
        top = index * CHART_ROW + 4
        most = category["max"] or 1
        earned = max(0.0, min(1.0, category["points"] / most))
        pending = max(0.0, min(1.0 - earned, (category["pending"] or 0) / most))
        bars.append(
            {
                "code": category["code"],
                "label": f"{category['code']}  {category['name']}",
                "y": _num(top),
                "text_y": _num(top + 15),
                "width": _num(CHART_BAR * earned),
                "pending_x": _num(CHART_LABEL + CHART_BAR * earned),
                "pending_width": _num(CHART_BAR * pending),
                "needed_x": _num(CHART_LABEL + CHART_BAR * min(1.0, category["needed"] / most)),
                "needed_bottom": _num(top + 22),
                "points": points(category["points"]),
                "max": points(category["max"]),
                "met": category["share_met"],
            }
        )
    return {
        "height": len(categories) * CHART_ROW + 8,
        "label_x": 0,
        "bar_x": CHART_LABEL,
        "bar_width": CHART_BAR,
        "value_x": CHART_LABEL + CHART_BAR + 10,
        "view_width": CHART_LABEL + CHART_BAR + 100,
        "bars": bars,
    }


def _seal(application, level, certificate):
    """The designee's seal as an image the PDF tags with its alternative text."""
    application.level = level  # what seal_svg prints, as the designee lists annotate it
    svg = seal_svg(application, certificate)
    return {
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        "alt": _("Seal: Citizen-Engaged Community, %(jurisdiction)s, %(level)s, %(cycle)s")
        % {"jurisdiction": application.jurisdiction, "level": levels.label(level), "cycle": application.cycle},
    }


def _at_full_points(criterion):
    return criterion["points"] is not None and criterion["max"] > 0 and criterion["points"] >= criterion["max"]


def context(source):
    """The template context of an application's report (the application scored here, once)."""
    application, decision = source.application, source.decision
    result = score_with_reasons(source)
    criteria = [_shown(c, "points", "max") for c in result["criteria"]]
    categories = [
        {
            **_shown(c, "points", "max", "needed"),
            "pending": points(c["pending"]) if c["pending"] else None,
            "criteria": [],
        }
        for c in result["categories"]
    ]
    by_code = {category["code"]: category for category in categories}
    for criterion in criteria:
        by_code[criterion["category"]]["criteria"].append(criterion)
    designated = decision is not None and decision.outcome == "designated"
    level = (decision.level if decision else "") or (result["level"] if designated else "")
    total = points(decision.total if decision is not None and decision.total is not None else result["total"])
    full = [c for c, raw in zip(criteria, result["criteria"], strict=True) if _at_full_points(raw)]
    criterion_by_code = {c["code"]: c for c in criteria}
    recommendations = [
        words.recommendation(criterion_by_code[i["code"]], points(i["gain"]), i["text"])
        for i in result["every_improvement"]
    ]
    jurisdiction, cycle = application.jurisdiction, application.cycle
    return {
        "application": application,
        "jurisdiction": jurisdiction,
        "cycle": cycle,
        "decision": decision,
        "is_draft": decision is None,
        "designated": designated,
        "level": levels.label(level),
        "level_plain": level == PLAIN_LEVEL,  # "Designated" without a named level: said once, not twice
        "report_date": timezone.localdate(decision.decided_at) if decision else timezone.localdate(),
        "result": result,
        "total": total,
        "rule_total": points(result["total"]),
        "max_total": points(result["max_total"]),
        "threshold": points(source.rubric.threshold),
        "categories": categories,
        "chart": category_chart(result["categories"]),
        "summary": words.summary(
            jurisdiction=jurisdiction,
            cycle=cycle,
            decision=decision,
            designated=designated,
            level=levels.label(level),
            total=total,
            max_total=points(result["max_total"]),
            threshold=points(source.rubric.threshold),
            categories=categories,
            blind=source.blind,
        ),
        "strengths": words.strengths(categories, full),
        "priorities": words.priorities(
            unmet_prerequisites=[p for p in result["prerequisites"] if not p["met"]],
            total=points(result["total"]),
            threshold=points(source.rubric.threshold),
            categories=categories,
            recommendations=recommendations,
        ),
        "recommendations": recommendations,
        "waiting": [c for c in criteria if c["points"] is None],
        "unmet_prerequisites": [p for p in result["prerequisites"] if not p["met"]],
        "comments": [
            {"who": _("Panel reviewer %(letter)s") % {"letter": words.reviewer_letter(i)}, "text": text}
            for i, text in enumerate(source.comments)
        ],
        "blind": source.blind,
        "seal": _seal(application, level, source.certificate) if designated else None,
        "certificate": source.certificate if designated else None,
        "compare": source.compare,
        "static_base": STATIC_BASE,
        "site_name": _(settings.SITE_NAME),
    }


def html(source):
    """The report as the HTML the render process prints."""
    return render_to_string("reports/pdf/application.html", context(source))


# --- Its PDF ----------------------------------------------------------------------------

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def home_language(application):
    """The language of the jurisdiction's report and certificate (English when it names none we have)."""
    language = application.jurisdiction.language
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


def report_language(application, asked=None):
    """The language to write the report in: ``asked`` when it is one of the site's, else the jurisdiction's."""
    return asked if asked in LANGUAGES else home_language(application)


def report_file(application, blind=False):
    """The application's report as a ReportFile, in the jurisdiction's language: the cached one while its
    inputs are unchanged.

    ``blind`` makes the version for a reviewer who has not submitted their own
    review (see ``gather``), cached apart from the panel's. Raises RenderError
    when it has to be made and cannot be. ``reused`` on the result tells
    whether the cache served it.
    """
    with translation.override(home_language(application)):
        source = gather(application, blind=blind)
        kind = ReportFile.Kind.BLIND if blind else ReportFile.Kind.APPLICATION
        report, _created = ReportFile.objects.get_or_create(
            kind=kind, application=application, defaults={"cycle_id": application.cycle_id}
        )
        return report_files.current_or_made(report, source.hash, lambda: html(source))


def translated_pdf(application, language, blind=False):
    """The report in ``language`` when it is not the jurisdiction's, as PDF bytes made for this download.

    Never stored: the stored copy (the one the certificate's fingerprint names) stays the jurisdiction's.
    Raises RenderError when it cannot be made.
    """
    with translation.override(language):
        return render.render_pdf(html(gather(application, blind=blind))).pdf
