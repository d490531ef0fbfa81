"""Organizers add jurisdictions and invite people by e-mail.

An invitation is a password-reset token of its own kind: the link lets the
person set a password once, and stops working as soon as they have, or after
INVITATION_TIMEOUT_DAYS. Its tokens are signed differently from password-reset
tokens, so a reset link (which lives a few hours) never works as an
invitation, nor an invitation as a reset link.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from assessment.audit import audit, label, said
from assessment.forms import UswdsForm, style_for_uswds
from assessment.models import Invitation, Jurisdiction, User


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens with their own signature and lifetime (INVITATION_TIMEOUT_DAYS, not
    PASSWORD_RESET_TIMEOUT). Like a reset token, it stops working once a password is set."""

    key_salt = "assessment.invitations.InvitationTokenGenerator"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= settings.INVITATION_TIMEOUT_DAYS * 24 * 60 * 60


invitation_token_generator = InvitationTokenGenerator()


class JurisdictionForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A browser always sends one of the two; a form posted without it gets the model's default (English).
        self.fields["language"].required = False
        style_for_uswds(self)

    def clean_language(self):
        return self.cleaned_data["language"] or Jurisdiction._meta.get_field("language").default

    class Meta:
        model = Jurisdiction
        fields = ["name", "kind", "state", "country", "population", "county", "time_zone", "language"]
        # The labels Django would make of the field names, in the language of the page.
        labels = {
            "name": gettext_lazy("Name"),
            "kind": gettext_lazy("Kind"),
            "state": gettext_lazy("State or province"),
            "country": gettext_lazy("Country"),
            "population": gettext_lazy("Population"),
            "county": gettext_lazy("County"),
            "time_zone": gettext_lazy("Time zone"),
            "language": gettext_lazy("Preferred language"),
        }
        help_texts = {
            "time_zone": gettext_lazy(
                "Its staff also read every deadline on this clock. The common North American zones "
                "come first; any IANA time zone may be chosen."
            )
        }


class InvitationForm(UswdsForm):
    # The e-mail address is also the username (150 characters at most).
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=User.Role.choices)
    jurisdiction = forms.ModelChoiceField(
        Jurisdiction.objects.all(),
        label=gettext_lazy("Jurisdiction"),
        required=False,
        help_text=gettext_lazy("Required for applicants."),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(
                gettext("Someone with this e-mail address already has an account."), code="taken"
            )
        return email

    def clean(self):
        data = super().clean()
        if data.get("role") == User.Role.APPLICANT and not data.get("jurisdiction"):
            self.add_error(
                "jurisdiction",
                forms.ValidationError(gettext("Choose the jurisdiction this person works for."), code="required"),
            )
        return data


def send_invitation(form, invited_by, request):
    data = form.cleaned_data
    with transaction.atomic():
        user = User.objects.create_user(
            username=data["email"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            jurisdiction=data["jurisdiction"],
        )  # no usable password until the invitation is accepted
        Invitation.objects.create(user=user, invited_by=invited_by)
        words = said(gettext_noop("Invited %(email)s as %(role)s"), email=user.email, role=label(user.get_role_display))
        audit(invited_by, "user.invited", words=words)
    link = request.build_absolute_uri(
        reverse(
            "accept_invitation",
            args=[urlsafe_base64_encode(force_bytes(user.pk)), invitation_token_generator.make_token(user)],
        )
    )
    context = {
        "user": user,
        "link": link,
        "invited_by": invited_by,
        "site_name": settings.SITE_NAME,
        "days": settings.INVITATION_TIMEOUT_DAYS,
    }
    with translation.override(user.mail_language):  # the invited person's language, not the organizer's
        context["site_name"] = gettext(settings.SITE_NAME)
        subject = gettext("You are invited to %(site)s") % {"site": context["site_name"]}
        body = render_to_string("registration/invitation_email.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))
    return user
