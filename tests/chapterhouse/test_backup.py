"""`chapterhouse backup` and `chapterhouse restore`: a site with the demo loaded comes back whole.

The round trip runs the real console commands against a scratch site of its own:
a SQLite file in a temporary folder, or, when the tests run on PostgreSQL, a
scratch database made and dropped here (pg_dump and pg_restore need a database
that no test transaction holds). The error cases run the commands in this
process against the test database and check that nothing changed.
"""

import io
import os
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from chapterhouse.backup import copy_sqlite, pg_dump
from chapters.models import Chapter
from tests.chapterhouse.servers import BIN, ROOT, scratch_database

CHANGE_AND_DELETE = """
from chapters.models import Chapter
from meetings.models import Meeting
from members.models import User
from stories.models import Story
chapter = Chapter.objects.get(slug="code4libnyc")
chapter.name = "Renamed after the backup"
chapter.save()
Meeting.objects.filter(pk=Meeting.objects.order_by("pk").first().pk).delete()
Story.objects.all().delete()
User.objects.create_user("late@example.org", "a long passphrase here", "Late")
"""


class Site:
    """A scratch Chapterhouse: its own folder and database, driven through its console."""

    def __init__(self, folder: Path, database_url: str):
        self.database_url = database_url
        self.media = folder / "media"
        self.env = {
            **os.environ,
            "CHAPTERHOUSE_VAR_DIR": str(folder),
            "CHAPTERHOUSE_MEDIA_ROOT": str(self.media),
            "DATABASE_URL": database_url,
            "CHAPTERHOUSE_DEBUG": "true",
            "CHAPTERHOUSE_LOG_LEVEL": "WARNING",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)

    @property
    def database_name(self) -> str:
        return self.database_url.rsplit("/", 1)[1] if self.is_postgres else self.sqlite_path

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgres")

    @property
    def sqlite_path(self) -> str:
        return self.database_url.removeprefix("sqlite:///")

    def run(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own command
            [str(BIN / "python"), "-m", "chapterhouse", *arguments], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def ok(self, *arguments: str) -> str:
        done = self.run(*arguments)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def tables(self) -> dict[str, list]:
        """Every table's rows (and on PostgreSQL every sequence's position)."""
        if not self.is_postgres:
            with sqlite3.connect(self.sqlite_path) as database:
                listed = database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                return {name: all_rows(database, name) for (name,) in listed.fetchall()}
        with psycopg.connect(self.database_url) as database:
            listed = database.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
            found = {name: all_rows(database, name) for (name,) in listed.fetchall()}
            # The next ids too: a restored site must not hand out ids it already used.
            found["(sequences)"] = sorted_rows(
                database.execute("SELECT sequencename, last_value FROM pg_sequences")
            )
            return found


def all_rows(database, table: str) -> list:
    return sorted_rows(database.execute(f'SELECT * FROM "{table}"'))  # noqa: S608 - listed names


def sorted_rows(rows) -> list:
    """Rows in a stable order whatever their column types (JSON, bytes, NULLs)."""
    plain = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
    return sorted(plain, key=repr)


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def site(tmp_path):
    """A migrated scratch site of the same engine as the test database."""
    with scratch_database(tmp_path, "backup") as database_url:
        made = Site(tmp_path, database_url)
        made.ok("migrate", "--noinput", "--verbosity", "0")
        yield made


def test_a_restore_brings_back_every_row_and_every_media_file(site, tmp_path):
    site.ok("demo")
    (site.media / "slides" / "2024").mkdir(parents=True)
    (site.media / "slides" / "2024" / "talk.pdf").write_bytes(b"%PDF-1.4 slides\x00\xff")
    (site.media / "notes.txt").write_text("kept")
    before, media_before = site.tables(), files_under(site.media)
    assert before["chapters_chapter"] and before["meetings_meeting"] and before["stories_story"]

    archive = tmp_path / "backups" / "site.tar.gz"
    output = site.ok("backup", "--output", str(archive))
    assert f"to {archive}" in output and "2 media files" in output
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # it holds password hashes

    site.ok("shell", "--no-imports", "-c", CHANGE_AND_DELETE)
    (site.media / "slides" / "2024" / "talk.pdf").unlink()
    (site.media / "uploaded-later.pdf").write_bytes(b"new")
    changed = site.tables()
    assert changed != before

    refused = site.run("restore", str(archive))
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines() == [
        f"CommandError: {archive}: not restored, because the database "
        f"{site.database_name} holds data; "
        "add --force to replace it"
    ]
    assert site.tables() == changed and "uploaded-later.pdf" in files_under(site.media)

    restored = site.ok("restore", str(archive), "--force")
    assert f"Unpacking {archive}" in restored and "Restoring the media files" in restored
    assert f"Restored {archive}" in restored and "2 media files" in restored
    assert site.tables() == before
    assert files_under(site.media) == media_before

    missing = site.run("restore", str(tmp_path / "no-such.tar.gz"))
    assert missing.returncode != 0
    assert missing.stderr.strip().splitlines() == [
        f"CommandError: {tmp_path / 'no-such.tar.gz'}: no such file"
    ]


# Bad input, against the test database: a clear one-line error naming the file, and no change.


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "kept.txt").write_text("still here")
    return settings.MEDIA_ROOT


def refused(path: Path, media: Path, *options: str) -> str:
    """The error restore gives for `path`, after checking that nothing changed."""
    before = list(Chapter.objects.values_list("slug", "name").order_by("slug"))
    with pytest.raises(CommandError) as raised:
        call_command("restore", str(path), *options, stdout=io.StringIO())
    assert list(Chapter.objects.values_list("slug", "name").order_by("slug")) == before
    assert files_under(media) == {"kept.txt": b"still here"}
    message = str(raised.value)
    assert "\n" not in message and str(path) in message
    return message


@pytest.mark.django_db(transaction=True)
def test_a_missing_file_is_named(chapter, media, tmp_path):
    assert refused(tmp_path / "gone.tar.gz", media, "--force").endswith(": no such file")


@pytest.mark.django_db(transaction=True)
def test_a_file_of_another_kind_is_refused(chapter, media, tmp_path):
    notes = tmp_path / "notes.tar.gz"
    notes.write_text("these are not the backups you are looking for\n")
    assert "is not a Chapterhouse backup" in refused(notes, media, "--force")


@pytest.mark.django_db(transaction=True)
def test_a_cut_short_backup_is_refused(chapter, media, tmp_path):
    whole = tmp_path / "whole.tar.gz"
    call_command("backup", output=whole, stdout=io.StringIO())
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    message = refused(cut, media, "--force")
    assert "is not a Chapterhouse backup" in message or "is damaged" in message


@pytest.mark.django_db(transaction=True)
def test_the_other_engines_backup_is_refused(chapter, media, tmp_path):
    other = tmp_path / "other-engine.dump"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)  # how every pg_dump -Fc file begins
        expected = "holds a PostgreSQL backup, but this site's database is SQLite"
    else:
        with sqlite3.connect(other) as database:
            database.execute("CREATE TABLE django_migrations (id integer)")
        expected = "holds a SQLite backup, but this site's database is PostgreSQL"
    assert expected in refused(other, media, "--force")


@pytest.mark.django_db(transaction=True)
def test_an_archive_of_the_other_engine_is_refused_before_unpacking(chapter, media, tmp_path):
    archive = tmp_path / "other.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    relabelled = tmp_path / "relabelled.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(relabelled, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json":
                text = data.read().replace(f'"{connection.vendor}"'.encode(), f'"{other}"'.encode())
                member.size = len(text)
                data = io.BytesIO(text)
            target.addfile(member, data)
    assert "backup, but this site's database is" in refused(relabelled, media, "--force")


@pytest.mark.django_db(transaction=True)
def test_without_force_a_database_with_data_is_not_replaced(chapter, media, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    Chapter.objects.filter(pk=chapter.pk).update(name="Changed since")
    message = refused(archive, media, "--no-input")
    assert message.endswith("holds data; add --force to replace it")


@pytest.mark.django_db(transaction=True)
def test_a_bare_database_file_restores_the_database_and_leaves_media_alone(
    chapter, media, tmp_path
):
    """What the manual instructions made before: `sqlite3 .backup`, or `pg_dump -Fc`."""
    bare = tmp_path / "bare.db"
    if connection.vendor == "sqlite":
        copy_sqlite(Path(connection.settings_dict["NAME"]), bare)
    else:
        pg_dump(bare)
    Chapter.objects.create(name="Made after the dump", slug="later")
    out = io.StringIO()
    call_command("restore", str(bare), "--force", stdout=out)
    assert "the media folder left as it was" in out.getvalue()
    assert list(Chapter.objects.values_list("slug", flat=True)) == ["code4libnyc"]
    assert files_under(media) == {"kept.txt": b"still here"}
