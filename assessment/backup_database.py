"""The database half of a backup: dumping it with the rows' facts, and restoring a dump.

SQLite is copied with its backup API while the write lock holds off writers;
PostgreSQL is dumped with pg_dump on a snapshot exported by a transaction that
holds a SHARE lock on the tables with a FileField (``assessment.backup`` says
why). Each dump returns the facts read in the very snapshot dumped: row counts,
applied migrations, the files rows name and the sha256 they recorded.
Restores are all or nothing.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def engine():
    if connection.vendor not in ENGINE_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def file_fields():
    """(table, column) of every FileField of every model: the rows that must have a file."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                found.append((model._meta.db_table, field.column))
    return found


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


def snapshot_facts(cursor, tables):
    """Row counts, last applied migrations and the files rows name, read through one DB-API cursor."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    referenced = {}
    for table, column in file_fields():
        if table in tables:
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")
            for (name,) in cursor.fetchall():
                referenced[name] = f"{table}.{column}"
    recorded = {}  # file name → the sha256 its row recorded (evidence always; reports once they record one)
    for table, column, sha_column in hashed_file_fields():
        if table in tables:
            cursor.execute(
                f"SELECT {quote(column)}, {quote(sha_column)} FROM {quote(table)} "
                f"WHERE {quote(column)} <> '' AND {quote(sha_column)} <> ''"
            )
            recorded.update(cursor.fetchall())
    return counts, migrations, referenced, recorded


def integrity(cursor, what):
    cursor.execute("PRAGMA integrity_check")
    result = [row[0] for row in cursor.fetchall()]
    if result != ["ok"]:
        raise BackupError(f"The integrity check of {what} failed: {'; '.join(result[:10])}")


def dump_sqlite(target, copy_named):
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
        facts = snapshot_facts(copy.cursor(), tables)
        copy_named(facts[2])
        lock.rollback()
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        integrity(copy.cursor(), f"the copy of {source_path}")
    finally:
        copy.close()
        source.close()
        lock.close()
    return facts, {"sqlite": sqlite3.sqlite_version}


def pg_env():
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


def server_major():
    connection.ensure_connection()
    return connection.pg_version // 10000


def pg_client(program, at_least, why):
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


def dump_postgresql(target, copy_named):
    server = server_major()
    pg_dump, client = pg_client("pg_dump", server, f"to dump a PostgreSQL {server} server")
    existing = set(connection.introspection.table_names())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # Before the snapshot, so it sees every commit: writers of file rows wait until the end.
        with_files = sorted({table for table, _column in file_fields()} & existing)
        if with_files:
            cursor.execute(f"LOCK TABLE {', '.join(map(quote, with_files))} IN SHARE MODE")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        result = subprocess.run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            env=pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = {row[0] for row in cursor.fetchall()}
        facts = snapshot_facts(cursor, tables)
        copy_named(facts[2])
    return facts, {"server": server, "pg_dump": client}


def restore_sqlite(dump):
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


def restore_postgresql(dump, pg_restore):
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
        env=pg_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was changed in the database): {result.stderr.strip()}")
