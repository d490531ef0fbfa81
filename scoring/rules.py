"""The rule kinds of the scoring engine: how one criterion reads the answers, and the words for what it read.

Pure Python, like ``scoring/engine.py`` (which calls these): no Django, no database. Points are
``Decimal``s. Each kind has two functions: ``measure_<kind>(criterion, rubric)`` reads the criterion's
settings once and gives the function that measures any facts, ``(facts) → (points, met)``: all the
arithmetic (the engine makes them once per rubric, ``engine.Rubric.plan``); ``reason_<kind>(criterion,
facts, rubric, points, met)`` puts a measured result into words: (reason, gain, hint), the reason, what
the next step up would add and how to earn it. Scoring a whole cycle only measures; a page that shows
an application also gives the reasons.
The words for choices and document kinds come from the rubric (``rubric.choice_labels``,
``rubric.evidence_labels``), never from the forms.

Every sentence is a whole template with named placeholders (``_``, ``ngettext``), in the reader's language
once ``scoring/apps.py`` plugs Django's translation into ``scoring.words.WORDS``.
"""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from scoring.words import _, fmt, gettext_noop, ngettext, plural_count, pts, unit
from scoring.words import join_or as _join_or
from scoring.words import label as _label

ZERO = Decimal(0)


def dec(number):
    """An int, float or Decimal as an exact Decimal (a float by its shortest spelling: 0.1 is 0.1)."""
    if isinstance(number, Decimal):
        return number
    return Decimal(number) if isinstance(number, int) else Decimal(repr(float(number)))


def plain(number):
    """A rubric's number as an exact Decimal written as people write it: 4 (not 4.00), 2.5 (not 2.50)."""
    number = dec(number)
    return number.quantize(1) if number == number.to_integral_value() else number.normalize()


# Reading answers ------------------------------------------------------------


@lru_cache(maxsize=512)
def _split(path):
    return tuple(path.split(".", 1)) if "." in path else (path, None)


def lookup(answers, path):
    """The answer at "<step>.<question>" (or a whole step's, e.g. the metrics rows), None if there is none."""
    return _at(answers, *_split(path))


def _at(answers, step, name):
    value = answers.get(step)
    if name is None:
        return value
    return value.get(name) if isinstance(value, dict) else None


def number(value):
    """A numeric answer as a Decimal; None when it is missing, a yes/no, or not a finite number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        result = dec(value) if isinstance(value, (int, float, Decimal)) else Decimal(str(value).strip())
    except (TypeError, ValueError, InvalidOperation, OverflowError):
        return None
    return result if result.is_finite() else None


# Rule kinds -----------------------------------------------------------------


def _selected(criterion, answers, rubric):
    p = criterion.params
    chosen = lookup(answers, p["field"]) or []
    chosen = {v for v in chosen if isinstance(v, str)} if isinstance(chosen, list) else set()
    counted_from = tuple(p.get("only") or ()) or tuple(rubric.choice_labels.get(p["field"], {}))
    return chosen, counted_from


def measure_choices(criterion, rubric):
    """One point (or ``per_choice``) per selected choice, up to the criterion's points."""
    p = criterion.params
    step, name = _split(p["field"])
    counted_from = tuple(p.get("only") or ()) or tuple(rubric.choice_labels.get(p["field"], {}))
    minimum, require = p.get("min", 1), tuple(p.get("require", ()))
    per_choice, cap = dec(p.get("per_choice", 1)), criterion.points
    earned = [min(cap, per_choice * n) for n in range(len(counted_from) + 1)]  # by the number chosen

    def measure(facts):
        chosen = _at(facts.answers, step, name) or []
        chosen = {v for v in chosen if isinstance(v, str)} if isinstance(chosen, list) else set()
        n = sum(1 for v in counted_from if v in chosen)
        if cap == 0:
            return ZERO, n >= minimum and all(v in chosen for v in require)
        return earned[n], earned[n] > 0

    return measure


def reason_choices(criterion, facts, rubric, points, met):
    p = criterion.params
    labels = rubric.choice_labels.get(p["field"], {})
    chosen, counted_from = _selected(criterion, facts.answers, rubric)
    names = [_label(labels, v) for v in counted_from if v in chosen]
    if criterion.points == 0:  # a prerequisite
        if met:
            return _("Met: %(count)s — %(names)s.") % {"count": len(names), "names": ", ".join(names)}, ZERO, ""
        lacking = [_label(labels, v) for v in p.get("require", ()) if v not in chosen]
        said = {"minimum": p.get("min", 1), "lacking": ", ".join(lacking), "count": len(names)}
        if lacking:
            return _("Not met: needs at least %(minimum)s including %(lacking)s; you have %(count)s.") % said, ZERO, ""
        return _("Not met: needs at least %(minimum)s; you have %(count)s.") % said, ZERO, ""
    said = {"points": pts(points, criterion.points), "names": ", ".join(names) if names else _("none selected")}
    missing = [_label(labels, v) for v in counted_from if v not in chosen]
    if points < criterion.points and missing:
        gain = min(criterion.points - points, dec(p.get("per_choice", 1)) * len(missing))
        said["missing"] = _join_or(missing[:3])
        return (
            _("%(points)s: %(names)s; %(missing)s would add points.") % said,
            gain,
            _("%(criterion)s: add %(missing)s") % {"criterion": criterion.title, "missing": said["missing"]},
        )
    return _("%(points)s: %(names)s.") % said, ZERO, ""


def _best_first(bands):
    return sorted(bands, key=lambda b: -b[1])


def _banded(value, at_least, bands):
    """The points of the best band ``value`` reaches (``bands``: (threshold, points), best first)."""
    for threshold, points in bands:
        if value >= threshold if at_least else value <= threshold:
            return points, points > 0
    return ZERO, False


def measure_bands(criterion, rubric):
    """Numeric bands: the best band the value reaches (≥ or ≤) gives its points."""
    p = criterion.params
    step, name = _split(p["field"])
    at_least = p["direction"] == "ge"
    bands = [(threshold, min(criterion.points, dec(points))) for threshold, points in _best_first(p["bands"])]
    if p["direction"] not in ("ge", "le"):
        bands = []  # no band is reached

    def measure(facts):
        value = number(_at(facts.answers, step, name))
        return (ZERO, False) if value is None else _banded(value, at_least, bands)

    return measure


def reason_bands(criterion, facts, rubric, points, met):
    p = criterion.params
    bands, more = _best_first(p["bands"]), p["direction"] == "ge"
    value = number(lookup(facts.answers, p["field"]))
    said = {"criterion": criterion.title, "unit": unit(p.get("unit", ""))}
    if value is None:
        best = bands[0]
        said |= {"threshold": fmt(best[0]), "earned": fmt(best[1])}
        if more:
            hint = _("%(criterion)s: answer it; %(threshold)s%(unit)s or more earns %(earned)s") % said
        else:
            hint = _("%(criterion)s: answer it; %(threshold)s%(unit)s or less earns %(earned)s") % said
        reason = _("%(points)s: not answered.") % {"points": pts(0, criterion.points)}
        return reason, min(dec(best[1]), criterion.points), hint
    said |= {"points": pts(points, criterion.points), "value": fmt(value)}
    better = [b for b in bands if b[1] > points]
    if not better:
        return _("%(points)s: %(value)s%(unit)s.") % said, ZERO, ""
    nxt = better[-1]  # the nearest band above
    gain = min(dec(nxt[1]), criterion.points) - points
    said |= {"threshold": fmt(nxt[0]), "earned": fmt(nxt[1])}
    if more:
        reason = _("%(points)s: %(value)s%(unit)s; %(threshold)s%(unit)s or more earns %(earned)s.") % said
        return reason, gain, _("%(criterion)s: reach %(threshold)s%(unit)s or more") % said
    reason = _("%(points)s: %(value)s%(unit)s; %(threshold)s%(unit)s or less earns %(earned)s.") % said
    return reason, gain, _("%(criterion)s: reach %(threshold)s%(unit)s or less") % said


def _count(criterion, answers):
    items = lookup(answers, criterion.params["field"]) or []
    return len(items) if isinstance(items, list) else 0


def measure_count(criterion, rubric):
    """A count of items (metric rows, options chosen), in bands or against a minimum."""
    p, cap = criterion.params, criterion.points
    minimum = p.get("min", 1)
    bands = None
    if cap != 0 and p.get("bands"):
        bands = [(threshold, min(cap, dec(points))) for threshold, points in _best_first(p["bands"])]

    def measure(facts):
        n = _count(criterion, facts.answers)
        if bands is None:
            return (cap if n >= minimum else ZERO), n >= minimum
        return _banded(n, True, bands)

    return measure


def reason_count(criterion, facts, rubric, points, met):
    p = criterion.params
    n = _count(criterion, facts.answers)
    if p["field"] == "metrics":
        counted = ngettext("%(count)s metric", "%(count)s metrics", n) % {"count": n}
    else:
        counted = ngettext("%(count)s chosen", "%(count)s chosen", n) % {"count": n}
    said = {"counted": counted, "minimum": p.get("min", 1), "criterion": criterion.title}
    if criterion.points == 0 or not p.get("bands"):
        if met:
            return _("Met; %(counted)s.") % said, ZERO, ""
        return _("Not met: needs at least %(minimum)s; %(counted)s.") % said, ZERO, ""
    said["points"] = pts(points, criterion.points)
    better = [b for b in _best_first(p["bands"]) if b[1] > points]
    if not better:
        return _("%(points)s: %(counted)s.") % said, ZERO, ""
    nxt = better[-1]
    gain = min(dec(nxt[1]), criterion.points) - points
    said |= {"threshold": fmt(nxt[0]), "earned": fmt(nxt[1])}
    return (
        _("%(points)s: %(counted)s; %(threshold)s or more earn %(earned)s.") % said,
        gain,
        _("%(criterion)s: %(threshold)s or more") % said,
    )


def measure_yes_no(criterion, rubric):
    """Full points for a yes (or for a filled-in answer, such as an address)."""
    step, name = _split(criterion.params["field"])
    yes, no = (criterion.points, True), (ZERO, False)

    def measure(facts):
        value = _at(facts.answers, step, name)
        return yes if value is True or (isinstance(value, str) and value != "") else no

    return measure


def reason_yes_no(criterion, facts, rubric, points, met):
    value = lookup(facts.answers, criterion.params["field"])
    if value is None:
        said = _("not answered")
    elif isinstance(value, bool):
        said = _("yes") if value else _("no")
    else:
        said = _("given") if value != "" else _("none given")
    if criterion.points == 0:
        return _verdict(met, said), ZERO, ""
    return (
        _("%(points)s: %(said)s.") % {"points": pts(points, criterion.points), "said": said},
        (ZERO if met else criterion.points),
        ("" if met else criterion.title),
    )


def _verdict(met, said):
    """A prerequisite's reason: met or not, and what was answered."""
    return (_("Met: %(said)s.") if met else _("Not met: %(said)s.")) % {"said": said}


def measure_one_of(criterion, rubric):
    """Full points when the chosen answer is one of ``values``."""
    step, name = _split(criterion.params["field"])
    values = criterion.params["values"]
    yes, no = (criterion.points, True), (ZERO, False)

    def measure(facts):
        return yes if _at(facts.answers, step, name) in values else no

    return measure


def reason_one_of(criterion, facts, rubric, points, met):
    p = criterion.params
    labels = rubric.choice_labels.get(p["field"], {})
    value = lookup(facts.answers, p["field"])
    said = _label(labels, str(value)) if value not in (None, "") else _("not answered")
    if criterion.points == 0:
        return _verdict(met, said), ZERO, ""
    if met:
        return _("%(points)s: %(said)s.") % {"points": pts(points, criterion.points), "said": said}, ZERO, ""
    wanted = _join_or(_label(labels, v) for v in p["values"])
    words = {"points": pts(0, criterion.points), "said": said, "wanted": wanted, "earned": fmt(criterion.points)}
    return (
        _("%(points)s: %(said)s; %(wanted)s earns %(earned)s.") % words,
        criterion.points,
        _("%(criterion)s: %(wanted)s") % {"criterion": criterion.title, "wanted": wanted},
    )


def measure_recent_year(criterion, rubric):
    """Full points when the year given is within ``within_years`` of the cycle's year."""
    step, name = _split(criterion.params["field"])
    within = criterion.params.get("within_years", 2)
    yes, no = (criterion.points, True), (ZERO, False)

    def measure(facts):
        year = number(_at(facts.answers, step, name))
        return yes if year is not None and facts.as_of_year - within <= year <= facts.as_of_year + 1 else no

    return measure


def reason_recent_year(criterion, facts, rubric, points, met):
    year = number(lookup(facts.answers, criterion.params["field"]))
    within, as_of = criterion.params.get("within_years", 2), facts.as_of_year
    if year is None:
        return _("%(points)s: no year given.") % {"points": pts(0, criterion.points)}, criterion.points, criterion.title
    if met:
        return (
            _("%(points)s: updated in %(year)s.") % {"points": pts(points, criterion.points), "year": fmt(year)},
            ZERO,
            "",
        )
    said = {"points": pts(0, criterion.points), "year": fmt(year), "within": within, "as_of": as_of}
    return (
        ngettext(
            "%(points)s: last updated in %(year)s, more than %(within)s years before %(as_of)s.",
            "%(points)s: last updated in %(year)s, more than %(within)s years before %(as_of)s.",
            plural_count(within),
        )
        % said,
        criterion.points,
        _("%(criterion)s: update it (%(year)s or later)") % {"criterion": criterion.title, "year": as_of - within},
    )


def measure_evidence(criterion, rubric):
    """Full points when a document of the kind is attached."""
    document = criterion.params["document"]
    yes, no = (criterion.points, True), (ZERO, False)

    def measure(facts):
        return yes if document in facts.documents else no

    return measure


def reason_evidence(criterion, facts, rubric, points, met):
    label = _label(rubric.evidence_labels, criterion.params["document"])
    if met:
        return (
            _("%(points)s: %(document)s attached.") % {"points": pts(points, criterion.points), "document": label},
            ZERO,
            "",
        )
    said = {"points": pts(0, criterion.points), "document": label.lower()}
    return _("%(points)s: no %(document)s attached.") % said, criterion.points, _("Attach a %(document)s") % said


def measure_judged(criterion, rubric):
    """Left open for reviewers (None), unless their combined score is given."""

    def measure(facts):
        judged = facts.judged.get(criterion.code)
        if judged is None:
            return None, None
        points = max(ZERO, min(criterion.points, dec(judged)))
        return points, points > 0

    return measure


def reason_judged(criterion, facts, rubric, points, met):
    if points is None:
        return _("Scored by reviewers, 0 to %(maximum)s points.") % {"maximum": fmt(criterion.points)}, ZERO, ""
    return _("%(points)s: scored by reviewers.") % {"points": pts(round(points, 2), criterion.points)}, ZERO, ""


RULES = {
    "choices": (measure_choices, reason_choices),
    "bands": (measure_bands, reason_bands),
    "count": (measure_count, reason_count),
    "yes_no": (measure_yes_no, reason_yes_no),
    "one_of": (measure_one_of, reason_one_of),
    "recent_year": (measure_recent_year, reason_recent_year),
    "evidence": (measure_evidence, reason_evidence),
    "judged": (measure_judged, reason_judged),
}
RULE_KINDS = [  # the words in English: translated where they are shown (``scoring/criterion_forms.RULE_WORDS``)
    ("choices", gettext_noop("Points per selected choice, up to a cap")),
    ("bands", gettext_noop("Numeric bands (≥ or ≤)")),
    ("count", gettext_noop("Count of items (metrics, options)")),
    ("yes_no", gettext_noop("Yes / no (or answered)")),
    ("one_of", gettext_noop("One of some choices")),
    ("recent_year", gettext_noop("A recent year")),
    ("evidence", gettext_noop("Evidence document attached")),
    ("judged", gettext_noop("Judged by reviewers against anchors")),
]
