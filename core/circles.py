"""Circles from creation to start: settings, joining, leaving, organizers and the payout order."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from core import fairness, schedule
from core.cycles import open_cycle
from core.errors import (
    AlreadyMember,
    AlreadyOrganizer,
    ChatHasActiveCircle,
    CircleFull,
    CircleHasGroup,
    CircleNotFound,
    DueDateInPast,
    InvalidCircleSettings,
    InvalidPayoutOrder,
    NotEnoughMembers,
    NotMember,
    OrganizerCannotLeave,
)
from core.events import (
    ChatLinked,
    CircleCancelled,
    CircleCreated,
    CircleStarted,
    MemberJoined,
    MemberLeft,
    MemberRemoved,
    OrganizerAdded,
    PayoutOrderSet,
    TimezoneChanged,
)
from core.guards import lock_circle, require_member, require_organizer, require_running, require_status
from core.languages import valid_language
from core.limits import check_new_circle, check_seat_change
from core.models import Channel, Circle, CircleChat, CircleStatus, Membership, PayoutOrder, Role, in_payout_order
from core.money import MAX_AMOUNT_MINOR, normalize_currency
from core.uow import UnitOfWork
from core.users import clean_name

MIN_MEMBERS, MAX_MEMBERS = 2, 200
MAX_FIRST_DUE_DAYS = 366
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped


@dataclass(frozen=True)
class CircleSettings:
    name: str
    amount_per_cycle: int  # minor units of `currency`
    currency: str
    total_members: int
    frequency: str
    first_due_date: date
    timezone: str
    every_days: int | None = None
    payout_order: PayoutOrder = PayoutOrder.RANDOM
    language: str = "en"  # its group messages' (core/languages.py): the organizer's, unless they choose


def _validated(s: CircleSettings, today: date) -> CircleSettings:
    if not 0 < s.amount_per_cycle <= MAX_AMOUNT_MINOR:
        raise InvalidCircleSettings(field="amount_per_cycle", reason="out_of_range")
    if not MIN_MEMBERS <= s.total_members <= MAX_MEMBERS:
        raise InvalidCircleSettings(field="total_members", reason="out_of_range", low=MIN_MEMBERS, high=MAX_MEMBERS)
    schedule.validate_frequency(s.frequency, s.every_days)
    schedule.validate_timezone(s.timezone)
    valid_language(s.language)
    if s.first_due_date < today:
        raise DueDateInPast(due_date=s.first_due_date.isoformat(), today=today.isoformat())
    if (s.first_due_date - today).days > MAX_FIRST_DUE_DAYS:
        raise InvalidCircleSettings(field="first_due_date", reason="too_far")
    return CircleSettings(**{**s.__dict__, "name": clean_name(s.name, field="name", limit=64),
                             "currency": normalize_currency(s.currency), "payout_order": PayoutOrder(s.payout_order)})


async def _new_join_code(uow: UnitOfWork) -> str:
    while True:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        taken = await uow.session.scalar(select(func.count()).where(Circle.join_code == code))
        if not taken:
            return code


async def create_circle(uow: UnitOfWork, *, actor: uuid.UUID, settings: CircleSettings,
                        chat: tuple[Channel, str] | None = None) -> Circle:
    """The creator becomes the first member and an organizer. `chat` links the group chat the circle
    lives in; a chat holds one active circle at a time."""
    async with uow:
        s = _validated(settings, schedule.local_date(uow.now(), settings.timezone))
        await check_new_circle(uow, actor)
        circle = Circle(id=uuid.uuid4(), owner_id=actor, status=CircleStatus.FORMING,
                        join_code=await _new_join_code(uow), created_at=uow.now(), **s.__dict__)
        if s.payout_order == PayoutOrder.DRAWN_AT_START:
            circle.order_seed = fairness.new_seed()
            circle.order_commitment = fairness.commitment(circle.order_seed)
        uow.session.add(circle)
        uow.session.add(Membership(circle_id=circle.id, user_id=actor, role=Role.ORGANIZER, joined_at=uow.now()))
        await uow.session.flush()
        uow.emit(CircleCreated(circle_id=circle.id, actor_id=actor, name=s.name, amount_per_cycle=s.amount_per_cycle,
                               currency=s.currency, total_members=s.total_members, frequency=s.frequency,
                               every_days=s.every_days, first_due_date=s.first_due_date, timezone=s.timezone,
                               payout_order=s.payout_order.value, join_code=circle.join_code,
                               order_commitment=circle.order_commitment, language=s.language))
        uow.emit(MemberJoined(circle_id=circle.id, actor_id=actor, user_id=actor))
        if chat is not None:
            await _link_chat(uow, circle, actor, *chat)
        await uow.commit()
        return circle


async def _link_chat(uow: UnitOfWork, circle: Circle, actor: uuid.UUID, channel: Channel, address: str) -> None:
    busy = await uow.session.scalar(select(func.count()).where(
        CircleChat.channel == channel, CircleChat.chat_address == address, CircleChat.active))
    if busy:
        raise ChatHasActiveCircle()
    uow.session.add(CircleChat(circle_id=circle.id, channel=channel, chat_address=address, created_at=uow.now()))
    await uow.session.flush()
    uow.emit(ChatLinked(circle_id=circle.id, actor_id=actor, channel=channel.value, chat_address=address))


async def bring_into_chat(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID,
                          chat: tuple[Channel, str]) -> Circle:
    """An organizer brings a circle made elsewhere (on WhatsApp, in a private chat) into a group chat,
    so its members there can join with a tap and the group follows it: one circle, whatever mix of apps."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        require_running(circle)
        if await uow.session.scalar(select(func.count()).where(CircleChat.circle_id == circle_id,
                                                               CircleChat.channel == chat[0])):
            raise CircleHasGroup()
        await _link_chat(uow, circle, actor, *chat)
        await uow.commit()
        return circle


async def circle_by_code(uow: UnitOfWork, code: str) -> Circle:
    async with uow:
        circle = (await uow.session.execute(
            select(Circle).where(Circle.join_code == code.strip().upper()))).scalar_one_or_none()
        if circle is None:
            raise CircleNotFound(code=code)
        return circle


async def join_circle(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, privately: bool = False) -> Circle:
    """Join a forming circle; the member who fills the last seat starts it. `privately`: from a
    private chat by code, not through the circle's group, so announcements reach them there too."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        members = await _member_ids(uow, circle_id)
        if actor in members:
            raise AlreadyMember()
        require_status(circle, CircleStatus.FORMING)
        if len(members) >= circle.total_members:
            raise CircleFull(total_members=circle.total_members)
        await check_seat_change(uow, actor, circle_id)
        uow.session.add(Membership(circle_id=circle_id, user_id=actor, role=Role.MEMBER, joined_at=uow.now(),
                                   hears_privately=privately))
        await uow.session.flush()
        uow.emit(MemberJoined(circle_id=circle_id, actor_id=actor, user_id=actor))
        if len(members) + 1 == circle.total_members:
            await _start(uow, circle, actor)
        await uow.commit()
        return circle


async def leave_circle(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID) -> None:
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        membership = await require_member(uow.session, circle_id, actor)
        require_status(circle, CircleStatus.FORMING)
        if membership.role == Role.ORGANIZER:
            raise OrganizerCannotLeave()
        await check_seat_change(uow, actor, circle_id)
        await uow.session.delete(membership)
        uow.emit(MemberLeft(circle_id=circle_id, actor_id=actor, user_id=actor))
        await uow.commit()


async def remove_member(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, user_id: uuid.UUID) -> None:
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        require_status(circle, CircleStatus.FORMING)
        membership = await require_member(uow.session, circle_id, user_id)
        if user_id == circle.owner_id or user_id == actor:
            raise OrganizerCannotLeave()
        await uow.session.delete(membership)
        uow.emit(MemberRemoved(circle_id=circle_id, actor_id=actor, user_id=user_id))
        await uow.commit()


async def add_organizer(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, user_id: uuid.UUID) -> None:
    async with uow:
        await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        membership = await require_member(uow.session, circle_id, user_id)
        if membership.role == Role.ORGANIZER:
            raise AlreadyOrganizer()
        membership.role = Role.ORGANIZER
        uow.emit(OrganizerAdded(circle_id=circle_id, actor_id=actor, user_id=user_id))
        await uow.commit()


async def set_payout_order(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID,
                           order: list[uuid.UUID]) -> None:
    """For FIXED circles: the organizer lists who receives first, second…; members not listed follow
    in the order they joined."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await apply_payout_order(uow, circle, actor, order)
        await uow.commit()


async def apply_payout_order(uow: UnitOfWork, circle: Circle, actor: uuid.UUID, order: list[uuid.UUID]) -> None:
    """set_payout_order's checks and change, inside a transaction that holds the circle lock."""
    await require_organizer(uow.session, circle.id, actor)
    require_status(circle, CircleStatus.FORMING)
    if circle.payout_order != PayoutOrder.FIXED:
        raise InvalidPayoutOrder(reason="not_fixed_mode")
    if len(set(order)) != len(order):
        raise InvalidPayoutOrder(reason="duplicate")
    memberships = await _memberships(uow, circle.id)
    if not set(order) <= {m.user_id for m in memberships}:
        raise NotMember()
    await _assign_positions(uow, memberships, order)
    uow.emit(PayoutOrderSet(circle_id=circle.id, actor_id=actor, order=list(order)))


async def start_circle(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID) -> Circle:
    """Start before the circle is full: the number of members (and so of cycles) becomes who is in."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        require_status(circle, CircleStatus.FORMING)
        count = len(await _member_ids(uow, circle_id))
        if count < MIN_MEMBERS:
            raise NotEnoughMembers(have=count, need=MIN_MEMBERS)
        circle.total_members = count
        await _start(uow, circle, actor)
        await uow.commit()
        return circle


async def _start(uow: UnitOfWork, circle: Circle, actor: uuid.UUID) -> None:
    memberships = await _memberships(uow, circle.id)
    order: list[uuid.UUID] = []
    if circle.payout_order == PayoutOrder.DRAWN_AT_START:
        order = [uuid.UUID(u) for u in fairness.draw_order(circle.order_seed, str(circle.id),
                                                           [str(m.user_id) for m in memberships])]
    elif circle.payout_order == PayoutOrder.FIXED:
        order = [m.user_id for m in in_payout_order(memberships)]  # memberships come in join order
    if order:
        await _assign_positions(uow, memberships, order)
    circle.status, circle.started_at = CircleStatus.ACTIVE, uow.now()
    await uow.session.flush()
    uow.emit(CircleStarted(circle_id=circle.id, actor_id=actor, total_members=circle.total_members,
                           payout_order=circle.payout_order.value, order=order, order_seed=circle.order_seed))
    await open_cycle(uow, circle, 1, actor)


async def _assign_positions(uow: UnitOfWork, memberships: list[Membership], order: list[uuid.UUID]) -> None:
    """Positions 1..n in `order`; everyone else none."""
    by_user = {m.user_id: m for m in memberships}
    for m in memberships:
        m.payout_position = None
    await uow.session.flush()  # clear first: positions are unique per circle
    for position, uid in enumerate(order, start=1):
        by_user[uid].payout_position = position


async def cancel_circle(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID) -> None:
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        if circle.status not in (CircleStatus.FORMING, CircleStatus.ACTIVE):
            raise InvalidCircleSettings(field="status", reason="already_ended", status=circle.status.value)
        previous = circle.status
        await end_circle(uow, circle, CircleStatus.CANCELLED)
        uow.emit(CircleCancelled(circle_id=circle_id, actor_id=actor, previous_status=previous.value))
        await uow.commit()


async def end_circle(uow: UnitOfWork, circle: Circle, status: CircleStatus) -> None:
    """Completed or cancelled: the chat is free for a new circle; this one stays as history."""
    circle.status, circle.ended_at = status, uow.now()
    chats = await uow.session.execute(select(CircleChat).where(CircleChat.circle_id == circle.id))
    for chat in chats.scalars():
        chat.active = False
    await uow.session.flush()


async def set_timezone(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, timezone: str) -> Circle:
    """Organizers move the circle's calendar to another zone (the phone's country guessed it at
    setup): "today", reminders and draw hours follow it; due dates stay the calendar days they are."""
    schedule.validate_timezone(timezone)
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        require_running(circle)
        previous, circle.timezone = circle.timezone, timezone
        uow.emit(TimezoneChanged(circle_id=circle_id, actor_id=actor, timezone=timezone, previous=previous))
        await uow.commit()
        return circle


async def _memberships(uow: UnitOfWork, circle_id: uuid.UUID) -> list[Membership]:
    rows = await uow.session.execute(select(Membership).where(Membership.circle_id == circle_id)
                                     .order_by(Membership.joined_at, Membership.id))
    return list(rows.scalars())


async def _member_ids(uow: UnitOfWork, circle_id: uuid.UUID) -> list[uuid.UUID]:
    return [m.user_id for m in await _memberships(uow, circle_id)]


async def member_role(uow: UnitOfWork, circle_id: uuid.UUID, user_id: uuid.UUID) -> Role | None:
    """The person's role in the circle, or None for outsiders (for asking before a destructive step)."""
    async with uow:
        return await uow.session.scalar(select(Membership.role).where(
            Membership.circle_id == circle_id, Membership.user_id == user_id))


async def member_count(uow: UnitOfWork, circle_id: uuid.UUID) -> int:
    async with uow:
        return await uow.session.scalar(select(func.count()).where(Membership.circle_id == circle_id))
