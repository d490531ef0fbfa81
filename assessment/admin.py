from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin

from assessment.models import Application, AuditEvent, Cycle, EvidenceDocument, Jurisdiction, User
from assessment.views import SignInForm


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
    """Dates of this century: far ones cannot be stored (9999-12-31 in New York is year 10000 in UTC), and
    the designation's validity is counted two years on from its start."""

    def clean(self):
        data = super().clean()
        for name in ("opens_at", "closes_at", "valid_from", "valid_until"):
            when = data.get(name)
            if when and not 2000 <= when.year <= 2099:
                self.add_error(name, "Enter a date between 2000 and 2099.")
        return data


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
