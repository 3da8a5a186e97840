"""The draw: picks the cycle's receiver from the inputs committed when the cycle opened."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from core import fairness
from core.errors import AlreadyDrawn, UnpaidMembers
from core.events import DrawCompleted
from core.guards import current_cycle, lock_circle, require_organizer, require_status
from core.models import CircleStatus, Contribution, ContributionStatus, Cycle, CycleStatus, Draw, Membership
from core.uow import UnitOfWork


async def unpaid_members(uow: UnitOfWork, circle_id: uuid.UUID, cycle: Cycle) -> list[uuid.UUID]:
    """Members whose payment for the cycle is not confirmed in full (everyone pays every cycle; a
    short one, PARTIAL, counts as unpaid until topped up)."""
    confirmed = select(Contribution.user_id).where(Contribution.cycle_id == cycle.id,
                                                   Contribution.status == ContributionStatus.CONFIRMED)
    rows = await uow.session.execute(select(Membership.user_id).where(
        Membership.circle_id == circle_id, Membership.user_id.not_in(confirmed)))
    return sorted(rows.scalars(), key=str)


async def run_draw(uow: UnitOfWork, *, actor: uuid.UUID | None, circle_id: uuid.UUID,
                   override: bool = False) -> Draw:
    """Draw the current cycle's receiver. `actor=None` is the scheduler.

    Every payment must be confirmed first; an organizer may `override`, and the members still unpaid
    are then recorded with the draw. The result depends only on the committed seed and eligible
    list, so when the draw is run (or by whom) cannot change who wins.
    """
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        if actor is not None:
            await require_organizer(uow.session, circle_id, actor)
        require_status(circle, CircleStatus.ACTIVE)
        cycle = await current_cycle(uow.session, circle_id)
        if cycle.status != CycleStatus.OPEN:
            raise AlreadyDrawn(cycle_number=cycle.cycle_number)
        unpaid = await unpaid_members(uow, circle_id, cycle)
        if unpaid and not (override and actor is not None):
            raise UnpaidMembers(user_ids=[str(u) for u in unpaid])
        eligible = [str(u) for u in cycle.eligible_ids]
        winner = uuid.UUID(fairness.pick_winner(cycle.seed, str(circle_id), cycle.cycle_number, eligible))
        draw = Draw(id=uuid.uuid4(), cycle_id=cycle.id, winner_id=winner, drawn_by=actor, unpaid_ids=unpaid,
                    created_at=uow.now())
        uow.session.add(draw)
        cycle.status = CycleStatus.DRAWN
        await uow.session.flush()
        uow.emit(DrawCompleted(circle_id=circle_id, actor_id=actor, draw_id=draw.id, cycle_number=cycle.cycle_number,
                               winner_id=winner, eligible_ids=sorted(cycle.eligible_ids, key=str),
                               seed_commitment=cycle.seed_commitment, seed=cycle.seed, unpaid_ids=unpaid))
        await uow.commit()
        return draw
