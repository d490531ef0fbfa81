"""A French-speaking person's walk through the demo (`make run`'s data) in a browser set to French.

Public pages, then the applicant's wizard, the reviewer's page and the organizer's pages: each must say
`<html lang="fr">`, pass axe, and show none of the interface's English. "None of the English" is checked
against the catalogue: every English message whose French differs is looked for in the page's visible text
(a single word only as a whole line, since names of places hold words like "City"; a longer message by its
longest literal part, placeholders being the data they stand for). What applicants wrote stays in the
language they wrote it in; the demo's own names and numbers are not in the catalogue.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import override_settings

from assessment.demo_data import PASSWORD
from assessment.models import Application
from review.models import Certificate, Clarification, Review
from tests.factories.demo import FAST_HASHERS, application_of, load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|\{\w*\}")


def english_interface():
    """(single words, longer literal parts) of the English messages whose French is different."""
    words, parts = set(), set()
    for entry in polib.pofile(str(CATALOGUE)):
        french = entry.msgstr or entry.msgstr_plural.get(0, "")
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            if english.strip() == french.strip():
                continue
            longest = max(PLACEHOLDER.split(english), key=len).strip(" .,:;()«»—–-")
            if longest in french:  # the same words in both languages ("population")
                continue
            if " " not in longest and not PLACEHOLDER.search(english):
                if len(longest) > 2:
                    words.add(longest)
            elif len(longest) >= 12 and " " in longest:
                parts.add(longest)
    return words, parts


WORDS, PARTS = english_interface()


def untranslated(text):
    lines = {line.strip() for line in text.splitlines()}
    found = sorted(word for word in WORDS if word in lines)
    found += sorted(part for part in PARTS if part in text)
    return found


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def what_people_wrote():
    """Applicants' answers, reviewers' comments and questions: they stay in the language they were written in."""
    written = set()
    for answers, state in Application.objects.values_list("answers", "wizard_state"):
        written.update(strings_in(answers), strings_in(state))
    written.update(Review.objects.values_list("comments_for_applicant", flat=True))
    written.update(Clarification.objects.values_list("question", flat=True))
    written.update(Clarification.objects.exclude(answer="").values_list("answer", flat=True))
    return sorted((text for text in written if len(text) > 3), key=len, reverse=True)


class Walk:
    def __init__(self, page, axe):
        self.page, self.axe, self.seen = page, axe, []
        self.written = what_people_wrote()

    def visit(self, path=None):
        if path:
            self.page.goto(path)
        self.page.wait_for_load_state("load")
        assert self.page.get_attribute("html", "lang") == "fr", self.page.url
        text = self.page.inner_text("body")
        # Text marked as another language on purpose (the switch "Read this site in English") is not French.
        for other in self.page.eval_on_selector_all('body [lang]:not([lang="fr"])', "els => els.map(e => e.innerText)"):
            text = text.replace(other, "")
        for words in self.written:
            for line in words.splitlines():
                text = text.replace(line.strip(), "") if len(line.strip()) > 3 else text
        found = untranslated(text)
        assert not found, f"English on {self.page.url}: {found}"
        self.axe(self.page)
        self.seen.append(self.page.url)

    def sign_in(self, username):
        self.page.context.clear_cookies()
        self.page.goto("/login/")
        self.visit()
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_url(lambda url: url.endswith("/"))


@pytest.fixture
def demo():
    with override_settings(DEMO=True, PASSWORD_HASHERS=FAST_HASHERS):
        load()
        yield


def test_a_french_speaker_reads_the_whole_product_in_french(chromium, live_server, demo, axe):
    context = chromium.new_context(base_url=live_server.url, locale="fr-CA")
    context.set_default_timeout(15_000)
    walk = Walk(context.new_page(), axe)
    try:
        for path in ("/designees/", "/verify/", "/login/", "/password-reset/"):
            walk.visit(path)
        code = Certificate.objects.get(decision__application__jurisdiction__name="Demo: Bayport").code
        walk.visit(f"/verify/{code}/")

        walk.sign_in("applicant")
        walk.visit("/")
        draft = application_of("Demo: Harbor City")
        steps = walk.page.eval_on_selector_all(
            f'a[href^="/applications/{draft.pk}/steps/"]', "links => links.map(a => a.getAttribute('href'))"
        )
        for step in dict.fromkeys(steps) or [f"/applications/{draft.pk}/steps/review/"]:
            walk.visit(step)
        walk.visit(f"/applications/{draft.pk}/")

        walk.sign_in("reviewer")
        walk.visit("/")
        review = Review.objects.filter(assignment__reviewer__username="reviewer", status=Review.Status.DRAFT).first()
        walk.visit(f"/reviews/{review.pk}/")

        walk.sign_in("organizer")
        walk.visit("/")
        cycle = application_of("Demo: Maple Ridge", "2025–2027").cycle
        for path in (f"/organize/cycles/{cycle.pk}/", f"/organize/cycles/{cycle.pk}/panel/"):
            walk.visit(path)
    finally:
        context.close()
    assert len(walk.seen) >= 14
