"""`python -m bot` as an operator runs it, in a subprocess: `migrate` and `audit`, and every way a start
can fail ending in one line on stderr that names the setting, exit code 2."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio
from tests.conftest import drop_database, fresh_database

ROOT = Path(__file__).resolve().parents[2]
WHATSAPP = {"TWILIO_ACCOUNT_SID": FakeTwilio.ACCOUNT_SID, "TWILIO_AUTH_TOKEN": FakeTwilio.AUTH_TOKEN,
            "TWILIO_WHATSAPP_FROM": FakeTwilio.FROM}


@pytest.fixture
def empty_database(server_url):
    url = fresh_database(server_url, "rosca_entry")
    yield url
    drop_database(url)


def run_bot(*args: str, cwd: Path, database_url: str | None = None, **settings: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **settings}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def refused(done: subprocess.CompletedProcess, *names: str) -> str:
    """The one line the bot stopped with; it names every setting in `names`."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("rosca-bot: ") and all(name in lines[0] for name in names), lines[0]
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def test_version_is_the_package_version(tmp_path):
    done = run_bot("--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"family-rosca-bot {metadata.version('family-rosca-bot')}"


def wrong_database_urls(server_url: str) -> dict[str, str]:
    server = make_url(server_url)
    return {"host": "postgresql://rosca@nohost.invalid:5432/rosca",
            "port": f"postgresql://rosca:pw@127.0.0.1:{free_port()}/rosca",
            "database": server.set(database="no_such_database_here").render_as_string(hide_password=False),
            "sslmode": server.update_query_dict({"sslmode": "bogus"}).render_as_string(hide_password=False),
            "mysql": "mysql://rosca@localhost/rosca",
            "malformed": "postgresql://rosca@localhost:five/rosca"}


@pytest.mark.parametrize("wrong", ["host", "port", "database", "sslmode", "mysql", "malformed"])
def test_a_wrong_database_url_is_one_line(server_url, tmp_path, wrong):
    done = run_bot("migrate", database_url=wrong_database_urls(server_url)[wrong], cwd=tmp_path)
    line = refused(done, "DATABASE_URL")
    assert ":pw@" not in line  # the password stays out of it


def test_with_debug_logging_the_traceback_comes_too(tmp_path):
    done = run_bot("migrate", database_url=f"postgresql://rosca@127.0.0.1:{free_port()}/rosca", cwd=tmp_path,
                   LOG_LEVEL="DEBUG")
    assert done.returncode == 2
    assert "Traceback" in done.stderr and "OperationalError" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("rosca-bot: can't use the database in DATABASE_URL")


def test_a_data_folder_the_embedded_database_cannot_use_is_one_line(tmp_path):
    # A file where the folder should be: refused like a root-owned volume is for a non-root user
    # (a read-only folder would not stop these tests, which may run as root).
    blocked = tmp_path / "data"
    blocked.write_text("not a folder")
    refused(run_bot("migrate", cwd=tmp_path, ROSCA_DATA_DIR=str(blocked)), "ROSCA_DATA_DIR", "DATABASE_URL")


def test_embedded_database_on_an_ephemeral_platform_is_refused(tmp_path):
    done = run_bot("migrate", cwd=tmp_path, ROSCA_DATA_DIR=str(tmp_path / "data"), DYNO="web.1")
    refused(done, "Heroku", "DATABASE_URL", "ROSCA_EPHEMERAL_OK")
    assert not (tmp_path / "data").exists()  # refused before starting anything


def test_incomplete_twilio_settings_are_one_line(empty_database, tmp_path):
    done = run_bot(database_url=empty_database, cwd=tmp_path, TWILIO_ACCOUNT_SID=FakeTwilio.ACCOUNT_SID,
                   TWILIO_AUTH_TOKEN=FakeTwilio.AUTH_TOKEN)
    refused(done, "TWILIO_WHATSAPP_FROM")


@pytest.mark.parametrize("public_url", [None, "http://rosca.example.org", "rosca.example.org",
                                        "https://rosca.example.org:port"])
def test_serve_needs_a_usable_public_url(empty_database, tmp_path, public_url):
    settings = {"PUBLIC_URL": public_url} if public_url else {}
    done = run_bot("serve", database_url=empty_database, cwd=tmp_path, TELEGRAM_BOT_TOKEN=FakeTelegram.TOKEN,
                   **settings)
    assert "https://" in refused(done, "PUBLIC_URL")


def test_whatsapp_says_why_it_needs_a_public_url(empty_database, tmp_path):
    assert "Twilio" in refused(run_bot("serve", database_url=empty_database, cwd=tmp_path, **WHATSAPP), "PUBLIC_URL")


def test_serve_on_a_busy_port_is_one_line(empty_database, tmp_path):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_bot("serve", database_url=empty_database, cwd=tmp_path, PUBLIC_URL="https://rosca.example.org",
                       PORT=str(port), **WHATSAPP)
    refused(done, "PORT", str(port))


def test_unreachable_telegram_api_is_one_line(empty_database, tmp_path):
    done = run_bot(database_url=empty_database, cwd=tmp_path, TELEGRAM_BOT_TOKEN=FakeTelegram.TOKEN,
                   TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}")
    refused(done, "TELEGRAM_API_URL")


def test_a_malformed_token_is_one_line(empty_database, tmp_path):
    refused(run_bot(database_url=empty_database, cwd=tmp_path, TELEGRAM_BOT_TOKEN="not-a-token"),
            "TELEGRAM_BOT_TOKEN")


async def test_telegram_api_answers_are_one_line(fake_telegram_api, tmp_path):
    """A token Telegram rejects blames the token; an address that is no Bot API blames the address; the
    address with python-telegram-bot's /bot ending is taken as meant (the start then goes on to the
    database, whose unreachable port stops it)."""
    api = fake_telegram_api.base_url.removesuffix("/bot")
    nowhere = f"postgresql://rosca@127.0.0.1:{free_port()}/rosca"

    async def start(**settings: str) -> subprocess.CompletedProcess:
        return await asyncio.to_thread(run_bot, database_url=nowhere, cwd=tmp_path, **settings)

    rejected = await start(TELEGRAM_BOT_TOKEN="123456:" + "x" * 30, TELEGRAM_API_URL=api)
    assert "rejected TELEGRAM_BOT_TOKEN" in refused(rejected, "TELEGRAM_BOT_TOKEN")
    elsewhere = await start(TELEGRAM_BOT_TOKEN=FakeTelegram.TOKEN, TELEGRAM_API_URL=api + "/somewhere")
    refused(elsewhere, "TELEGRAM_API_URL")
    with_bot = await start(TELEGRAM_BOT_TOKEN=FakeTelegram.TOKEN, TELEGRAM_API_URL=api + "/bot")
    refused(with_bot, "DATABASE_URL")
    assert [c.method for c in fake_telegram_api.calls if not c.failed_with] == ["getMe"]


@pytest.fixture
async def fake_telegram_api():
    async with FakeTelegram() as tg:
        yield tg
