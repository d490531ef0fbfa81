"""The scoring engine: a pure function of (answers, rubric) → result.

Pure Python: no Django, no database, none of the project's apps, nothing random. The same answers and
rubric always give the same result, which is plain data (dicts, lists, floats) that can be stored as
JSON. Every criterion gets a reason in plain words, and every criterion that is not at full points says
what would earn more. The rules of a designation are here once: the level a total earns
(``level_for``), the minimum share of every category (``short_categories``) and eligibility.

Points are exact: ``Decimal`` in every sum and comparison (``scoring/rules.py`` measures each
criterion); the result's numbers are floats rounded to hundredths, as stored and shown. The words for
choices and document kinds come in with the rubric (``Rubric.choice_labels``, ``Rubric.evidence_labels``);
the reasons' sentences are translated templates (``rules.WORDS``: the reader's language under Django).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from scoring.rules import RULES, ZERO, dec, plain
from scoring.words import _, fmt, pts

HUNDRED = Decimal(100)


# The rubric as plain data --------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    kind: str
    points: Decimal
    params: dict = field(default_factory=dict, hash=False, compare=True)
    evidence: str = ""  # a document kind that must be attached for the points
    category: str = ""  # "" for a prerequisite

    @property
    def is_judged(self):
        return self.kind == "judged"


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    points: Decimal
    criteria: tuple


@dataclass(frozen=True)
class Rubric:
    """A cycle's rubric: its numbers are exact Decimals as people write them (``rules.plain``: 4, 2.5)."""

    version: int
    threshold: Decimal
    min_category_share: Decimal  # percent
    levels: tuple  # ((name, minimum total), ...) in ascending order
    categories: tuple
    prerequisites: tuple
    choice_labels: dict = field(default_factory=dict, hash=False, compare=False)  # "step.question" → {value: label}
    evidence_labels: dict = field(default_factory=dict, hash=False, compare=False)  # document kind → label

    @cached_property
    def criteria(self):
        return tuple(c for category in self.categories for c in category.criteria)

    @cached_property
    def plan(self):
        """What scoring reads of the rubric for every application, worked out once (``Plan``)."""
        return Plan(self)

    def __getstate__(self):  # pickled without what is worked out from it (functions): worked out again
        return {k: v for k, v in self.__dict__.items() if k not in ("criteria", "plan")}

    @classmethod
    def from_data(cls, data, *, version=1, choice_labels=None, evidence_labels=None):
        """A rubric from plain data shaped like ``scoring/default_rubric.py`` (THRESHOLD, MIN_CATEGORY_SHARE,
        LEVELS, CATEGORIES, PREREQUISITES)."""
        return cls(
            version=version,
            threshold=plain(data.THRESHOLD),
            min_category_share=plain(data.MIN_CATEGORY_SHARE),
            levels=tuple((name, plain(minimum)) for name, minimum in data.LEVELS),
            categories=tuple(
                Category(
                    code=c["code"],
                    name=c["name"],
                    points=plain(c["points"]),
                    criteria=tuple(
                        Criterion(
                            code=k["code"],
                            title=k["title"],
                            kind=k["kind"],
                            points=plain(k["points"]),
                            params=k.get("params", {}),
                            evidence=k.get("evidence", ""),
                            category=c["code"],
                        )
                        for k in c["criteria"]
                    ),
                )
                for c in data.CATEGORIES
            ),
            prerequisites=tuple(
                Criterion(code=p["code"], title=p["title"], kind=p["kind"], points=ZERO, params=p.get("params", {}))
                for p in data.PREREQUISITES
            ),
            choice_labels=choice_labels or {},
            evidence_labels=evidence_labels or {},
        )


class Plan:
    """A rubric's settings read once: each criterion's measuring function (``rules.measure_<kind>``), and
    each category's criteria and the points its minimum share needs."""

    def __init__(self, rubric):
        share = rubric.min_category_share / HUNDRED
        self.measurers = tuple((c, RULES[c.kind][0](c, rubric)) for c in (*rubric.criteria, *rubric.prerequisites))
        self.by_code = {c.code: (c, measure) for c, measure in self.measurers}
        flat = tuple((c.code, measure, c.evidence) for c, measure in self.measurers)
        self.scored, self.checked = (
            flat[: len(rubric.criteria)],
            flat[len(rubric.criteria) :],
        )  # criteria, prerequisites
        self.categories = tuple((c.code, tuple(k.code for k in c.criteria)) for c in rubric.categories)
        self.needed = tuple((c, c.points * share) for c in rubric.categories)


@dataclass(frozen=True)
class Facts:
    """What the engine reads besides the rubric."""

    answers: dict
    documents: frozenset  # kinds of the attached documents
    as_of_year: int  # the year recent_year rules count back from: the cycle's, given by the caller
    judged: dict = field(default_factory=dict, hash=False)  # criterion code → reviewers' combined points
    adjusted: dict = field(default_factory=dict, hash=False)  # rule criterion code → reviewers' adjusted points


# The rules of a designation -------------------------------------------------


def level_for(total, levels, threshold, other_conditions_met=True):
    """The level a total earns under the rubric's levels and threshold (None when not designated).

    ``other_conditions_met``: every prerequisite met and every category at its minimum share."""
    if not other_conditions_met or total < threshold:
        return None
    earned = None
    for name, minimum in sorted(levels, key=lambda lv: lv[1]):
        if total >= minimum:
            earned = name
    return earned


def short_categories(rubric, subtotals):
    """The categories whose points (``subtotals``: code → points) fall below the rubric's minimum share."""
    return [c for c, needed in rubric.plan.needed if dec(subtotals[c.code]) < needed]


def conditions_met(rubric, result):
    """Everything a designation needs besides its total: every prerequisite met, every category at its
    minimum share (``result``: the engine's ``totals``, or any dict with its prerequisites and categories)."""
    return all(result["prerequisites"].values()) and not short_categories(rubric, result["categories"])


# Measuring ------------------------------------------------------------------


def _capped(criterion, points):
    return max(ZERO, min(criterion.points, dec(points)))


def measure(criterion, facts, rubric):
    """(points, met, withheld): ``withheld`` is what the answer would earn if the required document were attached."""
    known, measurer = rubric.plan.by_code.get(criterion.code, (None, None))
    return _measured(criterion, measurer if known is criterion else RULES[criterion.kind][0](criterion, rubric), facts)


def _measured(criterion, measurer, facts):
    if facts.adjusted and criterion.code in facts.adjusted and not criterion.is_judged:
        points = _capped(criterion, facts.adjusted[criterion.code])
        return points, points > 0, None
    points, met = measurer(facts)
    if criterion.evidence and points and criterion.evidence not in facts.documents:
        return ZERO, False, points
    return points, met, None


def reason_for(criterion, facts, rubric, points, met, withheld):
    """(reason, gain, hint) for a measured criterion: the words for its points and what would earn more."""
    if criterion.code in facts.adjusted and not criterion.is_judged:
        return _("%(points)s: adjusted by reviewers.") % {"points": pts(round(points, 2), criterion.points)}, ZERO, ""
    if withheld:
        label = str(rubric.evidence_labels.get(criterion.evidence, criterion.evidence)).lower()
        said = {"points": pts(0, criterion.points), "earned": fmt(withheld), "document": label}
        reason = _("%(points)s: the answer would earn %(earned)s, but no %(document)s is attached.") % said
        return reason, withheld, _("Attach the %(document)s") % said
    return RULES[criterion.kind][1](criterion, facts, rubric, points, met)


_FLOATS = {}  # Decimal → its float: a rubric's points are few, and rounding each is much of scoring's time


def _out(points):
    """A Decimal as the float the result stores and pages show, rounded to hundredths."""
    if points is None:
        return None
    found = _FLOATS.get(points)
    if found is None:
        found = float(round(points, 2))
        if len(_FLOATS) < 10_000:
            _FLOATS[points] = found
    return found


def _add_up(rubric, points, prerequisites):
    """Subtotals, total, short categories, eligibility and level from each criterion's points
    (code → Decimal, None while reviewers have not scored it) and the prerequisites (code → met)."""
    categories, pending = {}, []
    for category, codes in rubric.plan.categories:
        subtotal = ZERO
        for code in codes:
            if points[code] is None:
                pending.append(code)
            else:
                subtotal += points[code]
        categories[category] = round(subtotal, 2)
    total = sum(categories.values(), ZERO)
    short = short_categories(rubric, categories)
    eligible = all(prerequisites.values()) and total >= rubric.threshold and not short
    return {
        "categories": categories,
        "pending": pending,
        "total": total,
        "short": short,
        "eligible": eligible,
        "level": level_for(total, rubric.levels, rubric.threshold, eligible),
    }


def _tally(rubric, facts):
    measured = {c.code: _measured(c, measurer, facts) for c, measurer in rubric.plan.measurers}
    prerequisites = {c.code: bool(measured[c.code][1]) for c in rubric.prerequisites}
    points = {code: m[0] for code, m in measured.items()}
    return {"measured": measured, "prerequisites": prerequisites, **_add_up(rubric, points, prerequisites)}


def _numbers(rubric, t, points):
    """The stored shape of a result (``totals``): ``t`` from ``_add_up`` with its prerequisites."""
    return {
        "rubric_version": rubric.version,
        "total": _out(t["total"]),
        "categories": {code: _out(subtotal) for code, subtotal in t["categories"].items()},
        "criteria": {code: _out(p) for code, p in points.items()},
        "prerequisites": t["prerequisites"],
        "pending": t["pending"],
        "eligible": t["eligible"],
        "level": t["level"],
    }


def totals(rubric, facts):
    """The numbers only, for storing and for lists: what scoring a whole cycle computes.

    Without reviewers' adjustments (scoring by the rules), each criterion is measured as ``measure`` does
    in a loop of its own, without the reasons' intermediate results: scoring a cycle spends its time here."""
    if facts.adjusted:
        t = _tally(rubric, facts)
        return _numbers(rubric, t, {code: m[0] for code, m in t["measured"].items()})
    plan, documents = rubric.plan, facts.documents
    points, prerequisites = {}, {}
    for code, measurer, evidence in plan.scored:
        earned = measurer(facts)[0]
        points[code] = ZERO if evidence and earned and evidence not in documents else earned
    for code, measurer, evidence in plan.checked:
        earned, met = measurer(facts)
        withheld = evidence and earned and evidence not in documents
        points[code], prerequisites[code] = (ZERO, False) if withheld else (earned, bool(met))
    return _numbers(rubric, {"prerequisites": prerequisites, **_add_up(rubric, points, prerequisites)}, points)


def with_reviews(rubric, rule, judged, adjusted):
    """A stored rule result (``totals``) with the reviewers' combined points over it, added up again.

    No answer is read: a judged criterion takes the reviewers' points (open while they have none), a
    rule criterion keeps its stored points unless reviewers adjusted them, each within its maximum;
    prerequisites stay as stored (reviews never touch them).
    """
    points = {}
    for criterion in rubric.criteria:
        given = (judged if criterion.is_judged else adjusted).get(criterion.code)
        stored = rule["criteria"].get(criterion.code)
        if given is not None:
            points[criterion.code] = _capped(criterion, given)
        else:
            points[criterion.code] = None if stored is None else dec(stored)
    t = {"prerequisites": rule["prerequisites"], **_add_up(rubric, points, rule["prerequisites"])}
    result = _numbers(rubric, t, points)
    result["criteria"] = {**rule["criteria"], **result["criteria"]}  # the prerequisites' stored points too
    return result


def score(rubric, facts):
    """The numbers with their reasons in words, and the changes that would raise the score most."""
    t = _tally(rubric, facts)
    criteria, categories, improvements = [], [], []
    share = rubric.min_category_share / HUNDRED
    pending_points = ZERO
    for category in rubric.categories:
        waiting = ZERO
        for criterion in category.criteria:
            points, met, withheld = t["measured"][criterion.code]
            reason, gain, hint = reason_for(criterion, facts, rubric, points, met, withheld)
            if points is None:
                waiting += criterion.points
                pending_points += criterion.points
            criteria.append(
                {
                    "code": criterion.code,
                    "category": category.code,
                    "title": criterion.title,
                    "kind": criterion.kind,
                    "points": _out(points),
                    "max": _out(criterion.points),
                    "reason": reason,
                    "judged": criterion.is_judged,
                }
            )
            if gain > 0:
                improvements.append({"code": criterion.code, "gain": gain, "text": hint})
        categories.append(
            {
                "code": category.code,
                "name": category.name,
                "points": _out(t["categories"][category.code]),
                "max": _out(category.points),
                "pending": _out(waiting),
                "needed": _out(category.points * share),
                "share_met": category not in t["short"],
            }
        )
    prerequisites = []
    for criterion in rubric.prerequisites:
        points, met, withheld = t["measured"][criterion.code]
        reason, _gain, _hint = reason_for(criterion, facts, rubric, points, met, withheld)
        prerequisites.append({"code": criterion.code, "title": criterion.title, "met": bool(met), "reason": reason})
    total = t["total"]
    blockers = [
        _("Prerequisite not met: %(criterion)s.") % {"criterion": p["title"]} for p in prerequisites if not p["met"]
    ]
    if total < rubric.threshold:
        said = {"total": fmt(total), "threshold": fmt(rubric.threshold)}
        blockers.append(_("Total %(total)s is below the threshold of %(threshold)s.") % said)
    share = fmt(rubric.min_category_share)
    blockers += [
        _("%(category)s: below %(share)s %% of its points.") % {"category": c.name, "share": share} for c in t["short"]
    ]
    improvements.sort(key=lambda i: (-i["gain"], i["code"]))
    return {
        "rubric_version": rubric.version,
        "criteria": criteria,
        "categories": categories,
        "prerequisites": prerequisites,
        "prerequisites_met": all(t["prerequisites"].values()),
        "total": _out(total),
        "max_total": _out(sum((c.points for c in rubric.categories), ZERO)),
        "pending": t["pending"],
        "pending_points": _out(pending_points),
        "final": not t["pending"],
        "eligible": t["eligible"],
        "blockers": blockers,
        "level": t["level"],
        # The three largest gains (what a page shows), and every one of them (what the report lists).
        "improvements": [{**i, "gain": _out(i["gain"])} for i in improvements[:3]],
        "every_improvement": [{**i, "gain": _out(i["gain"])} for i in improvements],
    }
