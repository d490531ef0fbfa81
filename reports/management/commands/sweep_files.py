"""``manage.py sweep_files``: files under MEDIA_ROOT that no row names, and rows whose file is gone or damaged.

Safe for cron: a dry run unless ``--apply``, never interactive, exits 0, and
ends with one summary line (with ``--apply`` that line is all it prints on
stdout, unless ``-v 2``).

- A file no row names (EvidenceDocument.file, ReportFile.file: every FileField)
  is left by a write that never committed (a temporary ``.….tmp``, or a file
  whose transaction was killed before it committed). ``--apply`` removes it, but
  only once it is older than ``--min-age`` (an hour by default): an upload or a
  render in flight writes its file before its row commits, and is never touched.
  Folders are left in place (an upload may be about to write into one).
- A report whose file is missing, or whose size or sha256 is not the one
  recorded: ``--apply`` clears the row's file (only if the row has not changed
  meanwhile), so the report is made again when next asked for, and removes the
  damaged file once it is older than ``--min-age``.
- An evidence document whose file is missing or damaged is an applicant's
  evidence: it is never removed or changed here. It is reported on stderr, in
  dry run and ``--apply`` alike, as needing a person (restore the file from a
  backup, or remove the document and ask the applicant for it again).

It lives in reports, the app above assessment, because it reads both apps' files.
"""

import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models

from assessment.backup_archive import media_files
from assessment.evidence import file_matches
from assessment.models import EvidenceDocument
from reports.models import ReportFile


def _named_files():
    """Every file name a row names, over every model with a FileField."""
    named = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                named.update(model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True))
    return named


def _files(root):
    """Relative POSIX path → mtime (seconds) of every regular file under ``root``, as backups list them."""
    return {path: mtime_ns / 1e9 for path, (_size, mtime_ns) in media_files(root).items()}


def _age(seconds):
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{seconds} seconds"


class Command(BaseCommand):
    help = (
        "Find files under MEDIA_ROOT that no row names and rows whose file is missing or does not match its "
        "size and sha256. A dry run that lists what it would do unless --apply: then it removes the files no "
        "row names (older than --min-age) and clears damaged reports so they are made again. Damaged evidence "
        "is reported, never changed. Safe for cron (exit 0, one summary line)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Act; without it nothing is changed.")
        parser.add_argument(
            "--min-age",
            type=int,
            default=3600,
            help="Seconds a file no row names must be old before it is removed (default 3600).",
        )

    def handle(self, *args, apply=False, min_age=3600, verbosity=1, **options):
        root = Path(settings.MEDIA_ROOT)
        self.listing = verbosity >= 2 or (not apply and verbosity >= 1)
        # Files first, then rows: a file that gets its row in between is young, so it is left alone.
        files = _files(root) if root.is_dir() else {}
        now = time.time()
        named = _named_files()
        old_enough = now - max(min_age, 0)

        removed = young = failed = 0
        for name, mtime in sorted(files.items()):
            if name in named:
                continue
            if mtime > old_enough:
                young += 1
                self._say(f"Left alone (younger than {_age(min_age)}), no row names it: {name}")
                continue
            if apply:
                try:
                    (root / name).unlink()
                except FileNotFoundError:
                    continue
                except OSError as error:
                    failed += 1
                    self.stderr.write(f"Could not remove {name}: {error}")
                    continue
            removed += 1
            self._say(f"{'Removed' if apply else 'Would remove'}, no row names it: {name}")

        reports = self._reports(root, apply, old_enough)
        evidence = self._evidence(root)

        verb = "removed" if apply else "to remove"
        parts = [
            f"{removed} file{'s' if removed != 1 else ''} no row names {verb}",
        ]
        if young:
            parts.append(f"{young} younger than {_age(min_age)} left alone")
        if failed:
            parts.append(f"{failed} could not be removed")
        parts.append(
            f"{reports} damaged or missing report{'s' if reports != 1 else ''} "
            + ("cleared to be made again" if apply else "to clear so they are made again")
        )
        parts.append(f"{evidence} damaged or missing evidence document{'s' if evidence != 1 else ''} (need a person)")
        summary = "sweep_files" + (" (dry run, nothing changed; --apply to act)" if not apply else "") + ": "
        self.stdout.write(summary + ", ".join(parts) + ".")

    def _say(self, line):
        if self.listing:
            self.stdout.write(line)

    def _reports(self, root, apply, old_enough):
        """Reports whose file is missing or is not the one recorded: cleared with --apply, so they are made again."""
        found = 0
        rows = ReportFile.objects.exclude(file="").values_list("pk", "file", "size", "sha256", "kind")
        for pk, name, size, sha256, kind in rows.iterator():
            path = root / name
            if file_matches(path, size, sha256):
                continue
            problem = "missing" if not path.exists() else "damaged (size or sha256 differs from the recorded one)"
            if apply:
                # Only if the row still names that file with that hash: a report made again meanwhile stays.
                cleared = ReportFile.objects.filter(pk=pk, file=name, size=size, sha256=sha256).update(
                    file="", size=0, sha256=""
                )
                if not cleared:
                    continue
                try:
                    if path.exists() and path.stat().st_mtime <= old_enough:
                        path.unlink()
                except OSError:
                    pass  # a file no row names now: the next sweep removes it
            found += 1
            self._say(
                f"{'Cleared' if apply else 'Would clear'} report {pk} ({kind}), its file {name} is {problem}; "
                "it is made again when next asked for"
            )
        return found

    def _evidence(self, root):
        """Evidence whose file is missing or damaged: reported on stderr, never changed (it needs a person)."""
        found = 0
        documents = EvidenceDocument.objects.select_related("application__jurisdiction").order_by("uploaded_at")
        for document in documents.iterator():
            path = root / document.file.name
            if file_matches(path, document.size, document.sha256):
                continue
            found += 1
            problem = "is missing" if not path.exists() else "does not match its recorded size and sha256"
            self.stderr.write(
                f"NEEDS A PERSON: evidence document {document.pk} ({document.original_name!r}, "
                f"{document.get_kind_display()}) of {document.application.jurisdiction}, application "
                f"{document.application_id}: its file {document.file.name} {problem}. It was not changed. Restore "
                "the file from a backup, or remove the document and ask the applicant to upload it again."
            )
        return found
