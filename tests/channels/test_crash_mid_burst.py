"""The real bot process killed with SIGKILL in the middle of a burst of payments and confirmations,
then restarted: every confirmation the bot acknowledged is in the database, nothing is recorded or
acknowledged twice, and the audit chain verifies. Since an update's change and its delivery record
commit together, the update in flight at the kill is handled after the restart: nothing is lost but
perhaps the reply that was on its way."""

from __future__ import annotations

import asyncio
import re
import signal
from collections import Counter

from sqlalchemy import func, select

from core import audit
from core.circles import CircleSettings, create_circle, join_circle
from core.models import Channel, Contribution, ContributionStatus, ProcessedDelivery, User
from core.users import register_user
from tests.channels import updates
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.test_crash_recovery import start_bot, stop_bot, wait_for
from tests.channels.updates import Person

GROUP, MEMBERS = -1005550000001, 30
CONFIRMED = re.compile(r"^✅ (.+)'s payment of USD 20 was confirmed by Grace\.$")


async def family(new_uow, clock) -> list[Person]:
    people = [Person(20000 + n, "Grace" if n == 0 else f"M{n:02d}", None, f"m{n:02d}", f"+2547005{n:05d}")
              for n in range(MEMBERS)]
    for p in people:
        await register_user(new_uow(), phone=p.phone, full_name=p.first_name, channel=Channel.TELEGRAM,
                            address=str(p.id), handle=p.username)
    async with new_uow() as uow:
        ids = {u.phone: u.id for u in (await uow.session.execute(select(User))).scalars()}
    settings = CircleSettings(name="Burst", amount_per_cycle=2000, currency="USD", total_members=MEMBERS,
                              frequency="weekly", first_due_date=clock().date().replace(day=30),
                              timezone="Africa/Nairobi")
    circle = await create_circle(new_uow(), actor=ids[people[0].phone], settings=settings,
                                 chat=(Channel.TELEGRAM, str(GROUP)))
    for p in people[1:]:
        await join_circle(new_uow(), actor=ids[p.phone], circle_id=circle.id)
    return people


async def test_kill_9_in_a_burst_keeps_every_acknowledged_confirmation(fake_telegram: FakeTelegram, new_uow, clock,
                                                                      clean_database, tmp_path):
    people = await family(new_uow, clock)
    grace = people[0]
    for p in people:
        fake_telegram.queue_update(updates.group_text(p, GROUP, "/paid"))
        fake_telegram.queue_update(updates.group_text(grace, GROUP, f"/confirm @{p.username}"))

    def acknowledged() -> list[str]:
        return [m.group(1) for t in fake_telegram.texts_to(GROUP) if (m := CONFIRMED.match(t))]

    first = await start_bot(fake_telegram, clean_database, tmp_path)

    async def some_confirmed():
        return len(acknowledged()) >= 8
    await wait_for(some_confirmed)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert len(acknowledged()) < MEMBERS, "the kill must land mid-burst"

    second = await start_bot(fake_telegram, clean_database, tmp_path)

    async def drained():
        """Telegram has handed everything over, and the bot handled all it recorded (it confirms an
        update to Telegram once recorded, so the first condition alone no longer means handled)."""
        if fake_telegram.pending_updates:
            return False
        async with new_uow() as uow:
            return not await uow.session.scalar(select(func.count()).select_from(ProcessedDelivery).where(
                ProcessedDelivery.handled_at.is_(None)))
    try:
        await wait_for(drained)
        await asyncio.sleep(0.5)  # let the last reply go out
    finally:
        await stop_bot(second)

    said = Counter(acknowledged())
    assert all(n == 1 for n in said.values()), said  # nothing acknowledged twice
    async with new_uow() as uow:
        rows = (await uow.session.execute(
            select(User.full_name, Contribution.status).join(Contribution, Contribution.user_id == User.id))).all()
        circle_id = (await uow.session.execute(select(Contribution.cycle_id))).scalars().first()
    confirmed = Counter(name for name, status in rows if status == ContributionStatus.CONFIRMED)
    assert set(said) <= set(confirmed)  # every acknowledged confirmation is in the database
    assert all(n == 1 for n in Counter(name for name, _ in rows).values())  # one payment per member
    assert set(confirmed) == {p.first_name for p in people}  # no update lost, the one in flight included
    assert len(said) >= MEMBERS - 1  # only the reply on its way at the kill may be missing
    async with new_uow() as uow:
        from core.models import Cycle
        circle = await uow.session.scalar(select(Cycle.circle_id).where(Cycle.id == circle_id))
        assert await audit.verify_chain(uow.session, circle) is None
