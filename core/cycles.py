"""Opening cycles: who is eligible for the pot and the committed seed that will pick among them."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from core import fairness, schedule
from core.events import CycleOpened
from core.models import Circle, Cycle, CycleStatus, Draw, Membership, PayoutOrder
from core.uow import UnitOfWork


async def winners_so_far(uow: UnitOfWork, circle_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await uow.session.execute(
        select(Draw.winner_id).join(Cycle, Cycle.id == Draw.cycle_id).where(Cycle.circle_id == circle_id))
    return set(rows.scalars())


async def _eligible(uow: UnitOfWork, circle: Circle, cycle_number: int) -> list[uuid.UUID]:
    members = select(Membership.user_id).where(Membership.circle_id == circle.id)
    if circle.payout_order == PayoutOrder.RANDOM:
        won = await winners_so_far(uow, circle.id)
        return sorted((uid for uid in (await uow.session.execute(members)).scalars() if uid not in won), key=str)
    # Fixed or drawn order: the cycle's only eligible member is the one in that position.
    return list((await uow.session.execute(members.where(Membership.payout_position == cycle_number))).scalars())


async def open_cycle(uow: UnitOfWork, circle: Circle, cycle_number: int, actor_id: uuid.UUID | None) -> Cycle:
    """Fix the cycle's eligible members, commit to a fresh secret seed and name the beacon round the
    draw will mix in, now, before anyone pays: the result cannot be steered later by timing
    confirmations or draws, nor known from the seed alone (core/fairness.py)."""
    eligible = await _eligible(uow, circle, cycle_number)
    seed = fairness.new_seed()
    cycle = Cycle(
        id=uuid.uuid4(), circle_id=circle.id, cycle_number=cycle_number,
        due_date=schedule.due_date(circle.first_due_date, circle.frequency, circle.every_days, cycle_number),
        status=CycleStatus.OPEN, eligible_ids=eligible, seed_commitment=fairness.commitment(seed), seed=seed,
        opened_at=uow.now(), beacon_round=fairness.beacon_round_after(uow.now()))
    uow.session.add(cycle)
    await uow.session.flush()
    uow.emit(CycleOpened(circle_id=circle.id, actor_id=actor_id, cycle_id=cycle.id, cycle_number=cycle_number,
                         due_date=cycle.due_date, eligible_ids=eligible, seed_commitment=cycle.seed_commitment,
                         beacon_round=cycle.beacon_round))
    return cycle
