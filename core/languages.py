"""Which language a person and a circle hear. Core keeps the choice, not the words: the channels
(handlers/i18n.py) decide which languages they can speak and turn the code into text."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from core.errors import InvalidCircleSettings
from core.events import CircleLanguageChanged, LanguageChosen
from core.guards import lock_circle, require_organizer, require_running
from core.models import Circle, User
from core.uow import UnitOfWork

_CODE = re.compile(r"[a-z]{2,3}")  # an ISO 639 language code, as the catalogs are named


def valid_language(language: str) -> str:
    if not _CODE.fullmatch(language or ""):
        raise InvalidCircleSettings(field="language", reason="unknown")
    return language


async def choose_language(uow: UnitOfWork, *, user_id: uuid.UUID, language: str) -> User:
    """The language of someone's private messages, as they chose it."""
    valid_language(language)
    async with uow:
        user = (await uow.session.execute(select(User).where(User.id == user_id).with_for_update())).scalar_one()
        note_language(uow, user, language)
        await uow.commit()
        return user


def note_language(uow: UnitOfWork, user: User, language: str) -> None:
    """In the caller's transaction: `user` hears `language` from now on (audited when it changes)."""
    if user.language != valid_language(language):
        user.language, user.updated_at = language, uow.now()
        uow.emit(LanguageChosen(circle_id=None, actor_id=user.id, user_id=user.id, language=language))


async def set_circle_language(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, language: str) -> Circle:
    """Organizers choose the language of the circle's group messages and status card."""
    valid_language(language)
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_organizer(uow.session, circle_id, actor)
        require_running(circle)
        if circle.language != language:
            previous, circle.language = circle.language, language
            uow.emit(CircleLanguageChanged(circle_id=circle_id, actor_id=actor, language=language, previous=previous))
        await uow.commit()
        return circle
