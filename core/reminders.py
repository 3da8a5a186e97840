"""Reminders derived from the database, not stored as jobs: a tick every minute finds what is due.

Each reminder has a unique outbox key (cycle, trigger, recipient), so a restart, a missed tick or a
second scheduler running the same tick neither skips nor repeats it. Planning is two set-based
statements, whatever the number of circles, and computes each circle's local time in PostgreSQL.
Only members who have not paid (nothing marked, rejected, or paid in part) are reminded; one who paid
in part is told what is left.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text

from core.errors import InvalidCircleSettings
from core.events import RemindersChanged
from core.guards import lock_circle, require_organizer
from core.models import Circle
from core.uow import UnitOfWork

# Circles whose reminder hour has passed today (local time), with the current cycle's due date
# today + one of their reminder_days, or 1..overdue_reminders days ago.
_FIRED = """
with local as (
    select c.id as circle_id, c.name, c.currency, c.amount_per_cycle, c.payment_instructions, y.id as cycle_id,
           y.cycle_number,
           y.due_date, (cast(:now as timestamptz) at time zone c.timezone) as local_now, c.reminder_days,
           c.overdue_reminders, c.reminder_hour
    from circles c join cycles y on y.circle_id = c.id and y.status = 'OPEN'
    where c.status = 'ACTIVE'
), fired as (
    select l.*, l.due_date - l.local_now::date as days_left from local l
    where extract(hour from l.local_now) >= l.reminder_hour
      and ((l.due_date - l.local_now::date) = any(l.reminder_days)
           or (l.local_now::date - l.due_date) between 1 and l.overdue_reminders)
), facts as (
    -- Per circle, through the (circle, user) and (cycle, user) unique indexes: a fixed cost per circle
    -- whatever the planner guesses (a global "unpaid" set joined back made this quadratic).
    select f.*, case when f.days_left >= 0 then 'reminder' else 'overdue' end as kind, p.user_ids, p.names, p.owed,
           jsonb_build_object('circle', f.name, 'currency', f.currency, 'amount_per_cycle', f.amount_per_cycle,
                              'cycle_number', f.cycle_number, 'due_date', f.due_date, 'days_left', f.days_left,
                              'today', f.local_now::date, 'unpaid', to_jsonb(p.names),
                              'short', coalesce(p.short, '{}'),
                              'payment_instructions', f.payment_instructions) as payload
    from fired f cross join lateral (
        -- Who still owes: nothing marked, rejected, or paid in part (with what is left of it).
        select array_agg(m.user_id order by u.full_name) as user_ids,
               array_agg(u.full_name order by u.full_name) as names,
               array_agg(f.amount_per_cycle - coalesce(k.confirmed_amount, 0) order by u.full_name) as owed,
               jsonb_object_agg(u.full_name, f.amount_per_cycle - k.confirmed_amount)
                   filter (where k.confirmed_amount > 0) as short
        from memberships m join users u on u.id = m.user_id
        left join contributions k on k.cycle_id = f.cycle_id and k.user_id = m.user_id
        where m.circle_id = f.circle_id and (k.id is null or k.status in ('REJECTED', 'PARTIAL'))) p
    where p.user_ids is not null
)
"""

_GROUP_AND_PRIVATE = _FIRED + """
insert into outbox (channel, address, kind, payload, dedup_key, circle_id, next_attempt_at, created_at)
select ch.channel, ch.chat_address, f.kind, f.payload,
       concat_ws(':', 'r', f.cycle_id, f.days_left, ch.channel, ch.chat_address), f.circle_id, :now, :now
from facts f join circle_chats ch on ch.circle_id = f.circle_id and ch.active
union all
select i.channel, i.address, 'nudge_' || f.kind,
       f.payload - 'short' || jsonb_build_object('member', p.full_name, 'owed', p.owed),
       concat_ws(':', 'r', f.cycle_id, f.days_left, p.user_id, i.channel), f.circle_id, :now, :now
from facts f cross join lateral unnest(f.user_ids, f.names, f.owed) as p(user_id, full_name, owed)
join channel_identities i on i.user_id = p.user_id
on conflict (dedup_key) do nothing
"""

# Organizers hear once a day (after the circle's reminder hour) when payments wait for them.
_ORGANIZER_NUDGES = """
with waiting as (
    select c.id as circle_id, c.name, y.id as cycle_id, y.cycle_number,
           (cast(:now as timestamptz) at time zone c.timezone) as local_now, c.reminder_hour,
           (select jsonb_agg(u.full_name order by u.full_name) from contributions k join users u on u.id = k.user_id
            where k.cycle_id = y.id and k.status = 'PENDING') as pending
    from circles c join cycles y on y.circle_id = c.id and y.status <> 'PAID_OUT'
    where c.status = 'ACTIVE'
      and exists (select 1 from contributions k where k.cycle_id = y.id and k.status = 'PENDING')
)
insert into outbox (channel, address, kind, payload, dedup_key, circle_id, next_attempt_at, created_at)
select i.channel, i.address, 'nudge_organizer',
       jsonb_build_object('circle', w.name, 'cycle_number', w.cycle_number, 'pending', w.pending),
       concat_ws(':', 'p', w.cycle_id, w.local_now::date, m.user_id, i.channel), w.circle_id, :now, :now
from waiting w
join memberships m on m.circle_id = w.circle_id and m.role = 'ORGANIZER'
join channel_identities i on i.user_id = m.user_id
where extract(hour from w.local_now) >= w.reminder_hour
on conflict (dedup_key) do nothing
"""


async def plan_reminders(uow: UnitOfWork) -> int:
    """Queue every reminder due at the unit of work's clock time; returns how many were new."""
    async with uow:
        now = uow.now()
        planned = 0
        for statement in (_GROUP_AND_PRIVATE, _ORGANIZER_NUDGES):
            planned += (await uow.session.execute(text(statement), {"now": now})).rowcount
        await uow.session.commit()
        return planned


@dataclass(frozen=True)
class ReminderSettings:
    reminder_days: list[int]  # days before the due date, 0 = the due date itself
    reminder_hour: int  # local hour when reminders go out
    overdue_reminders: int  # daily reminders after the due date, at most this many
    auto_draw: bool  # draw by itself once everyone is confirmed
    draw_hour: int  # local hour on the due date from which the automatic draw may run


def reminder_settings(circle: Circle) -> ReminderSettings:
    return ReminderSettings(sorted(circle.reminder_days, reverse=True), circle.reminder_hour,
                            circle.overdue_reminders, circle.auto_draw, circle.draw_hour)


async def set_reminders(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID,
                        settings: ReminderSettings) -> ReminderSettings:
    """Organizers tune when the circle is reminded and whether draws run by themselves."""
    days = sorted(set(settings.reminder_days), reverse=True)
    if len(days) > 7 or any(not 0 <= d <= 30 for d in days):
        raise InvalidCircleSettings(field="reminder_days", reason="out_of_range")
    if not (0 <= settings.reminder_hour <= 23 and 0 <= settings.draw_hour <= 23):
        raise InvalidCircleSettings(field="hour", reason="out_of_range")
    if not 0 <= settings.overdue_reminders <= 14:
        raise InvalidCircleSettings(field="overdue_reminders", reason="out_of_range")
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        circle.reminder_days, circle.reminder_hour = days, settings.reminder_hour
        circle.overdue_reminders, circle.auto_draw, circle.draw_hour = (
            settings.overdue_reminders, settings.auto_draw, settings.draw_hour)
        uow.emit(RemindersChanged(circle_id=circle_id, actor_id=actor, reminder_days=days,
                                  reminder_hour=settings.reminder_hour, overdue_reminders=settings.overdue_reminders,
                                  auto_draw=settings.auto_draw, draw_hour=settings.draw_hour))
        await uow.commit()
        return reminder_settings(circle)
