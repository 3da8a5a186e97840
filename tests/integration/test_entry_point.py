"""`python -m bot migrate` and `python -m bot audit` as an operator runs them, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from tests.conftest import drop_database, fresh_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_database(server_url):
    url = fresh_database(server_url, "rosca_entry")
    yield url
    drop_database(url)


def run_bot(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_migrate_accepts_a_heroku_style_url_and_builds_the_schema(empty_database, tmp_path):
    heroku_style = make_url(empty_database).set(drivername="postgres").render_as_string(hide_password=False)
    done = run_bot("migrate", database_url=heroku_style, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    engine = create_engine(empty_database)
    assert {"users", "circles", "cycles", "audit_log"} <= set(inspect(engine).get_table_names())
    engine.dispose()
    assert "schema up to date" in done.stderr


def test_audit_reports_an_intact_chain(empty_database, tmp_path):
    done = run_bot("audit", "users", database_url=empty_database, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["user records: 0 entries", "intact: the chain holds"]


def test_run_without_a_token_says_what_to_configure_in_one_line(empty_database, tmp_path):
    done = run_bot(database_url=empty_database, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "rosca-bot: TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env"]
