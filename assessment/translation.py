"""A cycle's name in each language (django-modeltranslation): ``name_en`` / ``name_fr``, English when French is empty."""

from modeltranslation.translator import TranslationOptions, register

from assessment.models import Cycle


@register(Cycle)
class CycleWords(TranslationOptions):
    fields = ("name",)
