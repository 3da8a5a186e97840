"""`python -m bot backup FILE` and `restore FILE` as an operator runs them, against the embedded server
and against a server named by DATABASE_URL: a round trip brings back exactly the circles backed up."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.backup import _connection
from bot.database import embedded_server, ensure_database, upgrade
from core.db import make_engine, make_sessionmaker, normalize_database_url
from core.uow import UnitOfWork
from tests.conftest import drop_database, fresh_database
from tests.integration.builders import active_circle, forming_circle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["embedded", "DATABASE_URL"])
def target(request, server_url, tmp_path) -> Iterator[tuple[dict[str, str], str]]:
    """The environment `python -m bot` runs with, and the URL of the database it will use (migrated)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
           "ROSCA_DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "WARNING"}
    if request.param == "embedded":
        with embedded_server(tmp_path / "data") as server:  # shared with the commands the test runs
            url = make_url(normalize_database_url(server)).set(database="rosca").render_as_string(hide_password=False)
            ensure_database(url)
            upgrade(url)
            yield env, url
    else:
        url = fresh_database(server_url, "rosca_backup")
        upgrade(url)
        yield env | {"DATABASE_URL": url}, url
        drop_database(url)


def bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=env["HOME"], env=env, capture_output=True,
                          text=True, timeout=120)


def snapshot(url: str) -> dict[str, list]:
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = {name: conn.execute(text(f"select * from {name} order by 1")).all()
                  for name in ("circles", "memberships", "users", "audit_log")}
    engine.dispose()
    return tables


async def test_a_restored_backup_brings_back_exactly_the_circles_backed_up(target, tmp_path, clock):
    env, url = target
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    new_uow = lambda: UnitOfWork(sessions, clock=clock)  # noqa: E731
    await active_circle(new_uow, 3, name="Harambee")
    await forming_circle(new_uow, 2, name="School Fees")
    backed_up, file = snapshot(url), tmp_path / "rosca.dump"

    done = bot(env, "backup", str(file))
    size = file.stat().st_size // 1024 + 1
    assert (done.returncode, done.stdout) == (0, f"backed up 2 circles to {file} ({size} KB)\n")

    await forming_circle(new_uow, 1, name="After the backup")
    async with engine.begin() as conn:
        await conn.execute(text("update circles set name = 'Renamed' where name = 'Harambee'"))
    await engine.dispose()
    changed = snapshot(url)

    refused = bot(env, "restore", str(file))
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "rosca-bot: the database already holds data (3 circles); restoring replaces all of it: run "
        "`restore FILE --force` to go ahead (after a backup of it if you may need it)"]
    assert snapshot(url) == changed

    done = bot(env, "restore", str(file), "--force")
    assert (done.returncode, done.stdout) == (0, f"restored 2 circles from {file}\n"), done.stderr
    assert snapshot(url) == backed_up
    assert bot(env, "migrate").returncode == 0  # the restored database is one the bot runs on


def test_the_password_travels_in_the_environment_not_on_the_command_line():
    dsn, env = _connection("postgres://rosca:s3cr%40t@db.example.com:5432/rosca?sslmode=require")
    assert dsn == "postgresql://rosca@db.example.com:5432/rosca?sslmode=require"
    assert env["PGPASSWORD"] == "s3cr@t"
