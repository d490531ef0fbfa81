from django import template

from scoring import levels

register = template.Library()


@register.filter
def level_label(name):
    """A stored level name (English) in the reader's language: ``{{ decision.level|level_label }}``."""
    return levels.label(name)
