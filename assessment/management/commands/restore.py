"""``manage.py restore ARCHIVE``: put a backup back, then check it (see assessment.backup)."""

from django.core.management.base import BaseCommand, CommandError

from assessment.backup import restore_backup
from assessment.backup_database import BackupError


class Command(BaseCommand):
    help = (
        "Restore an archive made by manage.py backup into the configured database and MEDIA_ROOT, then run the "
        "restore drill (integrity check, row counts against the manifest, every uploaded file present). "
        "Stop the web server and the task worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz written by manage.py backup.")
        parser.add_argument("--force", action="store_true", help="Replace an installation that already has data.")

    def handle(self, *args, archive, force=False, **options):
        try:
            summary = restore_backup(archive, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = summary["manifest"]
        self.stdout.write(
            f"Restored the {manifest['engine']} backup of {manifest['created_at']}: {summary['rows']} rows in "
            f"{len(manifest['row_counts'])} tables, {len(manifest['media'])} files."
        )
        for item in manifest.get("missing_files", []):
            self.stderr.write(f"Warning: {item['field']} names {item['path']}, missing already when backed up.")
        if summary["problems"]:
            raise CommandError("The restore drill failed:\n  " + "\n  ".join(summary["problems"]))
        self.stdout.write(
            self.style.SUCCESS("Restore drill passed: ")
            + ("integrity ok, " if manifest["engine"] == "sqlite" else "")
            + f"row counts match the manifest, all {summary['file_rows']} file rows have their file."
        )
        if summary["pending_migrations"]:
            self.stdout.write(
                f"The backup predates {summary['pending_migrations']} migrations of this version: "
                "run manage.py migrate."
            )
