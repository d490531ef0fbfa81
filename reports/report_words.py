"""The designation report's sentences: its summary, strengths, priorities and recommendations.

The engine gives numbers and terse reasons ("2 of 2 points: yes."); a council
member reads sentences. Everything here turns the scored result (rows as
``reports.application_report.context`` shapes them, points already written as
people write them) into words, and nothing here reads the database.
"""

import re

# A reason's detail worth repeating in a sentence ("89 %", "168 hours"), not "yes" or a long list.
_PLAIN_DETAILS = {"yes", "no", "given", "none given", "not answered", "scored by reviewers", "adjusted by reviewers"}
_MAX_DETAIL = 40


def _points(value, unit="point"):
    return f"{value} {unit}{'' if value == '1' else 's'}"


def points(value):
    """Points as people write them: 12, 3.2, 2.75 (never 3.20); None stays None (not scored yet)."""
    if value is None:
        return None
    return f"{round(float(value), 2):g}"


def lower_first(label):
    """'Web form' → 'web form', 'E-mail' → 'e-mail', but 'GIS' and 'IVR' stay as they are."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def joined(words, last="and"):
    """'a', 'a and b', 'a, b and c' (or 'or')."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def detail(reason):
    """What a reason says after its points ("3 of 3 points: 89 %." → "89 %"), when short and worth saying."""
    _head, sep, tail = (reason or "").partition(": ")
    said = tail.strip().rstrip(".") if sep else ""
    if not said or said.lower() in _PLAIN_DETAILS or len(said) > _MAX_DETAIL:
        return ""
    return said


def _criterion_phrase(criterion):
    said = detail(criterion["reason"])
    return lower_first(criterion["title"]) + (f" ({said})" if said else "")


def _share(category):
    most = float(category["max"] or 0)
    return float(category["points"] or 0) / most if most else 0.0


def strengths(categories, at_full_points, most=3):
    """Up to three sentences on the categories with the largest share of their points, naming what earned them."""
    ranked = sorted(
        (c for c in categories if float(c["points"] or 0) > 0),
        key=lambda c: (-_share(c), -float(c["max"] or 0), c["code"]),
    )
    full_by_category = {}
    for criterion in at_full_points:
        full_by_category.setdefault(criterion["category"], []).append(criterion)
    sentences = []
    for category in ranked[:most]:
        score = f"{category['points']} of {category['max']} points"
        opening = f"{category['name']}: " + ("full points" if _share(category) >= 1 else score)
        opening += f" ({score})" if _share(category) >= 1 else ""
        full = full_by_category.get(category["code"], [])[:2]
        if full:
            sentences.append(f"{opening}, with full points for {joined(_criterion_phrase(c) for c in full)}.")
        else:
            sentences.append(f"{opening}.")
    return sentences


def recommendation(criterion, gain, hint):
    """What to do to earn a criterion's missing points, as a sentence, with the points it would add."""
    title = criterion["title"]
    hint = (hint or "").strip()
    if hint.startswith(f"{title}: "):
        action = hint[len(title) + 2 :]
        if re.match(r"^[0-9]", action) and action.endswith("or more"):
            action = f"reach {action}"  # "Metrics tracked: 11 or more" → "… reach 11 or more"
        text = f"{title}: {action}."
    elif hint and hint != title:
        text = f"{hint}."
    else:
        said = (criterion["reason"] or "").partition(": ")[2].strip().rstrip(".") or "no"
        text = f"{title}: put it in place (today's answer: {said})."
    text = text[:1].upper() + text[1:]
    return {
        "code": criterion["code"],
        "title": title,
        "text": text.replace("..", "."),
        "gain": gain,
        "gain_words": f"up to {_points(gain, 'more point')}",
    }


def _minus(a, b):
    return f"{round(float(a) - float(b), 2):g}"


def priorities(*, unmet_prerequisites, total, threshold, categories, recommendations, most=3):
    """Up to three things to do, in sentences: what stands between the application and a designation first."""
    sentences = [f"Meet the prerequisite: {p['title']}." for p in unmet_prerequisites]
    if float(total) < float(threshold):
        sentences.append(
            f"Earn at least {_minus(threshold, total)} more points: "
            f"the total of {total} is below the {threshold} a designation needs."
        )
    for c in categories:
        if not c["share_met"]:
            sentences.append(
                f"Raise {lower_first(c['name'])} to at least {c['needed']} of its {c['max']} points "
                f"(it has {c['points']})."
            )
    for item in recommendations:
        sentences.append(f"{item['text']} That would add {item['gain_words']}.")
    return sentences[:most]


def summary(*, jurisdiction, cycle, decision, designated, level, total, max_total, threshold, categories, blind):
    """The cover's paragraph: what was decided, the score, and where the points are."""
    name, when = f"{jurisdiction.name}, {jurisdiction.state}", cycle.name
    ranked = sorted(categories, key=lambda c: (-_share(c), c["code"]))
    best = [c["name"] for c in ranked[:2] if float(c["points"] or 0) > 0]
    short = [c["name"] for c in sorted(categories, key=lambda c: (_share(c), c["code"])) if _share(c) < 1][:2]
    where = []
    if best:
        where.append(f"Its strongest work is in {joined(lower_first(b) for b in best)}")
    if short:
        where.append(f"the most points are left to earn in {joined(lower_first(s) for s in short)}")
    tail = (joined(where) + ".") if where else ""
    tail = tail[:1].upper() + tail[1:]
    if decision is None:
        lead = (
            f"This draft shows the rules' estimate for {name}'s {when} application: {total} of {max_total} points "
            f"so far; a designation needs at least {threshold}."
        )
        if blind:
            lead += " The panel's scores and comments are left out until your own review is submitted."
        return f"{lead} {tail}".strip()
    if designated:
        named = f"a Citizen-Engaged Community{' — ' + level if level else ''}"
        lead = f"The review panel designated {name} {named} for {when}, with {total} of {max_total} points."
    else:
        lead = (
            f"The review panel did not designate {name} for {when}: the application earned {total} of "
            f"{max_total} points, and a designation needs at least {threshold} with a minimum share in every category."
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
