"""The winner is not in the database when the cycle opens: it depends on a public beacon round named
then and published later, which the draw takes as input and checks is the cycle's own."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select, update

from core import errors, fairness
from core.contributions import confirm_contribution, mark_paid
from core.draws import fetch_and_draw, run_draw
from core.models import AuditEntry, Cycle, Draw
from core.proofs import cycle_proof
from tests.channels.fake_beacon import beacon_value
from tests.integration.builders import active_circle


async def paid_circle(new_uow, members: int = 8):
    circle, people = await active_circle(new_uow, members)
    for person in people:
        payment = await mark_paid(new_uow(), actor=person, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=people[0], contribution_id=payment.id)
    async with new_uow() as uow:
        cycle = (await uow.session.execute(select(Cycle).where(Cycle.circle_id == circle.id))).scalar_one()
    return circle, people, cycle


def winner(cycle: Cycle, randomness: str | None) -> str:
    return fairness.pick_winner(cycle.seed, str(cycle.circle_id), cycle.cycle_number,
                                [str(u) for u in cycle.eligible_ids], randomness)


async def test_knowing_the_seed_when_the_cycle_opens_no_longer_tells_the_winner(new_uow, clock):
    circle, people, cycle = await paid_circle(new_uow)
    # Everything the database holds at opening: the seed, the eligible list, the round (not yet published).
    assert cycle.beacon_round == fairness.beacon_round_after(clock.now)
    assert fairness.beacon_round_time(cycle.beacon_round) > clock.now.timestamp() + fairness.BEACON_MARGIN
    published = beacon_value(cycle.beacon_round)
    # Another value the round could have had gives another winner: the seed alone decides nothing.
    other = next(v for v in (beacon_value(cycle.beacon_round, str(n)) for n in itertools.count())
                 if winner(cycle, v.randomness) != winner(cycle, published.randomness))
    fetched = []

    async def fetch(round_number: int) -> fairness.BeaconValue:
        fetched.append(round_number)
        return other

    draw = await fetch_and_draw(new_uow, fetch, actor=people[0], circle_id=circle.id)
    assert fetched == [cycle.beacon_round]
    assert str(draw.winner_id) == winner(cycle, other.randomness) != winner(cycle, published.randomness)
    async with new_uow() as uow:
        entries = {e.action: e.details for e in (await uow.session.execute(
            select(AuditEntry).where(AuditEntry.circle_id == circle.id))).scalars()}
    assert entries["cycle_opened"]["beacon_round"] == cycle.beacon_round  # named in the log at opening
    assert entries["draw_completed"]["beacon_randomness"] == other.randomness
    assert entries["draw_completed"]["beacon_signature"] == other.signature
    assert entries["draw_completed"]["without_beacon"] is False


async def test_a_draw_takes_only_its_own_rounds_value(new_uow):
    circle, people, cycle = await paid_circle(new_uow, 3)
    for wrong in (None, beacon_value(cycle.beacon_round + 1)):
        with pytest.raises(errors.BeaconUnavailable):
            await run_draw(new_uow(), actor=people[0], circle_id=circle.id, beacon=wrong)
    with pytest.raises(ValueError, match="SHA-256 of the signature"):
        fairness.BeaconValue(cycle.beacon_round, "00" * 32, beacon_value(cycle.beacon_round).signature)
    async with new_uow() as uow:
        assert (await uow.session.execute(select(Draw))).first() is None


async def test_cycles_opened_before_the_beacon_draw_from_the_seed_alone(new_uow):
    circle, people, cycle = await paid_circle(new_uow, 3)
    async with new_uow() as uow:  # as a cycle opened before migration 0010 is
        await uow.session.execute(update(Cycle).where(Cycle.id == cycle.id).values(beacon_round=None))
        await uow.session.commit()

    async def unreachable(round_number: int) -> fairness.BeaconValue:
        raise AssertionError("an old cycle fetches nothing")

    draw = await fetch_and_draw(new_uow, unreachable, actor=people[0], circle_id=circle.id)
    assert str(draw.winner_id) == winner(cycle, None) and draw.beacon_randomness is None
    proof = await cycle_proof(new_uow(), circle.id)
    assert proof.beacon_round is None and not proof.without_beacon and proof.document()["beacon"] is None
