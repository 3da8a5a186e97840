"""/draw, /verify, /payout and the receiver's "I received it" button."""

from __future__ import annotations

import uuid
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from core import verify_draw
from core.chats import circle_for_chat
from core.draws import fetch_and_draw, run_draw
from core.errors import BeaconUnavailable, CircleNotFound, NotReceiver
from core.events import PayoutAcknowledged, PayoutRecorded
from core.history import circle_history, my_circles, names_of
from core.models import Draw, User
from core.payouts import acknowledge_payout, record_payout
from core.proofs import Proof, order_proof, proof_of_draw, requested_proof
from core.record_check import current_head
from core.uow import UnitOfWork
from handlers.i18n import _
from handlers.parsing import verify_argument
from handlers.telegram import texts
from handlers.telegram.common import (
    TG,
    acting_user,
    button_circle,
    change,
    chat_circle,
    registered_user,
    rosca,
    update_uow,
)

ACK, DRAW, PAYOUT = "ack:", "draw:", "payout:"
NO_BEACON = "drawnb:"  # drawnb:<1 with override, else 0>:<circle id>: draw without the beacon
FAIR = "fair:"  # fair:d:<draw id> / fair:df:<draw id> (its file) · fair:o:<circle id> / fair:of:… · fair:py
TELEGRAM_LIMIT = 4096
CHECKER = Path(verify_draw.__file__)


def drawn_buttons(draw_id: uuid.UUID | str, circle_id: uuid.UUID | str | None) -> InlineKeyboardMarkup:
    """Under a draw's result: how it was fair, and the next step, recording the handover (core lets
    only organizers; anyone else pressing it is told who can)."""
    row = [InlineKeyboardButton(str(texts.FAIR_BUTTON), callback_data=f"{FAIR}d:{draw_id}")]
    if circle_id is not None:
        row.append(InlineKeyboardButton(str(texts.HANDED_OVER_BUTTON), callback_data=f"{PAYOUT}{circle_id}"))
    return InlineKeyboardMarkup([row])


def order_fair_button(circle_id: uuid.UUID) -> InlineKeyboardButton:
    """For a `drawn` circle's announcements: its order's commitment from creation on, its seed from the start."""
    return InlineKeyboardButton(str(texts.FAIR_BUTTON), callback_data=f"{FAIR}o:{circle_id}")


async def cmd_draw(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    override = bool(context.args) and context.args[0].lower() in ("anyway", "now", "force")
    try:
        draw = await _draw(update, context, user.id, circle.id, override)
    except BeaconUnavailable:
        await update.effective_message.reply_text(str(texts.BEACON_UNREACHABLE), reply_markup=_without_beacon(circle.id,
                                                                                                      override))
        return
    text, markup = await _drawn(context, draw)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def on_draw_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"Draw now", offered to organizers privately once everyone is confirmed: core checks the
    presser organizes the button's circle, and a second press finds the cycle drawn."""
    query = update.callback_query
    if not (user := await registered_user(update, context)):
        return
    circle_id = button_circle(update, DRAW)
    try:
        draw = await _draw(update, context, user.id, circle_id, False)
    except BeaconUnavailable:
        await query.answer()
        await query.edit_message_text(str(texts.BEACON_UNREACHABLE), reply_markup=_without_beacon(circle_id, False))
        return
    text, markup = await _drawn(context, draw)
    await query.answer(str(texts.TOAST_DRAWN))
    await query.edit_message_text(text, reply_markup=markup)


async def on_draw_without_beacon_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"Draw without it", offered when the beacon can't be reached: the organizer's explicit choice,
    which the draw records (core checks the presser organizes the circle)."""
    query = update.callback_query
    if not (user := await registered_user(update, context)):
        return
    override, __, ref = query.data[len(NO_BEACON):].partition(":")
    try:
        circle_id = uuid.UUID(ref)
    except ValueError:
        raise CircleNotFound() from None
    draw = await run_draw(change(update, context), actor=user.id, circle_id=circle_id, override=override == "1",
                          without_beacon=True)
    text, markup = await _drawn(context, draw)
    await query.answer(str(texts.TOAST_DRAWN))
    await query.edit_message_text(text, reply_markup=markup)


async def _draw(update: Update, context: ContextTypes.DEFAULT_TYPE, actor: uuid.UUID, circle_id: uuid.UUID,
                override: bool) -> Draw:
    return await fetch_and_draw(lambda: change(update, context), rosca(context).beacon, actor=actor,
                                circle_id=circle_id, override=override)


def _without_beacon(circle_id: uuid.UUID, override: bool) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(str(texts.DRAW_WITHOUT_BEACON_BUTTON),
                                                       callback_data=f"{NO_BEACON}{int(override)}:{circle_id}")]])


async def _drawn(context: ContextTypes.DEFAULT_TYPE, draw: Draw) -> tuple[str, InlineKeyboardMarkup]:
    proof = await proof_of_draw(update_uow(context), draw.id)
    unpaid = await names_of(update_uow(context), draw.unpaid_ids) if draw.unpaid_ids else {}
    unpaid_names = [unpaid.get(u, "?") for u in draw.unpaid_ids]
    return (texts.draw_done(proof.cycle_number, proof.name(draw.winner_id), unpaid_names,
                            without_beacon=proof.without_beacon), drawn_buttons(draw.id, proof.circle_id))


async def cmd_verify(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The published values of a draw (or of a drawn payout order), and its file for the checker."""
    circle = await chat_circle(update, context, include_ended=True)
    wanted = verify_argument(context.args[0] if context.args else "")
    if wanted == "?":
        await update.effective_message.reply_text(str(texts.VERIFY_USAGE))
        return
    proof = await requested_proof(update_uow(context), circle.id, wanted)
    if proof is None:
        await update.effective_message.reply_text(
            str(texts.NOT_DRAWN_ORDER) if wanted == "order" else texts.NO_SUCH_CYCLE.format(number=wanted or 1))
        return
    await _show(update.effective_message, proof, context, why=False)
    if proof.revealed:
        await _send_file(update.effective_message, proof)


async def on_fair_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"How is this fair?" and the files under it. Anyone in the circle's chat, or any of its members,
    may look; a forged or foreign id shows nothing."""
    query = update.callback_query
    what, __, ref = query.data[len(FAIR):].partition(":")
    if what == "py":
        await query.answer()
        await query.message.reply_document(CHECKER.read_bytes(), filename="verify_draw.py",
                                           caption=str(texts.CHECKER_CAPTION))
        return
    proof = await _proof(what, ref, update_uow(context))
    if proof is None or not await _may_see(update, context, proof.circle_id):
        await query.answer(str(texts.FAIR_GONE), show_alert=True)
        return
    await query.answer()
    if what.endswith("f"):
        await _send_file(query.message, proof)
    else:
        await _show(query.message, proof, context, why=True)


async def _proof(what: str, ref: str, uow: UnitOfWork) -> Proof | None:
    try:
        object_id = uuid.UUID(ref)
    except ValueError:
        return None
    if what in ("d", "df"):
        return await proof_of_draw(uow, object_id)
    return await order_proof(uow, object_id) if what in ("o", "of") else None


async def _may_see(update: Update, context: ContextTypes.DEFAULT_TYPE, circle_id: uuid.UUID) -> bool:
    here = await circle_for_chat(update_uow(context), TG, str(update.effective_chat.id), include_ended=True)
    if here is not None and here.id == circle_id:
        return True
    user = await acting_user(update, context)
    return user is not None and any(m.circle.id == circle_id for m in await my_circles(
        update_uow(context), user.id, include_ended=True))


async def _show(message: Message, proof: Proof, context: ContextTypes.DEFAULT_TYPE, *, why: bool) -> None:
    how = texts.CHECK_ON_TELEGRAM.format(file=proof.filename)
    head = await current_head(update_uow(context), proof.circle_id)
    text = texts.fair_details(proof, how_to_check=how, limit=TELEGRAM_LIMIT, why=why, record_check=head.fingerprint)
    markup = None
    if why and proof.revealed:
        ref = f"df:{proof.draw_id}" if proof.kind == "draw" else f"of:{proof.circle_id}"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(str(texts.FILE_BUTTON), callback_data=FAIR + ref),
                                        InlineKeyboardButton(str(texts.CHECKER_BUTTON), callback_data=f"{FAIR}py")]])
    await message.reply_text(text, reply_markup=markup)


async def _send_file(message: Message, proof: Proof) -> None:
    await message.reply_document(proof.json_bytes(), filename=proof.filename,
                                 caption=f"python3 verify_draw.py {proof.filename}",
                                 reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(
                                     str(texts.CHECKER_BUTTON), callback_data=f"{FAIR}py")]]))


async def cmd_payout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if user := await registered_user(update, context):
        await _hand_over(update, context, user, circle.id)


async def on_payout_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"Pot handed over" under a draw's result, in the group or an organizer's private chat."""
    query = update.callback_query
    if not (user := await registered_user(update, context)):
        return
    circle_id = button_circle(update, PAYOUT)
    await _hand_over(update, context, user, circle_id)
    await query.answer(str(texts.TOAST_HANDED_OVER))


async def _hand_over(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, circle_id: uuid.UUID) -> None:
    uow = change(update, context)
    payout = await record_payout(uow, actor=user.id, circle_id=circle_id)  # organizers only, drawn cycles only
    recorded = next(e for e in uow.committed if isinstance(e, PayoutRecorded))
    receiver = (await names_of(update_uow(context), [payout.receiver_id]))[payout.receiver_id]
    button = InlineKeyboardButton(_("🙏 I received it"), callback_data=f"{ACK}{payout.id}")
    circle, __ = await circle_history(update_uow(context), circle_id)
    await update.effective_message.reply_text(texts.payout_recorded(circle, receiver, payout.amount,
                                                                    recorded.cycle_number),
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
    await query.answer(str(texts.TOAST_THANKS))
    received = texts.RECEIVED.format(receiver=user.full_name, cycle_number=acknowledged.cycle_number)
    # The handover post itself says so (an edit): one message less for the group's phones.
    await query.edit_message_text(f"{query.message.text}\n{received}")
