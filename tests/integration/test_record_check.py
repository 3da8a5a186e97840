"""Replaying a circle's log gives back its tables, through every kind of change; and the record check
(the chain head's fingerprint) reads and parses as people copy it. The tampering it catches is listed
in test_tamper_cases.py."""

from __future__ import annotations

import dataclasses

import pytest

from core import audit, events, record_check
from core.circles import (
    add_organizer,
    cancel_circle,
    join_circle,
    leave_circle,
    remove_member,
    set_payout_order,
    set_timezone,
    start_circle,
)
from core.contributions import confirm_contribution, mark_paid, reject_contribution
from core.models import ContributionStatus, PayoutOrder
from core.organizers import set_payment_instructions, step_down
from core.payouts import acknowledge_payout, record_payout
from core.reminders import ReminderSettings, set_reminders
from tests.integration.builders import active_circle, draw_now, forming_circle, user


async def check(new_uow, circle_id, held=()):
    async with new_uow() as uow:
        return await record_check.check_circle(uow.session, circle_id, held)


def test_every_circle_event_has_a_replay_rule():
    """A new event must say how it changes the tables (or that it changes none compared here)."""
    def subclasses(cls):
        return [c for s in cls.__subclasses__() for c in (s, *subclasses(s))]
    circle_events = {c for c in subclasses(events.Event) if not c.__name__.startswith("_") and c.entity != "user"}
    actions = {c(**{f.name: None for f in dataclasses.fields(c)}).action for c in circle_events}
    assert actions - record_check.RULES.keys() == set()


async def test_a_whole_circle_replays_to_its_tables(new_uow):
    """Every kind of change a circle goes through, and the log rebuilds exactly what the tables hold."""
    circle, people = await forming_circle(new_uow, 4, total=6, payout_order=PayoutOrder.FIXED)
    grace, tom, amina, joseph = people
    leaver = await user(new_uow)
    await join_circle(new_uow(), actor=leaver, circle_id=circle.id)
    await leave_circle(new_uow(), actor=leaver, circle_id=circle.id)
    await join_circle(new_uow(), actor=leaver, circle_id=circle.id)
    await remove_member(new_uow(), actor=grace, circle_id=circle.id, user_id=leaver)
    await add_organizer(new_uow(), actor=grace, circle_id=circle.id, user_id=tom)
    await set_payout_order(new_uow(), actor=grace, circle_id=circle.id, order=[amina, joseph])
    await set_payment_instructions(new_uow(), actor=tom, circle_id=circle.id, text="M-Pesa 0712 345 678")
    await set_reminders(new_uow(), actor=grace, circle_id=circle.id,
                        settings=ReminderSettings([5, 1], 8, 2, False, 20))
    await set_timezone(new_uow(), actor=grace, circle_id=circle.id, timezone="Europe/London")
    assert (await check(new_uow, circle.id)).intact
    last = await user(new_uow)
    await join_circle(new_uow(), actor=last, circle_id=circle.id)
    await start_circle(new_uow(), actor=tom, circle_id=circle.id)  # five of six seats: five cycles
    await step_down(new_uow(), actor=tom, circle_id=circle.id)

    # Cycle 1: a rejection and a new mark, a payment recorded for a member, an early draw.
    await mark_paid(new_uow(), actor=tom, circle_id=circle.id, amount=100)
    paid = await mark_paid(new_uow(), actor=amina, circle_id=circle.id)
    await reject_contribution(new_uow(), actor=grace, contribution_id=paid.id, reason="short", received=10)
    again = await mark_paid(new_uow(), actor=amina, circle_id=circle.id)
    await confirm_contribution(new_uow(), actor=grace, contribution_id=again.id)
    await mark_paid(new_uow(), actor=grace, circle_id=circle.id, member=joseph, amount=4000)  # short: partial
    await mark_paid(new_uow(), actor=grace, circle_id=circle.id, member=joseph)  # the top-up: the rest
    await mark_paid(new_uow(), actor=grace, circle_id=circle.id, member=tom, amount=5000)  # over his pending 100
    for payer in (grace, last):
        mine = await mark_paid(new_uow(), actor=payer, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=grace, contribution_id=mine.id)
    await draw_now(new_uow, actor=grace, circle_id=circle.id)
    payout = await record_payout(new_uow(), actor=grace, circle_id=circle.id)
    await acknowledge_payout(new_uow(), actor=payout.receiver_id, payout_id=payout.id)
    # Cycle 2: drawn before everyone paid.
    await mark_paid(new_uow(), actor=grace, circle_id=circle.id, member=tom)
    await draw_now(new_uow, actor=grace, circle_id=circle.id, override=True)
    await record_payout(new_uow(), actor=grace, circle_id=circle.id)
    found = await check(new_uow, circle.id)
    assert found.disagreements == [] and found.unknown == [] and found.intact, found
    await cancel_circle(new_uow(), actor=grace, circle_id=circle.id)
    assert (await check(new_uow, circle.id)).intact


@pytest.mark.parametrize("payout_order", list(PayoutOrder))
async def test_a_completed_circle_replays_to_its_tables(new_uow, payout_order):
    circle, people = await active_circle(new_uow, 3, payout_order=payout_order)
    for _ in people:
        for person in people:
            paid = await mark_paid(new_uow(), actor=people[0], circle_id=circle.id, member=person)
            if paid.status == ContributionStatus.PENDING:  # the organizer's own: confirmed separately
                await confirm_contribution(new_uow(), actor=people[0], contribution_id=paid.id)
        await draw_now(new_uow, actor=None, circle_id=circle.id)  # the scheduler's draw
        await record_payout(new_uow(), actor=people[0], circle_id=circle.id)
    found = await check(new_uow, circle.id)
    assert found.intact, found
    # Created and joined (4), started, cycle 1 opened; each cycle: 3 payments recorded (marked and confirmed),
    # the draw, the payout, then the next cycle opened or the circle completed.
    assert found.entries == found.head.count == 6 + 3 * (6 + 1 + 1 + 1)


async def test_the_record_check_is_the_head_of_the_chain_and_copies_loosely(new_uow):
    circle, people = await active_circle(new_uow, 3)
    async with new_uow() as uow:
        head = await audit.head(uow.session, circle.id)
        assert head == await record_check.current_head(new_uow(), circle.id)
        assert await audit.check_head(uow.session, circle.id, head.fingerprint) is None
        count, code = head.fingerprint.split("-", 1)
        assert int(count) == head.count == 6 and len(code) == 14
        assert set(code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ-")
        # As someone may type it back: lower case, spaces for dashes, O for 0, I or L for 1.
        typed = f"{count} {code.lower().replace('-', ' ')}".replace("0", "o").replace("1", "l")
        assert audit.parse_fingerprint(typed) == (6, head.fingerprint)
        assert await audit.check_head(uow.session, circle.id, typed) is None
    await mark_paid(new_uow(), actor=people[1], circle_id=circle.id)
    async with new_uow() as uow:
        later = await audit.head(uow.session, circle.id)
        assert later.count == 7 and later.fingerprint != head.fingerprint
        assert await audit.check_head(uow.session, circle.id, head.fingerprint) is None  # an older one still holds


@pytest.mark.parametrize("text", ["", "42", "42-", "x-7KQ2-M9XA-B3CD", "0-7KQ2-M9XA-B3CD", "42-7KQ2-M9XA-B3C",
                                  "42-7KQ2-M9XA-B3CDE", "42-7KQ2-M9XA-B3CU", "-42-7KQ2-M9XA-B3CD", "42-7KQ2M9XA"])
def test_malformed_record_checks_are_refused(text):
    with pytest.raises(audit.MalformedFingerprint):
        audit.parse_fingerprint(text)
