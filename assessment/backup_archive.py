"""The backup archive itself: its layout and manifest, writing it, and reading it back with checks.

A tar.gz readable by its owner only (see ``assessment.backup`` for what it holds
and how the backup makes its contents consistent). Reading refuses anything that
is not a backup made here: paths outside the archive, links, unknown members,
a manifest of another format, and any file that is not the one the manifest
describes.
"""

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path, PurePosixPath

from django.utils import timezone

from assessment.backup_database import BackupError

FORMAT = 1

MANIFEST = "manifest.json"

DATABASE_FILES = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.dump"}

CHUNK = 1024 * 1024


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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


def _reset_owner(info):
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_archive(output, manifest, dump, staging):
    """Write the archive to ``output`` whole or not at all, readable by its owner only.

    ``dump`` is the database file, ``staging`` the folder holding a copy of every file the manifest lists.
    """
    partial = output.with_name(f".{output.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = _reset_owner(tarfile.TarInfo(MANIFEST))
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, manifest["database"]["path"], filter=_reset_owner)
            for item in manifest["media"]:
                tar.add(staging / item["path"], f"media/{item['path']}", filter=_reset_owner)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


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


def unpack(archive, folder):
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


def check_files(folder, manifest):
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
