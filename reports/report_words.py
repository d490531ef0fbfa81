"""The designation report's sentences: its summary, strengths, priorities and recommendations.

The engine gives numbers and terse reasons ("2 of 2 points: yes."); a council
member reads sentences. Everything here turns the scored result (rows as
``reports.application_report.context`` shapes them, points already written as
people write them) into words, and nothing here reads the database.
"""

import re

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# A reason's detail worth repeating in a sentence ("89 %", "168 hours"), not "yes" or a long list.
_PLAIN_DETAILS = {"yes", "no", "given", "none given", "not answered", "scored by reviewers", "adjusted by reviewers"}
_MAX_DETAIL = 40
# What separates a title from what follows it: ": ", or " : " with the non-breaking space French puts before it.
_COLON = re.compile("\u00a0?: ")


def number_of(text):
    """A number written by ``points`` (``"3.2"``, or ``"3,2"`` in French) as a float; 0 for nothing."""
    return float(str(text or 0).replace(",", "."))


def plural_count(value):
    """The count ngettext picks the form with for a number of points: 1 point, 0.5 point(s), 2.5 points.

    Whole numbers are themselves; a fraction below 1 counts as 0 (plural in English, singular in French,
    as both write it) and above 1 as 2 (plural in both).
    """
    number = number_of(value)
    if number.is_integer():
        return int(number)
    return 0 if number < 1 else 2


def points(value):
    """Points as people write them: 12, 3.2, 2.75 (never 3.20); in French 3,2. None stays None (not scored yet)."""
    if value is None:
        return None
    text = f"{round(float(value), 2):g}"
    separator = get_format("DECIMAL_SEPARATOR")
    return text if separator == "." else text.replace(".", separator)


def lower_first(label):
    """'Web form' → 'web form', 'E-mail' → 'e-mail', but 'GIS' and 'IVR' stay as they are."""
    label = str(label)
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def joined(words, last="and"):
    """'a', 'a and b', 'a, b and c' (or 'or'), in the active language."""
    words = [str(word) for word in words]
    if len(words) <= 1:
        return "".join(words)
    link = _("or") if last == "or" else _("and")
    return ", ".join(words[:-1]) + f" {link} " + words[-1]


def detail(reason):
    """What a reason says after its points ("3 of 3 points: 89 %." → "89 %"), when short and worth saying."""
    parts = _COLON.split(reason or "", maxsplit=1)
    said = parts[1].strip().rstrip(".") if len(parts) == 2 else ""
    plain = _PLAIN_DETAILS | {_(word).lower() for word in _PLAIN_DETAILS}
    if not said or said.lower() in plain or len(said) > _MAX_DETAIL:
        return ""
    return said


def _criterion_phrase(criterion):
    said = detail(criterion["reason"])
    title = lower_first(criterion["title"])
    return _("%(criterion)s (%(detail)s)") % {"criterion": title, "detail": said} if said else title


def _share(category):
    most = number_of(category["max"])
    return number_of(category["points"]) / most if most else 0.0


def strengths(categories, at_full_points, most=3):
    """Up to three sentences on the categories with the largest share of their points, naming what earned them."""
    ranked = sorted(
        (c for c in categories if number_of(c["points"]) > 0),
        key=lambda c: (-_share(c), -number_of(c["max"]), c["code"]),
    )
    full_by_category = {}
    for criterion in at_full_points:
        full_by_category.setdefault(criterion["category"], []).append(criterion)
    sentences = []
    for category in ranked[:most]:
        values = {"category": category["name"], "points": category["points"], "max": category["max"]}
        full = full_by_category.get(category["code"], [])[:2]
        if full:
            values["criteria"] = joined(_criterion_phrase(c) for c in full)
        if _share(category) >= 1 and full:
            text = _("%(category)s: full points (%(points)s of %(max)s points), with full points for %(criteria)s.")
        elif _share(category) >= 1:
            text = _("%(category)s: full points (%(points)s of %(max)s points).")
        elif full:
            text = _("%(category)s: %(points)s of %(max)s points, with full points for %(criteria)s.")
        else:
            text = _("%(category)s: %(points)s of %(max)s points.")
        sentences.append(text % values)
    return sentences


def recommendation(criterion, gain, hint):
    """What to do to earn a criterion's missing points, as a sentence, with the points it would add."""
    title = str(criterion["title"])
    hint = str(hint or "").strip()
    after = next((hint[len(title + sep) :] for sep in (": ", "\u00a0: ") if hint.startswith(title + sep)), None)
    if after is not None:
        action = after
        if re.match(r"^[0-9]", action) and action.endswith("or more"):
            text = _("%(criterion)s: reach %(action)s.")  # "Metrics tracked: 11 or more" → "… reach 11 or more"
        else:
            text = _("%(criterion)s: %(action)s.")
        text = text % {"criterion": title, "action": action}
    elif hint and hint != title:
        text = f"{hint}."
    else:
        said = _COLON.split(criterion["reason"] or "", maxsplit=1)[1:] or [""]
        said = said[0].strip().rstrip(".") or _("no")
        text = _("%(criterion)s: put it in place (today's answer: %(answer)s).") % {"criterion": title, "answer": said}
    text = text[:1].upper() + text[1:]
    return {
        "code": criterion["code"],
        "title": title,
        "text": text.replace("..", "."),
        "gain": gain,
        "gain_words": ngettext("up to %(points)s more point", "up to %(points)s more points", plural_count(gain))
        % {"points": gain},
    }


def _minus(a, b):
    return points(number_of(a) - number_of(b))


def priorities(*, unmet_prerequisites, total, threshold, categories, recommendations, most=3):
    """Up to three things to do, in sentences: what stands between the application and a designation first."""
    sentences = [
        _("Meet the prerequisite: %(prerequisite)s.") % {"prerequisite": p["title"]} for p in unmet_prerequisites
    ]
    if number_of(total) < number_of(threshold):
        sentences.append(
            _(
                "Earn at least %(more)s more points: the total of %(total)s is below the %(threshold)s a designation needs."
            )
            % {"more": _minus(threshold, total), "total": total, "threshold": threshold}
        )
    for c in categories:
        if not c["share_met"]:
            sentences.append(
                _("Raise %(category)s to at least %(needed)s of its %(max)s points (it has %(points)s).")
                % {"category": lower_first(c["name"]), "needed": c["needed"], "max": c["max"], "points": c["points"]}
            )
    for item in recommendations:
        sentences.append(
            _("%(recommendation)s That would add %(gain)s.")
            % {"recommendation": item["text"], "gain": item["gain_words"]}
        )
    return sentences[:most]


def _where(best, short):
    """The summary's last sentence: where the points are, and where they are missing."""
    values = {"best": joined(lower_first(b) for b in best), "short": joined(lower_first(s) for s in short)}
    if best and short:
        return _("Its strongest work is in %(best)s and the most points are left to earn in %(short)s.") % values
    if best:
        return _("Its strongest work is in %(best)s.") % values
    if short:
        return _("The most points are left to earn in %(short)s.") % values
    return ""


def summary(*, jurisdiction, cycle, decision, designated, level, total, max_total, threshold, categories, blind):
    """The cover's paragraph: what was decided, the score, and where the points are."""
    values = {
        "name": f"{jurisdiction.name}, {jurisdiction.state}",
        "cycle": cycle.name,
        "total": total,
        "max": max_total,
        "threshold": threshold,
        "level": level,
    }
    ranked = sorted(categories, key=lambda c: (-_share(c), c["code"]))
    best = [c["name"] for c in ranked[:2] if number_of(c["points"]) > 0]
    short = [c["name"] for c in sorted(categories, key=lambda c: (_share(c), c["code"])) if _share(c) < 1][:2]
    tail = _where(best, short)
    if decision is None:
        lead = (
            _(
                "This draft shows the rules' estimate for %(name)s's %(cycle)s application: %(total)s of %(max)s "
                "points so far; a designation needs at least %(threshold)s."
            )
            % values
        )
        if blind:
            lead += " " + _("The panel's scores and comments are left out until your own review is submitted.")
    elif designated and level:
        lead = (
            _(
                "The review panel designated %(name)s a Citizen-Engaged Community — %(level)s for %(cycle)s, "
                "with %(total)s of %(max)s points."
            )
            % values
        )
    elif designated:
        lead = (
            _(
                "The review panel designated %(name)s a Citizen-Engaged Community for %(cycle)s, with %(total)s of %(max)s points."
            )
            % values
        )
    else:
        lead = (
            _(
                "The review panel did not designate %(name)s for %(cycle)s: the application earned %(total)s of "
                "%(max)s points, and a designation needs at least %(threshold)s with a minimum share in every category."
            )
            % values
        )
    return f"{lead} {tail}".strip()


def reviewer_letter(index):
    """Panel reviewer A, B, … Z, AA, AB: comments are attributed by letter, never by name."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
