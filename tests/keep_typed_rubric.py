"""The rubric editor's forms for tests/test_forms_keep_typed.py (``CASES``, merged into tests/keep_typed_cases.py),
and ``shown_form``: what a page's form posts as it is shown, for the rubric tests.

Each case fills a form of the organizer's rubric pages (pages/rubric.py, pages/rubric_parts.py) with
distinctive values, one of them refused, on a rubric nobody has applied under yet (a frozen one refuses
every change).
"""

from collections import defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

from django.urls import reverse

from scoring.criterion_forms import AnchorForm, BandForm, CriterionForm
from scoring.domain import rubric_for
from scoring.rubric_forms import BaseLevelFormSet, CategoryForm, LevelForm, RubricSettingsForm
from tests.factories import make_cycle


class _Forms(HTMLParser):
    """{action: {name: [values]}} of a page's forms, as a browser posts them (no submit buttons)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._fields, self._select, self._textarea = {}, defaultdict(list), None, None

    def handle_starttag(self, tag, attrs):
        a = {name: value if value is not None else "" for name, value in attrs}
        kind = a.get("type", "text")
        if tag == "form":
            self._fields = self.forms.setdefault(a.get("action") or "", defaultdict(list))
        elif tag == "input" and a.get("name") and kind not in ("submit", "button", "reset", "image"):
            if kind not in ("checkbox", "radio") or "checked" in a:
                self._fields[a["name"]].append(a.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._fields[self._select].append(a["value"])
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._fields[self._textarea].append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._fields[self._textarea][-1] += data


def shown_form(client, url, action=None):
    """What the form of the page at ``url`` posting to ``action`` (``url`` when not given) sends as shown."""
    parser = _Forms()
    parser.feed(client.get(url).content.decode())
    target = urlsplit(action or url).path
    for posted_to, fields in parser.forms.items():
        if urlsplit(urljoin(url, posted_to)).path == target:
            fields.pop("csrfmiddlewaretoken", None)
            return dict(fields)
    raise AssertionError(f"no form on {url} posts to {target}")


# --- The cases of tests/test_forms_keep_typed.py ------------------------------------------------------------


def _typed(name, limit=None):
    """As tests/keep_typed_cases.py's ``typed``: text with the characters HTML escapes, and a non-ASCII pair."""
    text = f"Typed-{name}-ÉÀ <&> 'q\""
    return text[:limit] if limit else text


def _case(world, url, kept, error):
    """What tests/keep_typed_cases.py's ``Case`` holds (that module lists these cases, so it is not imported):
    the form posted as its page shows it, with ``kept`` typed over it."""
    client = world.client["organizer"]
    body = {**shown_form(client, url), **kept}
    return SimpleNamespace(client=client, url=url, kept=kept, error=error, body=body, secret=(), files={})


def _rubric():
    """The rubric of a cycle nobody has applied to yet: the world's cycle is frozen."""
    return rubric_for(make_cycle(name="Next cycle", closes_in=timedelta(days=400)))


def rubric_settings(world):
    """Levels out of order: the threshold, the share and every row come back as typed."""
    url = reverse("rubric_settings", args=[_rubric().cycle_id])
    kept = {"threshold": "61.5", "min_category_share": "37.5", "levels-0-name": _typed("level0", 100)}
    kept |= {"levels-0-minimum": "70", "levels-1-name": _typed("level1", 100), "levels-1-minimum": "65.5"}
    return _case(world, url, kept, "List the levels from the lowest minimum to the highest")


def category(world):
    url = reverse("rubric_category_add", args=[_rubric().cycle_id])
    return _case(world, url, {"code": "A", "name": _typed("name"), "points": "7.5"}, "Category A exists already")


def criterion_with_bands(world):
    """More points than its category has left: the title, the unit and the bands come back as typed."""
    rubric = _rubric()
    url = reverse("rubric_criterion_edit", args=[rubric.criteria.get(code="D3").pk])
    kept = {"title": _typed("title"), "unit": _typed("unit", 20), "points": "9", "direction": "ge"}
    kept |= {"bands-0-threshold": "25.5", "bands-0-points": "2.5", "bands-2-threshold": "90", "bands-2-points": "0.5"}
    return _case(world, url, kept, "Category D has 20 points: its criteria would add up to 27.")


def criterion_with_anchors(world):
    rubric = _rubric()
    url = reverse("rubric_criterion_edit", args=[rubric.criteria.get(code="D7").pk])
    kept = {"title": _typed("title"), "anchors-0-description": _typed("anchor", 1000), "anchors-3-points": "9"}
    kept |= {"anchors-3-description": _typed("top anchor")}
    return _case(world, url, kept, "An anchor cannot give more than the criterion's 4 points.")


# Each Form class of the rubric pages and its case (tests/fuzz_forms.py's COVERED lists them).
CASES = {
    RubricSettingsForm: rubric_settings,
    LevelForm: rubric_settings,
    BaseLevelFormSet: rubric_settings,
    CategoryForm: category,
    CriterionForm: criterion_with_bands,
    BandForm: criterion_with_bands,
    AnchorForm: criterion_with_anchors,
}
