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
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from assessment.audit import audit
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
        style_for_uswds(self)

    class Meta:
        model = Jurisdiction
        fields = ["name", "kind", "state", "country", "population", "county", "time_zone"]
        help_texts = {
            "time_zone": "Its staff also read every deadline on this clock. The common North American zones "
            "come first; any IANA time zone may be chosen."
        }


class InvitationForm(UswdsForm):
    email = forms.EmailField(label="E-mail address", max_length=150)  # it is also the username (150 at most)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=User.Role.choices)
    jurisdiction = forms.ModelChoiceField(
        Jurisdiction.objects.all(), required=False, help_text="Required for applicants."
    )

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError("Someone with this e-mail address already has an account.", code="taken")
        return email

    def clean(self):
        data = super().clean()
        if data.get("role") == User.Role.APPLICANT and not data.get("jurisdiction"):
            self.add_error(
                "jurisdiction", forms.ValidationError("Choose the jurisdiction this person works for.", code="required")
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
        audit(invited_by, "user.invited", f"Invited {user.email} as {user.get_role_display()}")
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
    transaction.on_commit(
        lambda: send_mail(
            f"You are invited to {settings.SITE_NAME}",
            render_to_string("registration/invitation_email.txt", context),
            None,
            [user.email],
        )
    )
    return user
