"""Reminders and automatic draws, planned from the database as the clock moves (no sleeping)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import select

from core.autodraws import run_due_draws
from core.contributions import confirm_contribution, mark_paid
from core.models import AuditEntry, Draw, OutboxMessage
from core.payouts import record_payout
from core.reminders import ReminderSettings, plan_reminders, set_reminders
from tests.channels.fake_beacon import fake_fetch
from tests.integration.builders import active_circle, draw_now

GROUP = "-100777"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def outbox(new_uow) -> list[OutboxMessage]:
    async with new_uow() as uow:
        return list((await uow.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars())


async def reminders(new_uow, clock, when: str) -> list[OutboxMessage]:
    """Move the clock, run the planner, and return the reminder rows it added."""
    before = {m.id for m in await outbox(new_uow)}
    clock.now = at(when)
    await plan_reminders(new_uow())
    return [m for m in await outbox(new_uow) if m.id not in before]


async def test_reminders_arrive_on_the_right_local_days_and_skip_who_paid(new_uow, clock):
    clock.now = at("2026-11-20T06:00")
    circle, (grace, tom, amina) = await active_circle(new_uow, 3, telegram_chat=GROUP)  # Nairobi, UTC+3
    assert await reminders(new_uow, clock, "2026-11-28T05:59") == []  # 08:59 local, 3 days before
    early = await reminders(new_uow, clock, "2026-11-28T06:00")  # 09:00 local
    assert sorted(m.kind for m in early) == ["nudge_reminder"] * 3 + ["reminder"]
    [group] = [m for m in early if m.kind == "reminder"]
    assert group.address == GROUP and group.payload["days_left"] == 3
    assert len(group.payload["unpaid"]) == 3 and "Auntie Grace" in group.payload["unpaid"]
    assert await reminders(new_uow, clock, "2026-11-28T06:01") == []  # the next tick repeats nothing
    assert await reminders(new_uow, clock, "2026-11-29T06:00") == []  # not a reminder day

    paid = await mark_paid(new_uow(), actor=tom, circle_id=circle.id)  # pending: Tom is not nagged again
    due_day = await reminders(new_uow, clock, "2026-12-01T12:00")  # a late tick on the due day still sends
    kinds = sorted(m.kind for m in due_day)
    assert kinds == ["nudge_organizer", "nudge_reminder", "nudge_reminder", "reminder"]
    [organizer_nudge] = [m for m in due_day if m.kind == "nudge_organizer"]
    assert len(organizer_nudge.payload["pending"]) == 1
    assert all(m.payload.get("member") != organizer_nudge.payload["pending"][0] for m in due_day)

    await confirm_contribution(new_uow(), actor=grace, contribution_id=paid.id)
    for day, expected in (("2026-12-02", -1), ("2026-12-03", -2), ("2026-12-04", -3)):
        overdue = await reminders(new_uow, clock, f"{day}T06:00")
        assert {m.kind for m in overdue} == {"overdue", "nudge_overdue"}
        assert {m.payload["days_left"] for m in overdue} == {expected}
    assert await reminders(new_uow, clock, "2026-12-05T06:00") == []  # at most three overdue reminders


async def test_nobody_is_reminded_once_everyone_paid(new_uow, clock):
    clock.now = at("2026-11-20T06:00")
    circle, people = await active_circle(new_uow, 2, telegram_chat=GROUP)
    for p in people:
        c = await mark_paid(new_uow(), actor=p, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=people[0], contribution_id=c.id)
    assert await reminders(new_uow, clock, "2026-11-28T06:00") == []
    assert await reminders(new_uow, clock, "2026-12-02T06:00") == []


async def test_reminder_hours_follow_daylight_saving_time(new_uow, clock):
    clock.now = at("2026-03-01T12:00")
    await active_circle(new_uow, 2, telegram_chat=GROUP, timezone="Europe/Berlin", first_due_date=date(2026, 3, 29))
    assert await reminders(new_uow, clock, "2026-03-26T07:59") == []  # 08:59 CET
    assert len(await reminders(new_uow, clock, "2026-03-26T08:00")) == 3  # 09:00 CET, 3 days before
    assert await reminders(new_uow, clock, "2026-03-29T06:59") == []  # 08:59 CEST: clocks went forward
    due = await reminders(new_uow, clock, "2026-03-29T07:00")  # 09:00 CEST
    assert {m.payload["days_left"] for m in due} == {0} and len(due) == 3


async def test_month_end_due_dates_are_reminded_on_the_last_day(new_uow, clock):
    clock.now = at("2027-01-20T06:00")
    circle, people = await active_circle(new_uow, 2, telegram_chat=GROUP, first_due_date=date(2027, 1, 31))
    for p in people:
        c = await mark_paid(new_uow(), actor=p, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=people[0], contribution_id=c.id)
    await draw_now(new_uow, actor=people[0], circle_id=circle.id)
    await record_payout(new_uow(), actor=people[0], circle_id=circle.id)  # cycle 2 opens, due Feb 28
    assert await reminders(new_uow, clock, "2027-02-27T06:00") == []
    due = await reminders(new_uow, clock, "2027-02-28T06:00")
    assert {(m.kind, m.payload["due_date"]) for m in due} == {("reminder", "2027-02-28"),
                                                            ("nudge_reminder", "2027-02-28")}


async def test_two_schedulers_at_once_plan_each_reminder_once(new_uow, clock):
    clock.now = at("2026-11-20T06:00")
    await active_circle(new_uow, 3, telegram_chat=GROUP)
    clock.now = at("2026-11-28T06:30")
    counts = await asyncio.gather(*(plan_reminders(new_uow()) for _ in range(4)))
    assert sum(counts) == 4
    assert len([m for m in await outbox(new_uow) if m.kind in ("reminder", "nudge_reminder")]) == 4


async def test_the_automatic_draw_runs_once_at_the_draw_hour(new_uow, clock):
    clock.now = at("2026-11-20T06:00")
    circle, people = await active_circle(new_uow, 3, telegram_chat=GROUP)
    for p in people:
        c = await mark_paid(new_uow(), actor=p, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=people[0], contribution_id=c.id)
    clock.now = at("2026-12-01T14:59")  # 17:59 in Nairobi
    assert await run_due_draws(new_uow, fake_fetch) == []
    clock.now = at("2026-12-01T15:00")
    results = await asyncio.gather(*(run_due_draws(new_uow, fake_fetch) for _ in range(3)))  # three instances at once
    assert sum(len(r) for r in results) == 1
    async with new_uow() as uow:
        [draw] = (await uow.session.execute(select(Draw))).scalars()
        audits = (await uow.session.execute(select(AuditEntry).where(AuditEntry.action == "draw_completed"))).all()
    assert draw.drawn_by is None and len(audits) == 1
    announced = [m for m in await outbox(new_uow) if m.kind == "auto_draw"]
    assert len(announced) == 1 and announced[0].address == GROUP


async def test_organizers_can_turn_the_automatic_draw_off(new_uow, clock):
    clock.now = at("2026-11-20T06:00")
    circle, people = await active_circle(new_uow, 2, telegram_chat=GROUP)
    await set_reminders(new_uow(), actor=people[0], circle_id=circle.id,
                        settings=ReminderSettings([1], 8, 0, auto_draw=False, draw_hour=18))
    for p in people:
        c = await mark_paid(new_uow(), actor=p, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=people[0], contribution_id=c.id)
    clock.now = at("2026-12-02T06:00")
    assert await run_due_draws(new_uow, fake_fetch) == []
