"""Start-up configuration, the SQLite tuning, and the chapterhouse command."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def chapterhouse(*args: str, env: dict[str, str] | None = None, tmp_path: Path | None = None):
    """Run the console command in a fresh process, with only the given environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CHAPTERHOUSE_", "DJANGO_"))}
    base.pop("DATABASE_URL", None)
    if tmp_path is not None:
        base["DATABASE_URL"] = f"sqlite:///{tmp_path / 'startup.sqlite3'}"
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "chapterhouse", *args],
        env={**base, **(env or {})},
        cwd=tmp_path or ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "CHAPTERHOUSE_DEBUG": "false",
    "CHAPTERHOUSE_SECRET_KEY": secrets.token_urlsafe(50),
    "CHAPTERHOUSE_SITE_URL": "https://chapters.example.org",
}


@pytest.mark.parametrize("missing", ["CHAPTERHOUSE_SECRET_KEY", "CHAPTERHOUSE_SITE_URL"])
def test_production_start_up_names_a_missing_setting(missing, tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = chapterhouse("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"Set the environment variable {missing}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_site_url_is_refused(tmp_path):
    result = chapterhouse(
        "check",
        env={**PRODUCTION, "CHAPTERHOUSE_SITE_URL": "chapters.example.org"},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "CHAPTERHOUSE_SITE_URL must be an http(s) URL" in result.stderr


@pytest.mark.parametrize("proxy", [{}, {"CHAPTERHOUSE_BEHIND_PROXY": "true"}])
def test_check_deploy_is_clean_in_production(tmp_path, proxy):
    deploy_check = ("check", "--deploy", "--fail-level", "WARNING")
    result = chapterhouse(*deploy_check, env={**PRODUCTION, **proxy}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_defaults_need_no_configuration(tmp_path):
    result = chapterhouse("check", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


def test_sqlite_runs_in_wal_with_normal_sync_and_immediate_transactions(tmp_path):
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA synchronous'); print(c.fetchone()[0])\n"
        "print(connection.transaction_mode)\n"
    )
    result = chapterhouse("shell", "-v", "0", "-c", script, tmp_path=tmp_path)
    assert result.stdout.split() == ["wal", "1", "IMMEDIATE"], result.stderr


def test_sqlite_lives_under_var_by_default():
    script = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    result = chapterhouse("shell", "-v", "0", "-c", script)
    assert result.stdout.strip() == str(ROOT / "var" / "chapterhouse.sqlite3"), result.stderr


def test_a_fresh_checkout_migrates_and_loads_the_demo_with_nothing_set(tmp_path):
    var = tmp_path / "fresh" / "var"
    env = {"CHAPTERHOUSE_VAR_DIR": str(var)}
    migrate = chapterhouse("migrate", "--noinput", "-v", "0", env=env)
    assert migrate.returncode == 0, migrate.stderr
    demo = chapterhouse("demo", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "Log in as an organizer" in demo.stdout
    assert (var / "chapterhouse.sqlite3").exists()
    again = chapterhouse("demo", env=env)
    assert "nothing changed" in again.stdout


def test_the_web_entry_point_loads_every_view_before_the_first_request(tmp_path):
    """A worker does not spend its first visitors' time importing the URL configuration."""
    script = (
        "import sys\n"
        "from django.urls import get_resolver\n"
        "print('meetings.views' in sys.modules)\n"
        "import config.wsgi\n"
        "print('meetings.views' in sys.modules, 'api.urls' in sys.modules)\n"
        "print(bool(get_resolver()._populated))\n"
    )
    result = chapterhouse("shell", "-v", "0", "-c", script, tmp_path=tmp_path)
    assert result.stdout.split() == ["False", "True", "True", "True"], result.stderr
