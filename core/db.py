"""Engine and session factory for any PostgreSQL, from the URL forms hosting providers hand out."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

_DRIVER = "postgresql+psycopg"


def normalize_database_url(url: str) -> str:
    """Map `postgres://` (Heroku and friends) and `postgresql://` onto the psycopg 3 driver."""
    url = url.strip()
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return _DRIVER + "://" + url[len(prefix):]
    raise ValueError("DATABASE_URL must start with postgres://, postgresql:// or postgresql+psycopg://")


def make_engine(url: str, **kwargs) -> AsyncEngine:
    # pool_pre_ping: a server restart (or a managed database's failover) must not turn into one
    # failed request per pooled connection.
    return create_async_engine(normalize_database_url(url), pool_pre_ping=True, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
