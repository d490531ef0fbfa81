import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect

from scoring.domain import copy_previous_rubric, rescore_cycle
from scoring.models import Category, Criterion, Level, Rubric, RubricFrozen


class FrozenAwareInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.is_frozen)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_frozen)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_frozen)


class LevelInline(FrozenAwareInline):
    model = Level


class CategoryInline(FrozenAwareInline):
    model = Category


class ParamsField(forms.JSONField):
    """JSON that can be stored. Django's field accepts NaN and 1e309 (not JSON) and NUL (PostgreSQL refuses
    it), and gives a server error for a number of over 4,300 digits."""

    def to_python(self, value):
        try:
            converted = super().to_python(value)
            stored = json.dumps(converted, allow_nan=False)
        except ValueError:
            stored = None
        if stored is None or "\\u0000" in stored:
            raise ValidationError("Enter valid JSON: finite numbers, no NUL characters.", code="invalid")
        return converted

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except ValueError:  # shown again as typed
            return forms.fields.InvalidJSONInput(data)


class CriterionInline(FrozenAwareInline):
    model = Criterion
    fields = ["code", "category", "title", "kind", "points", "evidence", "params"]
    formfield_overrides = {models.JSONField: {"form_class": ParamsField}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            rubric_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Category.objects.filter(rubric_id=rubric_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["cycle", "version", "threshold", "min_category_share", "frozen_at"]
    readonly_fields = ["cycle", "version", "frozen_at"]
    fields = ["cycle", "version", "frozen_at", "threshold", "min_category_share"]
    inlines = [LevelInline, CategoryInline, CriterionInline]
    actions = ["recompute_scores", "copy_previous"]

    def has_add_permission(self, request):
        return False  # every cycle gets its rubric when it is created

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A frozen rubric is shown read-only, its parts too (FrozenAwareInline): nothing on it looks editable.
        return super().has_change_permission(request, obj) and not (obj and obj.is_frozen)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rubric = self.get_object(request, object_id)
        if rubric and rubric.is_frozen:
            if request.method == "POST":  # a page opened before the first submission froze it: refused once
                try:
                    rubric.refuse_if_frozen()
                except RubricFrozen as refused:
                    self.message_user(request, refused.message, messages.ERROR)
                return redirect(request.path)
            self.message_user(
                request,
                f"This rubric is frozen since {rubric.frozen_at:%B %-d, %Y}: applications of {rubric.cycle} "
                "were submitted, and all are scored by the same rules. It is shown read-only.",
                messages.WARNING,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Recompute the scores of these cycles")
    def recompute_scores(self, request, queryset):
        for rubric in queryset.select_related("cycle"):
            count = rescore_cycle(rubric.cycle)
            self.message_user(request, f"{rubric.cycle}: {count} applications scored.", messages.SUCCESS)

    @admin.action(description="Replace with the previous cycle's rubric")
    def copy_previous(self, request, queryset):
        for rubric in queryset.select_related("cycle"):
            try:
                source = copy_previous_rubric(rubric, request.user)
            except ValidationError as refused:
                self.message_user(request, " ".join(refused.messages), messages.ERROR)
            else:
                self.message_user(request, f"{rubric.cycle} now uses a copy of {source.cycle}'s rubric.")
