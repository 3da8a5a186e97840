"""Updates about the chat itself: duplicates, supergroup moves, the bot or a member leaving, edits."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DataError, DBAPIError
from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import metrics
from core.chats import circle_for_chat, move_chat
from core.circles import member_role
from core.inbox import arrive
from core.users import user_by_identity
from handlers.parsing import storable
from handlers.telegram import language, texts
from handlers.telegram.common import TG, delivery_key, rosca, update_uow
from handlers.telegram.errors import tell

log = logging.getLogger(__name__)


async def refuse_unstorable(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first: what someone typed (a message, a caption, a button's data) that the database can't
    keep (a NUL byte) is refused before anything acts on it. In a group, only a command is answered:
    other chatter is none of our business."""
    language.hear(update, None)  # their app's language, until the chat's is looked up
    message, query = update.message, update.callback_query
    typed = query.data if query is not None else (message.text or message.caption) if message is not None else None
    if typed is None or storable(typed):
        return
    if query is not None or message.chat.type == "private" or typed.startswith("/"):
        await tell(update, str(texts.UNSTORABLE))
    raise ApplicationHandlerStop


async def drop_duplicates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: an update delivered twice (webhook retry, restart) is handled once.
    With the database away, it answers for all of them and stops the update here."""
    sender, chat = update.effective_user, update.effective_chat
    uow = rosca(context).new_uow()
    try:
        context.arrival = await arrive(uow, TG, delivery_key(context.bot, update),
                                       sender=str(sender.id) if sender else None, chat=str(chat.id) if chat else None,
                                       handle=sender.username if sender else None)
    except DataError:  # it refused something the update carries (a NUL in a username): an input error
        log.info("update %s: input refused by the database", update.update_id)
        await tell(update, str(texts.UNSTORABLE))
        raise ApplicationHandlerStop from None
    except DBAPIError:
        log.warning("update %s: database unavailable", update.update_id)
        metrics.count_error("telegram", metrics.DATABASE)  # answered here, so the error handler never sees it
        await tell(update, str(texts.DATABASE_AWAY))
        raise ApplicationHandlerStop from None
    if not context.arrival.first:
        log.info("update %s already handled; skipped", update.update_id)
        raise ApplicationHandlerStop
    language.hear(update, context.arrival)
    rosca(context).updates[update.update_id] = uow


async def finish_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs after every handler (and after the error handler): records the update as handled if no
    change claimed it (a read, a help text, a refusal)."""
    own = rosca(context).updates.pop(update.update_id, None)
    if own is None:
        return
    try:
        await own.finish()
    except DBAPIError:  # recorded nothing: a redelivery would be handled again, which changes nothing
        log.warning("update %s: could not record its delivery", update.update_id)


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group upgraded to a supergroup gets a new chat id; its circles follow it."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        moved = await move_chat(update_uow(context), TG, str(message.chat.id), str(message.migrate_to_chat_id))
        log.info("chat %s moved to %s with %d circle(s)", message.chat.id, message.migrate_to_chat_id, moved)


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Removed from a group: nothing is deleted — the circle and its history stay, and everything
    works again if the bot is added back. Only logged, since the bot can no longer post there."""
    change = update.my_chat_member
    if change.new_chat_member.status in ("left", "kicked"):
        log.warning("removed from chat %s (%s)", change.chat.id, change.new_chat_member.status)


async def on_member_left(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Leaving the group chat is not leaving the circle (payments and payouts are real commitments):
    tell the group, so organizers can follow up."""
    message = update.effective_message
    person = message.left_chat_member
    circle = await circle_for_chat(update_uow(context), TG, str(message.chat.id))
    if circle is None or person.is_bot:
        return
    user = await user_by_identity(update_uow(context), TG, str(person.id))
    if user is not None and await member_role(update_uow(context), circle.id, user.id) is not None:
        await message.reply_text(texts.STILL_A_MEMBER.format(name=user.full_name, circle=circle.name))


async def on_edited_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acting on edits would let one message act twice; say so instead."""
    await update.effective_message.reply_text(str(texts.NEW_MESSAGES_ONLY))


async def on_wrong_place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    private = update.effective_chat.type == "private"
    await update.effective_message.reply_text(str(texts.GROUP_ONLY if private else texts.PRIVATE_ONLY))


async def on_stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer(str(texts.STALE_BUTTON), show_alert=True)
