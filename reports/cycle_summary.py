"""A cycle's summary of designees: the published designees by population band, with highlights, and its cached PDF.

The designees are ``reports.designees.designees(cycle)`` (the one rule of who
is a designee); the highlights are sentences about what they have in common,
computed from their answers, with the questionnaire's words for the choices.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from assessment import questionnaire
from reports import report_files
from reports.designees import designees, grouped
from reports.models import ReportFile
from reports.render import STATIC_BASE

# --- The highlights ---------------------------------------------------------------------


def _step(answers, step):
    value = answers.get(step) if isinstance(answers, dict) else None
    return value if isinstance(value, dict) else {}


def _chosen(answers, step, name):
    value = _step(answers, step).get(name)
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def _how_many(count, total):
    """'All 13', 'None', '5 of 13'."""
    if count == total:
        return "Both" if total == 2 else f"All {total}"
    if count == 0:
        return "None"
    return f"{count} of {total}"


def _percent(count, total):
    return f"{round(100 * count / total)} %"


def _lower_first(label):
    """'Web form' → 'web form', 'E-mail' → 'e-mail', but 'GIS' and 'IVR' stay as they are."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _and(words):
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def highlights(answers_list):
    """Sentences about what the designees have in common, computed from their answers (seed 004's kind)."""
    n = len(answers_list)
    if not n:
        return []
    sentences = []
    choice_labels = questionnaire.choice_labels()

    def common(step, name):
        sets = [_chosen(a, step, name) for a in answers_list]
        labels = choice_labels.get(f"{step}.{name}", {})
        shared = set.intersection(*sets)
        return [label for value, label in labels.items() if value in shared], sets, labels

    def count_true(step, name):
        return sum(1 for a in answers_list if _step(a, step).get(name) is True)

    channels, channel_sets, channel_labels = common("channels", "channels")
    if channels:
        sentences.append(f"{_how_many(n, n)} take service requests by {_and(_lower_first(c) for c in channels)}.")
    rare = []
    for value in ("voice_recognition", "web_chat"):
        if value in channel_labels:
            users = sum(1 for s in channel_sets if value in s)
            if users <= n * 0.15:
                rare.append(f"{_lower_first(channel_labels[value])}: {'none' if not users else f'{users} of {n}'}")
    if rare:
        sentences.append(f"Almost none have voice recognition or web chat ({'; '.join(rare)}).")
    integrations, _sets, _labels = common("technology", "crm_integrations")
    if integrations:
        sentences.append(f"{_how_many(n, n)} integrate their CRM with {_and(_lower_first(i) for i in integrations)}.")
    mobile = count_true("channels", "mobile_app_photo_location")
    sentences.append(
        f"{_how_many(mobile, n)} offer a mobile reporting app that sends a photo and location into their systems."
    )
    metrics = [len(a.get("metrics") or []) if isinstance(a.get("metrics"), list) else 0 for a in answers_list]
    low, high = min(metrics), max(metrics)
    span = f"{low}" if low == high else f"{low} to {high}"
    sentences.append(f"They track {span} performance metrics ({sum(metrics) / n:.0f} on average).")
    self_service = min(len(_chosen(a, "channels", "self_service")) for a in answers_list)
    if self_service:
        sentences.append(f"Every one offers at least {self_service} self-service choices.")
    plans, slas = count_true("planning", "technology_plan"), count_true("accountability", "written_slas")
    sentences.append(
        f"{_percent(plans, n)} have a written technology plan and {_percent(slas, n)} written service-level "
        "agreements with the departments that deliver services."
    )
    social = count_true("participation", "social_takes_requests")
    sentences.append(f"{_how_many(social, n)} take service requests through social media.")
    remote = count_true("workforce", "remote_call_takers")
    sentences.append(f"{_how_many(remote, n)} have remote call takers.")
    numbers = [_step(a, "profile").get("contact_number_type") for a in answers_list]
    seven, both, only_311 = numbers.count("7digit"), numbers.count("both"), numbers.count("311")
    sentences.append(
        f"{only_311} use 3-1-1 only, {seven} a 7-digit number only and {both} both"
        f"{' (' + str(n - seven - both - only_311) + ' did not say)' if n - seven - both - only_311 else ''}."
    )
    return sentences


# --- The summary ------------------------------------------------------------------------


def gather(cycle):
    """The cycle's published designees (applications, ``level`` annotated) and a hash of what the summary shows."""
    rows = list(designees(cycle))
    inputs = {
        "design": report_files.design_version(),
        "cycle": [cycle.pk, cycle.name, cycle.valid_from, cycle.valid_until],
        "designees": [[str(a.pk), str(a.jurisdiction), a.jurisdiction.population, a.level, a.answers] for a in rows],
    }
    return rows, report_files.inputs_hash(inputs)


def is_recorded(designee):
    """A designation recorded from an announcement (no panel decision), not one the panel made here."""
    return designee.decision_pk is None


def html(cycle, rows):
    """The summary as the HTML the render process prints; ``rows`` are the designees ``gather`` read."""
    context = {
        "cycle": cycle,
        "designees": rows,
        "bands": grouped(rows)[0]["bands"] if rows else [],
        "highlights": highlights([a.answers or {} for a in rows]),
        "recorded": any(is_recorded(a) for a in rows),
        "report_date": timezone.localdate(),
        "static_base": STATIC_BASE,
        "site_name": settings.SITE_NAME,
    }
    return render_to_string("reports/pdf/cycle_summary.html", context)


def report_file(cycle):
    """The cycle's summary of designees as a ReportFile, cached like the application reports."""
    rows, digest = gather(cycle)
    report, _created = ReportFile.objects.get_or_create(
        kind=ReportFile.Kind.CYCLE_SUMMARY, cycle=cycle, application=None
    )
    return report_files.current_or_made(report, digest, lambda: html(cycle, rows))
