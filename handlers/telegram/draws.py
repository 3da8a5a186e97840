"""/draw, /verify, /payout and the receiver's "I received it" button."""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from core.draws import run_draw
from core.errors import CircleNotFound, NotReceiver
from core.events import PayoutAcknowledged, PayoutRecorded
from core.history import circle_history, names_of
from core.models import Draw
from core.payouts import acknowledge_payout, record_payout
from handlers.telegram import texts
from handlers.telegram.common import change, chat_circle, registered_user, update_uow

ACK, DRAW = "ack:", "draw:"


async def cmd_draw(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    override = bool(context.args) and context.args[0].lower() in ("anyway", "now", "force")
    draw = await run_draw(change(update, context), actor=user.id, circle_id=circle.id, override=override)
    await update.effective_message.reply_text(await _drawn(context, circle.id, draw))


async def on_draw_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"Draw now", offered to organizers privately once everyone is confirmed: core checks the
    presser organizes the button's circle, and a second press finds the cycle drawn."""
    query = update.callback_query
    if not (user := await registered_user(update, context)):
        return
    try:
        circle_id = uuid.UUID(query.data[len(DRAW):])
    except ValueError:
        raise CircleNotFound() from None
    draw = await run_draw(change(update, context), actor=user.id, circle_id=circle_id)
    await query.answer("🎲")
    await query.edit_message_text(await _drawn(context, circle_id, draw))


async def _drawn(context: ContextTypes.DEFAULT_TYPE, circle_id: uuid.UUID, draw: Draw) -> str:
    circle, records = await circle_history(update_uow(context), circle_id)
    record = next(r for r in records if r.winner_id == draw.winner_id)
    names = await names_of(update_uow(context), [*record.eligible_ids, *record.unpaid_ids])
    unpaid = [names.get(u, "?") for u in record.unpaid_ids]
    return texts.draw_done(circle, record, names, unpaid)


async def cmd_verify(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context, include_ended=True)
    _, records = await circle_history(update_uow(context), circle.id)
    wanted = context.args[0] if context.args else None
    if wanted is not None and not (wanted.isascii() and wanted.isdigit()):
        await update.effective_message.reply_text("Send /verify or /verify N with a cycle number.")
        return
    chosen = [r for r in records if wanted is None or r.cycle_number == int(wanted)]
    if not chosen:
        await update.effective_message.reply_text(texts.NO_SUCH_CYCLE.format(number=wanted or 1))
        return
    record = chosen[-1]
    names = await names_of(update_uow(context), record.eligible_ids)
    await update.effective_message.reply_text(texts.verify_text(circle, record, names))


async def cmd_payout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    uow = change(update, context)
    payout = await record_payout(uow, actor=user.id, circle_id=circle.id)
    names = await names_of(update_uow(context), [payout.receiver_id])
    cycle_number = next(e.cycle_number for e in uow.committed if isinstance(e, PayoutRecorded))
    button = InlineKeyboardButton("🙏 I received it", callback_data=f"{ACK}{payout.id}")
    await update.effective_message.reply_text(
        texts.payout_recorded(circle, names[payout.receiver_id], payout.amount, cycle_number),
        reply_markup=InlineKeyboardMarkup([[button]]))


async def on_ack_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not (user := await registered_user(update, context)):
        return
    try:
        payout_id = uuid.UUID(query.data[len(ACK):])
    except ValueError:
        raise NotReceiver() from None
    uow = change(update, context)
    await acknowledge_payout(uow, actor=user.id, payout_id=payout_id)  # only the receiver may
    acknowledged = next(e for e in uow.committed if isinstance(e, PayoutAcknowledged))
    await query.answer("Thank you!")
    received = texts.RECEIVED.format(receiver=user.full_name, cycle_number=acknowledged.cycle_number)
    # The handover post itself says so (an edit): one message less for the group's phones.
    await query.edit_message_text(f"{query.message.text}\n{received}")
