"""Every form of the product that fails validation shows again exactly what was typed.

Each form is posted as the person who uses it, every field filled with a distinctive value (text with the
characters HTML escapes, numbers, dates and choices that look right) and one made invalid
(tests/keep_typed_cases.py). On the page that comes back (redirects followed): no server error, the error
said, and every typed value in the field of the form that posts where this one did, as a browser would read
it (its HTML parsed, escapes decoded). Passwords are never shown again; a chosen file cannot be, and the page
says to choose it again.

The forms are those of tests/fuzz_forms.py's ``COVERED``, which ``test_every_form_class_is_covered`` keeps
complete: a new form class is listed there, then needs a case here. The forms that are no Form class of
the apps, and one step of the wizard, are in ``MORE_CASES``. Starting an application is two buttons: nothing
is typed there.
"""

import pytest

from tests.fuzz_forms import COVERED, world_fixture  # noqa: F401  (the ``world`` fixture: pytest finds it by name)
from tests.keep_typed_cases import CASES, FILE_AGAIN, MORE_CASES, Page


def _short(text):
    return text if len(text) < 80 else f"{text[:60]}… ({len(text)} characters)"


def _name(form):
    return form if isinstance(form, str) else form.__name__


FORMS = [pytest.param(form, id=_name(form)) for form in [*COVERED, *MORE_CASES]]


@pytest.mark.parametrize("form", FORMS)
def test_a_form_that_fails_validation_shows_again_what_was_typed(world, form):
    build = CASES.get(form) or MORE_CASES.get(form)
    assert build, f"Add a case for {_name(form)} to tests/keep_typed_cases.py"
    case = build(world)
    response = case.client.post(case.url, {**case.body, **case.files}, follow=True)

    assert response.status_code < 500, response.status_code
    page = Page(response.content.decode(), response.wsgi_request.get_full_path())
    assert case.error in page.text
    fields = page.fields_of_forms_posting_to(case.url)
    assert fields, f"no form on {page.url} posts to {case.url}"
    for name, value in case.kept.items():
        shown = fields.get(name, [])
        if isinstance(value, list):
            assert set(value) <= set(shown), (name, value, shown)
        else:
            assert value in shown, (name, _short(value), [_short(v) for v in shown])
    for secret in case.secret:
        assert secret not in page.text and secret not in response.content.decode()
    for name in case.files:
        assert name in fields, f"the file input {name} is not on the page any more"
    if case.files:
        assert FILE_AGAIN.search(page.text), "the page does not say to choose the file again"


def test_every_case_is_a_form_of_the_product():
    stale = sorted(_name(form) for form in CASES if form not in COVERED)
    assert stale == [], f"Cases of forms that tests/fuzz_forms.py no longer lists: {stale}"
