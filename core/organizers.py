"""Organizer tools: stepping down, how to pay, and the payout order of a `fixed` circle tapped name by name.

Making someone an organizer and saving an order are in core/circles.py (add_organizer,
set_payout_order); what is here supports them: who the organizers are (a refusal names them) and
the order being tapped together, kept in the conversation table until it is saved.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert

from core.circles import apply_payout_order
from core.errors import (
    InstructionsTooLong,
    InvalidPayoutOrder,
    LastOrganizer,
    NotMember,
    StaleButton,
)
from core.events import OrganizerSteppedDown, PaymentInstructionsSet
from core.guards import lock_circle, require_organizer, require_running, require_status
from core.models import (
    Channel,
    Circle,
    CircleStatus,
    Conversation,
    Membership,
    PayoutOrder,
    Role,
    User,
    in_payout_order,
)
from core.uow import UnitOfWork

MAX_INSTRUCTIONS = 300
_DRAFT = "payout-order"  # the conversation row (per chat) holding an order being tapped


async def step_down(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID) -> Circle:
    """An organizer becomes a plain member, as long as another organizer remains to run the circle."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        membership = await require_organizer(uow.session, circle_id, actor)
        require_running(circle)
        others = await uow.session.scalar(select(func.count()).where(
            Membership.circle_id == circle_id, Membership.role == Role.ORGANIZER, Membership.user_id != actor))
        if not others:
            raise LastOrganizer()
        membership.role = Role.MEMBER
        uow.emit(OrganizerSteppedDown(circle_id=circle_id, actor_id=actor, user_id=actor))
        await uow.commit()
        return circle


async def set_payment_instructions(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID,
                                   text: str | None) -> Circle:
    """How members pay ("M-Pesa 0712 345 678, Alice Njeri"), shown wherever they are asked to pay.
    None or blank clears them."""
    visible = "".join(ch for ch in text or "" if ch.isprintable() or ch.isspace())  # no direction overrides
    cleaned = " ".join(visible.split()) or None
    if cleaned is not None and len(cleaned) > MAX_INSTRUCTIONS:
        raise InstructionsTooLong(length=len(cleaned), limit=MAX_INSTRUCTIONS)
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        require_running(circle)
        circle.payment_instructions = cleaned
        uow.emit(PaymentInstructionsSet(circle_id=circle_id, actor_id=actor, payment_instructions=cleaned))
        await uow.commit()
        return circle


async def organizer_names(uow: UnitOfWork, circle_id: uuid.UUID) -> list[str]:
    """Who can act when a member can't (a refusal names them)."""
    async with uow:
        rows = await uow.session.execute(
            select(User.full_name).join(Membership, Membership.user_id == User.id)
            .where(Membership.circle_id == circle_id, Membership.role == Role.ORGANIZER).order_by(User.full_name))
        return list(rows.scalars())


@dataclass(frozen=True)
class Person:
    user_id: uuid.UUID
    full_name: str
    role: Role = Role.MEMBER


@dataclass(frozen=True)
class OrderDraft:
    """An order being tapped: who is placed so far, and everyone else in join order."""

    circle: Circle
    token: str  # carried by the draft's buttons, so an older draft's buttons are stale
    placed: list[Person]
    remaining: list[Person]

    @property
    def full_order(self) -> list[Person]:
        """What saving now gives: the placed ones, then the rest in join order (as core/circles.py does)."""
        return self.placed + self.remaining


async def members_in_join_order(uow: UnitOfWork, circle_id: uuid.UUID) -> list[Person]:
    async with uow:
        return await _members(uow, circle_id)


async def saved_order(uow: UnitOfWork, circle_id: uuid.UUID) -> list[Person]:
    """The payout order as it stands: placed members by position, then the rest in join order."""
    async with uow:
        rows = await uow.session.execute(
            select(Membership.user_id, User.full_name, Membership.payout_position).join(User)
            .where(Membership.circle_id == circle_id).order_by(Membership.joined_at, Membership.id))
        people = rows.all()
    return [Person(r.user_id, r.full_name) for r in in_payout_order(people)]


async def edit_order_draft(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, chat: tuple[Channel, str],
                           token: str | None = None, add: uuid.UUID | None = None, undo: bool = False) -> OrderDraft:
    """Start a new order being tapped in `chat` (no `token`), or extend (`add`: the next receiver) or
    shorten (`undo`) the one whose buttons carry `token` (buttons of an older or saved draft are
    refused as stale). Only organizers of a forming `fixed` circle may; the circle row lock lines up
    concurrent taps, and a repeated tap on someone already placed changes nothing."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await _require_order_editor(uow, circle, actor)
        members = await _members(uow, circle_id)
        by_id = {m.user_id: m for m in members}
        if token is None:
            token, placed = secrets.token_hex(2), []
        else:
            placed = [u for u in await _draft(uow, circle_id, chat, token) if u in by_id]  # some may have left
        if add is not None:
            if add not in by_id:
                raise NotMember()
            if add not in placed:
                placed.append(add)
        if undo and placed:
            placed.pop()
        statement = insert(Conversation).values(
            channel=chat[0], chat_address=chat[1], user_address=_DRAFT, updated_at=uow.now(),
            state={"circle": str(circle_id), "token": token, "order": [str(u) for u in placed]})
        await uow.session.execute(statement.on_conflict_do_update(
            index_elements=["channel", "chat_address", "user_address"],
            set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at}))
        await uow.commit()
        return OrderDraft(circle, token, [by_id[u] for u in placed], [m for m in members if m.user_id not in placed])


async def save_order_draft(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, chat: tuple[Channel, str],
                           token: str) -> list[Person]:
    """Save the tapped order (set_payout_order: audited) and drop the draft, in one transaction.
    Returns the whole order: the tapped members, then the rest in join order."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await _require_order_editor(uow, circle, actor)
        members = await _members(uow, circle_id)
        ids = {m.user_id for m in members}
        placed = [u for u in await _draft(uow, circle_id, chat, token) if u in ids]
        await apply_payout_order(uow, circle, actor, placed)
        await uow.session.execute(delete(Conversation).where(*_draft_row(chat)))
        await uow.commit()
    by_id = {m.user_id: m for m in members}
    return [by_id[u] for u in placed] + [m for m in members if m.user_id not in placed]


def _draft_row(chat: tuple[Channel, str]) -> tuple:
    return (Conversation.channel == chat[0], Conversation.chat_address == chat[1], Conversation.user_address == _DRAFT)


async def _draft(uow: UnitOfWork, circle_id: uuid.UUID, chat: tuple[Channel, str], token: str) -> list[uuid.UUID]:
    state = await uow.session.scalar(select(Conversation.state).where(*_draft_row(chat)))
    if not state or state.get("circle") != str(circle_id) or state.get("token") != token:
        raise StaleButton()
    return [uuid.UUID(u) for u in state["order"]]


async def _require_order_editor(uow: UnitOfWork, circle: Circle, actor: uuid.UUID) -> None:
    await require_organizer(uow.session, circle.id, actor)
    require_status(circle, CircleStatus.FORMING)
    if circle.payout_order != PayoutOrder.FIXED:
        raise InvalidPayoutOrder(reason="not_fixed_mode")


async def _members(uow: UnitOfWork, circle_id: uuid.UUID) -> list[Person]:
    rows = await uow.session.execute(
        select(Membership.user_id, User.full_name, Membership.role).join(User).where(Membership.circle_id == circle_id)
        .order_by(Membership.joined_at, Membership.id))
    return [Person(*row) for row in rows.all()]
