"""What the designees of a cycle have in common, and what changed since the cycle before: sentences.

Seed 004 (the program's announcement) is the model: "Of the 13 designated
communities, all … offer mobile citizen reporting applications"; "Almost none
have implemented voice recognition or web chat". Every sentence here is
computed from the designees' answers and worded for its count: "All 13 …",
"Both …", "9 of 13 …", "Only 2 of 13 offer web chat", "None offers voice
recognition", and "The designee …" when there is only one. Plain functions of
answers (``Application.answers``) and the questionnaire's words for the
choices, so that tests can call them with any answers.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from assessment import questionnaire
from reports.report_words import joined, lower_first, points

# A choice offered by at most this share of the designees (and by at least one) is offered by "only" them.
FEW = 0.2
# The contact numbers in the order the sentence names them: the kind most designees use first (seed 004).
NUMBERS = [
    ("7digit", gettext_lazy("a 7-digit number only")),
    ("both", gettext_lazy("both 3-1-1 and a 7-digit number")),
    ("311", gettext_lazy("3-1-1 only")),
]


def _wordings(one, one_not, both, every, neither, none, some, only):
    return {
        "one": one,
        "one_not": one_not,
        "both": both,
        "all": every,
        "neither": neither,
        "none": none,
        "some": some,
        "only": only,
    }


# Every sentence ``said`` can make, whole, for each verb it is used with: the order of the words and the
# agreement of the verb are the translation's, never glued here.
OFFER = _wordings(
    gettext_lazy("The designee offers %(what)s."),
    gettext_lazy("The designee does not offer %(what)s."),
    gettext_lazy("Both offer %(what)s."),
    gettext_lazy("All %(total)s offer %(what)s."),
    gettext_lazy("Neither offers %(what)s."),
    gettext_lazy("None offers %(what)s."),
    ngettext_lazy("%(count)s of %(total)s offers %(what)s.", "%(count)s of %(total)s offer %(what)s.", "count"),
    ngettext_lazy(
        "Only %(count)s of %(total)s offers %(what)s.", "Only %(count)s of %(total)s offer %(what)s.", "count"
    ),
)
TAKE = _wordings(
    gettext_lazy("The designee takes %(what)s."),
    gettext_lazy("The designee does not take %(what)s."),
    gettext_lazy("Both take %(what)s."),
    gettext_lazy("All %(total)s take %(what)s."),
    gettext_lazy("Neither takes %(what)s."),
    gettext_lazy("None takes %(what)s."),
    ngettext_lazy("%(count)s of %(total)s takes %(what)s.", "%(count)s of %(total)s take %(what)s.", "count"),
    ngettext_lazy("Only %(count)s of %(total)s takes %(what)s.", "Only %(count)s of %(total)s take %(what)s.", "count"),
)
INTEGRATE = _wordings(
    gettext_lazy("The designee integrates %(what)s."),
    gettext_lazy("The designee does not integrate %(what)s."),
    gettext_lazy("Both integrate %(what)s."),
    gettext_lazy("All %(total)s integrate %(what)s."),
    gettext_lazy("Neither integrates %(what)s."),
    gettext_lazy("None integrates %(what)s."),
    ngettext_lazy("%(count)s of %(total)s integrates %(what)s.", "%(count)s of %(total)s integrate %(what)s.", "count"),
    ngettext_lazy(
        "Only %(count)s of %(total)s integrates %(what)s.", "Only %(count)s of %(total)s integrate %(what)s.", "count"
    ),
)
HAVE = _wordings(
    gettext_lazy("The designee has %(what)s."),
    gettext_lazy("The designee does not have %(what)s."),
    gettext_lazy("Both have %(what)s."),
    gettext_lazy("All %(total)s have %(what)s."),
    gettext_lazy("Neither has %(what)s."),
    gettext_lazy("None has %(what)s."),
    ngettext_lazy("%(count)s of %(total)s has %(what)s.", "%(count)s of %(total)s have %(what)s.", "count"),
    ngettext_lazy("Only %(count)s of %(total)s has %(what)s.", "Only %(count)s of %(total)s have %(what)s.", "count"),
)
USE = _wordings(
    gettext_lazy("The designee uses %(what)s."),
    gettext_lazy("The designee does not use %(what)s."),
    gettext_lazy("Both use %(what)s."),
    gettext_lazy("All %(total)s use %(what)s."),
    gettext_lazy("Neither uses %(what)s."),
    gettext_lazy("None uses %(what)s."),
    ngettext_lazy("%(count)s of %(total)s uses %(what)s.", "%(count)s of %(total)s use %(what)s.", "count"),
    ngettext_lazy("Only %(count)s of %(total)s uses %(what)s.", "Only %(count)s of %(total)s use %(what)s.", "count"),
)

# --- Reading the answers -----------------------------------------------------------------------------------


def _step(answers, step):
    value = answers.get(step) if isinstance(answers, dict) else None
    return value if isinstance(value, dict) else {}


def chosen(answers, step, name):
    """The values ticked for a multiple-choice question (a set; empty when unanswered or malformed)."""
    value = _step(answers, step).get(name)
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def says_yes(answers, step, name):
    return _step(answers, step).get(name) is True


def metrics_tracked(answers):
    """How many performance metrics the application lists (the rows of the repeated ``metrics`` step)."""
    rows = answers.get("metrics") if isinstance(answers, dict) else None
    return sum(1 for row in rows if isinstance(row, dict)) if isinstance(rows, list) else 0


# --- Words --------------------------------------------------------------------------------------------------


def number(value):
    """An average as people write it: 9, 9.5 (one decimal at most; 9,5 in French)."""
    return points(round(value, 1))


def said(count, total, wordings, what):
    """A sentence about how many of ``total`` designees do something, worded for the count.

    ``wordings`` are the verb's sentences (``OFFER``, ``TAKE``…): "All 13 offer …", "Both offer …",
    "9 of 13 offer …", "Only 1 of 13 offers …", "Neither offers …", "None offers …"; with one designee,
    "The designee offers …" or "… does not offer …".
    """
    values = {"count": count, "total": total, "what": what}
    if total == 1:
        return wordings["one" if count else "one_not"] % values
    if count == total:
        return wordings["both" if total == 2 else "all"] % values
    if count == 0:
        return wordings["neither" if total == 2 else "none"] % values
    return wordings["only" if count <= FEW * total else "some"] % values


def share(count, total):
    """A count as a trend states it: "2 of 13", "all 13", "none of 13"; of one, "the one designee" or "none"."""
    if total == 1:
        return _("the one designee") if count else _("none")
    if count == total:
        return _("both") if total == 2 else _("all %(total)s") % {"total": total}
    if count == 0:
        return _("none of %(total)s") % {"total": total}
    return _("%(count)s of %(total)s") % {"count": count, "total": total}


def percent(count, total):
    return _("%(number)s %%") % {"number": round(100 * count / total)}


# --- The highlights ----------------------------------------------------------------------------------------


def highlights(answers_list):
    """Sentences about what the designees have in common, computed from their answers (seed 004's kind)."""
    answers_list = [a if isinstance(a, dict) else {} for a in answers_list]
    n = len(answers_list)
    if not n:
        return []
    labels = questionnaire.choice_labels()
    sentences = []

    channel_labels = labels.get("channels.channels", {})
    channel_sets = [chosen(a, "channels", "channels") for a in answers_list]
    common = [lower_first(label) for value, label in channel_labels.items() if all(value in s for s in channel_sets)]
    if common:
        sentences.append(said(n, n, TAKE, _("service requests by %(channels)s") % {"channels": joined(common)}))
    elif n > 1:
        sentences.append(_("No one channel takes service requests at every designee."))
    sentences += rarely_offered(channel_labels, channel_sets)

    integration_labels = labels.get("technology.crm_integrations", {})
    integration_sets = [chosen(a, "technology", "crm_integrations") for a in answers_list]
    integrated = [
        lower_first(label) for value, label in integration_labels.items() if all(value in s for s in integration_sets)
    ]
    if integrated:
        sentences.append(said(n, n, INTEGRATE, _("the CRM with %(systems)s") % {"systems": joined(integrated)}))

    mobile = sum(says_yes(a, "channels", "mobile_app_photo_location") for a in answers_list)
    sentences.append(said(mobile, n, OFFER, _("a mobile reporting app that sends a photo and location into the CRM")))
    sentences.append(metrics_sentence([metrics_tracked(a) for a in answers_list]))
    self_service = min(len(chosen(a, "channels", "self_service")) for a in answers_list)
    if self_service:
        if n == 1:
            text = ngettext(
                "The designee offers %(count)s self-service choice.",
                "The designee offers %(count)s self-service choices.",
                self_service,
            )
        else:
            text = ngettext(
                "Every one offers at least %(count)s self-service choice.",
                "Every one offers at least %(count)s self-service choices.",
                self_service,
            )
        sentences.append(text % {"count": self_service})
    sentences.append(plans_sentence(answers_list))
    social = sum(says_yes(a, "participation", "social_takes_requests") for a in answers_list)
    sentences.append(said(social, n, TAKE, _("service requests through social media")))
    remote = sum(says_yes(a, "workforce", "remote_call_takers") for a in answers_list)
    sentences.append(said(remote, n, HAVE, _("remote call takers")))
    sentences.append(numbers_sentence([_step(a, "profile").get("contact_number_type") for a in answers_list]))
    return sentences


def rarely_offered(channel_labels, channel_sets):
    """What almost none offers: "None offers voice recognition." and "Only 2 of 13 offer web chat or SMS."."""
    n = len(channel_sets)
    by_count = {}
    for value, label in channel_labels.items():
        count = sum(value in s for s in channel_sets)
        if count == 0 or (n > 1 and count <= FEW * n):
            by_count.setdefault(count, []).append(lower_first(label))
    return [said(count, n, OFFER, joined(by_count[count], "or")) for count in sorted(by_count)]


def metrics_sentence(counts):
    """ "They track 5 to 14 performance metrics, 9 on average." (or "6 … each", or "The designee tracks 6 …")."""
    low, high = min(counts), max(counts)
    if len(counts) == 1:
        text = ngettext(
            "The designee tracks %(count)s performance metric.",
            "The designee tracks %(count)s performance metrics.",
            low,
        )
        return text % {"count": low}
    if low == high:
        text = ngettext(
            "They track %(count)s performance metric each.", "They track %(count)s performance metrics each.", low
        )
        return text % {"count": low}
    return _("They track %(low)s to %(high)s performance metrics, %(average)s on average.") % {
        "low": low,
        "high": high,
        "average": number(sum(counts) / len(counts)),
    }


def plans_sentence(answers_list):
    """The share with a written technology plan and with written SLAs (seed 004: "Eighty-five percent …")."""
    n = len(answers_list)
    plans = sum(says_yes(a, "planning", "technology_plan") for a in answers_list)
    slas = sum(says_yes(a, "accountability", "written_slas") for a in answers_list)
    if n == 1:
        return {
            (True, True): _(
                "The designee has a written technology plan and written service-level agreements with the "
                "departments that deliver services."
            ),
            (True, False): _(
                "The designee has a written technology plan but no written service-level agreements with the "
                "departments that deliver services."
            ),
            (False, True): _(
                "The designee has written service-level agreements with the departments that deliver services "
                "but no written technology plan."
            ),
            (False, False): _(
                "The designee has neither a written technology plan nor written service-level agreements with "
                "the departments that deliver services."
            ),
        }[bool(plans), bool(slas)]
    if plans == slas and plans in (0, n):
        # "All 5 have a plan and SLAs", "None has a plan or SLAs"
        if plans:
            what = _(
                "a written technology plan and written service-level agreements with the departments that "
                "deliver services"
            )
        else:
            what = _(
                "a written technology plan or written service-level agreements with the departments that "
                "deliver services"
            )
        return said(plans, n, HAVE, what)
    return _(
        "%(plans)s have a written technology plan and %(slas)s written service-level agreements with the "
        "departments that deliver services."
    ) % {"plans": percent(plans, n), "slas": percent(slas, n)}


def numbers_sentence(kinds):
    """How residents call: "As their central number, 6 use a 7-digit number only, …" without the zeros."""
    n = len(kinds)
    parts = [(kinds.count(value), words) for value, words in NUMBERS if kinds.count(value)]
    unknown = n - sum(count for count, _words in parts)
    if len(parts) == 1 and not unknown:
        return said(n, n, USE, parts[0][1])
    said_parts = [
        ngettext("%(count)s uses %(what)s", "%(count)s use %(what)s", count) % {"count": count, "what": words}
        for count, words in parts
    ]
    if unknown:
        said_parts.append(ngettext("%(count)s did not say", "%(count)s did not say", unknown) % {"count": unknown})
    if not parts:
        return _("No designee said which contact number residents call.")
    return _("As their central number, %(parts)s.") % {"parts": joined(said_parts)}


# --- Trends -------------------------------------------------------------------------------------------------


def trend_counts(answers_list):
    """{label: how many} of what the trends compare (channels, plan, mobile app, social media), in their order."""
    labels = questionnaire.choice_labels().get("channels.channels", {})
    counts = {
        label: sum(value in chosen(a, "channels", "channels") for a in answers_list) for value, label in labels.items()
    }
    for label, step, name in (
        (_("Written technology plan"), "planning", "technology_plan"),
        (_("Mobile app sending a photo and location"), "channels", "mobile_app_photo_location"),
        (_("Service requests through social media"), "participation", "social_takes_requests"),
    ):
        counts[label] = sum(says_yes(a, step, name) for a in answers_list)
    return counts


def trends(previous_name, previous_answers, answers_list):
    """Sentences like "Web chat: 2 of 13 in 2013–2015, 9 of 16 now", only where the share changed.

    Nothing when either cycle has no designees (there is nothing to compare).
    """
    before, now = [a if isinstance(a, dict) else {} for a in previous_answers], answers_list
    m, n = len(before), len(now)
    if not m or not n:
        return []
    was, is_ = trend_counts(before), trend_counts(now)
    lines = [
        _("%(label)s: %(before)s in %(previous)s, %(now)s now")
        % {"label": label, "before": share(was[label], m), "previous": previous_name, "now": share(is_[label], n)}
        for label in was
        if was[label] * n != is_[label] * m
    ]
    average_before = sum(map(metrics_tracked, before)) / m
    average_now = sum(map(metrics_tracked, now)) / n
    if number(average_before) != number(average_now):
        lines.append(
            _("Performance metrics tracked: %(before)s on average in %(previous)s, %(now)s now")
            % {"before": number(average_before), "previous": previous_name, "now": number(average_now)}
        )
    return lines
