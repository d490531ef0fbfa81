"""The rubric's words in each language (django-modeltranslation): ``name_en`` / ``name_fr`` beside ``name``, which
reads the active language's and falls back to English."""

from modeltranslation.translator import TranslationOptions, register

from scoring.models import Category, Criterion, Level


@register(Level)
class LevelWords(TranslationOptions):
    fields = ("name",)


@register(Category)
class CategoryWords(TranslationOptions):
    fields = ("name",)


@register(Criterion)
class CriterionWords(TranslationOptions):
    fields = ("title",)
