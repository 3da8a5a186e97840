"""A circle's statement: its whole record at one moment, for the PDF and the spreadsheet a family keeps.

Built from the read models behind /summary and /history (core/summary.py, core/history.py), plus the
one thing they don't list, each payment, all read in one snapshot with the audit chain's head: the
totals, the payments and the record check a statement prints always describe the same moment.
Phone numbers leave here masked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from core import audit, schedule
from core.guards import require_member
from core.history import CycleRecord, circle_history
from core.models import Circle, Contribution, ContributionStatus, Cycle, Membership, User, short_by
from core.phones import masked_phone
from core.summary import CircleSummary, circle_summary
from core.uow import UnitOfWork


@dataclass(frozen=True)
class Payment:
    cycle_number: int
    member: str
    amount: int  # the member's latest claim (minor units)
    confirmed: int  # what organizers confirmed of it so far
    status: ContributionStatus
    marked_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    short: int  # what is still owed of a payment confirmed in part; 0 otherwise
    late: bool  # marked after the cycle's due date, by the circle's clock


@dataclass(frozen=True)
class Statement:
    summary: CircleSummary  # what /summary shows: the circle, its members and totals
    cycles: list[CycleRecord]  # what /history shows: every cycle, its draw and payout
    payments: list[Payment]  # by cycle, then member name
    phones: dict[uuid.UUID, str]  # each member's number, masked
    positions: dict[int, uuid.UUID]  # cycle number → its receiver, where the order is fixed or drawn at the start
    head: audit.Head  # the record check at the moment of the snapshot
    printed_at: datetime

    @property
    def circle(self) -> Circle:
        return self.summary.circle


_PAYER, _DECIDER = aliased(User), aliased(User)
_PAYMENTS = (select(Cycle.cycle_number, Cycle.due_date, _PAYER.full_name, Contribution.amount,
                    Contribution.confirmed_amount, Contribution.status, Contribution.created_at, _DECIDER.full_name,
                    Contribution.decided_at)
             .join(Cycle, Cycle.id == Contribution.cycle_id).join(_PAYER, _PAYER.id == Contribution.user_id)
             .outerjoin(_DECIDER, _DECIDER.id == Contribution.decided_by)
             .order_by(Cycle.cycle_number, _PAYER.full_name, Contribution.created_at))


async def circle_statement(uow: UnitOfWork, circle_id: uuid.UUID, *, actor: uuid.UUID | None) -> Statement:
    """The statement of a circle as of now. `actor`: who asks, who must be a member (None: the web
    app, serving a link signed for a member); raises NotMember, CircleNotFound."""
    async with uow:
        # One snapshot for every query below: a payment confirmed meanwhile is in all of them or none.
        await uow.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        if actor is not None:
            await require_member(uow.session, circle_id, actor)
        summary = await circle_summary(uow, circle_id)
        circle, cycles = await circle_history(uow, circle_id)
        rows = (await uow.session.execute(
            _PAYMENTS.where(Cycle.circle_id == circle_id))).all()
        seats = (await uow.session.execute(
            select(User.id, User.phone, Membership.payout_position).join(Membership, Membership.user_id == User.id)
            .where(Membership.circle_id == circle_id))).all()
        head = await audit.head(uow.session, circle_id)
    payments = [Payment(number, name, amount, confirmed, status, marked_at, decider, decided_at,
                        short_by(circle.amount_per_cycle, confirmed),
                        schedule.local_date(marked_at, circle.timezone) > due)
                for number, due, name, amount, confirmed, status, marked_at, decider, decided_at in rows]
    return Statement(summary, cycles, payments, {uid: masked_phone(phone) for uid, phone, _ in seats},
                     {position: uid for uid, _, position in seats if position}, head, uow.now())
