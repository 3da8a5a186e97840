"""Paying with a tap, from the group or a private chat: the "I've paid" button, private /paid and /received.

The button carries its circle, so it works wherever it arrives (a group post, a private reminder);
core checks that the presser is a member of a running circle with an open cycle.
"""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from core.contributions import mark_paid
from core.errors import NotMember
from core.events import PaymentMarked
from core.history import MyCircle, my_circles, unacknowledged_payouts
from core.models import STILL_OWING, CircleStatus, User
from core.money import parse_amount
from core.payouts import acknowledge_payout
from core.uow import UnitOfWork
from handlers.i18n import money
from handlers.telegram import texts
from handlers.telegram.common import acting_user, button_circle, change, is_group, registered_user, update_uow

PAID = "paid:"


def paid_markup(circle_id: uuid.UUID | str, amount: int, currency: str) -> InlineKeyboardMarkup:
    label = texts.paid_button(money(amount, currency))
    button = InlineKeyboardButton(label, callback_data=f"{PAID}{circle_id}")
    return InlineKeyboardMarkup([[button]])


async def on_paid_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not (user := await acting_user(update, context)):
        raise NotMember()  # not registered, so in no circle: the alert says how to join
    circle_id = button_circle(update, PAID)
    # In a group the presser only gets a toast, so the announcement goes everywhere (the group too);
    # in a private chat our reply there is the confirmation.
    uow = update_uow(context) if is_group(update) else change(update, context)
    await mark_paid(uow, actor=user.id, circle_id=circle_id)
    await query.answer(str(texts.PAID_TOAST))
    if not is_group(update):
        await _tell_marked(update, context, user, uow)


async def paid_privately(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Private /paid: the person's one running circle, or a button per circle to choose from."""
    if not (user := await registered_user(update, context)):
        return
    running = [m for m in await my_circles(update_uow(context), user.id)
               if m.circle.status == CircleStatus.ACTIVE and m.cycle_number is not None]
    owing = [m for m in running if m.my_payment in STILL_OWING] or running
    if not owing:
        await update.effective_message.reply_text(str(texts.PAID_NO_CIRCLE))
    elif len(owing) == 1:
        circle = owing[0].circle
        amount = parse_amount(" ".join(context.args), circle.currency) if context.args else None
        uow = change(update, context)
        await mark_paid(uow, actor=user.id, circle_id=circle.id, amount=amount)
        await _tell_marked(update, context, user, uow)
    else:
        await update.effective_message.reply_text(str(texts.PAID_WHICH), reply_markup=_choices(owing))


def _choices(items: list[MyCircle]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        f"{m.circle.name} — {money(m.short or m.circle.amount_per_cycle, m.circle.currency)}",
        callback_data=f"{PAID}{m.circle.id}")] for m in items])


async def _tell_marked(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, uow: UnitOfWork) -> None:
    marked = next(e for e in uow.committed if isinstance(e, PaymentMarked))
    circle = next(m.circle for m in await my_circles(update_uow(context), user.id) if m.circle.id == marked.circle_id)
    await update.effective_message.reply_text(texts.PAID_NOTED.format(
        money=money(marked.amount, circle.currency), circle=circle.name, cycle_number=marked.cycle_number))


async def cmd_received(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The pot's receiver confirms it without the button (e.g. a member who has no group chat)."""
    if not (user := await registered_user(update, context)):
        return
    waiting = await unacknowledged_payouts(update_uow(context), user.id)
    if not waiting:
        await update.effective_message.reply_text(str(texts.RECEIVED_NONE))
        return
    payout = waiting[0]
    await acknowledge_payout(change(update, context), actor=user.id, payout_id=payout.payout_id)
    await update.effective_message.reply_text(
        texts.RECEIVED_PRIVATE.format(cycle_number=payout.cycle_number, circle=payout.circle_name))
