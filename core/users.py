"""People, identified by their phone number as verified by the channel they write from."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, func, select, update

from core.errors import AmbiguousHandle, InvalidCircleSettings, NeedsConfirmation
from core.events import IdentityLinked, UserRegistered, UserRenamed
from core.models import Channel, ChannelIdentity, Membership, User
from core.phones import normalize_phone
from core.uow import UnitOfWork

MAX_NAME = 128
ZERO_WIDTH_JOINER = "\u200d"
# Printable, yet drawn as nothing: the fillers people use for a "blank" profile name. Read as spaces.
BLANKS = str.maketrans(dict.fromkeys("\u115f\u1160\u3164\uffa0\u2800", " "))


def clean_name(text: str, *, field: str = "full_name", limit: int = MAX_NAME) -> str:
    """Collapse whitespace and drop invisible characters (names come straight from chat profiles,
    and direction overrides can disguise them), keeping the joiner that builds emoji like 👩‍👧."""
    kept = "".join(ch for ch in text.translate(BLANKS) if ch.isprintable() or ch == ZERO_WIDTH_JOINER)
    name = " ".join(kept.split())
    if not name.replace(ZERO_WIDTH_JOINER, "").strip():
        raise InvalidCircleSettings(field=field, reason="empty")
    return name[:limit]


def first_usable_name(*candidates: str | None) -> str:
    """The first candidate that is still a name once cleaned: a profile name made only of invisible
    characters falls back to the next one (the @username, then a placeholder)."""
    for candidate in candidates:
        try:
            return clean_name(candidate or "")
        except InvalidCircleSettings:
            continue
    raise InvalidCircleSettings(field="full_name", reason="empty")


async def register_user(uow: UnitOfWork, *, phone: str, full_name: str, channel: Channel | None = None,
                        address: str | None = None, handle: str | None = None) -> User:
    """Find or create the user with this verified phone, and link the channel identity if given.

    Idempotent: registering the same phone again updates the name and changes nothing else, so
    a repeated contact share or a duplicate webhook has one effect. An account never becomes a
    member silently: one new to a user who already uses another account, or one that is someone's
    and now shows another phone, is refused (NeedsConfirmation, changing nothing); the channels
    present phones through core/identity_claims.py, which asks for the confirmation instead.
    """
    e164, name = normalize_phone(phone), clean_name(full_name)
    async with uow:
        user, identity = await lock_phone_and_identity(uow, e164, channel, address)
        if identity is not None and (user is None or identity.user_id != user.id) or (
                identity is None and address is not None and user is not None and await has_identity(uow, user.id)):
            raise NeedsConfirmation()
        user = await enroll(uow, user, e164, name, channel, address, handle, identity)
        await uow.commit()
        return user


async def lock_phone_and_identity(uow: UnitOfWork, phone: str, channel: Channel | None,
                                  address: str | None) -> tuple[User | None, ChannelIdentity | None]:
    """The user with this phone and the account, locked for the caller's decision about them."""
    session = uow.session
    user = (await session.execute(select(User).where(User.phone == phone).with_for_update())).scalar_one_or_none()
    if channel is None or address is None:
        return user, None
    identity = (await session.execute(
        select(ChannelIdentity).where(ChannelIdentity.channel == channel, ChannelIdentity.address == address)
        .with_for_update())).scalar_one_or_none()
    return user, identity


async def enroll(uow: UnitOfWork, user: User | None, phone: str, name: str, channel: Channel | None,
                 address: str | None, handle: str | None, identity: ChannelIdentity | None) -> User:
    """In the caller's transaction: create the user (or rename them), and link or refresh the account,
    once the caller has decided this account may act as them."""
    if user is None:
        user = User(id=uuid.uuid4(), phone=phone, full_name=name, created_at=uow.now(), updated_at=uow.now())
        uow.session.add(user)
        uow.emit(UserRegistered(circle_id=None, actor_id=user.id, user_id=user.id, phone=phone, full_name=name))
    elif user.full_name != name:
        user.full_name, user.updated_at = name, uow.now()
        uow.emit(UserRenamed(circle_id=None, actor_id=user.id, user_id=user.id, full_name=name))
    if identity is not None:
        identity.handle = handle
    elif channel is not None and address is not None:
        await uow.session.flush()
        await link_identity(uow, user.id, channel, address, handle, actor=user.id)
    return user


async def has_identity(uow: UnitOfWork, user_id: uuid.UUID) -> bool:
    return bool(await uow.session.scalar(select(exists().where(ChannelIdentity.user_id == user_id))))


async def link_identity(uow: UnitOfWork, user_id: uuid.UUID, channel: Channel, address: str, handle: str | None,
                        *, actor: uuid.UUID) -> None:
    """In the caller's transaction: `address` on `channel` now acts as the user (`actor` allowed it)."""
    uow.session.add(ChannelIdentity(user_id=user_id, channel=channel, address=address, handle=handle,
                                    created_at=uow.now()))
    await uow.session.flush()
    uow.emit(IdentityLinked(circle_id=None, actor_id=actor, user_id=user_id, channel=channel.value, address=address))


async def rename_user(uow: UnitOfWork, *, user_id: uuid.UUID, full_name: str) -> User:
    """The name a member chose (WhatsApp asks those whose profile has none)."""
    name = clean_name(full_name)
    async with uow:
        user = (await uow.session.execute(select(User).where(User.id == user_id).with_for_update())).scalar_one()
        if user.full_name != name:
            user.full_name, user.updated_at = name, uow.now()
            uow.emit(UserRenamed(circle_id=None, actor_id=user.id, user_id=user.id, full_name=name))
        await uow.commit()
        return user


def identity_query(channel: Channel, address: str) -> Select:
    return (select(User).join(ChannelIdentity, ChannelIdentity.user_id == User.id)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.address == address))


async def user_by_identity(uow: UnitOfWork, channel: Channel, address: str) -> User | None:
    async with uow:
        return (await uow.session.execute(identity_query(channel, address))).scalar_one_or_none()


async def member_by_handle(uow: UnitOfWork, circle_id: uuid.UUID, channel: Channel, handle: str) -> User | None:
    """A circle member by the handle people type (`@grace`), case-insensitively. Handles are refreshed
    with every update (core/inbox.py), but one who has not written since giving theirs up still holds
    it: two members with one handle is refused (AmbiguousHandle), never guessed."""
    async with uow:
        found = (await uow.session.execute(
            select(User).join(ChannelIdentity, ChannelIdentity.user_id == User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.circle_id == circle_id, ChannelIdentity.channel == channel,
                   func.lower(ChannelIdentity.handle) == handle.lstrip("@").lower()).limit(2))).scalars().all()
    if len(found) > 1:
        raise AmbiguousHandle(handle=handle.lstrip("@"))
    return found[0] if found else None


async def touch_inbound(uow: UnitOfWork, channel: Channel, address: str) -> None:
    """They just wrote to us: on WhatsApp this opens a 24-hour window for free-form messages."""
    async with uow:
        await uow.session.execute(update(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.address == address).values(last_inbound_at=uow.now()))
        await uow.session.commit()
