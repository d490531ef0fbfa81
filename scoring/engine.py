"""The scoring engine: a pure function of (answers, rubric) → result.

No database access here and nothing random: the same answers and rubric
always give the same result, which is plain data (dicts, lists, numbers)
that can be stored as JSON. Every criterion gets a reason in plain words,
and every criterion that is not at full points says what would earn more.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from assessment.forms import STEPS
from assessment.models import EvidenceDocument

EVIDENCE_LABELS = dict(EvidenceDocument.Kind.choices)


def _choice_labels():
    """Labels of every choice of every step's fields, by "<step>.<field>"."""
    labels = {}
    for step, form_class in STEPS:
        form = form_class.form if hasattr(form_class, "form") else form_class
        for name, form_field in getattr(form, "base_fields", {}).items():
            choices = getattr(form_field, "choices", None)
            if choices:
                labels[f"{step}.{name}"] = {str(k): str(v) for k, v in choices if k not in ("", None)}
    return labels


CHOICE_LABELS = _choice_labels()


# The rubric as plain data --------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    kind: str
    points: float
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
    points: float
    criteria: tuple


@dataclass(frozen=True)
class Rubric:
    version: int
    threshold: float
    min_category_share: float  # percent
    levels: tuple  # ((name, minimum total), ...) in ascending order
    categories: tuple
    prerequisites: tuple

    @property
    def criteria(self):
        return [c for category in self.categories for c in category.criteria]

    @classmethod
    def default(cls):
        from scoring import default_rubric as d

        return cls(
            version=1,
            threshold=d.THRESHOLD,
            min_category_share=d.MIN_CATEGORY_SHARE,
            levels=tuple(d.LEVELS),
            categories=tuple(
                Category(
                    code=c["code"],
                    name=c["name"],
                    points=c["points"],
                    criteria=tuple(
                        Criterion(category=c["code"], evidence=k.get("evidence", ""), **_without(k, "evidence"))
                        for k in c["criteria"]
                    ),
                )
                for c in d.CATEGORIES
            ),
            prerequisites=tuple(Criterion(points=0, **p) for p in d.PREREQUISITES),
        )


def _without(mapping, *keys):
    return {k: v for k, v in mapping.items() if k not in keys}


# Reading answers ------------------------------------------------------------


@lru_cache(maxsize=512)
def _split(path):
    return tuple(path.split(".", 1)) if "." in path else (path, None)


def _lookup(answers, path):
    step, name = _split(path)
    value = answers.get(step)
    if name is None:
        return value
    return value.get(name) if isinstance(value, dict) else None


def _number(value):
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _fmt(number):
    number = float(number)
    return str(int(number)) if number == int(number) else f"{number:g}"


def _pts(points, maximum):
    return f"{_fmt(points)} of {_fmt(maximum)} point{'s' if maximum != 1 else ''}"


def _join_or(words):
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


# Rule kinds -----------------------------------------------------------------
#
# Each kind has two functions: ``measure`` gives (points, met) and is all the
# arithmetic; ``explain`` puts a measured result into words: the reason, and
# what the next step up would add (gain) and how to earn it (hint). Scoring a
# whole cycle only measures; a page that shows an application also explains.


@lru_cache(maxsize=512)
def _choices_counted(path, only):
    return only or tuple(CHOICE_LABELS.get(path, {}))


def _selected(criterion, answers):
    p = criterion.params
    chosen = _lookup(answers, p["field"]) or []
    chosen = {v for v in chosen if isinstance(v, str)} if isinstance(chosen, list) else set()
    return chosen, _choices_counted(p["field"], tuple(p.get("only") or ()))


def measure_choices(criterion, facts):
    """One point (or ``per_choice``) per selected choice, up to the criterion's points."""
    p = criterion.params
    chosen, counted_from = _selected(criterion, facts.answers)
    n = sum(1 for v in counted_from if v in chosen)
    met = n >= p.get("min", 1) and all(v in chosen for v in p.get("require", ()))
    if criterion.points == 0:
        return 0, met
    points = min(criterion.points, p.get("per_choice", 1) * n)
    return points, points > 0


def explain_choices(criterion, facts, points, met):
    p = criterion.params
    labels = CHOICE_LABELS.get(p["field"], {})
    chosen, counted_from = _selected(criterion, facts.answers)
    names = [labels.get(v, v) for v in counted_from if v in chosen]
    if criterion.points == 0:  # a prerequisite
        if met:
            return f"Met: {len(names)} — {', '.join(names)}.", 0, ""
        lacking = [labels.get(v, v) for v in p.get("require", ()) if v not in chosen]
        needs = f"at least {p.get('min', 1)}" + (f" including {', '.join(lacking)}" if lacking else "")
        return f"Not met: needs {needs}; you have {len(names)}.", 0, ""
    reason = f"{_pts(points, criterion.points)}: {', '.join(names) if names else 'none selected'}"
    missing = [labels.get(v, v) for v in counted_from if v not in chosen]
    if points < criterion.points and missing:
        gain = min(criterion.points - points, p.get("per_choice", 1) * len(missing))
        return (
            f"{reason}; {_join_or(missing[:3])} would add points.",
            gain,
            f"{criterion.title}: add {_join_or(missing[:3])}",
        )
    return reason + ".", 0, ""


def _band_points(value, direction, bands):
    for threshold, points in bands:
        if (direction == "ge" and value >= threshold) or (direction == "le" and value <= threshold):
            return points
    return 0


def _best_first(bands):
    return sorted(bands, key=lambda b: -b[1])


def measure_bands(criterion, facts):
    """Numeric bands: the best band the value reaches (≥ or ≤) gives its points."""
    p = criterion.params
    value = _number(_lookup(facts.answers, p["field"]))
    if value is None:
        return 0, False
    points = min(criterion.points, _band_points(value, p["direction"], _best_first(p["bands"])))
    return points, points > 0


def explain_bands(criterion, facts, points, met):
    p = criterion.params
    unit, bands = p.get("unit", ""), _best_first(p["bands"])
    word = "or more" if p["direction"] == "ge" else "or less"
    value = _number(_lookup(facts.answers, p["field"]))
    if value is None:
        best = bands[0]
        hint = f"{criterion.title}: answer it; {_fmt(best[0])}{unit} {word} earns {_fmt(best[1])}"
        return f"{_pts(0, criterion.points)}: not answered.", min(best[1], criterion.points), hint
    reason = f"{_pts(points, criterion.points)}: {_fmt(value)}{unit}"
    better = [b for b in bands if b[1] > points]
    if not better:
        return reason + ".", 0, ""
    nxt = better[-1]  # the nearest band above
    gain = min(nxt[1], criterion.points) - points
    return (
        f"{reason}; {_fmt(nxt[0])}{unit} {word} earns {_fmt(nxt[1])}.",
        gain,
        f"{criterion.title}: reach {_fmt(nxt[0])}{unit} {word}",
    )


def _count(criterion, answers):
    items = _lookup(answers, criterion.params["field"]) or []
    return len(items) if isinstance(items, list) else 0


def measure_count(criterion, facts):
    """A count of items (metric rows, options chosen), in bands or against a minimum."""
    p = criterion.params
    n = _count(criterion, facts.answers)
    if criterion.points == 0 or not p.get("bands"):
        met = n >= p.get("min", 1)
        return (criterion.points if met else 0), met
    points = min(criterion.points, _band_points(n, "ge", _best_first(p["bands"])))
    return points, points > 0


def explain_count(criterion, facts, points, met):
    p = criterion.params
    n = _count(criterion, facts.answers)
    counted = f"{n} metric{'s' if n != 1 else ''}" if p["field"] == "metrics" else f"{n} chosen"
    if criterion.points == 0 or not p.get("bands"):
        verdict = "Met" if met else f"Not met: needs at least {p.get('min', 1)}"
        return f"{verdict}; {counted}.", 0, ""
    reason = f"{_pts(points, criterion.points)}: {counted}"
    better = [b for b in _best_first(p["bands"]) if b[1] > points]
    if not better:
        return reason + ".", 0, ""
    nxt = better[-1]
    gain = min(nxt[1], criterion.points) - points
    return f"{reason}; {_fmt(nxt[0])} or more earn {_fmt(nxt[1])}.", gain, f"{criterion.title}: {_fmt(nxt[0])} or more"


def measure_yes_no(criterion, facts):
    """Full points for a yes (or for a filled-in answer, such as an address)."""
    value = _lookup(facts.answers, criterion.params["field"])
    met = value is True or (isinstance(value, str) and value != "")
    return (criterion.points if met else 0), met


def explain_yes_no(criterion, facts, points, met):
    value = _lookup(facts.answers, criterion.params["field"])
    if value is None:
        said = "not answered"
    elif isinstance(value, bool):
        said = "yes" if value else "no"
    else:
        said = "given" if value != "" else "none given"
    if criterion.points == 0:
        return f"{'Met' if met else 'Not met'}: {said}.", 0, ""
    return (
        f"{_pts(points, criterion.points)}: {said}.",
        (0 if met else criterion.points),
        ("" if met else criterion.title),
    )


def measure_one_of(criterion, facts):
    """Full points when the chosen answer is one of ``values``."""
    met = _lookup(facts.answers, criterion.params["field"]) in criterion.params["values"]
    return (criterion.points if met else 0), met


def explain_one_of(criterion, facts, points, met):
    p = criterion.params
    labels = CHOICE_LABELS.get(p["field"], {})
    value = _lookup(facts.answers, p["field"])
    said = labels.get(str(value), str(value)) if value not in (None, "") else "not answered"
    if criterion.points == 0:
        return f"{'Met' if met else 'Not met'}: {said}.", 0, ""
    if met:
        return f"{_pts(points, criterion.points)}: {said}.", 0, ""
    wanted = _join_or(labels.get(v, v) for v in p["values"])
    return (
        f"{_pts(0, criterion.points)}: {said}; {wanted} earns {_fmt(criterion.points)}.",
        criterion.points,
        f"{criterion.title}: {wanted}",
    )


def measure_recent_year(criterion, facts):
    """Full points when the year given is within ``within_years`` of the cycle's year."""
    year = _number(_lookup(facts.answers, criterion.params["field"]))
    within = criterion.params.get("within_years", 2)
    met = year is not None and facts.as_of_year - within <= year <= facts.as_of_year + 1
    return (criterion.points if met else 0), met


def explain_recent_year(criterion, facts, points, met):
    year = _number(_lookup(facts.answers, criterion.params["field"]))
    within, as_of = criterion.params.get("within_years", 2), facts.as_of_year
    if year is None:
        return f"{_pts(0, criterion.points)}: no year given.", criterion.points, criterion.title
    if met:
        return f"{_pts(points, criterion.points)}: updated in {_fmt(year)}.", 0, ""
    return (
        f"{_pts(0, criterion.points)}: last updated in {_fmt(year)}, more than {within} years before {as_of}.",
        criterion.points,
        f"{criterion.title}: update it ({as_of - within} or later)",
    )


def measure_evidence(criterion, facts):
    """Full points when a document of the kind is attached."""
    met = criterion.params["document"] in facts.documents
    return (criterion.points if met else 0), met


def explain_evidence(criterion, facts, points, met):
    label = EVIDENCE_LABELS.get(criterion.params["document"], criterion.params["document"])
    if met:
        return f"{_pts(points, criterion.points)}: {label} attached.", 0, ""
    return f"{_pts(0, criterion.points)}: no {label.lower()} attached.", criterion.points, f"Attach a {label.lower()}"


def measure_judged(criterion, facts):
    """Left open for reviewers (None), unless their combined score is given."""
    judged = facts.judged.get(criterion.code)
    if judged is None:
        return None, None
    points = max(0.0, min(float(criterion.points), float(judged)))
    return points, points > 0


def explain_judged(criterion, facts, points, met):
    if points is None:
        return f"Scored by reviewers, 0 to {_fmt(criterion.points)} points.", 0, ""
    return f"{_pts(round(points, 2), criterion.points)}: scored by reviewers.", 0, ""


RULES = {
    "choices": (measure_choices, explain_choices),
    "bands": (measure_bands, explain_bands),
    "count": (measure_count, explain_count),
    "yes_no": (measure_yes_no, explain_yes_no),
    "one_of": (measure_one_of, explain_one_of),
    "recent_year": (measure_recent_year, explain_recent_year),
    "evidence": (measure_evidence, explain_evidence),
    "judged": (measure_judged, explain_judged),
}
RULE_KINDS = [
    ("choices", "Points per selected choice, up to a cap"),
    ("bands", "Numeric bands (≥ or ≤)"),
    ("count", "Count of items (metrics, options)"),
    ("yes_no", "Yes / no (or answered)"),
    ("one_of", "One of some choices"),
    ("recent_year", "A recent year"),
    ("evidence", "Evidence document attached"),
    ("judged", "Judged by reviewers against anchors"),
]


@dataclass(frozen=True)
class Facts:
    """What the engine reads besides the rubric."""

    answers: dict
    documents: frozenset = frozenset()  # kinds of the attached documents
    as_of_year: int = 2026
    judged: dict = field(default_factory=dict, hash=False)  # criterion code → reviewers' combined points
    adjusted: dict = field(default_factory=dict, hash=False)  # rule criterion code → reviewers' adjusted points


def measure(criterion, facts):
    """(points, met, withheld): ``withheld`` is what the answer would earn if the required document were attached."""
    if criterion.code in facts.adjusted and not criterion.is_judged:
        points = max(0.0, min(float(criterion.points), float(facts.adjusted[criterion.code])))
        return points, points > 0, None
    points, met = RULES[criterion.kind][0](criterion, facts)
    if criterion.evidence and points and criterion.evidence not in facts.documents:
        return 0, False, points
    return points, met, None


def explain(criterion, facts, points, met, withheld):
    """(reason, gain, hint) for a measured criterion."""
    if criterion.code in facts.adjusted and not criterion.is_judged:
        return f"{_pts(round(points, 2), criterion.points)}: adjusted by reviewers.", 0, ""
    if withheld:
        label = EVIDENCE_LABELS.get(criterion.evidence, criterion.evidence).lower()
        reason = f"{_pts(0, criterion.points)}: the answer would earn {_fmt(withheld)}, but no {label} is attached."
        return reason, withheld, f"Attach the {label}"
    return RULES[criterion.kind][1](criterion, facts, points, met)


def _tally(rubric, facts):
    measured, categories, pending = {}, {}, []
    for category in rubric.categories:
        subtotal = 0.0
        for criterion in category.criteria:
            measured[criterion.code] = result = measure(criterion, facts)
            if result[0] is None:
                pending.append(criterion.code)
            else:
                subtotal += result[0]
        categories[category.code] = round(subtotal, 2)
    for criterion in rubric.prerequisites:
        measured[criterion.code] = measure(criterion, facts)
    prerequisites = {c.code: bool(measured[c.code][1]) for c in rubric.prerequisites}
    total = round(sum(categories.values()), 2)
    share = rubric.min_category_share / 100
    short = [c for c in rubric.categories if categories[c.code] < c.points * share - 1e-9]
    eligible = all(prerequisites.values()) and total >= rubric.threshold and not short
    level = None
    if eligible:
        for name, minimum in sorted(rubric.levels, key=lambda lv: lv[1]):
            if total >= minimum:
                level = name
    return {
        "measured": measured,
        "categories": categories,
        "prerequisites": prerequisites,
        "pending": pending,
        "total": total,
        "short": short,
        "eligible": eligible,
        "level": level,
    }


def totals(rubric, facts):
    """The numbers only, for storing and for lists: what scoring a whole cycle computes."""
    t = _tally(rubric, facts)
    return {
        "rubric_version": rubric.version,
        "total": t["total"],
        "categories": t["categories"],
        "criteria": {code: (None if m[0] is None else round(m[0], 2)) for code, m in t["measured"].items()},
        "prerequisites": t["prerequisites"],
        "pending": t["pending"],
        "eligible": t["eligible"],
        "level": t["level"],
    }


def score(rubric, facts):
    """The numbers with their reasons in words, and the changes that would raise the score most."""
    t = _tally(rubric, facts)
    criteria, categories, improvements = [], [], []
    share = rubric.min_category_share / 100
    for category in rubric.categories:
        waiting = 0.0
        for criterion in category.criteria:
            points, met, withheld = t["measured"][criterion.code]
            reason, gain, hint = explain(criterion, facts, points, met, withheld)
            if points is None:
                waiting += criterion.points
            criteria.append(
                {
                    "code": criterion.code,
                    "category": category.code,
                    "title": criterion.title,
                    "kind": criterion.kind,
                    "points": None if points is None else round(points, 2),
                    "max": criterion.points,
                    "reason": reason,
                    "judged": criterion.is_judged,
                }
            )
            if gain > 0:
                improvements.append({"code": criterion.code, "gain": gain, "text": hint})
        needed = category.points * share
        categories.append(
            {
                "code": category.code,
                "name": category.name,
                "points": t["categories"][category.code],
                "max": category.points,
                "pending": waiting,
                "needed": round(needed, 2),
                "share_met": category not in t["short"],
            }
        )
    prerequisites = []
    for criterion in rubric.prerequisites:
        points, met, withheld = t["measured"][criterion.code]
        reason, _gain, _hint = explain(criterion, facts, points, met, withheld)
        prerequisites.append({"code": criterion.code, "title": criterion.title, "met": bool(met), "reason": reason})
    total = t["total"]
    blockers = [f"Prerequisite not met: {p['title']}." for p in prerequisites if not p["met"]]
    if total < rubric.threshold:
        blockers.append(f"Total {_fmt(total)} is below the threshold of {_fmt(rubric.threshold)}.")
    blockers += [f"{c.name}: below {_fmt(rubric.min_category_share)} % of its points." for c in t["short"]]
    improvements.sort(key=lambda i: (-i["gain"], i["code"]))
    return {
        "rubric_version": rubric.version,
        "criteria": criteria,
        "categories": categories,
        "prerequisites": prerequisites,
        "prerequisites_met": all(t["prerequisites"].values()),
        "total": total,
        "max_total": sum(c.points for c in rubric.categories),
        "pending": t["pending"],
        "pending_points": sum(c["pending"] for c in categories),
        "final": not t["pending"],
        "eligible": t["eligible"],
        "blockers": blockers,
        "level": t["level"],
        "improvements": improvements[:3],
    }
