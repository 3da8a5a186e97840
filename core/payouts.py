"""Handing over the pot: recorded by an organizer, acknowledged by the receiver."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from core.circles import end_circle
from core.cycles import open_cycle
from core.errors import AlreadyAcknowledged, NotDrawnYet, NothingToPayOut, NotReceiver, PendingPayments
from core.events import CircleCompleted, PayoutAcknowledged, PayoutRecorded
from core.guards import current_cycle, lock_circle, require_organizer, require_status
from core.models import CircleStatus, Contribution, ContributionStatus, Cycle, CycleStatus, Draw, Payout
from core.uow import UnitOfWork


async def record_payout(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID) -> Payout:
    """The pot is the sum of the cycle's confirmed payments (a short one's confirmed part included);
    recording it closes the cycle and opens the next one (or completes the circle), without waiting
    for the receiver's acknowledgement so a forgetful receiver cannot stall everyone."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        require_status(circle, CircleStatus.ACTIVE)
        cycle = await current_cycle(uow.session, circle_id)
        if cycle.status == CycleStatus.OPEN:
            raise NotDrawnYet()
        pending = (await uow.session.execute(select(Contribution.user_id).where(
            Contribution.cycle_id == cycle.id, Contribution.status == ContributionStatus.PENDING))).scalars().all()
        if pending:
            raise PendingPayments(user_ids=sorted(str(u) for u in pending))
        pot = int(await uow.session.scalar(select(func.coalesce(func.sum(Contribution.confirmed_amount), 0)).where(
            Contribution.cycle_id == cycle.id)))
        if not pot:
            raise NothingToPayOut()
        winner = await uow.session.scalar(select(Draw.winner_id).where(Draw.cycle_id == cycle.id))
        payout = Payout(id=uuid.uuid4(), cycle_id=cycle.id, receiver_id=winner, amount=pot, recorded_by=actor,
                        created_at=uow.now())
        uow.session.add(payout)
        cycle.status = CycleStatus.PAID_OUT
        await uow.session.flush()
        uow.emit(PayoutRecorded(circle_id=circle_id, actor_id=actor, payout_id=payout.id,
                                cycle_number=cycle.cycle_number, receiver_id=winner, amount=pot))
        if cycle.cycle_number >= circle.total_members:
            total = int(await uow.session.scalar(select(func.sum(Payout.amount))
                                                 .join(Cycle, Cycle.id == Payout.cycle_id)
                                             .where(Cycle.circle_id == circle_id)))
            await end_circle(uow, circle, CircleStatus.COMPLETED)
            uow.emit(CircleCompleted(circle_id=circle_id, actor_id=actor, cycles=cycle.cycle_number,
                                     total_paid_out=total))
        else:
            await open_cycle(uow, circle, cycle.cycle_number + 1, actor)
        await uow.commit()
        return payout


async def acknowledge_payout(uow: UnitOfWork, *, actor: uuid.UUID, payout_id: uuid.UUID) -> Payout:
    async with uow:
        payout = await uow.session.get(Payout, payout_id)
        if payout is None:
            raise NotReceiver()
        circle_id = await uow.session.scalar(select(Cycle.circle_id).where(Cycle.id == payout.cycle_id))
        await lock_circle(uow.session, circle_id)
        await uow.session.refresh(payout)
        if payout.receiver_id != actor:
            raise NotReceiver(user_ids=[str(payout.receiver_id)])
        if payout.acknowledged_at is not None:
            raise AlreadyAcknowledged()
        payout.acknowledged_at = uow.now()
        cycle_number = await uow.session.scalar(select(Cycle.cycle_number).where(Cycle.id == payout.cycle_id))
        uow.emit(PayoutAcknowledged(circle_id=circle_id, actor_id=actor, payout_id=payout.id,
                                    cycle_number=cycle_number, receiver_id=actor))
        await uow.commit()
        return payout
