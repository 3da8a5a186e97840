"""Registration: the phone number comes from Telegram's own contact share, and must be the sender's.

A number that is already a member's, shared from an account new to them, waits for a confirmation;
another number shared from a member's own account is a number change they confirm here
(core/identity_claims.py). Those questions, and the answers, are buttons.
"""

from __future__ import annotations

import uuid
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import ContextTypes

from core.circles import circle_by_code
from core.conversations import clear_state, load_state, save_state
from core.errors import ClaimNotFound
from core.identity_claims import claim_waiting, decide_claim, present_phone
from core.users import first_usable_name
from handlers import i18n
from handlers.i18n import _
from handlers.telegram import setup, texts
from handlers.telegram.common import TG, acting_user, update_uow
from handlers.telegram.membership import join_and_reply

CLAIM = "claim:"  # claim:ok:<claim id> / claim:no:<claim id>
NOTICES = ("identity_claim", "identity_claim_organizer", "identity_claim_decided", "phone_changed")


def share_phone() -> ReplyKeyboardMarkup:
    """The keyboard whose one button shares the sender's own phone number (labelled in their language)."""
    return ReplyKeyboardMarkup([[KeyboardButton(_("📱 Share my phone number"), request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payload = context.args[0] if context.args else None
    user = await acting_user(update, context)
    if user is None:
        if await claim_waiting(update_uow(context), TG, str(update.effective_user.id)):
            await update.effective_message.reply_text(str(texts.CLAIM_WAITING))
            return
        if payload:  # kept beside a setup begun in a group (handlers/telegram/setup.py), not over it
            chat = str(update.effective_chat.id)
            state = await load_state(update_uow(context), TG, chat, chat) or {}
            await save_state(update_uow(context), TG, chat, chat, {**state, "after_register": payload[:64]})
        await update.effective_message.reply_text(str(texts.ASK_CONTACT), reply_markup=share_phone())
        return
    if payload and payload.startswith(("join-", "new-")):
        await _continue(update, context, user, payload)
    else:  # no payload, or one we don't know (an old or hand-made link)
        await update.effective_message.reply_text(texts.WELCOME_BACK.format(name=user.full_name, phone=user.phone))


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    contact, sender = update.effective_message.contact, update.effective_user
    if contact.user_id != sender.id:  # a forwarded vCard proves nothing about the sender
        await update.effective_message.reply_text(str(texts.NOT_YOUR_CONTACT), reply_markup=share_phone())
        return
    phone = contact.phone_number if contact.phone_number.startswith("+") else "+" + contact.phone_number
    name = first_usable_name(sender.full_name, sender.username and "@" + sender.username,
                             texts.member_placeholder("Telegram", str(sender.id)))
    presented = await present_phone(update_uow(context), channel=TG, address=str(sender.id), phone=phone,
                                    full_name=name, handle=sender.username, language=i18n.current())
    user, claim = presented.user, presented.claim
    if user is None:
        await update.effective_message.reply_text(str(texts.CLAIM_WAITING), reply_markup=ReplyKeyboardRemove())
        return
    if claim is not None:  # their own account, another number: ask before changing anything
        await update.effective_message.reply_text(
            texts.NUMBER_CHANGE_ASK.format(old_end=user.phone[-2:], new=claim.phone),
            reply_markup=_claim_buttons(claim.id, str(texts.NUMBER_CHANGE_YES),
                                        texts.NUMBER_CHANGE_NO.format(old_end=user.phone[-2:])))
        return
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


async def on_claim_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Yes / No under a claim (the member's other account, or an organizer) or a number change."""
    query = update.callback_query
    answer, __, claim = query.data.removeprefix(CLAIM).partition(":")
    try:
        claim_id = uuid.UUID(claim)
    except ValueError:
        raise ClaimNotFound() from None
    decision = await decide_claim(update_uow(context), claim_id=claim_id, approve=answer == "ok",
                                  by=(TG, str(update.effective_user.id)))
    user, words = decision.user, {"member": decision.user.full_name, "app": str(texts.APPS[decision.channel])}
    if decision.number_change:
        text = (texts.NUMBER_CHANGED if decision.approved else texts.NUMBER_KEPT).format(phone=user.phone)
    elif decision.approved:
        text = texts.CLAIM_LINKED_YOURS if decision.by.id == user.id else texts.CLAIM_LINKED
    else:
        text = texts.CLAIM_REFUSED
    await query.answer()
    await query.edit_message_text(text.format_map(words))


def _claim_buttons(claim_id: uuid.UUID, yes: str, no: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(yes, callback_data=f"{CLAIM}ok:{claim_id.hex}"),
                                  InlineKeyboardButton(no, callback_data=f"{CLAIM}no:{claim_id.hex}")]])


def notice(kind: str, p: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup | None]:
    """An outbox message of NOTICES (core/identity_notices.py), in words and buttons."""
    words = p | {"app": str(texts.APPS.get(p.get("app", ""), ""))}
    if kind == "identity_claim":
        return texts.CLAIM_QUESTION.format_map(words), _claim_buttons(uuid.UUID(p["claim_id"]), str(texts.CLAIM_YES),
                                                                        str(texts.CLAIM_NO))
    if kind == "identity_claim_organizer":
        return texts.CLAIM_FOR_ORGANIZER.format_map(words), _claim_buttons(
            uuid.UUID(p["claim_id"]), texts.CLAIM_YES_ORGANIZER.format_map(words), str(texts.CLAIM_NO_ORGANIZER))
    if kind == "identity_claim_decided":
        return (texts.CLAIM_APPROVED if p["approved"] else texts.CLAIM_DENIED).format_map(words), None
    return texts.PHONE_CHANGED.format_map(words), None


async def _continue(update: Update, context: ContextTypes.DEFAULT_TYPE, user, payload: str) -> None:
    """Finish what the person tried in the group before registering."""
    if payload.startswith("join-"):
        circle = await circle_by_code(update_uow(context), payload.removeprefix("join-"))
        await join_and_reply(update, context, user, circle)
    elif payload.startswith("new-"):
        await setup.resume(update, context, user, payload.removeprefix("new-"))
