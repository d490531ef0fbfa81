"""A review saved in another tab or window after this page was opened: what differs, answer by answer."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _

from review.forms import ReviewForm


@dataclass(frozen=True)
class Difference:
    label: str
    saved: str
    typed: str


def _comparable(field, value):
    """The value as the field reads it (2, "2" and "2.00" points are one score); the raw text if it does not."""
    if value in (None, ""):
        return None
    try:
        return field.to_python(value)
    except forms.ValidationError:
        return str(value)


def _shown(field, value):
    if value in (None, ""):
        return _("Not given")
    for choice, label in getattr(field, "choices", ()):
        if str(choice) == str(value):
            return str(label)
    return str(value)


def differences(form, saved_review):
    """The fields of the bound ReviewForm ``form`` whose typed value differs from the saved review's, in order."""
    saved = ReviewForm.initial_for(saved_review)
    found = []
    for name, field in form.fields.items():
        before, after = saved.get(name), form.data.get(name)
        if _comparable(field, before) != _comparable(field, after):
            found.append(Difference(str(field.label), _shown(field, before), _shown(field, after)))
    return found
