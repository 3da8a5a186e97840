"""Who may act, and the row locks that make concurrent taps line up one behind the other."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import CircleNotActive, CircleNotForming, CircleNotFound, NotMember, NotOrganizer
from core.models import Circle, CircleStatus, Contribution, Cycle, CycleStatus, Membership, Role

_LOCKED = "locked_circles"  # session.info key: the circles this session's transaction has locked


def _locking(which: ColumnElement[bool]) -> Select:
    return select(Circle).where(which).with_for_update().execution_options(populate_existing=True)


# Built once, with bind parameters: these run for every change, and building costs more than running.
_CIRCLE_BY_ID = _locking(Circle.id == bindparam("circle_id"))
_CIRCLE_OF_PAYMENT = _locking(Circle.id == select(Cycle.circle_id).join(Contribution, Contribution.cycle_id == Cycle.id)
                              .where(Contribution.id == bindparam("contribution_id")).scalar_subquery())


async def lock_circle(session: AsyncSession, circle_id: uuid.UUID) -> Circle:
    """Lock the circle row for this transaction: every change to a circle goes through here first,
    so two organizers confirming or two /draw taps are serialized and the second sees the first."""
    circle = await _lock(session, _CIRCLE_BY_ID, circle_id=circle_id)
    if circle is None:
        raise CircleNotFound(circle_id=str(circle_id))
    return circle


async def lock_circle_of_payment(session: AsyncSession, contribution_id: uuid.UUID) -> Circle | None:
    """lock_circle for the circle a payment belongs to, in the same one statement; None: no such payment."""
    return await _lock(session, _CIRCLE_OF_PAYMENT, contribution_id=contribution_id)


async def _lock(session: AsyncSession, statement: Select, **params: uuid.UUID) -> Circle | None:
    circle = (await session.execute(statement, params)).scalar_one_or_none()
    if circle is not None:
        session.info.setdefault(_LOCKED, set()).add(circle.id)
    return circle


async def ensure_circle_locked(session: AsyncSession, circle_id: uuid.UUID) -> None:
    """The circle row lock, unless this transaction holds it already (the usual case: one statement saved)."""
    if circle_id not in session.info.get(_LOCKED, ()):
        await session.execute(select(Circle.id).where(Circle.id == circle_id).with_for_update())
        session.info.setdefault(_LOCKED, set()).add(circle_id)


def forget_locks(session: AsyncSession) -> None:
    """Row locks end with the transaction; so does what this module remembers of them."""
    session.info.pop(_LOCKED, None)


async def membership_of(session: AsyncSession, circle_id: uuid.UUID, user_id: uuid.UUID | None) -> Membership | None:
    if user_id is None:
        return None
    return (await session.execute(
        select(Membership).where(Membership.circle_id == circle_id, Membership.user_id == user_id)
    )).scalar_one_or_none()


async def require_member(session: AsyncSession, circle_id: uuid.UUID, user_id: uuid.UUID) -> Membership:
    membership = await membership_of(session, circle_id, user_id)
    if membership is None:
        raise NotMember(circle_id=str(circle_id), user_id=str(user_id))
    return membership


async def require_organizer(session: AsyncSession, circle_id: uuid.UUID, user_id: uuid.UUID | None) -> Membership:
    membership = await membership_of(session, circle_id, user_id)
    if membership is None or membership.role != Role.ORGANIZER:
        raise NotOrganizer(circle_id=str(circle_id))
    return membership


def require_running(circle: Circle) -> None:
    """Forming or active: not yet completed or cancelled."""
    if circle.status not in (CircleStatus.FORMING, CircleStatus.ACTIVE):
        raise CircleNotActive(status=circle.status.value)


def require_status(circle: Circle, status: CircleStatus) -> None:
    if circle.status != status:
        error = CircleNotForming if status == CircleStatus.FORMING else CircleNotActive
        raise error(status=circle.status.value)


async def current_cycle(session: AsyncSession, circle_id: uuid.UUID) -> Cycle:
    """The one cycle of an active circle not yet paid out (a partial unique index guarantees one)."""
    cycle = (await session.execute(
        select(Cycle).where(Cycle.circle_id == circle_id, Cycle.status != CycleStatus.PAID_OUT)
    )).scalar_one_or_none()
    if cycle is None:
        raise CircleNotActive(status="no_open_cycle")
    return cycle
