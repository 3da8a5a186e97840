"""Registration: the phone number comes from Telegram's own contact share, and must be the sender's."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import ContextTypes

from core.circles import circle_by_code
from core.conversations import clear_state, load_state, save_state
from core.users import register_user
from handlers.telegram import setup, texts
from handlers.telegram.common import TG, acting_user, update_uow
from handlers.telegram.membership import join_and_reply

SHARE_PHONE = ReplyKeyboardMarkup([[KeyboardButton("📱 Share my phone number", request_contact=True)]],
                                  resize_keyboard=True, one_time_keyboard=True)


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payload = context.args[0] if context.args else None
    user = await acting_user(update, context)
    if user is None:
        if payload:  # kept beside a setup begun in a group (handlers/telegram/setup.py), not over it
            chat = str(update.effective_chat.id)
            state = await load_state(update_uow(context), TG, chat, chat) or {}
            await save_state(update_uow(context), TG, chat, chat, {**state, "after_register": payload[:64]})
        await update.effective_message.reply_text(texts.ASK_CONTACT, reply_markup=SHARE_PHONE)
        return
    if payload and payload.startswith(("join-", "new-")):
        await _continue(update, context, user, payload)
    else:  # no payload, or one we don't know (an old or hand-made link)
        await update.effective_message.reply_text(texts.WELCOME_BACK.format(name=user.full_name, phone=user.phone))


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    contact, sender = update.effective_message.contact, update.effective_user
    if contact.user_id != sender.id:  # a forwarded vCard proves nothing about the sender
        await update.effective_message.reply_text(texts.NOT_YOUR_CONTACT, reply_markup=SHARE_PHONE)
        return
    phone = contact.phone_number if contact.phone_number.startswith("+") else "+" + contact.phone_number
    user = await register_user(update_uow(context), phone=phone, full_name=sender.full_name,
                               channel=TG, address=str(sender.id), handle=sender.username)
    await update.effective_message.reply_text(texts.REGISTERED.format(name=user.full_name, phone=user.phone),
                                              reply_markup=ReplyKeyboardRemove())
    chat = str(update.effective_chat.id)
    state = await load_state(update_uow(context), TG, chat, chat)
    if state and state.get("after_register"):
        payload = state.pop("after_register")
        if state:
            await save_state(update_uow(context), TG, chat, chat, state)
        else:
            await clear_state(update_uow(context), TG, chat, chat)
        await _continue(update, context, user, payload)


async def _continue(update: Update, context: ContextTypes.DEFAULT_TYPE, user, payload: str) -> None:
    """Finish what the person tried in the group before registering."""
    if payload.startswith("join-"):
        circle = await circle_by_code(update_uow(context), payload.removeprefix("join-"))
        await join_and_reply(update, context, user, circle)
    elif payload.startswith("new-"):
        await setup.resume(update, context, user, payload.removeprefix("new-"))
