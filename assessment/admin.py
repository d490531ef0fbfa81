from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin

from assessment.forms import SignInForm, validate_this_century
from assessment.models import Application, AuditEvent, Cycle, EvidenceDocument, Jurisdiction, User


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "jurisdiction", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Role", {"fields": ["role", "jurisdiction", "title"]}),)


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "state", "population", "county"]
    list_filter = ["kind", "state"]
    search_fields = ["name"]


class AdminSignInForm(AdminAuthenticationForm, SignInForm):
    """The admin's sign-in, with the site's check of the username's length."""


admin.site.login_form = AdminSignInForm


class CycleForm(forms.ModelForm):
    """Dates of this century (validate_this_century): the designation's validity is also counted two years
    on from its start."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at", "valid_from", "valid_until"):
            if name in self.fields:
                self.fields[name].validators.append(validate_this_century)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    form = CycleForm
    list_display = ["name", "status", "opens_at", "closes_at", "valid_from", "valid_until"]
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
