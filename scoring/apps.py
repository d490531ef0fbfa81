from decimal import Decimal

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils import formats, translation

from scoring.words import WORDS


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring"

    def ready(self):
        from assessment.models import Cycle  # models load only once the app registry is ready
        from scoring import levels  # (it reads the models too)
        from scoring.models import Level  # models load only once the app registry is ready

        post_save.connect(give_new_cycle_a_rubric, sender=Cycle, dispatch_uid="scoring.new_cycle_rubric")
        # A level renamed in this process is read again at once (others within a minute: scoring/levels.py).
        for signal in (post_save, post_delete):
            signal.connect(levels.forget_on_change, sender=Level, dispatch_uid=f"scoring.levels.{signal}")
        # The engine's words (scoring/words.py) in the reader's language from now on.
        WORDS.gettext, WORDS.ngettext, WORDS.number = translation.gettext, translation.ngettext, number_in_language


def number_in_language(text):
    """A number the engine wrote as English does ("82.5"), as the active language writes it ("82,5" in French).

    English stays exactly as the engine wrote it (no grouping, no rounding)."""
    if (translation.get_language() or "en").startswith("en"):
        return text
    return formats.number_format(Decimal(text))


def give_new_cycle_a_rubric(sender, instance, created, raw=False, **kwargs):
    """Every new cycle starts with a copy of a rubric: the one set as its ``rubric_source`` before it was first
    saved (an earlier cycle's Rubric), else the product's default."""
    if created and not raw:
        from scoring.domain import install_rubric  # models load only once the app registry is ready

        install_rubric(instance, source=getattr(instance, "rubric_source", None))
