"""Django's makemessages, which also finds the plural messages of the history's lines: those marked with
``assessment.audit.ngettext_noop`` (a pair translated when the line is read, by its ``count``)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=ngettext_noop:1,2"]
