"""Alembic environment: runs migrations on a synchronous psycopg connection.

The bot passes its URL (or an open connection) in the Config (bot/database.py alembic_config). The
alembic CLI from the project root (alembic.ini) has none, so it takes DATABASE_URL the way the bot
does: from the environment or .env.
"""

import sys
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from bot.config import ConfigError, load_settings
from core.db import normalize_database_url
from core.models import Base

config = context.config
target_metadata = Base.metadata

NO_URL = ("alembic needs DATABASE_URL (in the environment or .env), e.g. "
          "DATABASE_URL=postgresql://user:password@localhost:5432/rosca alembic upgrade head; "
          "the embedded database is migrated by the bot itself on start (python -m bot migrate)")


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    try:
        configured = load_settings().database_url
        if not configured:
            raise ConfigError(NO_URL)
        return normalize_database_url(configured)
    except (ConfigError, ValueError) as error:
        # One line and exit 2, like the bot's own CLI: a traceback would bury what to fix.
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(database_url(), poolclass=pool.NullPool)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                      compare_server_default=True)
    with context.begin_transaction():
        context.run_migrations()


if config.config_file_name is not None:  # the CLI's alembic.ini; the bot configures its own logging
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
