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

from assessment import questionnaire
from reports.report_words import joined, lower_first

# A choice offered by at most this share of the designees (and by at least one) is offered by "only" them.
FEW = 0.2
# The contact numbers in the order the sentence names them: the kind most designees use first (seed 004).
NUMBERS = [
    ("7digit", "a 7-digit number only"),
    ("both", "both 3-1-1 and a 7-digit number"),
    ("311", "3-1-1 only"),
]

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
    """An average as people write it: 9, 9.5 (one decimal at most)."""
    return f"{round(value, 1):g}"


def plural(count, word, words=None):
    return f"{count} {word if count == 1 else words or word + 's'}"


def said(count, total, verb, rest):
    """A sentence about how many of ``total`` designees do something, worded for the count.

    ``verb`` is (third person singular, plural): ("offers", "offer"). "All 13 offer …",
    "Both offer …", "9 of 13 offer …", "Only 1 of 13 offers …", "Neither offers …",
    "None offers …"; with one designee, "The designee offers …" or "… does not offer …".
    """
    one, many = verb
    if total == 1:
        # "does not offer": the plural of the present tense is the infinitive.
        return f"The designee {one if count else 'does not ' + many} {rest}."
    if count == total:
        return f"{'Both' if total == 2 else f'All {total}'} {many} {rest}."
    if count == 0:
        return f"{'Neither' if total == 2 else 'None'} {one} {rest}."
    who = f"{count} of {total}"
    if count <= FEW * total:
        who = f"Only {who}"
    return f"{who} {one if count == 1 else many} {rest}."


def share(count, total):
    """A count as a trend states it: "2 of 13", "all 13", "none of 13"; of one, "the one designee" or "none"."""
    if total == 1:
        return "the one designee" if count else "none"
    if count == total:
        return "both" if total == 2 else f"all {total}"
    return f"none of {total}" if count == 0 else f"{count} of {total}"


def percent(count, total):
    return f"{round(100 * count / total)} %"


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
        sentences.append(said(n, n, ("takes", "take"), f"service requests by {joined(common)}"))
    elif n > 1:
        sentences.append("No one channel takes service requests at every designee.")
    sentences += rarely_offered(channel_labels, channel_sets)

    integration_labels = labels.get("technology.crm_integrations", {})
    integration_sets = [chosen(a, "technology", "crm_integrations") for a in answers_list]
    integrated = [
        lower_first(label) for value, label in integration_labels.items() if all(value in s for s in integration_sets)
    ]
    if integrated:
        sentences.append(said(n, n, ("integrates", "integrate"), f"the CRM with {joined(integrated)}"))

    mobile = sum(says_yes(a, "channels", "mobile_app_photo_location") for a in answers_list)
    sentences.append(
        said(mobile, n, ("offers", "offer"), "a mobile reporting app that sends a photo and location into the CRM")
    )
    sentences.append(metrics_sentence([metrics_tracked(a) for a in answers_list]))
    self_service = min(len(chosen(a, "channels", "self_service")) for a in answers_list)
    if self_service:
        choices = plural(self_service, "self-service choice")
        sentences.append(f"The designee offers {choices}." if n == 1 else f"Every one offers at least {choices}.")
    sentences.append(plans_sentence(answers_list))
    social = sum(says_yes(a, "participation", "social_takes_requests") for a in answers_list)
    sentences.append(said(social, n, ("takes", "take"), "service requests through social media"))
    remote = sum(says_yes(a, "workforce", "remote_call_takers") for a in answers_list)
    sentences.append(said(remote, n, ("has", "have"), "remote call takers"))
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
    return [said(count, n, ("offers", "offer"), joined(by_count[count], "or")) for count in sorted(by_count)]


def metrics_sentence(counts):
    """ "They track 5 to 14 performance metrics, 9 on average." (or "6 … each", or "The designee tracks 6 …")."""
    low, high = min(counts), max(counts)
    if len(counts) == 1:
        return f"The designee tracks {plural(low, 'performance metric')}."
    if low == high:
        return f"They track {plural(low, 'performance metric')} each."
    return f"They track {low} to {high} performance metrics, {number(sum(counts) / len(counts))} on average."


def plans_sentence(answers_list):
    """The share with a written technology plan and with written SLAs (seed 004: "Eighty-five percent …")."""
    n = len(answers_list)
    plans = sum(says_yes(a, "planning", "technology_plan") for a in answers_list)
    slas = sum(says_yes(a, "accountability", "written_slas") for a in answers_list)
    agreements = "service-level agreements with the departments that deliver services"
    if n == 1:
        return {
            (True, True): f"The designee has a written technology plan and written {agreements}.",
            (True, False): f"The designee has a written technology plan but no written {agreements}.",
            (False, True): f"The designee has written {agreements} but no written technology plan.",
            (False, False): f"The designee has neither a written technology plan nor written {agreements}.",
        }[bool(plans), bool(slas)]
    if plans == slas and plans in (0, n):
        both = "and" if plans else "or"  # "All 5 have a plan and SLAs", "None has a plan or SLAs"
        return said(plans, n, ("has", "have"), f"a written technology plan {both} written {agreements}")
    return f"{percent(plans, n)} have a written technology plan and {percent(slas, n)} written {agreements}."


def numbers_sentence(kinds):
    """How residents call: "As their central number, 6 use a 7-digit number only, …" without the zeros."""
    n = len(kinds)
    parts = [(kinds.count(value), words) for value, words in NUMBERS if kinds.count(value)]
    unknown = n - sum(count for count, _words in parts)
    if len(parts) == 1 and not unknown:
        return said(n, n, ("uses", "use"), parts[0][1])
    said_parts = [f"{count} {'uses' if count == 1 else 'use'} {words}" for count, words in parts]
    if unknown:
        said_parts.append(f"{unknown} did not say")
    if not parts:
        return "No designee said which contact number residents call."
    return f"As their central number, {joined(said_parts)}."


# --- Trends -------------------------------------------------------------------------------------------------


def trend_counts(answers_list):
    """{label: how many} of what the trends compare (channels, plan, mobile app, social media), in their order."""
    labels = questionnaire.choice_labels().get("channels.channels", {})
    counts = {
        label: sum(value in chosen(a, "channels", "channels") for a in answers_list) for value, label in labels.items()
    }
    for label, step, name in (
        ("Written technology plan", "planning", "technology_plan"),
        ("Mobile app sending a photo and location", "channels", "mobile_app_photo_location"),
        ("Service requests through social media", "participation", "social_takes_requests"),
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
        f"{label}: {share(was[label], m)} in {previous_name}, {share(is_[label], n)} now"
        for label in was
        if was[label] * n != is_[label] * m
    ]
    average_before = sum(map(metrics_tracked, before)) / m
    average_now = sum(map(metrics_tracked, now)) / n
    if number(average_before) != number(average_now):
        lines.append(
            f"Performance metrics tracked: {number(average_before)} on average in {previous_name}, "
            f"{number(average_now)} now"
        )
    return lines
