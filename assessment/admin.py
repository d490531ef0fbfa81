from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.functional import cached_property

from assessment.forms import SignInForm, validate_this_century
from assessment.models import Application, AuditEvent, Cycle, EvidenceDocument, Jurisdiction, User, valid_time_zones


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "jurisdiction", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Role", {"fields": ["role", "jurisdiction", "title"]}),)


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "state", "population", "county", "time_zone"]
    list_filter = ["kind", "state", ("time_zone", admin.AllValuesFieldListFilter)]  # the zones in use, not all 600
    search_fields = ["name"]


class AdminSignInForm(AdminAuthenticationForm, SignInForm):
    """The admin's sign-in, with the site's check of the username's length."""


admin.site.login_form = AdminSignInForm


class CycleForm(forms.ModelForm):
    """Dates of this century (validate_this_century): the designation's validity is also counted two years
    on from its start.

    The opening and the deadline are typed and shown on the clock of the cycle's time zone (the one chosen
    on the form), not the server's."""

    ZONED = ("opens_at", "closes_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at", "valid_from", "valid_until"):
            if name in self.fields:
                self.fields[name].validators.append(validate_this_century)
        self.zone = self._zone()
        for name in self.ZONED:
            field = self.fields.get(name)
            if field is None:
                continue
            field.help_text = f"On the clock of the time zone below (now {self.zone.key})."
            # Shown on the cycle's clock: Django converts to the current zone where it shows a moment
            # (a DateTimeField's prepare_value, the admin's split widget's decompress).
            field.prepare_value = self._on_our_clock(field.prepare_value)
            if hasattr(field.widget, "decompress"):
                field.widget.decompress = self._on_our_clock(field.widget.decompress)

    def _on_our_clock(self, function):
        def on_our_clock(value):
            with timezone.override(self.zone):
                return function(value)

        return on_our_clock

    def _zone(self):
        chosen = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        if not (isinstance(chosen, str) and chosen in valid_time_zones()):
            chosen = self.instance.time_zone if self.instance.time_zone in valid_time_zones() else None
        return ZoneInfo(chosen) if chosen else timezone.get_current_timezone()

    def full_clean(self):
        # Django reads a naive date and time in the current zone: make that the cycle's.
        with timezone.override(self.zone):
            super().full_clean()

    @cached_property
    def changed_data(self):
        # What was sent is read on the cycle's clock, as when it is cleaned.
        with timezone.override(self.zone):
            return super().changed_data


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    form = CycleForm
    list_display = ["name", "status", "opens_at", "closes_at", "time_zone", "valid_from", "valid_until"]
    list_filter = ["status"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["jurisdiction", "cycle", "status", "updated_at", "submitted_at"]
    list_filter = ["cycle", "status"]
    # Applications change only through the wizard and the domain functions.
    readonly_fields = [f.name for f in Application._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "application", "size", "uploaded_at"]
    readonly_fields = [f.name for f in EvidenceDocument._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "summary"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
