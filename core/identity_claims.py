"""Confirming who an account is before it acts in circles.

A phone number proves less than it seems: numbers are recycled, so whoever gets a member's old number
can open a new Telegram or WhatsApp account with it. So an account presenting the number of a member
who already uses another account waits (a claim) until that other account, or an organizer of a
circle the member is in, confirms it; meanwhile it is nobody. And a member's own account presenting a
new number (a new SIM) changes the member's number in place once that account confirms: same user,
circles and roles. Both are IdentityClaim rows, deleted when answered; the audit log keeps the answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import aliased

from core.errors import ClaimNotFound, NotClaimDecider, PhoneTaken, UnknownUser
from core.events import IdentityClaimDecided, IdentityClaimed, PhoneChanged
from core.identity_notices import organizers_of_member
from core.languages import note_language
from core.models import Channel, ChannelIdentity, Circle, IdentityClaim, Membership, Role, User
from core.phones import normalize_phone
from core.uow import UnitOfWork
from core.users import clean_name, enroll, has_identity, identity_query, link_identity, lock_phone_and_identity


@dataclass(frozen=True)
class Presented:
    user: User | None  # who the account acts as now; None while a claim waits
    claim: IdentityClaim | None = None  # what waits for a confirmation (a claim, or the user's number change)


@dataclass(frozen=True)
class Decision:
    approved: bool
    number_change: bool  # else a claim
    channel: Channel  # the app of the account that presented the number
    user: User  # the member
    by: User  # who answered


async def present_phone(uow: UnitOfWork, *, channel: Channel, address: str, phone: str, full_name: str,
                        handle: str | None = None, language: str | None = None) -> Presented:
    """An account shows a phone its app verified (a Telegram contact share, a WhatsApp sender).

    A new number, or the account's own: registered at once, as before. A member's number on an
    account new to them while they use another: a claim, announced to them and to their circles'
    organizers. Another number on a member's own account: a number change for that account to confirm
    (refused with PhoneTaken when the number is a member of some circle's). Idempotent: presenting
    the same again changes nothing and tells no one again. `language` (their app's, or their
    country's) becomes theirs if they have none yet.
    """
    e164, name = normalize_phone(phone), clean_name(full_name)
    async with uow:
        owner, identity = await lock_phone_and_identity(uow, e164, channel, address)
        if identity is not None and (owner is None or owner.id != identity.user_id):
            if owner is not None and await _in_a_circle(uow, owner.id):
                raise PhoneTaken(user_ids=await _organizers_of(uow, owner.id))
            user = await uow.session.get(User, identity.user_id)
            presented = Presented(user, await _pending(uow, user, channel, address, e164, handle))
        elif identity is None and owner is not None and await has_identity(uow, owner.id):
            presented = Presented(None, await _pending(uow, owner, channel, address, e164, handle))
        else:
            presented = Presented(await enroll(uow, owner, e164, name, channel, address, handle, identity))
            if language is not None and presented.user.language is None:
                await uow.session.flush()
                note_language(uow, presented.user, language)
        await uow.commit()
        return presented


async def _pending(uow: UnitOfWork, user: User, channel: Channel, address: str, phone: str,
                   handle: str | None) -> IdentityClaim:
    """The account's one waiting claim: the same one when it presents the same again (its question's
    buttons keep working), else a new one replacing it."""
    session = uow.session
    claim = await session.scalar(select(IdentityClaim).where(
        IdentityClaim.channel == channel, IdentityClaim.address == address).with_for_update())
    if claim is not None and claim.user_id == user.id and claim.phone == phone:
        claim.handle = handle
        return claim
    if claim is not None:
        await session.delete(claim)
        await session.flush()
    claim = IdentityClaim(id=uuid.uuid4(), user_id=user.id, channel=channel, address=address, handle=handle,
                          phone=phone, created_at=uow.now())
    session.add(claim)
    await session.flush()
    if phone == user.phone:  # a number change is the account's own business until it is confirmed
        uow.emit(IdentityClaimed(circle_id=None, actor_id=None, user_id=user.id, claim_id=claim.id,
                                 channel=channel.value, address=address))
    return claim


async def decide_claim(uow: UnitOfWork, *, claim_id: uuid.UUID, approve: bool, by: tuple[Channel, str]) -> Decision:
    """Answer a waiting claim or number change from the account `by`.

    A claim: the member's other account, or an organizer of a circle the member is in, may answer;
    approved, the new account acts as the member. A number change: only the account that presented
    the new number answers it; approved, the member's number changes (their WhatsApp account, which
    is the old number, is unlinked). Of two answers at once, the second finds the claim gone.
    """
    async with uow:
        session = uow.session
        claim = await session.scalar(select(IdentityClaim).where(IdentityClaim.id == claim_id).with_for_update())
        if claim is None:
            raise ClaimNotFound()
        user = await session.scalar(select(User).where(User.id == claim.user_id).with_for_update())
        decider = (await session.execute(identity_query(*by))).scalar_one_or_none()
        if decider is None:
            raise UnknownUser()
        number_change = claim.phone != user.phone
        if number_change and not await _linked(uow, claim.channel, claim.address, user.id):
            raise ClaimNotFound()  # a claim on a number the member has since left
        if number_change:
            allowed = (claim.channel, claim.address) == by
        else:
            allowed = decider.id == user.id or str(decider.id) in await _organizers_of(uow, user.id)
        if not allowed:
            raise NotClaimDecider()
        await session.delete(claim)
        await session.flush()
        if number_change and approve:
            await _change_phone(uow, user, claim.phone)
        elif not number_change:
            uow.emit(IdentityClaimDecided(circle_id=None, actor_id=decider.id, user_id=user.id, claim_id=claim.id,
                                          channel=claim.channel.value, address=claim.address, approved=approve))
            if approve:
                await link_identity(uow, user.id, claim.channel, claim.address, claim.handle, actor=decider.id)
        await uow.commit()
        return Decision(approve, number_change, claim.channel, user, decider)


async def _change_phone(uow: UnitOfWork, user: User, phone: str) -> None:
    session = uow.session
    owner = await session.scalar(select(User).where(User.phone == phone).with_for_update())
    replaced = None
    if owner is not None:  # present_phone refused the number of anyone in a circle; one may have joined since
        if await _in_a_circle(uow, owner.id):
            raise PhoneTaken(user_ids=await _organizers_of(uow, owner.id))
        replaced = owner.id  # in no circle: nothing of theirs to keep
        await session.execute(delete(User).where(User.id == owner.id))
    previous = user.phone
    user.phone, user.updated_at = phone, uow.now()
    # A WhatsApp account is its number: the old number's account proves nothing about them any more.
    await session.execute(delete(ChannelIdentity).where(ChannelIdentity.user_id == user.id,
                                                        ChannelIdentity.channel == Channel.WHATSAPP))
    await session.flush()
    uow.emit(PhoneChanged(circle_id=None, actor_id=user.id, user_id=user.id, phone=phone, previous=previous,
                          replaced_user_id=replaced))


@dataclass(frozen=True)
class WaitingClaim:
    claim_id: uuid.UUID
    member: str  # the member's name
    channel: Channel  # where the new account is


async def claims_to_answer(uow: UnitOfWork, user_id: uuid.UUID) -> list[WaitingClaim]:
    """Claims this user may answer: on their own number, or on a member of a circle they organize."""
    organized = aliased(Membership)
    members_of_mine = (select(Membership.user_id).join(organized, organized.circle_id == Membership.circle_id)
                       .where(organized.user_id == user_id, organized.role == Role.ORGANIZER))
    unlinked = ~exists().where(ChannelIdentity.channel == IdentityClaim.channel,
                               ChannelIdentity.address == IdentityClaim.address)
    async with uow:
        rows = await uow.session.execute(
            select(IdentityClaim.id, User.full_name, IdentityClaim.channel).join(User, User.id == IdentityClaim.user_id)
            .where(or_(IdentityClaim.user_id == user_id, IdentityClaim.user_id.in_(members_of_mine)), unlinked,
                   IdentityClaim.phone == User.phone).order_by(IdentityClaim.created_at))
        return [WaitingClaim(i, name, Channel(channel)) for i, name, channel in rows.all()]


async def claim_waiting(uow: UnitOfWork, channel: Channel, address: str) -> bool:
    """This account presented a member's number and waits for the answer."""
    async with uow:
        return bool(await uow.session.scalar(select(exists().where(
            IdentityClaim.channel == channel, IdentityClaim.address == address))))


async def _linked(uow: UnitOfWork, channel: Channel, address: str, user_id: uuid.UUID) -> bool:
    return bool(await uow.session.scalar(select(exists().where(
        ChannelIdentity.channel == channel, ChannelIdentity.address == address, ChannelIdentity.user_id == user_id))))


async def _in_a_circle(uow: UnitOfWork, user_id: uuid.UUID) -> bool:
    return bool(await uow.session.scalar(select(
        exists().where(Membership.user_id == user_id) | exists().where(Circle.owner_id == user_id))))


async def _organizers_of(uow: UnitOfWork, user_id: uuid.UUID) -> list[str]:
    return [str(i) for i in await organizers_of_member(uow.session, user_id)]
