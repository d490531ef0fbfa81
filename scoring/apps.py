from django.apps import AppConfig
from django.db.models.signals import post_save


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring"

    def ready(self):
        from assessment.models import Cycle  # models load only once the app registry is ready

        post_save.connect(give_new_cycle_a_rubric, sender=Cycle, dispatch_uid="scoring.new_cycle_rubric")


def give_new_cycle_a_rubric(sender, instance, created, raw=False, **kwargs):
    """Every new cycle starts with a copy of a rubric: the one set as its ``rubric_source`` before it was first
    saved (an earlier cycle's Rubric), else the product's default."""
    if created and not raw:
        from scoring.domain import install_rubric  # models load only once the app registry is ready

        install_rubric(instance, source=getattr(instance, "rubric_source", None))
