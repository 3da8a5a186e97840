"""People, identified by their phone number as verified by the channel they write from."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select, update

from core.errors import InvalidCircleSettings
from core.events import IdentityLinked, UserRegistered, UserRenamed
from core.models import Channel, ChannelIdentity, Membership, User
from core.phones import normalize_phone
from core.uow import UnitOfWork

MAX_NAME = 128
ZERO_WIDTH_JOINER = "\u200d"


def clean_name(text: str, *, field: str = "full_name", limit: int = MAX_NAME) -> str:
    """Collapse whitespace and drop invisible characters (names come straight from chat profiles,
    and direction overrides can disguise them), keeping the joiner that builds emoji like 👩‍👧."""
    name = " ".join("".join(ch for ch in text if ch.isprintable() or ch == ZERO_WIDTH_JOINER).split())
    if not name:
        raise InvalidCircleSettings(field=field, reason="empty")
    return name[:limit]


async def register_user(uow: UnitOfWork, *, phone: str, full_name: str, channel: Channel | None = None,
                        address: str | None = None, handle: str | None = None) -> User:
    """Find or create the user with this verified phone, and link the channel identity if given.

    Idempotent: registering the same phone again updates the name and changes nothing else, so
    a repeated contact share or a duplicate webhook has one effect.
    """
    e164 = normalize_phone(phone)
    name = clean_name(full_name)
    async with uow:
        session = uow.session
        user = (await session.execute(select(User).where(User.phone == e164).with_for_update())).scalar_one_or_none()
        if user is None:
            user = User(id=uuid.uuid4(), phone=e164, full_name=name, created_at=uow.now(), updated_at=uow.now())
            session.add(user)
            uow.emit(UserRegistered(circle_id=None, actor_id=user.id, user_id=user.id, phone=e164, full_name=name))
        elif user.full_name != name:
            user.full_name, user.updated_at = name, uow.now()
            uow.emit(UserRenamed(circle_id=None, actor_id=user.id, user_id=user.id, full_name=name))
        if channel is not None and address is not None:
            await _link_identity(uow, user, channel, address, handle)
        await uow.commit()
        return user


async def _link_identity(uow: UnitOfWork, user: User, channel: Channel, address: str, handle: str | None) -> None:
    session = uow.session
    identity = (await session.execute(
        select(ChannelIdentity).where(ChannelIdentity.channel == channel, ChannelIdentity.address == address)
        .with_for_update())).scalar_one_or_none()
    if identity is not None and identity.user_id == user.id:
        identity.handle = handle
        return
    if identity is None:
        session.add(ChannelIdentity(user_id=user.id, channel=channel, address=address, handle=handle,
                                    created_at=uow.now()))
    else:
        # The app account now verifies a different phone (a new SIM): it follows the phone.
        identity.user_id, identity.handle = user.id, handle
    await session.flush()
    uow.emit(IdentityLinked(circle_id=None, actor_id=user.id, user_id=user.id, channel=channel.value,
                            address=address))


def identity_query(channel: Channel, address: str) -> Select:
    return (select(User).join(ChannelIdentity, ChannelIdentity.user_id == User.id)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.address == address))


async def user_by_identity(uow: UnitOfWork, channel: Channel, address: str) -> User | None:
    async with uow:
        return (await uow.session.execute(identity_query(channel, address))).scalar_one_or_none()



async def member_by_handle(uow: UnitOfWork, circle_id: uuid.UUID, channel: Channel, handle: str) -> User | None:
    """A circle member by the handle people type (`@grace`), case-insensitively."""
    async with uow:
        return (await uow.session.execute(
            select(User).join(ChannelIdentity, ChannelIdentity.user_id == User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.circle_id == circle_id, ChannelIdentity.channel == channel,
                   func.lower(ChannelIdentity.handle) == handle.lstrip("@").lower()).limit(1))).scalar_one_or_none()



async def touch_inbound(uow: UnitOfWork, channel: Channel, address: str) -> None:
    """They just wrote to us: on WhatsApp this opens a 24-hour window for free-form messages."""
    async with uow:
        await uow.session.execute(update(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.address == address).values(last_inbound_at=uow.now()))
        await uow.session.commit()
