"""One PostgreSQL per test session: TEST_DATABASE_URL's server if set, otherwise the embedded one.

Each session gets a fresh database migrated to head; each test starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.database import embedded_server, ensure_database, upgrade
from core.db import make_engine, make_sessionmaker, normalize_database_url
from core.models import Base
from core.uow import UnitOfWork


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL of the PostgreSQL server the tests use (its `postgres` database)."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    with embedded_server(tmp_path_factory.mktemp("pg")) as url:
        yield url


def fresh_database(server_url: str, prefix: str) -> str:
    url = make_url(normalize_database_url(server_url)).set(database=f"{prefix}_{uuid.uuid4().hex[:10]}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    return rendered


def drop_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'drop database if exists "{target.database}" with (force)')
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    url = fresh_database(server_url, "rosca_test")
    upgrade(url)
    yield url
    drop_database(url)


@pytest.fixture
def clean_database(database_url: str) -> str:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f"truncate {tables} restart identity cascade"))
    engine.dispose()
    return database_url


class FakeClock:
    """Time that tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


@pytest.fixture
async def engine(clean_database: str):
    engine = make_engine(clean_database, pool_size=20)
    yield engine
    await engine.dispose()


@pytest.fixture
def new_uow(engine, clock: FakeClock) -> Callable[[], UnitOfWork]:
    """A factory: each call is a unit of work on its own connection, as separate requests would be."""
    sessions = make_sessionmaker(engine)
    return lambda: UnitOfWork(sessions, clock=clock)
