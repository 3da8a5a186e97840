"""/paid, and an organizer's Confirm / Reject — by button, by replying, or by naming the member."""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from core.contributions import confirm_contribution, mark_paid, pending_contribution_of, reject_contribution
from core.errors import ContributionNotFound
from core.events import PaymentMarked
from core.models import Circle, Contribution, User
from core.money import parse_amount
from handlers.telegram import organizer, texts
from handlers.telegram.common import change, chat_circle, is_group, registered_user, update_uow
from handlers.telegram.membership import named_member
from handlers.telegram.paying import paid_privately

CONFIRM, REJECT = "pay:ok:", "pay:no:"


def decision_buttons(contribution_id: uuid.UUID) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("✅ Confirm", callback_data=f"{CONFIRM}{contribution_id}"),
                                  InlineKeyboardButton("❌ Reject", callback_data=f"{REJECT}{contribution_id}")]])


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
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    confirm = query.data.startswith(CONFIRM)
    try:
        contribution_id = uuid.UUID(query.data[len(CONFIRM):])
    except ValueError:
        raise ContributionNotFound() from None
    decided = await _decide(update, context, circle, user, contribution_id, confirm)
    await query.answer("Confirmed ✅" if confirm else "Rejected ❌")
    await query.edit_message_text(_decided_text(circle, decided, user))


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

