from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Applications"

    def ready(self):
        post_migrate.connect(create_cache_tables, sender=self)


def create_cache_tables(using, **kwargs):
    """The database cache's table (settings.CACHES "throttle") comes with `migrate`, so no install forgets it."""
    call_command("createcachetable", database=using, verbosity=0)
