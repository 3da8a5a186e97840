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


POOL_SIZE = 10  # DATABASE_POOL_SIZE's default (README, Deploying): see make_engine


def make_engine(url: str, pool_size: int = POOL_SIZE, **kwargs) -> AsyncEngine:
    """`pool_size` connections are kept open, and as many more opened for a burst. An update holds
    one only while its statements run, never while the bot talks to Telegram or Twilio, so a few
    serve many: 10 keep up with Telegram's 40 concurrent webhook deliveries.

    No liveness check on checkout (pool_pre_ping): it costs a round trip on every checkout. A
    connection that died with a database restart fails once; the pool then drops every connection
    as old. An update's first statement is then tried once more (core/inbox.once_more_if_disconnected),
    so nobody is told "try again" for it; the outbox and the scheduler try again at their next round."""
    kwargs.setdefault("max_overflow", pool_size)
    return create_async_engine(normalize_database_url(url), pool_size=pool_size, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
