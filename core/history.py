"""Read models: a circle's past cycles with their draw proofs, and a person's circles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from core.errors import CircleNotFound
from core.models import (
    Circle,
    CircleStatus,
    Contribution,
    ContributionStatus,
    Cycle,
    CycleStatus,
    Draw,
    Membership,
    Payout,
    Role,
    User,
    short_by,
)
from core.uow import UnitOfWork


@dataclass(frozen=True)
class CycleRecord:
    cycle_number: int
    due_date: date
    status: CycleStatus
    seed_commitment: str
    eligible_ids: list[uuid.UUID]
    seed: str | None  # revealed once drawn
    winner_id: uuid.UUID | None
    winner_name: str | None
    unpaid_ids: list[uuid.UUID]
    payout_id: uuid.UUID | None
    payout_amount: int | None
    acknowledged: bool
    short: tuple[tuple[str, int], ...] = ()  # members who paid in part: (name, what they still owe), by name
    beacon_round: int | None = None  # the public random number's round the draw mixes in (cycles opened since)
    beacon_value: str | None = None  # its value, once drawn with it; None: drawn from the seed alone


async def circle_history(uow: UnitOfWork, circle_id: uuid.UUID) -> tuple[Circle, list[CycleRecord]]:
    async with uow:
        circle = await uow.session.get(Circle, circle_id)
        if circle is None:
            raise CircleNotFound(circle_id=str(circle_id))
        winner = aliased(User)
        rows = (await uow.session.execute(
            select(Cycle, Draw, winner.full_name, Payout).outerjoin(Draw, Draw.cycle_id == Cycle.id)
            .outerjoin(winner, winner.id == Draw.winner_id).outerjoin(Payout, Payout.cycle_id == Cycle.id)
            .where(Cycle.circle_id == circle_id).order_by(Cycle.cycle_number))).all()
        short: dict[uuid.UUID, list[tuple[str, int]]] = {}
        for cycle_id, name, confirmed in await uow.session.execute(_SHORT, {"circle_id": circle_id}):
            short.setdefault(cycle_id, []).append((name, circle.amount_per_cycle - confirmed))
    return circle, [CycleRecord(
        cycle_number=c.cycle_number, due_date=c.due_date, status=c.status, seed_commitment=c.seed_commitment,
        eligible_ids=sorted(c.eligible_ids, key=str), seed=c.seed if d is not None else None,
        winner_id=d.winner_id if d else None, winner_name=name, unpaid_ids=list(d.unpaid_ids) if d else [],
        payout_id=p.id if p else None, payout_amount=p.amount if p else None,
        acknowledged=bool(p and p.acknowledged_at), short=tuple(short.get(c.id, ())), beacon_round=c.beacon_round,
        beacon_value=d.beacon_randomness if d else None) for c, d, name, p in rows]


# Payments confirmed in part, per cycle of a circle: a short member stays visibly short in the history.
_SHORT = (select(Contribution.cycle_id, User.full_name, Contribution.confirmed_amount)
          .join(Cycle, Cycle.id == Contribution.cycle_id).join(Circle, Circle.id == Cycle.circle_id)
          .join(User, User.id == Contribution.user_id)
          .where(Cycle.circle_id == bindparam("circle_id"), Contribution.confirmed_amount > 0,
                 Contribution.confirmed_amount < Circle.amount_per_cycle).order_by(User.full_name))


async def names_of(uow: UnitOfWork, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    async with uow:
        rows = await uow.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids)))
        return dict(rows.all())


@dataclass(frozen=True)
class MyCircle:
    circle: Circle
    role: Role
    cycle_number: int | None
    due_date: date | None
    my_payment: ContributionStatus | None
    received_in_cycle: int | None
    short: int = 0  # what the person still owes of a payment made in part (minor units)


async def my_circles(uow: UnitOfWork, user_id: uuid.UUID, *, include_ended: bool = False) -> list[MyCircle]:
    """Every circle the person is in that is forming or active (with include_ended, finished ones
    too, oldest first), with what they owe next and when."""
    async with uow:
        current = aliased(Cycle)
        rows = (await uow.session.execute(
            select(Circle, Membership.role, current, Contribution.status, Contribution.confirmed_amount)
            .join(Membership, Membership.circle_id == Circle.id)
            .outerjoin(current, (current.circle_id == Circle.id) & (current.status != CycleStatus.PAID_OUT))
            .outerjoin(Contribution, (Contribution.cycle_id == current.id) & (Contribution.user_id == user_id))
            .where(Membership.user_id == user_id,
                   Circle.status.in_(list(CircleStatus) if include_ended else [CircleStatus.FORMING,
                                                                              CircleStatus.ACTIVE]))
            .order_by(Circle.created_at))).all()
        won = dict((await uow.session.execute(
            select(Cycle.circle_id, Cycle.cycle_number).join(Draw, Draw.cycle_id == Cycle.id)
            .where(Draw.winner_id == user_id))).all())
    return [MyCircle(circle, role, cycle.cycle_number if cycle else None, cycle.due_date if cycle else None,
                     payment, won.get(circle.id), short_by(circle.amount_per_cycle, confirmed))
            for circle, role, cycle, payment, confirmed in rows]


@dataclass(frozen=True)
class WaitingPot:
    payout_id: uuid.UUID
    circle_name: str
    cycle_number: int


async def unacknowledged_payouts(uow: UnitOfWork, user_id: uuid.UUID) -> list[WaitingPot]:
    """Pots handed to the person that they haven't confirmed receiving yet, oldest first (for a
    /received without a button: a member with no group chat)."""
    async with uow:
        rows = (await uow.session.execute(
            select(Payout.id, Circle.name, Cycle.cycle_number).join(Cycle, Cycle.id == Payout.cycle_id)
            .join(Circle, Circle.id == Cycle.circle_id)
            .where(Payout.receiver_id == user_id, Payout.acknowledged_at.is_(None))
            .order_by(Payout.created_at))).all()
    return [WaitingPot(*row) for row in rows]
