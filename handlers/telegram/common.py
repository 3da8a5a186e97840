"""What every Telegram handler needs: the unit-of-work factory, who is acting, which circle is here."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackContext, ContextTypes

from core.chats import circle_for_chat
from core.draws import BeaconFetch
from core.errors import CircleNotFound
from core.inbox import Arrival
from core.models import Channel, Circle, User
from core.uow import UnitOfWork
from core.users import user_by_identity
from handlers.i18n import _
from handlers.telegram import texts

TG = Channel.TELEGRAM


@dataclass(frozen=True)
class Rosca:
    """Put in `application.bot_data["rosca"]` by the wiring."""

    new_uow: Callable[[], UnitOfWork]
    organizer_absent_days: int  # Settings.organizer_absent_days: when members may vote (core/stewardship.py)
    beacon: BeaconFetch  # the public random number draws mix in (bot/beacon.py)
    # Each update's unit of work, carrying its delivery until a change claims it, by update id
    # (housekeeping puts and takes them): kept here rather than on the context, since
    # python-telegram-bot hands the error handler a context of its own.
    updates: dict[int, UnitOfWork] = field(default_factory=dict)


def rosca(context: ContextTypes.DEFAULT_TYPE | Application) -> Rosca:
    return context.bot_data["rosca"]


def delivery_key(bot: Bot, update: Update | None) -> str:
    """An update's delivery key (core/inbox.py): update ids are per bot. None: the prefix of all of them."""
    return f"{bot.id}:" + (str(update.update_id) if update is not None else "")


class RoscaContext(CallbackContext):
    """python-telegram-bot's per-update context, carrying what the update's first step looked up
    (sender and chat circle, see housekeeping.drop_duplicates) so handlers don't ask again, and the
    update's own unit of work, whose first change claims the update's delivery."""

    __slots__ = ("arrival", "update_id")

    def __init__(self, application: Application, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application, chat_id, user_id)
        self.arrival: Arrival | None = None
        self.update_id: int | None = None

    @classmethod
    def from_update(cls, update: object, application: Application) -> RoscaContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context.update_id = update.update_id
        return context

    @property
    def own_uow(self) -> UnitOfWork | None:
        return self.bot_data["rosca"].updates.get(self.update_id)


CONTEXT_TYPES = ContextTypes(context=RoscaContext)


def update_uow(context: ContextTypes.DEFAULT_TYPE) -> UnitOfWork:
    """The update's own unit of work (its first change claims the update's delivery: one
    transaction, exactly once), else a new one.

    Handlers take every unit of work from here, never from the factory: an update then holds at most
    one connection at a time, and a burst of updates cannot take the whole pool while each waits for
    a second connection (tests/channels/test_one_connection_per_update.py)."""
    own = getattr(context, "own_uow", None)
    return own if own is not None else rosca(context).new_uow()


def change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> UnitOfWork:
    """A unit of work for a change made from this chat: the chat gets our direct reply, so the
    outbox announces the change to everyone else (other groups, WhatsApp members)."""
    uow = update_uow(context)
    uow.origin = (TG, str(update.effective_chat.id))
    return uow


async def acting_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> User | None:
    sender = update.effective_user
    if sender is None:
        return None
    if getattr(context, "arrival", None) is not None:
        return context.arrival.user
    return await user_by_identity(update_uow(context), TG, str(sender.id))


async def registered_user(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str = "register") -> User | None:
    """The acting user, or None after showing an unregistered sender the way to register.

    The button deep-links to the private chat with `payload`, so the action they tried (joining,
    say) completes right after they share their phone.
    """
    user = await acting_user(update, context)
    if user is None and update.callback_query is not None:
        await update.callback_query.answer(texts.REGISTER_FIRST.format(name=update.effective_user.first_name),
                                           show_alert=True)
    elif user is None:
        link = f"https://t.me/{context.bot.username}?start={payload}"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(_("Register with the bot"), url=link)]])
        await update.effective_message.reply_text(
            texts.REGISTER_FIRST.format(name=update.effective_user.first_name), reply_markup=markup)
    return user


async def chat_circle(update: Update, context: ContextTypes.DEFAULT_TYPE, *, include_ended: bool = False) -> Circle:
    arrival = getattr(context, "arrival", None)
    if arrival is not None and (arrival.circle is not None or not include_ended):
        circle = arrival.circle
    else:
        circle = await circle_for_chat(update_uow(context), TG, str(update.effective_chat.id),
                                       include_ended=include_ended)
    if circle is None:
        raise CircleNotFound()
    return circle



def button_circle(update: Update, prefix: str) -> uuid.UUID:
    """The circle a button names after `prefix` ("paid:<circle id>"); forged data is no circle."""
    try:
        return uuid.UUID(update.callback_query.data[len(prefix):])
    except ValueError:
        raise CircleNotFound() from None


def is_group(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type in ("group", "supergroup")

