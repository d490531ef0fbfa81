"""Backups: the database and the uploaded files in one archive, and their restore with a drill.

An archive (tar.gz, readable by the owner only: it holds every answer and
password hash) contains:

    manifest.json          what is inside: engine, migrations, row counts, media files with sha256
    database/db.sqlite3    SQLite: a copy made with the SQLite backup API (never a cp of a live WAL database)
    database/db.dump       PostgreSQL: pg_dump --format=custom
    media/...              every file under MEDIA_ROOT that a row names (evidence and report PDFs)

Rows and files while the site keeps running. An uploaded file is written
before the row that names it is committed, and removed only after that row
is deleted (or points elsewhere). The backup first copies every file without
stopping anyone. Then, for a moment, it holds off changes to the rows that
name files (SQLite: the write lock, so writers wait; PostgreSQL: a SHARE lock
on the tables with a FileField, so only their writers wait, readers never):
it dumps the database and copies the files the dumped rows name that were new
since the first copy. No such file can be removed during that moment, so every
row in the archive has its file. Files of rows that came later are not needed;
files already gone before the backup (a row naming a missing file) are listed
as ``missing_files`` in the manifest and reported, and the drill after a
restore does not count them as losses.

Only files that a dumped row names are archived: a temporary file or one left
by a write that never committed (``left_out`` in the manifest) is nobody's.
A file whose row recorded a sha256 (evidence always, reports since they record
one) must still have it: a damaged file stops the backup with an error naming
it, rather than being archived as if it were good.

Row counts are taken in the very snapshot that was dumped (the SQLite copy
itself; on PostgreSQL pg_dump runs on a snapshot exported by the transaction
that counts), so after a restore they must match exactly.

This module runs a backup and a restore; the archive's format (writing it,
reading it back with checks) is ``assessment.backup_archive``, and dumping and
restoring each kind of database is ``assessment.backup_database``.
"""

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from assessment.backup_archive import DATABASE_FILES, FORMAT, check_files, media_files, sha256_of, unpack, write_archive
from assessment.backup_database import (
    ENGINE_NAMES,
    BackupError,
    dump_postgresql,
    dump_sqlite,
    engine,
    integrity,
    pg_client,
    quote,
    restore_postgresql,
    restore_sqlite,
    server_major,
)


def default_output():
    return Path(settings.BASE_DIR) / "var" / "backups" / f"backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"


def _damaged(media, recorded, referenced):
    """The archived files whose sha256 is not the one their row recorded, in words naming each."""
    problems = []
    for item in media:
        expected = recorded.get(item["path"])
        if expected and item["sha256"] != expected:
            problems.append(f"{item['path']} (named by {referenced[item['path']]})")
    return problems


# --- Media -----------------------------------------------------------------------


def _copy_media(root, staging, copied, names=None):
    """Copy files under ``root`` (all, or those ``names``) new or changed since ``copied``, which is updated."""
    if names is None:
        stamps = media_files(root)
    else:
        stamps = {}
        for name in names:
            path = Path(root) / name
            if _inside(name) and path.is_file() and not path.is_symlink():
                stat = path.stat()
                stamps[name] = (stat.st_size, stat.st_mtime_ns)
    for relative, stamp in stamps.items():
        if copied.get(relative) == stamp:
            continue
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(Path(root) / relative, target)
        except FileNotFoundError:  # removed since the listing
            continue
        copied[relative] = stamp  # the stamp before the copy: a file still being written differs next time


def _inside(name):
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


# --- Backup --------------------------------------------------------------------------


def create_backup(output=None):
    """Write the archive to ``output`` (refuses to overwrite); returns its manifest."""
    kind = engine()
    output = Path(output or default_output()).resolve()
    if output.exists():
        raise BackupError(f"{output} already exists; choose another --output.")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        staging = Path(work) / "media"
        staging.mkdir()
        copied = {}
        _copy_media(media_root, staging, copied)  # the bulk, while everyone carries on
        dump = Path(work) / PurePosixPath(DATABASE_FILES[kind]).name
        dumper = dump_sqlite if kind == "sqlite" else dump_postgresql
        try:
            (counts, migrations, referenced, recorded), versions = dumper(
                dump, lambda names: _copy_media(media_root, staging, copied, names)
            )
        except (DatabaseError, sqlite3.Error) as error:  # a lock wait that timed out, a deadlock
            raise BackupError(f"The database could not be dumped ({error}); run the backup again.") from None

        # Only files a dumped row names: a file no row names (a temporary file, one left by a write that
        # never committed) is not part of the installation; ``manage.py sweep_files`` removes them.
        media = [
            {"path": path, "size": (staging / path).stat().st_size, "sha256": sha256_of(staging / path)}
            for path in sorted(copied)
            if path in referenced
        ]
        damaged = _damaged(media, recorded, referenced)
        if damaged:
            raise BackupError(
                f"The backup was not written: {len(damaged)} file{'s do' if len(damaged) > 1 else ' does'} not match "
                f"the sha256 recorded when it was stored, so it is damaged: {'; '.join(damaged)}. "
                "`manage.py sweep_files` lists every such file; `sweep_files --apply` clears damaged reports so they "
                "are made again, while a damaged evidence document needs a person (restore it from an earlier "
                "backup, or remove it and ask the applicant to upload it again). Then run the backup again."
            )
        missing = [{"path": name, "field": field} for name, field in sorted(referenced.items()) if name not in copied]
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": kind,
            "versions": versions,
            "database": {"path": DATABASE_FILES[kind], "size": dump.stat().st_size, "sha256": sha256_of(dump)},
            "migrations": {app: names[-1] for app, names in migrations.items()},
            "applied_migrations": sum(len(names) for names in migrations.values()),
            "row_counts": counts,
            "counted": "in the snapshot that was dumped",
            "media": media,
            "missing_files": missing,
            "left_out": sorted(path for path in copied if path not in referenced),  # no row names them
        }

        write_archive(output, manifest, dump, staging)
    manifest["output"] = str(output)
    return manifest


# --- Restore -------------------------------------------------------------------------


def _check_manifest(manifest):
    kind = engine()
    made_on = manifest.get("engine")
    if made_on != kind:
        raise BackupError(
            f"This is a backup of a {ENGINE_NAMES.get(made_on, made_on)} database; the configured database is "
            f"{ENGINE_NAMES[kind]}. A backup is restored into the same kind of database only."
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    newer = [f"{app}.{name}" for app, name in manifest.get("migrations", {}).items() if (app, name) not in known]
    if newer:
        raise BackupError(
            f"The backup was made by a newer version of the application (migrations {', '.join(sorted(newer))} "
            "are unknown here). Deploy that version, then restore."
        )


def _project_models():
    """Models of the apps in this repository (not Django's own or installed packages')."""
    base = Path(settings.BASE_DIR).resolve()
    return [model for model in apps.get_models() if Path(model._meta.app_config.path).resolve().parent == base]


def existing_data():
    """What the configured installation already holds (rows of this project's models, uploaded files)."""
    tables = set(connection.introspection.table_names())
    found = [
        f"{model._meta.verbose_name_plural} ({model._base_manager.count()})"
        for model in _project_models()
        if model._meta.db_table in tables and model._base_manager.exists()
    ]
    files = len(media_files(settings.MEDIA_ROOT))
    if files:
        found.append(f"{files} files under {settings.MEDIA_ROOT}")
    return found


def _restore_media(folder, manifest):
    root = Path(settings.MEDIA_ROOT)
    for item in manifest["media"]:
        target = root / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(folder / "media" / item["path"], partial)
        os.replace(partial, target)


def drill(manifest):
    """Check the restored installation against the manifest; a list of problems (empty when all is well)."""
    problems = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            try:
                integrity(cursor, "the restored database")
            except BackupError as error:
                problems.append(str(error))
        for table, expected in manifest["row_counts"].items():
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            found = cursor.fetchone()[0]
            if found != expected:
                problems.append(f"{table}: {found} rows, the backup counted {expected}")
    already_missing = {item["path"] for item in manifest.get("missing_files", [])}
    sizes = {item["path"]: item["size"] for item in manifest["media"]}
    checked = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            for name in model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True):
                checked += 1
                path = Path(settings.MEDIA_ROOT) / name
                if name in already_missing:
                    continue
                if not path.is_file():
                    problems.append(f"{model._meta.label}.{field.name}: the file {name} is missing")
                elif name in sizes and path.stat().st_size != sizes[name]:
                    problems.append(f"{model._meta.label}.{field.name}: the file {name} has the wrong size")
    return problems, checked


def restore_backup(archive, force=False):
    """Check the archive, restore its files and database, run the drill; a summary for the operator."""
    kind = engine()
    with tempfile.TemporaryDirectory(prefix="restore-") as work:
        folder = Path(work)
        manifest = unpack(archive, folder)
        _check_manifest(manifest)
        check_files(folder, manifest)
        dump = folder / manifest["database"]["path"]
        if kind == "sqlite":
            check = sqlite3.connect(dump)
            try:
                integrity(check.cursor(), "the database in the archive")
            finally:
                check.close()
        else:
            needed = max(server_major(), manifest["versions"].get("pg_dump", 0))
            pg_restore, _major = pg_client("pg_restore", needed, "to restore this dump")
        found = existing_data()
        if found and not force:
            raise BackupError(
                "The configured installation already has data: "
                + ", ".join(found)
                + ". Restoring replaces it; run again with --force if that is what you want."
            )
        # Files first: a row must never name a file that is not there yet.
        _restore_media(folder, manifest)
        if kind == "sqlite":
            restore_sqlite(dump)
        else:
            restore_postgresql(dump, pg_restore)
    problems, checked = drill(manifest)
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {
        "manifest": manifest,
        "problems": problems,
        "file_rows": checked,
        "rows": sum(manifest["row_counts"].values()),
        "pending_migrations": len(pending),
    }
