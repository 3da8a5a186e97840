"""The status board of a circle, in four queries whatever the circle's size."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from core import schedule
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
class MemberLine:
    user_id: uuid.UUID
    full_name: str
    role: Role
    payment: ContributionStatus | None  # this cycle's payment; None: not marked yet
    short: int  # what a member who paid in part still owes (minor units); 0 otherwise
    received_in_cycle: int | None  # the cycle in which this member received the pot
    eligible: bool  # may still win the current draw


@dataclass(frozen=True)
class CycleLine:
    cycle_number: int
    due_date: date
    status: CycleStatus
    seed_commitment: str
    winner_id: uuid.UUID | None


@dataclass(frozen=True)
class CircleSummary:
    circle: Circle
    cycle: CycleLine | None
    members: list[MemberLine]
    next_due_date: date | None  # the cycle after the current one
    confirmed_this_cycle: int  # minor units
    expected_this_cycle: int
    paid_out_total: int

    def with_payment(self, status: ContributionStatus | None) -> list[MemberLine]:
        return [m for m in self.members if m.payment == status]


async def circle_summary(uow: UnitOfWork, circle_id: uuid.UUID) -> CircleSummary:
    async with uow:
        s = uow.session
        circle = await s.get(Circle, circle_id)
        if circle is None:
            raise CircleNotFound(circle_id=str(circle_id))
        members = (await s.execute(
            select(Membership.user_id, Membership.role, User.full_name).join(User, User.id == Membership.user_id)
            .where(Membership.circle_id == circle_id).order_by(Membership.joined_at, Membership.id))).all()
        history = (await s.execute(
            select(Cycle, Draw.winner_id, Payout.amount).outerjoin(Draw, Draw.cycle_id == Cycle.id)
            .outerjoin(Payout, Payout.cycle_id == Cycle.id)
            .where(Cycle.circle_id == circle_id).order_by(Cycle.cycle_number))).all()
        current = history[-1] if history and circle.status == CircleStatus.ACTIVE else None
        payments: dict[uuid.UUID, Contribution] = {}
        if current is not None:
            rows = await s.execute(select(Contribution).where(Contribution.cycle_id == current[0].id))
            payments = {c.user_id: c for c in rows.scalars()}
    received = {winner: cycle.cycle_number for cycle, winner, amount in history if amount is not None}
    eligible = set(current[0].eligible_ids) if current is not None and current[0].status == CycleStatus.OPEN else set()
    lines = [MemberLine(uid, name, role, payments[uid].status if uid in payments else None,
                        short_by(circle.amount_per_cycle, payments[uid].confirmed_amount if uid in payments else 0),
                        received.get(uid), uid in eligible) for uid, role, name in members]
    cycle_line, next_due = None, None
    if current is not None:
        cycle, winner, _ = current
        cycle_line = CycleLine(cycle.cycle_number, cycle.due_date, cycle.status, cycle.seed_commitment, winner)
        if cycle.cycle_number < circle.total_members:
            next_due = schedule.due_date(circle.first_due_date, circle.frequency, circle.every_days,
                                         cycle.cycle_number + 1)
    confirmed = sum(c.confirmed_amount for c in payments.values())
    return CircleSummary(circle=circle, cycle=cycle_line, members=lines, next_due_date=next_due,
                         confirmed_this_cycle=confirmed, expected_this_cycle=circle.amount_per_cycle * len(members),
                         paid_out_total=sum(amount for _, _, amount in history if amount is not None))
