"""The standard alembic CLI works from the project root with DATABASE_URL (alembic.ini, migrations/env.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.database import alembic_config
from tests.conftest import drop_database, fresh_database

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC = str(Path(sys.executable).parent / "alembic")  # the console script pip installs with alembic


def alembic(*args: str, database_url: str | None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.run([ALEMBIC, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def scratch_url(server_url):
    url = fresh_database(server_url, "rosca_alembic_cli")
    yield url
    drop_database(url)


def test_upgrade_check_downgrade_from_the_project_root(scratch_url):
    # The form Heroku and friends hand out; env.py normalises it as the bot does.
    url = "postgres://" + scratch_url.split("://", 1)[1]
    head, previous = [r.revision for r in ScriptDirectory.from_config(alembic_config(scratch_url)).walk_revisions()][:2]

    upgraded = alembic("upgrade", "head", database_url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"-> {head}" in upgraded.stderr

    checked = alembic("check", database_url=url)  # autogenerate finds nothing: models match migrations
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "No new upgrade operations detected" in checked.stdout

    assert alembic("downgrade", "-1", database_url=url).returncode == 0
    assert alembic("current", database_url=url).stdout.split() == [previous]
    assert alembic("upgrade", "head", database_url=url).returncode == 0
    assert alembic("current", database_url=url).stdout.split() == [head, "(head)"]


def test_without_database_url_one_line_says_what_to_set(tmp_path):
    # From another folder (no .env there), pointing at the project's alembic.ini.
    result = alembic("-c", str(ROOT / "alembic.ini"), "upgrade", "head", database_url=None, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "DATABASE_URL" in result.stderr
