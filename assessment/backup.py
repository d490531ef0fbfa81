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
"""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.dump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def default_output():
    return Path(settings.BASE_DIR) / "var" / "backups" / f"backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"


def engine():
    if connection.vendor not in ENGINE_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def file_fields():
    """(table, column) of every FileField of every model: the rows that must have a file."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                found.append((model._meta.db_table, field.column))
    return found


def _snapshot_facts(cursor, tables):
    """Row counts, last applied migrations and the files rows name, read through one DB-API cursor."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    referenced = {}
    for table, column in file_fields():
        if table in tables:
            cursor.execute(f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''")
            for (name,) in cursor.fetchall():
                referenced[name] = f"{table}.{column}"
    recorded = {}  # file name → the sha256 its row recorded (evidence always; reports once they record one)
    for table, column, sha_column in hashed_file_fields():
        if table in tables:
            cursor.execute(
                f"SELECT {_quote(column)}, {_quote(sha_column)} FROM {_quote(table)} "
                f"WHERE {_quote(column)} <> '' AND {_quote(sha_column)} <> ''"
            )
            recorded.update(cursor.fetchall())
    return counts, migrations, referenced, recorded


def hashed_file_fields():
    """(table, file column, sha256 column) of every model that records the sha256 of its file in a ``sha256`` field."""
    found = []
    for model in apps.get_models():
        names = {field.name: field for field in model._meta.concrete_fields}
        if "sha256" not in names:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                found.append((model._meta.db_table, field.column, names["sha256"].column))
    return found


def _damaged(media, recorded, referenced):
    """The archived files whose sha256 is not the one their row recorded, in words naming each."""
    problems = []
    for item in media:
        expected = recorded.get(item["path"])
        if expected and item["sha256"] != expected:
            problems.append(f"{item['path']} (named by {referenced[item['path']]})")
    return problems


# --- Media -----------------------------------------------------------------------


def media_files(root):
    """Relative POSIX path → (size, mtime_ns) of every regular file under ``root`` (symlinks skipped)."""
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            try:
                stat = path.lstat()
            except FileNotFoundError:
                continue
            if path.is_symlink() or not path.is_file():
                continue
            found[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


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


# --- Database dumps ----------------------------------------------------------------


def _dump_sqlite(target, copy_named):
    source_path = Path(settings.DATABASES["default"]["NAME"])
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    lock = sqlite3.connect(source_path, timeout=20)
    source = sqlite3.connect(source_path, timeout=20)
    copy = sqlite3.connect(target)
    try:
        lock.execute("BEGIN IMMEDIATE")  # writers wait (up to their timeout); readers go on (WAL)
        # One step from a second connection (the locking one may not be the
        # source): the database as the last commit left it.
        source.backup(copy)
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        tables = {name for name in tables if not name.startswith("sqlite_")}
        facts = _snapshot_facts(copy.cursor(), tables)
        copy_named(facts[2])
        lock.rollback()
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _integrity(copy.cursor(), f"the copy of {source_path}")
    finally:
        copy.close()
        source.close()
        lock.close()
    return facts, {"sqlite": sqlite3.sqlite_version}


def _integrity(cursor, what):
    cursor.execute("PRAGMA integrity_check")
    result = [row[0] for row in cursor.fetchall()]
    if result != ["ok"]:
        raise BackupError(f"The integrity check of {what} failed: {'; '.join(result[:10])}")


def _pg_env():
    """libpq's environment for the configured database: the password never goes on a command line."""
    database = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")]:
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = str(database["NAME"])
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    return env


def _server_major():
    connection.ensure_connection()
    return connection.pg_version // 10000


def _pg_client(program, at_least, why):
    """The path of a PostgreSQL client program whose major version is ``at_least`` or newer."""
    path = shutil.which(program)
    if not path:
        raise BackupError(
            f"{program} is not installed; it is needed {why}. "
            f"Install the PostgreSQL {at_least} client tools (Debian: apt-get install postgresql-client-{at_least})."
        )
    version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"\(PostgreSQL\) (\d+)", version)
    major = int(found.group(1)) if found else 0
    if major < at_least:
        raise BackupError(
            f"{program} {major or '(unknown version)'} is too old {why}: it needs version {at_least} or newer. "
            f"Install postgresql-client-{at_least}."
        )
    return path, major


def _dump_postgresql(target, copy_named):
    server = _server_major()
    pg_dump, client = _pg_client("pg_dump", server, f"to dump a PostgreSQL {server} server")
    existing = set(connection.introspection.table_names())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # Before the snapshot, so it sees every commit: writers of file rows wait until the end.
        with_files = sorted({table for table, _column in file_fields()} & existing)
        if with_files:
            cursor.execute(f"LOCK TABLE {', '.join(map(_quote, with_files))} IN SHARE MODE")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        result = subprocess.run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = {row[0] for row in cursor.fetchall()}
        facts = _snapshot_facts(cursor, tables)
        copy_named(facts[2])
    return facts, {"server": server, "pg_dump": client}


# --- Backup --------------------------------------------------------------------------


def _reset_owner(info):
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


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
        dumper = _dump_sqlite if kind == "sqlite" else _dump_postgresql
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

        partial = output.with_name(f".{output.name}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                data = json.dumps(manifest, indent=2).encode()
                info = _reset_owner(tarfile.TarInfo(MANIFEST))
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
                tar.add(dump, DATABASE_FILES[kind], filter=_reset_owner)
                for item in media:
                    tar.add(staging / item["path"], f"media/{item['path']}", filter=_reset_owner)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    manifest["output"] = str(output)
    return manifest


# --- Restore -------------------------------------------------------------------------


def _safe_member(member):
    """Why a tar member may not be restored, or None when it may."""
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts or "\\" in member.name:
        return "a path outside the archive"
    if not (member.isfile() or member.isdir()):
        return "a link or special file"
    if member.name != MANIFEST and path.parts[0] not in ("database", "media"):
        return "not part of a backup"
    return None


def _unpack(archive, folder):
    """Check every member, then extract (tarfile's "data" filter as a second guard); the manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"There is no file {archive}.")
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                problem = _safe_member(member)
                if problem:
                    raise BackupError(f"{archive} is refused: its member {member.name!r} is {problem}.")
            if MANIFEST not in {member.name for member in members}:
                raise BackupError(f"{archive} has no {MANIFEST}: it is not a backup made by manage.py backup.")
            tar.extractall(folder, filter="data")
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{archive} is not a readable backup archive (tar.gz): {error}") from None
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"The manifest of {archive} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has a manifest of an unknown format; this version reads format {FORMAT}.")
    missing = {"engine", "database", "media", "row_counts"} - manifest.keys()
    if missing:
        raise BackupError(f"The manifest of {archive} lacks {', '.join(sorted(missing))}: the archive was altered.")
    return manifest


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


def _check_files(folder, manifest):
    """Every file is the one the manifest describes, and nothing else is there."""
    database = manifest["database"]
    if database.get("path") != DATABASE_FILES[manifest["engine"]] or not (folder / database["path"]).is_file():
        raise BackupError(f"The archive has no {DATABASE_FILES[manifest['engine']]}: it is incomplete.")
    if sha256_of(folder / database["path"]) != database.get("sha256"):
        raise BackupError(f"{database['path']} does not match the manifest's sha256: the archive was altered.")
    listed = {item["path"]: item for item in manifest["media"]}
    present = set(media_files(folder / "media")) if (folder / "media").is_dir() else set()
    extra = sorted(present - set(listed))
    if extra:
        raise BackupError(f"media/{extra[0]} is in the archive but not in its manifest: the archive was altered.")
    for path, item in listed.items():
        if path not in present:
            raise BackupError(f"media/{path} is in the manifest but missing from the archive.")
        if sha256_of(folder / "media" / path) != item["sha256"]:
            raise BackupError(f"media/{path} does not match the manifest's sha256: the archive was altered.")


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


def _restore_sqlite(dump):
    target_path = Path(settings.DATABASES["default"]["NAME"])
    connection.close()
    source = sqlite3.connect(dump)
    target = sqlite3.connect(target_path, timeout=20)
    try:
        source.backup(target)  # one transaction on the target: all or nothing
    except sqlite3.Error as error:
        raise BackupError(f"Writing {target_path} failed: {error}. Is the server still running?") from None
    finally:
        target.close()
        source.close()


def _restore_postgresql(dump, pg_restore):
    connection.close()
    result = subprocess.run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",  # all or nothing
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(dump),
        ],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was changed in the database): {result.stderr.strip()}")


def drill(manifest):
    """Check the restored installation against the manifest; a list of problems (empty when all is well)."""
    problems = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            try:
                _integrity(cursor, "the restored database")
            except BackupError as error:
                problems.append(str(error))
        for table, expected in manifest["row_counts"].items():
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
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
        manifest = _unpack(archive, folder)
        _check_manifest(manifest)
        _check_files(folder, manifest)
        dump = folder / manifest["database"]["path"]
        if kind == "sqlite":
            check = sqlite3.connect(dump)
            try:
                _integrity(check.cursor(), "the database in the archive")
            finally:
                check.close()
        else:
            needed = max(_server_major(), manifest["versions"].get("pg_dump", 0))
            pg_restore, _major = _pg_client("pg_restore", needed, "to restore this dump")
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
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump, pg_restore)
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
