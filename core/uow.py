"""The unit of work: one transaction per use case, with its events recorded before it commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import audit, notifications
from core.deliveries import claim
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

    One unit of work may run several blocks in turn, each its own short transaction (nothing stays
    open between them, while the caller talks to Telegram, say); a block entered inside another
    continues the outer one. An incoming update's unit of work carries its delivery (`delivery`, put
    there by core/inbox.arrive): the first commit claims it in the same transaction, so the update's
    change and the record that it was handled commit together, exactly once; `finish()` claims it
    for an update that changed nothing.
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
        self.delivery: tuple[Channel, str] | None = None  # an incoming delivery not yet claimed
        self._depth = 0

    def now(self) -> datetime:
        return self.clock()

    def emit(self, event: Event) -> None:
        self.events.append(event)

    async def __aenter__(self) -> UnitOfWork:
        self._depth += 1
        if self._depth == 1:
            self.session = self._sessions()
            self.events = []
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._depth -= 1
        if self._depth == 0:
            # close() rolls back whatever was not committed and detaches loaded objects without
            # expiring them, so callers can still read what a use case returned.
            await self.session.close()

    async def finish(self) -> None:
        """Record a delivery no change claimed as handled: a read, a help text, a refusal."""
        if self.delivery is not None:
            async with self:
                await self.single_statement()
                await claim(self.session, *self.delivery, self.now())  # handled already: nothing to add
            self.delivery = None

    async def single_statement(self) -> None:
        """Run this block's one statement on its own, committed as it runs: without BEGIN and COMMIT,
        two round trips fewer (it runs for every update). Call first thing in the block."""
        await self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    async def commit(self) -> None:
        now = self.now()
        if self.delivery is not None:
            await self._claim()
        for event in self.events:
            await audit.record(self.session, event, now)
            await notifications.notify(self.session, event, now, self.origin)
        await self.session.commit()
        self.delivery = None
        forget_locks(self.session)
        self.committed = self.events
        self.events = []

    async def _claim(self) -> None:
        if not await claim(self.session, *self.delivery, self.now()):
            raise AlreadyHandled()


class AlreadyHandled(Exception):
    """The update was handled by another delivery of it (a webhook retry, a redelivery after a
    restart) while this one was under way: this one's change is rolled back, and nobody is told."""
