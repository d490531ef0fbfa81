"""``manage.py backup``: the database and the uploaded files in one archive (see assessment.backup)."""

from django.core.management.base import BaseCommand, CommandError

from assessment.backup import create_backup
from assessment.backup_database import BackupError


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite backup API, or pg_dump) and every uploaded file into one tar.gz with a "
        "manifest. Safe while the site runs. Default: var/backups/backup-<time>.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Where to write the archive (it must not exist yet).")

    def handle(self, *args, output=None, **options):
        try:
            manifest = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = sum(item["size"] for item in manifest["media"])
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {manifest['output']}: ")
            + f"{manifest['engine']} database, {sum(manifest['row_counts'].values())} rows in "
            f"{len(manifest['row_counts'])} tables, {len(manifest['media'])} files ({size / 1e6:.1f} MB)."
        )
        for item in manifest["missing_files"]:
            self.stderr.write(f"Warning: {item['field']} names {item['path']}, which was not in MEDIA_ROOT.")
