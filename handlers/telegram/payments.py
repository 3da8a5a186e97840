"""/paid, and an organizer's Confirm / Reject — by button, by replying, or by naming the member."""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from core.contributions import confirm_contribution, mark_paid, pending_contribution_of, reject_contribution
from core.errors import ContributionNotFound, CoreError
from core.events import PaymentMarked
from core.models import Circle, Contribution, User
from core.money import parse_amount
from handlers.telegram import organizer, texts
from handlers.telegram.common import change, chat_circle, is_group, registered_user, update_uow
from handlers.telegram.membership import named_member
from handlers.telegram.paying import paid_privately
from handlers.telegram.setup import on_setup_answer

CONFIRM, REJECT = "pay:ok:", "pay:no:"
# Reject's follow-ups, in a private chat: why, and for a short amount how much did arrive. The
# currency rides along (…:<id>:KES) to read a typed amount; a forged one only misreads it.
SHORT, NOT_RECEIVED, OTHER, SHORT_UNKNOWN, BACK = "pay:rs:", "pay:rn:", "pay:ro:", "pay:rq:", "pay:bk:"
REASONS = {NOT_RECEIVED: "not_received", OTHER: "other", SHORT_UNKNOWN: "short"}


def decision_buttons(contribution_id: uuid.UUID | str, currency: str = "") -> InlineKeyboardMarkup:
    reject = f"{REJECT}{contribution_id}" + (f":{currency}" if currency else "")
    return InlineKeyboardMarkup([[InlineKeyboardButton("✅ Confirm", callback_data=f"{CONFIRM}{contribution_id}"),
                                  InlineKeyboardButton("❌ Reject", callback_data=reject)]])


def reason_buttons(contribution_id: uuid.UUID, currency: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(texts.REASONS["short"], callback_data=f"{SHORT}{contribution_id}:{currency}"),
         InlineKeyboardButton(texts.REASONS["not_received"], callback_data=f"{NOT_RECEIVED}{contribution_id}")],
        [InlineKeyboardButton(texts.REASONS["other"], callback_data=f"{OTHER}{contribution_id}"),
         InlineKeyboardButton("↩️ Back", callback_data=f"{BACK}{contribution_id}:{currency}")]])


def short_buttons(contribution_id: uuid.UUID, currency: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        "🤷 Don't know", callback_data=f"{SHORT_UNKNOWN}{contribution_id}:{currency}")]])


async def cmd_paid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not is_group(update):
        return await paid_privately(update, context)
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    if organizer.names_someone_else(update, context):  # "/paid @bob", or a reply to Bob's message
        await organizer.paid_for(update, context, circle, user)
        return
    amount = None
    if words := [a for a in context.args or [] if not a.startswith("@")]:  # "@me" names the sender
        amount = parse_amount(" ".join(words), circle.currency)  # another currency is refused
    uow = change(update, context)
    paid = await mark_paid(uow, actor=user.id, circle_id=circle.id, amount=amount)
    cycle_number = next(e.cycle_number for e in uow.committed if isinstance(e, PaymentMarked))
    await update.effective_message.reply_text(texts.payment_marked(user.full_name, circle, paid.amount, cycle_number),
                                              reply_markup=decision_buttons(paid.id))


async def on_decision_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not is_group(update):
        return await on_private_decision(update, context)
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    confirm = query.data.startswith(CONFIRM)
    contribution_id = _id(query.data[len(CONFIRM):], ContributionNotFound)
    decided = await _decide(update, context, circle, user, contribution_id, confirm)
    await query.answer(texts.TOAST_DECIDED[confirm])
    await query.edit_message_text(_decided_text(circle, decided, user))


async def on_private_decision(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An organizer's own copy of a payment. No circle in a private chat: core takes the payment's
    and checks the presser organizes it. Reject first asks why (nothing changes until a reason)."""
    query = update.callback_query
    if not (user := await registered_user(update, context)):
        return
    action = query.data[:7]
    payment, _, currency = query.data[7:].partition(":")
    contribution_id = _id(payment, ContributionNotFound)
    original = query.message.text.split("\n\n")[0]
    if action == REJECT:
        ask, markup = texts.WHY_REJECT, reason_buttons(contribution_id, currency)
    elif action == SHORT:
        ask, markup = texts.HOW_SHORT, short_buttons(contribution_id, currency)
    elif action == BACK:
        ask, markup = "", decision_buttons(contribution_id, currency)
    else:
        return await _decide_privately(update, context, user, contribution_id, REASONS.get(action), None)
    await query.answer()
    await query.edit_message_text(original + (f"\n\n{ask.format(user=_payer(original))}" if ask else ""),
                                  reply_markup=markup)
    return None


async def on_short_amount(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply, in a private chat, to the "how much did arrive?" question: the amount that did."""
    message = update.effective_message
    asked = message.reply_to_message
    contribution_id, currency = _asked_short(asked, context.bot.id)
    if contribution_id is None:
        return await on_setup_answer(update, context)
    if not (user := await registered_user(update, context)):
        return
    received = parse_amount(message.text, currency)
    await _decide_privately(update, context, user, contribution_id, "short", received, asked)


async def _decide_privately(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User,
                            contribution_id: uuid.UUID, reason: str | None, received: int | None,
                            post: Message | None = None) -> None:
    uow = change(update, context)
    if reason is None:
        await confirm_contribution(uow, actor=user.id, contribution_id=contribution_id)
        outcome = texts.YOU_CONFIRMED
    else:
        await reject_contribution(uow, actor=user.id, contribution_id=contribution_id, reason=reason,
                                  received=received)
        outcome = texts.YOU_REJECTED.replace("{why}", texts.REASONS[reason].lower())
    post = post or update.callback_query.message
    original = post.text.split("\n\n")[0]
    text = original + "\n\n" + outcome.format(user=_payer(original))
    if update.callback_query is not None:
        await update.callback_query.answer(texts.TOAST_DECIDED[reason is None])
        await update.callback_query.edit_message_text(text)
    else:
        await context.bot.edit_message_text(text, chat_id=post.chat.id, message_id=post.message_id)
        await update.effective_message.reply_text(outcome.format(user=_payer(original)))


def _payer(post_text: str) -> str:
    return post_text.removeprefix("💸 ").split(" says they paid")[0]


def _asked_short(message: Message | None, bot_id: int) -> tuple[uuid.UUID | None, str]:
    """The payment (and its currency) whose "how much did arrive?" question a message is."""
    if message is None or message.from_user is None or message.from_user.id != bot_id or not message.reply_markup:
        return None, ""
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data and button.callback_data.startswith(SHORT_UNKNOWN):
                payment, _, currency = button.callback_data[len(SHORT_UNKNOWN):].partition(":")
                return _id(payment, ContributionNotFound), currency
    return None, ""


def _id(text: str, error: type[CoreError]) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise error() from None


async def cmd_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _decide_by_command(update, context, confirm=True)


async def cmd_reject(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _decide_by_command(update, context, confirm=False)


async def _decide_by_command(update: Update, context: ContextTypes.DEFAULT_TYPE, *, confirm: bool) -> None:
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    contribution_id = _from_payment_post(update.effective_message.reply_to_message, context.bot.id)
    if contribution_id is None:
        member = await named_member(update, context, circle)
        if member is None:
            await update.effective_message.reply_text(
                texts.WHO_USAGE.format(command="confirm" if confirm else "reject"))
            return
        contribution_id = (await pending_contribution_of(update_uow(context), circle_id=circle.id,
                                                         member=member.id)).id
    decided = await _decide(update, context, circle, user, contribution_id, confirm)
    await update.effective_message.reply_text(_decided_text(circle, decided, user))


def _from_payment_post(message: Message | None, bot_id: int) -> uuid.UUID | None:
    """The payment a reply points at: read from the buttons of the bot's own payment post."""
    if message is None or message.from_user is None or message.from_user.id != bot_id or not message.reply_markup:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data and button.callback_data.startswith(CONFIRM):
                return uuid.UUID(button.callback_data[len(CONFIRM):])
    return None


async def _decide(update: Update, context: ContextTypes.DEFAULT_TYPE, circle: Circle, user: User,
                  contribution_id: uuid.UUID,
                  confirm: bool) -> Contribution:
    # Buttons can be pressed from any chat and callback data forged: core refuses a payment that is
    # not this chat's circle's, and checks that the presser is its organizer.
    decide = confirm_contribution if confirm else reject_contribution
    return await decide(change(update, context), actor=user.id, contribution_id=contribution_id, circle_id=circle.id)


def _decided_text(circle: Circle, decided: Contribution, by: User) -> str:
    return texts.payment_decided(decided.payer.full_name, circle, decided.amount, decided.status, by.full_name)

