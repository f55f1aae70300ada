"""Whole-site backups in one file, and restoring them.

A backup is one gzip-compressed tar archive (`chapterhouse-<time>.tar.gz`):

    manifest.json       what the archive holds: format, database engine, date, counts
    database.sqlite3    SQLite: an online copy made with SQLite's backup API
    database.dump       PostgreSQL: `pg_dump --format=custom`
    media/...           every file under MEDIA_ROOT (uploads such as talk slides)

Both database copies are consistent while the site runs: SQLite's backup API
copies under one read transaction (in WAL mode writers carry on meanwhile), and
pg_dump reads one snapshot.

`restore` also accepts a bare SQLite database file or a bare `pg_dump -Fc` file,
as the earlier manual instructions made them; those hold no media, so the media
folder is left alone. Everything is checked before anything is changed: the
file, its kind, that it matches this site's database engine, and that the
database in it opens. The database is then replaced in one transaction (SQLite's
backup API; `pg_restore --single-transaction`), and the media folder is swapped
for the backup's with two renames.
"""

import fcntl
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

FORMAT = "chapterhouse-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message names the file and the reason."""


@dataclass
class BackupSummary:
    path: Path
    engine: str
    database_bytes: int
    media_files: int
    archive_bytes: int


@dataclass
class Backup:
    """A checked backup file: what it holds, unpacked into a staging folder on restore."""

    path: Path
    engine: str
    created: str = ""
    has_media: bool = False
    members: list[tarfile.TarInfo] = field(default_factory=list)


@dataclass
class RestoreSummary:
    path: Path
    engine: str
    created: str
    tables: int
    rows: int
    media_files: int | None  # None: the backup held no media, and the folder was left alone
    migrations_to_apply: int


def plural(count: int, noun: str) -> str:
    """'1 table', '3 tables': for the commands' summaries."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def no_progress(message: str) -> None:
    """Progress reporter that reports nothing."""


def database_engine(alias: str = DEFAULT_DB_ALIAS) -> str:
    """'sqlite' or 'postgresql': the engine of this site's database."""
    vendor = connections[alias].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def media_files(root: Path) -> list[Path]:
    """Every file under the media folder, in a stable order."""
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() or path.is_symlink())


# Taking a backup.


def default_backup_path() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"chapterhouse-{stamp}.tar.gz"


def backup(output: Path | None = None, progress: Progress = no_progress) -> BackupSummary:
    """Write the database and the media files into one archive at `output`."""
    engine = database_engine()
    output = output_path(output)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as staging:
        database_copy = Path(staging) / DATABASE_FILES[engine]
        progress(f"Copying the {ENGINE_NAMES[engine]} database…")
        if engine == "sqlite":
            copy_sqlite(sqlite_path(), database_copy)
        else:
            pg_dump(database_copy)
        files = media_files(media_root)
        progress(f"Packing the database and {plural(len(files), 'media file')} into {output}…")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "database": engine,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "media_files": len(files),
        }
        write_archive(output, manifest, database_copy, media_root, files)
        database_bytes = database_copy.stat().st_size
    return BackupSummary(output, engine, database_bytes, len(files), output.stat().st_size)


def output_path(output: Path | None) -> Path:
    """Where the archive goes: a new file (a folder given gets the default file name)."""
    if output is None:
        output = default_backup_path()
    elif output.is_dir():
        output = output / default_backup_path().name
    if output.exists():
        raise BackupError(f"{output} already exists; choose another name")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"{output}: cannot create its folder ({error.strerror})") from None
    return output


def write_archive(
    output: Path, manifest: dict, database_copy: Path, media_root: Path, files: list[Path]
) -> None:
    """The archive, written beside its final name and renamed into place when complete.

    It holds password hashes and sessions, so only its owner may read it.
    """
    partial = output.with_name(f".{output.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            archive.add(database_copy, arcname=database_copy.name)
            add_folder(archive, MEDIA)  # present even when empty: restoring empties the folder
            for path in files:
                archive.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root)}")
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def add_folder(archive: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info)


def sqlite_path() -> Path:
    name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    if not name or str(name) == ":memory:" or str(name).startswith("file:"):
        raise BackupError(f"the SQLite database {name!r} is not a file that can be backed up")
    return Path(name)


def copy_sqlite(source_path: Path, target_path: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included) with SQLite's backup API."""
    if not source_path.is_file():
        raise BackupError(f"{source_path}: no such database file")
    source = sqlite3.connect(source_path, timeout=20)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # all pages in one step: one read transaction, one snapshot
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()


# PostgreSQL's own tools, run against the site's database.


def pg_connection_arguments(alias: str = DEFAULT_DB_ALIAS) -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment that point pg_dump/pg_restore at the database."""
    config = connections[alias].settings_dict
    arguments = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            arguments += [option, str(config[key])]
    environment = {**os.environ}
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = str(config["PASSWORD"])
    if config.get("OPTIONS", {}).get("sslmode"):
        environment["PGSSLMODE"] = str(config["OPTIONS"]["sslmode"])
    arguments += ["--dbname", str(config["NAME"])]
    return arguments, environment


def server_major_version(alias: str = DEFAULT_DB_ALIAS) -> int:
    connection = connections[alias]
    connection.ensure_connection()
    return connection.pg_version // 10000


def client_major_version(binary: str) -> int | None:
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)  # noqa: S603 - a PostgreSQL tool
    except (OSError, subprocess.CalledProcessError):
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    return int(found.group(1)) if found else None


def pg_tool(name: str, alias: str = DEFAULT_DB_ALIAS) -> str:
    """pg_dump or pg_restore of the server's major version, or a newer one.

    Debian installs each version's tools under /usr/lib/postgresql/<major>/bin, and
    the one on PATH may be another version; pg_dump refuses a newer server.
    """
    server = server_major_version(alias)
    candidates = [Path(f"/usr/lib/postgresql/{server}/bin/{name}")]
    on_path = shutil.which(name)
    candidates += [Path(on_path)] if on_path else []
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if candidate.is_file() and (client_major_version(str(candidate)) or 0) >= server:
            return str(candidate)
    raise BackupError(
        f"no {name} for PostgreSQL {server} or newer was found; "
        f"install the PostgreSQL {server} client tools (postgresql-client-{server})"
    )


def pg_dump(target: Path) -> None:
    arguments, environment = pg_connection_arguments()
    command = [pg_tool("pg_dump"), "--format=custom", f"--file={target}", *arguments]
    done = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603 - fixed tool
    if done.returncode != 0:
        raise BackupError(f"{target.name}: pg_dump failed: {last_line(done.stderr)}")


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


# Restoring: check everything first, then replace the database, then the media folder.


def open_backup(path: Path) -> Backup:
    """What the file at `path` holds; BackupError (naming the file) if it is not a backup."""
    if not path.exists():
        raise BackupError(f"{path}: no such file")
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"{path}: cannot read it ({error.strerror})") from None
    if head.startswith(SQLITE_MAGIC):
        return Backup(path, "sqlite")
    if head.startswith(PG_DUMP_MAGIC):
        return Backup(path, "postgresql")
    return open_archive(path)


def not_a_backup(path: Path) -> BackupError:
    return BackupError(
        f"{path} is not a Chapterhouse backup (made by `chapterhouse backup`), "
        "a SQLite database or a pg_dump custom-format file"
    )


def open_archive(path: Path) -> Backup:
    try:
        with tarfile.open(path, mode="r:*") as archive:
            members = archive.getmembers()
            manifest_member = next((m for m in members if m.name == MANIFEST), None)
            if manifest_member is None:
                raise not_a_backup(path)
            manifest = json.loads(archive.extractfile(manifest_member).read())
    except (tarfile.TarError, OSError, EOFError, ValueError, AttributeError):
        raise not_a_backup(path) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise not_a_backup(path)
    if manifest.get("version") != VERSION or manifest.get("database") not in DATABASE_FILES:
        raise BackupError(f"{path} is a backup in a format this version cannot read")
    engine = manifest["database"]
    has_media = any(m.name == MEDIA or m.name.startswith(f"{MEDIA}/") for m in members)
    return Backup(path, engine, str(manifest.get("created", "")), has_media, members)


def check_engine(found: Backup) -> None:
    site = database_engine()
    if found.engine != site:
        raise BackupError(
            f"{found.path} holds a {ENGINE_NAMES[found.engine]} backup, but this site's "
            f"database is {ENGINE_NAMES[site]}; restore it on a {ENGINE_NAMES[found.engine]} site"
        )


def database_is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """True when the database has no tables yet (a new install)."""
    with connections[alias].cursor() as cursor:
        return not connections[alias].introspection.table_names(cursor)


def unpack(found: Backup, staging: Path) -> tuple[Path, Path | None]:
    """The database file (and media folder, if any) of the backup, extracted into `staging`."""
    if not found.members:  # a bare database file: work on a copy, never beside the original
        if found.engine == "postgresql":
            return found.path, None
        copy = staging / DATABASE_FILES["sqlite"]
        shutil.copyfile(found.path, copy)
        return copy, None
    database_name = DATABASE_FILES[found.engine]
    if not any(member.name == database_name for member in found.members):
        raise BackupError(f"{found.path} is damaged: it holds no {database_name}")
    wanted = [
        m for m in found.members
        if m.name == database_name or m.name == MEDIA or m.name.startswith(f"{MEDIA}/")
    ]  # fmt: skip
    try:
        with tarfile.open(found.path, mode="r:*") as archive:
            archive.extractall(staging, members=wanted, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{found.path} is damaged or cannot be unpacked: {error}") from None
    media = staging / MEDIA
    if found.has_media:
        media.mkdir(exist_ok=True)
    return staging / database_name, media if found.has_media else None


def check_sqlite_copy(found: Backup, database: Path) -> None:
    try:
        copy = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{found.path}: its database cannot be read ({error})") from None
    if verdict != "ok":
        raise BackupError(f"{found.path}: its database is damaged ({verdict})")
    if "django_migrations" not in tables:
        raise BackupError(f"{found.path}: its database is not a Chapterhouse database")


def check_pg_dump(found: Backup, dump: Path) -> None:
    command = [pg_tool("pg_restore"), "--list", str(dump)]
    done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603 - fixed tool
    if done.returncode != 0:
        raise BackupError(f"{found.path}: pg_restore cannot read it: {last_line(done.stderr)}")
    if "django_migrations" not in done.stdout:
        raise BackupError(f"{found.path}: its database is not a Chapterhouse database")


def restore_sqlite(database: Path) -> None:
    """Replace the live database's pages with the copy's, in one write transaction.

    SQLite's backup API writes through the live database's own locks and WAL, so
    processes that still have it open see either the old or the new database.
    """
    connections[DEFAULT_DB_ALIAS].close()
    live = sqlite_path()
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    target = sqlite3.connect(live, timeout=60)
    # Queue with the site's writers (chapterhouse.sqlite) rather than race them for the lock.
    write_lock = os.open(f"{live}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(write_lock, fcntl.LOCK_EX)
        source.backup(target)
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as error:
        raise BackupError(f"{live}: the restore failed, nothing changed ({error})") from None
    finally:
        os.close(write_lock)  # closing it releases the lock
        target.close()
        source.close()


def restore_postgresql(found: Backup, dump: Path) -> None:
    """pg_restore in one transaction: it replaces every object or, on any error, none."""
    connections[DEFAULT_DB_ALIAS].close()  # hold no locks on the tables being replaced
    arguments, environment = pg_connection_arguments()
    command = [
        pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
        "--single-transaction", "--exit-on-error", *arguments, str(dump),
    ]  # fmt: skip
    done = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603 - fixed tool
    if done.returncode != 0:
        raise BackupError(
            f"{found.path}: pg_restore failed, nothing changed: {last_line(done.stderr)}"
        )


def swap_media(staged: Path) -> int:
    """Put the backup's media folder in place of the current one; the old one is removed."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    old = media_root.with_name(f".{media_root.name}.before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if media_root.exists():
        media_root.rename(old)
    shutil.move(staged, media_root)
    shutil.rmtree(old, ignore_errors=True)
    return len(media_files(media_root))


def count_rows(alias: str = DEFAULT_DB_ALIAS) -> tuple[int, int]:
    """(tables, rows) in the database."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        rows = 0
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            rows += cursor.fetchone()[0]
    return len(tables), rows


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> int:
    executor = MigrationExecutor(connections[alias])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def staging_folder() -> Path:
    """Somewhere beside the media folder, so that the unpacked media can be renamed into place."""
    parent = Path(settings.MEDIA_ROOT).parent
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=parent, prefix=".restore-"))


def restore(found: Backup, progress: Progress = no_progress) -> RestoreSummary:
    """Replace the database (and the media folder, when the backup has one) with the backup's.

    `found` comes from open_backup(); call check_engine() on it first.
    """
    staging = staging_folder()
    try:
        progress(f"Unpacking {found.path}…")
        database, media = unpack(found, staging)
        progress("Checking the database in the backup…")
        if found.engine == "sqlite":
            check_sqlite_copy(found, database)
            progress(f"Restoring the SQLite database into {sqlite_path()}…")
            restore_sqlite(database)
        else:
            check_pg_dump(found, database)
            progress("Restoring the PostgreSQL database with pg_restore…")
            restore_postgresql(found, database)
        ContentType.objects.clear_cache()  # ids cached in this process may have changed
        restored_media = None
        if media is not None:
            progress(f"Restoring the media files into {settings.MEDIA_ROOT}…")
            restored_media = swap_media(media)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    tables, rows = count_rows()
    return RestoreSummary(
        found.path, found.engine, found.created, tables, rows, restored_media,
        unapplied_migrations(),
    )  # fmt: skip
