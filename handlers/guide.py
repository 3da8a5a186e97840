"""Where a person stands in a circle and what they can do next, the same on every channel: /help and
WhatsApp's HELP offer these steps, and a refusal names who can act from the same facts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from core.models import STILL_OWING, Circle, CircleStatus, ContributionStatus, CycleStatus, Role
from core.schedule import local_date
from core.summary import CircleSummary, circle_summary
from core.uow import UnitOfWork

# The next steps a help message can offer; each is also the name of the command that does it.
JOIN, PAID, SUMMARY, DRAW, PAYOUT, BEGIN, HISTORY = "join", "paid", "summary", "draw", "payout", "begin", "history"
STEPS = (JOIN, PAID, SUMMARY, DRAW, PAYOUT, BEGIN, HISTORY)


@dataclass(frozen=True)
class Standing:
    circle: Circle
    role: Role | None  # None: not a member (or not registered)
    seats: int  # members so far
    cycle_number: int | None  # the current cycle, while the circle runs
    due_date: date | None
    drawn: bool  # the current cycle's draw happened; the pot waits to be handed over
    my_payment: ContributionStatus | None  # this cycle's; None: not marked
    confirmed: int  # members whose payment this cycle is confirmed
    pending: int  # payments waiting for an organizer's decision
    winner: str | None
    organizers: list[str]
    today: date  # in the circle's timezone, for saying dates
    my_short: int = 0  # what is left of a payment made in part (minor units)

    @property
    def forming(self) -> bool:
        return self.circle.status == CircleStatus.FORMING

    @property
    def ended(self) -> bool:
        return self.circle.status in (CircleStatus.COMPLETED, CircleStatus.CANCELLED)

    @property
    def everyone_confirmed(self) -> bool:
        return self.cycle_number is not None and self.confirmed == self.seats

    @property
    def owes(self) -> bool:
        """A member who still has to pay (and tap "I've paid") this cycle."""
        return (self.role is not None and self.cycle_number is not None and not self.drawn
                and self.my_payment in STILL_OWING)

    def steps(self) -> list[str]:
        """The buttons worth offering this person now, most useful first."""
        organizer = self.role == Role.ORGANIZER
        if self.ended:
            return [HISTORY]
        if self.forming:
            if self.role is None:
                return [JOIN, SUMMARY] if self.seats < self.circle.total_members else [SUMMARY]
            return [BEGIN, SUMMARY] if organizer and self.seats >= 2 else [SUMMARY]
        steps = [PAID] if self.owes else []
        if organizer and self.drawn:
            steps.append(PAYOUT)
        elif organizer and self.everyone_confirmed:
            steps.append(DRAW)
        return [*steps, SUMMARY]


async def standing(uow: UnitOfWork, circle_id: uuid.UUID, user_id: uuid.UUID | None) -> Standing:
    board = await circle_summary(uow, circle_id)
    return standing_in(board, user_id, local_date(uow.now(), board.circle.timezone))


def standing_in(board: CircleSummary, user_id: uuid.UUID | None, today: date) -> Standing:
    me = next((m for m in board.members if m.user_id == user_id), None)
    cycle = board.cycle
    drawn = cycle is not None and cycle.status != CycleStatus.OPEN
    winner = next((m.full_name for m in board.members if cycle and m.user_id == cycle.winner_id), None)
    return Standing(
        circle=board.circle, role=me.role if me else None, seats=len(board.members),
        cycle_number=cycle.cycle_number if cycle else None, due_date=cycle.due_date if cycle else None,
        drawn=drawn, my_payment=me.payment if me else None,
        confirmed=len(board.with_payment(ContributionStatus.CONFIRMED)),
        pending=len(board.with_payment(ContributionStatus.PENDING)), winner=winner,
        organizers=[m.full_name for m in board.members if m.role == Role.ORGANIZER], today=today,
        my_short=me.short if me else 0)
