"""Joining, leaving, removing, starting early and cancelling a circle."""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from core.circles import (
    bring_into_chat,
    cancel_circle,
    circle_by_code,
    join_circle,
    leave_circle,
    member_count,
    member_role,
    remove_member,
    start_circle,
)
from core.errors import CircleNotFound, NotOrganizer
from core.models import Circle, PayoutOrder, Role, User
from core.users import member_by_handle, user_by_identity
from handlers.i18n import _
from handlers.telegram import texts
from handlers.telegram.common import TG, acting_user, change, chat_circle, is_group, registered_user, update_uow
from handlers.telegram.draws import order_fair_button


async def join_and_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, circle: Circle, *,
                         by_code: bool = False) -> None:
    """`by_code`: typed /join CODE in a private chat, so perhaps not in the circle's group: the
    circle's announcements reach them privately too."""
    await join_circle(change(update, context), actor=user.id, circle_id=circle.id, privately=by_code)
    seats = await member_count(update_uow(context), circle.id)
    if is_group(update):
        await update.effective_message.reply_text(texts.joined(user.full_name, circle, seats))
    else:  # the group, if any, hears it from the outbox
        await update.effective_message.reply_text((texts.JOINED_HERE if by_code else texts.JOINED_SEE_GROUP)
                                                  .format(circle=circle.name))


async def cmd_join(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group: its circle (or, in a group without one, an organizer's circle by its code: it then
    lives in this group too). In a private chat: any circle by its join code (one made on WhatsApp)."""
    if is_group(update):
        try:
            circle = await chat_circle(update, context)
        except CircleNotFound:
            if not context.args:
                raise
            return await _bring_here(update, context, context.args[0])
    elif context.args:
        circle = await circle_by_code(update_uow(context), context.args[0])
    else:
        await update.effective_message.reply_text(str(texts.JOIN_USAGE))
        return
    user = await registered_user(update, context, payload=f"join-{circle.join_code}")
    if user is not None:
        await join_and_reply(update, context, user, circle, by_code=not is_group(update))


async def _bring_here(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    circle = await circle_by_code(update_uow(context), code)
    if not (user := await registered_user(update, context)):
        return
    await bring_into_chat(change(update, context), actor=user.id, circle_id=circle.id,
                          chat=(TG, str(update.effective_chat.id)))
    seats = await member_count(update_uow(context), circle.id)
    brought = texts.BROUGHT_HERE.format(actor=user.full_name, circle=circle.name, members=seats,
                                        total=circle.total_members, frequency=texts.frequency(circle),
                                        money=texts.money(circle, circle.amount_per_cycle))
    await update.effective_message.reply_text(brought, reply_markup=announcement_markup(circle))


JOIN = "join:"


def announcement_markup(circle: Circle, *, join: bool = True) -> InlineKeyboardMarkup | None:
    """Join, and for a circle whose whole order is drawn, how that draw is fair (its commitment is
    public from creation on, so nobody can re-roll the order by choosing when to start)."""
    row = [InlineKeyboardButton(str(texts.JOIN_BUTTON), callback_data=f"{JOIN}{circle.id}")] if join else []
    if circle.payout_order == PayoutOrder.DRAWN_AT_START:
        row.append(order_fair_button(circle.id))
    return InlineKeyboardMarkup([row]) if row else None


async def on_join_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The announcement's Join: for the circle of the chat it is pressed in (core checks the rest).
    Someone not registered yet is taken to the private chat to share their phone, then joined."""
    query = update.callback_query
    circle = await chat_circle(update, context)
    if query.data != f"{JOIN}{circle.id}":
        await query.answer(str(texts.STALE_BUTTON), show_alert=True)
        return
    user = await acting_user(update, context)
    if user is None:  # Telegram opens the t.me link: the private chat, /start join-CODE
        await query.answer(url=f"https://t.me/{context.bot.username}?start=join-{circle.join_code}")
        return
    await join_and_reply(update, context, user, circle)
    await query.answer(texts.JOINED_TOAST.format(circle=circle.name))


async def cmd_leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if user := await registered_user(update, context):
        await leave_circle(change(update, context), actor=user.id, circle_id=circle.id)
        await update.effective_message.reply_text(texts.LEFT.format(user=user.full_name, circle=circle.name))


async def cmd_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    target = await named_member(update, context, circle)
    if target is None:
        await update.effective_message.reply_text(str(texts.REMOVE_USAGE))
        return
    await remove_member(change(update, context), actor=user.id, circle_id=circle.id, user_id=target.id)
    await update.effective_message.reply_text(
        texts.REMOVED.format(user=target.full_name, circle=circle.name, actor=user.full_name))


async def named_member(update: Update, context: ContextTypes.DEFAULT_TYPE, circle: Circle) -> User | None:
    """The member meant by a reply to their message, or by `@username` after the command."""
    replied = update.effective_message.reply_to_message
    if replied is not None and replied.from_user and not replied.from_user.is_bot:
        return await user_by_identity(update_uow(context), TG, str(replied.from_user.id))
    if context.args and context.args[0].startswith("@"):
        return await member_by_handle(update_uow(context), circle.id, TG, context.args[0])
    return None


async def cmd_begin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if user := await registered_user(update, context):
        started = await start_circle(change(update, context), actor=user.id, circle_id=circle.id)
        await update.effective_message.reply_text(
            texts.STARTED.format(actor=user.full_name, circle=started.name, total_members=started.total_members))


async def cmd_cancelcircle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    if await member_role(update_uow(context), circle.id, user.id) != Role.ORGANIZER:
        raise NotOrganizer()
    button = InlineKeyboardButton(_("Yes, cancel the circle"), callback_data=f"cancel:{circle.id}")
    await update.effective_message.reply_text(texts.CANCEL_ASK.format(name=circle.name),
                                              reply_markup=InlineKeyboardMarkup([[button]]))


async def on_cancel_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    circle = await chat_circle(update, context)
    user = await registered_user(update, context)
    if user is None or query.data != f"cancel:{circle.id}":
        await query.answer(str(texts.NOT_YOURS_OR_OLD), show_alert=True)
        return
    await cancel_circle(change(update, context), actor=user.id, circle_id=uuid.UUID(query.data[7:]))
    await query.answer(str(texts.TOAST_CANCELLED))
    await query.edit_message_text(texts.CANCELLED.format(circle=circle.name, actor=user.full_name))
