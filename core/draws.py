"""The draw: picks the cycle's receiver from the inputs committed when the cycle opened and the
public beacon round named then."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from core import fairness
from core.errors import AlreadyDrawn, BeaconUnavailable, CircleNotFound, UnpaidMembers
from core.events import DrawCompleted
from core.guards import current_cycle, lock_circle, require_organizer, require_status
from core.models import Circle, CircleStatus, Contribution, ContributionStatus, Cycle, CycleStatus, Draw, Membership
from core.uow import UnitOfWork


async def unpaid_members(uow: UnitOfWork, circle_id: uuid.UUID, cycle: Cycle) -> list[uuid.UUID]:
    """Members whose payment for the cycle is not confirmed in full (everyone pays every cycle; a
    short one, PARTIAL, counts as unpaid until topped up)."""
    confirmed = select(Contribution.user_id).where(Contribution.cycle_id == cycle.id,
                                                   Contribution.status == ContributionStatus.CONFIRMED)
    rows = await uow.session.execute(select(Membership.user_id).where(
        Membership.circle_id == circle_id, Membership.user_id.not_in(confirmed)))
    return sorted(rows.scalars(), key=str)


BeaconFetch = Callable[[int], Awaitable[fairness.BeaconValue]]  # a round's value; raises BeaconUnavailable


async def fetch_and_draw(new_uow: Callable[[], UnitOfWork], fetch: BeaconFetch, *, actor: uuid.UUID | None,
                         circle_id: uuid.UUID, override: bool = False, without_beacon: bool = False) -> Draw:
    """Fetch the cycle's beacon round, then draw with it. No transaction is open during the fetch:
    the round is read (after the draw's own checks, so a refused draw fetches nothing) in a
    transaction that ends first. The draw then runs on the same unit of work, so an update's
    delivery commits with the draw."""
    uow = new_uow()
    beacon = None
    if not without_beacon:
        async with uow:
            circle = await uow.session.get(Circle, circle_id)
            if circle is None:
                raise CircleNotFound(circle_id=str(circle_id))
            cycle, _ = await _drawable(uow, circle, actor, override)
        if cycle.beacon_round is not None:
            beacon = await fetch(cycle.beacon_round)
    return await run_draw(uow, actor=actor, circle_id=circle_id, override=override, beacon=beacon,
                          without_beacon=without_beacon)


async def run_draw(uow: UnitOfWork, *, actor: uuid.UUID | None, circle_id: uuid.UUID, override: bool = False,
                   beacon: fairness.BeaconValue | None = None, without_beacon: bool = False) -> Draw:
    """Draw the current cycle's receiver. `actor=None` is the scheduler.

    Every payment must be confirmed first; an organizer may `override`, and the members still unpaid
    are then recorded with the draw. The result depends only on the committed seed, the eligible list
    and the value of the beacon round fixed at opening (`beacon`, fetched beforehand: see
    fetch_and_draw), so when the draw is run (or by whom) cannot change who wins. `without_beacon`
    draws from the seed alone, for when the beacon can't be reached; the draw and its audit entry
    say so. Cycles opened before the beacon have no round and draw from the seed, as promised then.
    """
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        cycle, unpaid = await _drawable(uow, circle, actor, override)
        used = _beacon_used(cycle, beacon, without_beacon)
        randomness = used.randomness if used else None
        eligible = [str(u) for u in cycle.eligible_ids]
        winner = uuid.UUID(fairness.pick_winner(cycle.seed, str(circle_id), cycle.cycle_number, eligible, randomness))
        draw = Draw(id=uuid.uuid4(), cycle_id=cycle.id, winner_id=winner, drawn_by=actor, unpaid_ids=unpaid,
                    created_at=uow.now(), beacon_randomness=randomness, beacon_signature=used and used.signature)
        uow.session.add(draw)
        cycle.status = CycleStatus.DRAWN
        await uow.session.flush()
        uow.emit(DrawCompleted(circle_id=circle_id, actor_id=actor, draw_id=draw.id, cycle_number=cycle.cycle_number,
                               winner_id=winner, eligible_ids=sorted(cycle.eligible_ids, key=str),
                               seed_commitment=cycle.seed_commitment, seed=cycle.seed, unpaid_ids=unpaid,
                               beacon_round=cycle.beacon_round, beacon_randomness=randomness,
                               beacon_signature=draw.beacon_signature,
                               without_beacon=cycle.beacon_round is not None and used is None))
        await uow.commit()
        return draw


async def _drawable(uow: UnitOfWork, circle: Circle, actor: uuid.UUID | None,
                    override: bool) -> tuple[Cycle, list[uuid.UUID]]:
    """The open cycle to draw and its unpaid members, or the refusal."""
    if actor is not None:
        await require_organizer(uow.session, circle.id, actor)
    require_status(circle, CircleStatus.ACTIVE)
    cycle = await current_cycle(uow.session, circle.id)
    if cycle.status != CycleStatus.OPEN:
        raise AlreadyDrawn(cycle_number=cycle.cycle_number)
    unpaid = await unpaid_members(uow, circle.id, cycle)
    if unpaid and not (override and actor is not None):
        raise UnpaidMembers(user_ids=[str(u) for u in unpaid])
    return cycle, unpaid


def _beacon_used(cycle: Cycle, beacon: fairness.BeaconValue | None,
                 without_beacon: bool) -> fairness.BeaconValue | None:
    """The beacon value to mix in: the cycle's own round's, unless there is none or the draw is without it."""
    if cycle.beacon_round is None or without_beacon:
        return None
    if beacon is None or beacon.round != cycle.beacon_round:
        raise BeaconUnavailable(round=cycle.beacon_round)
    return beacon
