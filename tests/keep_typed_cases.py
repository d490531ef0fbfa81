"""What tests/test_forms_keep_typed.py posts: each form of the product filled in with distinctive values and
made invalid, as the person who uses it (a ``Case``, built from the ``world`` of tests/fuzz_forms.py); and how
it reads the page that comes back (``Page``).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from operator import attrgetter
from urllib.parse import urljoin, urlsplit

from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessment.admin import AdminSignInForm, CycleForm
from assessment.forms import EvidenceUploadForm, ProfileForm, SignInForm
from assessment.invitations import InvitationForm, JurisdictionForm, invitation_token_generator
from assessment.models import Application, Invitation, User
from assessment.views import ExtensionForm
from pages.application_filters import ApplicationFilterForm
from pages.cycle_forms import CycleSettingsForm, NewCycleForm
from review import forms as review_forms
from review.decisions import publish_decisions
from review.models import Appeal, DeclaredConflict, settings_for
from review.queries import current_decision
from scoring.models import Rubric
from tests import cycle_form_cases, keep_typed_certificates, keep_typed_rubric
from tests.factories import as_user, close_cycle, make_cycle, make_organizer, make_reviewer
from tests.keep_typed_lists import filter_case

# --- Distinctive values --------------------------------------------------------------------------------------


def typed(name, limit=None):
    """Text nobody else puts on a page, with the characters that HTML escapes (and a non-ASCII pair)."""
    text = f"Typed-{name}-ÉÀ <&> 'q\""
    return text[:limit] if limit else text


def too_long(name, limit):
    """``typed(name)`` padded to one character more than ``limit``."""
    text = typed(name) + " "
    return text + "x" * (limit + 1 - len(text))


# How the page says that a file must be chosen again ("Choose report.pdf again to upload it.").
FILE_AGAIN = re.compile(r"\bchoose\b.{0,300}?\bagain\b", re.IGNORECASE)


def _choice_values(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):  # a group of options
            yield from _choice_values(label)
        elif str(value) != "":
            yield str(value)


def filled(form, prefix=""):
    """A distinctive, valid-looking value for every field of ``form`` but its files, by posted name."""
    body = {}
    for number, (name, f) in enumerate(form.fields.items()):
        key = f"{prefix}{name}"
        if isinstance(f, forms.FileField | forms.JSONField):
            continue
        if isinstance(f, forms.BooleanField):
            body[key] = "on"
        elif isinstance(f, forms.MultipleChoiceField):
            body[key] = list(_choice_values(f.choices))[:2]
        elif isinstance(f, forms.ChoiceField | forms.ModelChoiceField):
            values = list(_choice_values(f.choices))
            body[key] = values[min(1, len(values) - 1)]  # not the first: that is often what a page starts with
        elif isinstance(f, forms.IntegerField):  # DecimalField too
            n = Decimal(7 + 2 * number) + (Decimal("0.5") if getattr(f, "decimal_places", 0) else 0)
            n = min(n, f.max_value) if f.max_value is not None else n
            body[key] = str(max(n, f.min_value) if f.min_value is not None else n)
        elif isinstance(f, forms.DateTimeField):
            body[key] = f"2031-07-{number + 1:02d}T14:25"
        elif isinstance(f, forms.DateField):
            body[key] = f"2031-07-{number + 1:02d}"
        elif isinstance(f, forms.EmailField):
            body[key] = f"typed-{name.replace('_', '-')}&'q@example.gov"  # valid: & and ' may come before @
        elif isinstance(f, forms.URLField):
            body[key] = f"https://typed.example.gov/{name}?a=1&b='q'"
        else:
            body[key] = typed(name, f.max_length)
    return body


# --- Reading the page that comes back ------------------------------------------------------------------------


class PageForms(HTMLParser):
    """A page's forms as a browser would post them (text of inputs, checked boxes, chosen options, text
    areas), and its text. Character references are decoded: an escaped value reads as what was typed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.text = [], []
        self._fields = self._loose = defaultdict(list)  # fields outside any form
        self._select = self._textarea = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        a = {name: value if value is not None else "" for name, value in attrs}
        kind = a.get("type", "text")
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag == "form":
            self._fields = defaultdict(list)
            self.forms.append((a.get("action"), self._fields))
        elif tag == "input" and a.get("name") and kind not in ("submit", "button", "image", "reset"):
            if kind == "file":
                self._fields[a["name"]]  # there, never with a value
            elif kind not in ("checkbox", "radio") or "checked" in a:
                self._fields[a["name"]].append(a.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._fields[self._select].append(a["value"])  # Django writes every option's value
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._fields[self._textarea].append("")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1
        elif tag == "form":
            self._fields = self._loose
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = self._fields[self._textarea][-1]
            # A line break right after <textarea> is not part of its value (HTML parsing rules).
            self._fields[self._textarea][-1] = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)
        if self._textarea:
            self._fields[self._textarea][-1] += data


@dataclass
class Page:
    html: str
    url: str  # where it was answered (after redirects)

    def __post_init__(self):
        parser = PageForms()
        parser.feed(self.html)
        parser.close()
        self.forms = parser.forms
        self.text = " ".join("".join(parser.text).split())

    def fields_of_forms_posting_to(self, url):
        """{name: [values]} of the forms whose action is ``url`` (no action: the page's own address)."""
        found = defaultdict(list)
        for action, fields in self.forms:
            if urlsplit(urljoin(self.url, action or "")).path == urlsplit(url).path:
                for name, values in fields.items():
                    found[name] += values
        return found


# --- The cases -----------------------------------------------------------------------------------------------


@dataclass
class Case:
    client: Client
    url: str
    kept: dict  # posted name: the value (a list: values) the form on the returned page must hold
    error: str  # said on the returned page
    body: dict = None  # what is posted (the fields ``kept`` and more); ``kept`` when not given
    secret: tuple = ()  # typed, and on no page
    files: dict = field(default_factory=dict)  # chosen: the page must say to choose them again

    def __post_init__(self):
        self.body = self.kept if self.body is None else self.body


TOO_LONG = "Ensure this value has at most {} characters (it has {})."  # Django's max_length
REASON_TOO_LONG = "Keep the reason to {} characters; it has {}."  # review.assignment._fitting


def too_long_text(role, route, pk, name, limit, error=TOO_LONG):
    """A form of one text field, sent one character longer than it may be; ``pk``: the URL's, in the world."""

    def case(world):
        url = reverse(route, args=[attrgetter(pk)(world)])
        return Case(world.client[role], url, {name: too_long(name, limit)}, error.format(limit, limit + 1))

    return case


def not_a_pdf():
    return SimpleUploadedFile("typed report.pdf", b"<html>Typed, not a PDF</html>", content_type="application/pdf")


def review_form(world):
    panel = world.panel
    fields = filled(review_forms.ReviewForm(rubric=panel["rubric"], rule=panel["rule"]))
    criterion = next(c for c in panel["rubric"].criteria if not c.is_judged)
    fields[f"adjust_{criterion.code}"] = str(criterion.points + 1)
    body = {**fields, "version": str(world.review.version), "action": "save"}
    url = reverse("review_edit", args=[world.review.pk])
    return Case(world.client["reviewer"], url, fields, f"At most {float(criterion.points):g} points.", body)


def answer(world):
    url = reverse("clarification_answer", args=[world.question.pk])
    fields, files = {"answer": typed("answer")}, {"document": not_a_pdf()}
    return Case(world.client["applicant"], url, fields, "The answer was not sent", files=files)


def panel_settings(world):
    fields = filled(review_forms.PanelSettingsForm(instance=settings_for(world.cycle)))
    fields["appeal_deadline"] = "2150-01-01T09:30"
    url = reverse("panel_cycle", args=[world.cycle.pk])
    return Case(world.client["organizer"], url, fields, "Enter a date between 2000 and 2099.")


def assigning(world):
    """The only field is a choice. A reviewer who declared a conflict after the page was read is refused, and is
    no longer offered (nothing to keep): the form is shown again with the reviewers who may still be assigned."""
    DeclaredConflict.objects.create(reviewer=world.spare, jurisdiction=world.application.jurisdiction, reason="Kin")
    make_reviewer()  # still offered, so the form is on the page
    url = reverse("panel_assign", args=[world.application.pk])
    error = f"{world.spare} has a conflict of interest with {world.application.jurisdiction}."
    return Case(world.client["organizer"], url, {}, error, body={"reviewer": str(world.spare.pk)})


def deciding(world):
    fields = filled(review_forms.DecisionForm(levels=world.panel["rubric"].levels))
    fields |= {"rationale": too_long("rationale", 5000), "current": str(current_decision(world.application).pk)}
    url = reverse("panel_decide", args=[world.application.pk])
    return Case(world.client["organizer"], url, fields, TOO_LONG.format(5000, 5001))


def deciding_an_appeal(world):
    appeal = Appeal.objects.create(application=world.application, statement="Look again.", filed_by=world.applicant)
    fields = filled(review_forms.AppealOutcomeForm(levels=world.panel["rubric"].levels))
    fields["notes"] = too_long("notes", 5000)
    url = reverse("appeal_decide", args=[appeal.pk])
    return Case(world.client["organizer"], url, fields, TOO_LONG.format(5000, 5001))


def filing_an_appeal(world):
    """The decision is published and appeals are open."""
    close_cycle(world.cycle)
    publish_decisions(world.cycle, world.organizer)
    config = settings_for(world.cycle)
    config.appeal_deadline = timezone.now() + timedelta(days=14)
    config.save()
    return too_long_text("applicant", "appeal_file", "application.pk", "statement", 10000)(world)


def extension(world):
    fields = {"zone": "America/Chicago", "until": "2150-01-01T09:30"}
    url = reverse("grant_extension", args=[world.draft.pk])
    return Case(world.client["organizer"], url, fields, "Enter a date between 2000 and 2099.")


def evidence(world):
    """The file is chosen on the evidence step, posted by the form the step's page gives it."""
    client, step = world.client["drafter"], reverse("application_step", args=[world.draft.pk, "evidence"])
    page = Page(client.get(step).content.decode(), step)
    url = urljoin(step, next((action for action, fields in page.forms if "file" in fields), None) or "")
    fields = {"kind": filled(EvidenceUploadForm(max_bytes=1))["kind"]}
    body = dict(fields)
    if urlsplit(url).path == step:  # the step's own form: its answers are typed and kept too
        fields["evidence-notes"] = typed("notes")
        body = {**fields, "action": "upload", "version": str(Application.objects.get(pk=world.draft.pk).version)}
    return Case(client, url, fields, "not added", body, files={"file": not_a_pdf()})


def wizard_step(world):
    fields = filled(ProfileForm(), prefix="profile-")
    fields["profile-yearly_contacts"] = "99999999999"
    body = {**fields, "action": "next", "version": str(Application.objects.get(pk=world.draft.pk).version)}
    url = reverse("application_step", args=[world.draft.pk, "profile"])
    return Case(world.client["drafter"], url, fields, "This looks too large", body)


def jurisdiction(world):
    fields = filled(JurisdictionForm()) | {"population": "-5", "time_zone": "America/Denver"}
    error = "Ensure this value is greater than or equal to 0."
    return Case(world.client["organizer"], reverse("jurisdiction_create"), fields, error)


def invitation(world):
    fields = filled(InvitationForm()) | {"email": typed("email")}
    return Case(world.client["organizer"], reverse("invite"), fields, "Enter a valid email address.")


def signing_in(route, error):
    def case(world):
        fields = {"username": typed("username")}
        secret = typed("password")
        return Case(Client(), reverse(route), fields, error, fields | {"password": secret}, secret=(secret,))

    return case


def cycle_in_the_admin(world):
    client = as_user(make_organizer(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:assessment_cycle_change", args=[world.cycle.pk])
    posted = _one_value_each(client, url)
    fields = {"name": typed("name", 50), "opens_at_0": "2026-01-05", "opens_at_1": "08:15"}
    fields |= {"time_zone": "America/Denver", "valid_until": "2150-06-30"}
    return Case(client, url, fields, "Enter a date between 2000 and 2099.", {**posted, **fields, "_save": "Save"})


def rubric_in_the_admin(world):
    """A rubric nobody has applied under yet (a frozen one refuses every change)."""
    client = as_user(make_organizer(username="root", is_staff=True, is_superuser=True))
    rubric = Rubric.objects.get(cycle=make_cycle(name="Next cycle", closes_in=timedelta(days=400)))
    url = reverse("admin:scoring_rubric_change", args=[rubric.pk])
    posted = _one_value_each(client, url)
    row = next(name.removesuffix("-code") for name, value in posted.items() if name.endswith("-code") and value == "A1")
    fields = {"threshold": "61.5", f"{row}-title": typed("title"), f"{row}-params": '{"typed": "ÉÀ <&> \'q\'", oops}'}
    return Case(client, url, fields, "Enter a valid JSON.", {**posted, **fields, "_save": "Save"})


def _one_value_each(client, url):
    """What the page's own form (no action) posts as it is, one value per field."""
    page = Page(client.get(url).content.decode(), url)
    return {name: values[0] for name, values in page.fields_of_forms_posting_to(url).items() if values}


def password_reset(world):
    fields = {"email": typed("email")}
    return Case(Client(), reverse("password_reset"), fields, "Enter a valid email address.")


def choosing_a_password(route):
    """Only passwords: nothing is shown again, and neither password is anywhere on the page."""

    def case(world):
        if route == "accept_invitation":
            person = User.objects.create_user(username="dana@example.gov", email="dana@example.gov", role="reviewer")
            Invitation.objects.create(user=person, invited_by=world.organizer)
            tokens = invitation_token_generator
        else:
            person, tokens = world.applicant, default_token_generator
        client = Client()
        link = client.get(
            reverse(route, args=[urlsafe_base64_encode(force_bytes(person.pk)), tokens.make_token(person)])
        )
        secrets = (typed("new_password1"), typed("new_password2"))
        body = {"new_password1": secrets[0], "new_password2": secrets[1]}
        return Case(client, link.url, {}, "The two password fields didn’t match.", body, secret=secrets)

    return case


# Each Form class of tests/fuzz_forms.py's COVERED and its case.
CASES = (keep_typed_rubric.CASES | keep_typed_certificates.CASES) | {
    review_forms.ReviewForm: review_form,
    review_forms.QuestionForm: too_long_text("organizer", "clarification_ask", "application.pk", "question", 3000),
    review_forms.AnswerForm: answer,
    review_forms.PanelSettingsForm: panel_settings,
    review_forms.AssignForm: assigning,
    review_forms.DecisionForm: deciding,
    review_forms.AppealForm: filing_an_appeal,
    review_forms.AppealOutcomeForm: deciding_an_appeal,
    ExtensionForm: extension,
    EvidenceUploadForm: evidence,
    JurisdictionForm: jurisdiction,
    InvitationForm: invitation,
    SignInForm: signing_in("login", "Please enter a correct username and password."),
    AdminSignInForm: signing_in("admin:login", "Please enter the correct username and password for a staff account."),
    CycleForm: cycle_in_the_admin,
    ApplicationFilterForm: lambda world: Case(**filter_case(world, typed)),  # a GET form: its query string
    CycleSettingsForm: cycle_form_cases.editing_a_cycle,
    NewCycleForm: cycle_form_cases.creating_a_cycle,
}
# The forms of the product that are not a Form class of the apps (tests/fuzz_forms.py lists them), and a step
# of the wizard (its steps have tests of their own).
MORE_CASES = {
    "conflict declaration": too_long_text("reviewer", "review_conflict", "review.pk", "reason", 250, REASON_TOO_LONG),
    "taking a reviewer off": too_long_text(
        "organizer", "panel_unassign", "review.assignment_id", "reason", 300, REASON_TOO_LONG
    ),
    "the rubric in the admin": rubric_in_the_admin,
    "asking for a password reset": password_reset,
    "choosing a password from an invitation": choosing_a_password("accept_invitation"),
    "choosing a password from a reset link": choosing_a_password("password_reset_confirm"),
    "a wizard step (ProfileForm)": wizard_step,
}
