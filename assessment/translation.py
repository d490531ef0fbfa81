"""A cycle's name and its certificates' signatory title in each language (django-modeltranslation): ``name_en`` /
``name_fr``, ``signatory_title_en`` / ``signatory_title_fr``, English when French is empty."""

from modeltranslation.translator import TranslationOptions, register

from assessment.models import Cycle


@register(Cycle)
class CycleWords(TranslationOptions):
    fields = ("name", "signatory_title")
