"""The unit of work: one transaction per use case, with its events recorded before it commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import audit, notifications
from core.events import Event
from core.guards import forget_locks
from core.limits import Limits
from core.models import Channel


def utc_now() -> datetime:
    return datetime.now(UTC)


class UnitOfWork:
    """`async with uow:` opens a transaction; `await uow.commit()` records events (audit entries and
    outbox notifications) then commits.

    Leaving the block without commit rolls everything back, so a refusal (a raised CoreError) or a
    crash half-way changes nothing. The clock is injectable so tests move time instead of sleeping;
    the flood limits are configured through it too.

    `hold()` keeps a block's transaction open past its end: later blocks on this unit of work
    continue it, reads leaving it open, until one commits (a change) or fails (rolling it all back);
    `finish()` commits it if none did. An update's delivery record is held this way
    (core/inbox.arrive), so that it and the change the update asked for commit together or not at
    all, on one connection, whatever the update reads first.
    """

    session: AsyncSession

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime] = utc_now,
                 limits: Limits = Limits()):
        self._sessions = sessions
        self.clock = clock
        self.limits = limits  # flood limits, from the settings (core/limits.py)
        self.events: list[Event] = []
        self.committed: list[Event] = []
        # The chat the change was made from: it gets the direct reply, so announcements skip it.
        self.origin: tuple[Channel, str] | None = None
        self.held = False

    def now(self) -> datetime:
        return self.clock()

    def emit(self, event: Event) -> None:
        self.events.append(event)

    async def __aenter__(self) -> UnitOfWork:
        if not self.held:
            self.session = self._sessions()
        self.events = []
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self.held and exc_type is None and self.session.in_transaction():
            return  # still held: only read in, it waits for its change or finish()
        self.held = False
        # close() rolls back whatever was not committed and detaches loaded objects without
        # expiring them, so callers can still read what a use case returned.
        await self.session.close()

    def hold(self) -> None:
        self.held = True

    async def finish(self) -> None:
        """Commit a held transaction that no change committed."""
        if self.held:
            self.held = False
            try:
                await self.session.commit()
            finally:
                await self.session.close()

    async def commit(self) -> None:
        now = self.now()
        for event in self.events:
            await audit.record(self.session, event, now)
            await notifications.notify(self.session, event, now, self.origin)
        await self.session.commit()
        forget_locks(self.session)
        self.committed = self.events
        self.events = []
