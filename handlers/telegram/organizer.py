"""Organizer tools: /organizer, /stepdown, /howtopay, /paid for someone else, and /order tapped name by name."""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from core.circles import add_organizer
from core.contributions import mark_paid
from core.errors import InvalidPayoutOrder, NotOrganizer, StaleButton
from core.events import PaymentConfirmed
from core.models import Circle, Role, User
from core.money import parse_amount
from core.organizers import (
    OrderDraft,
    Person,
    edit_order_draft,
    members_in_join_order,
    organizer_names,
    save_order_draft,
    set_payment_instructions,
    step_down,
)
from handlers.formats import names as name_list
from handlers.i18n import _
from handlers.parsing import member_named
from handlers.telegram import texts
from handlers.telegram.common import TG, change, chat_circle, registered_user, update_uow
from handlers.telegram.membership import named_member

ORDER = "ord:"  # ord:<draft token>:<+<member uuid hex> | undo | save>
ORGANIZER = "org:"  # org:<member uuid hex>
TELEGRAM_LIMIT = 4096


async def cmd_organizer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    target = await named(update, context, circle)
    if target is None:  # tap instead of type: the members who aren't organizers yet, as buttons
        members = [p for p in await members_in_join_order(update_uow(context), circle.id) if p.role != Role.ORGANIZER]
        names = [InlineKeyboardButton(p.full_name[:40], callback_data=f"{ORGANIZER}{p.user_id.hex}")
                 for p in members[:texts.MAX_ORDER_BUTTONS]]
        await update.effective_message.reply_text(str(texts.ORGANIZER_USAGE), reply_markup=InlineKeyboardMarkup(
            [names[i:i + 2] for i in range(0, len(names), 2)]))
        return
    await add_organizer(change(update, context), actor=user.id, circle_id=circle.id, user_id=target.user_id)
    await update.effective_message.reply_text(
        texts.ORGANIZER_ADDED.format(actor=user.full_name, user=target.full_name, circle=circle.name))


async def on_organizer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A name tapped under /organizer: core checks the presser is an organizer and the member is in
    this chat's circle; a second tap is told they already are."""
    query = update.callback_query
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    try:
        member = uuid.UUID(hex=query.data.removeprefix(ORGANIZER))
    except ValueError:
        raise StaleButton() from None
    await add_organizer(change(update, context), actor=user.id, circle_id=circle.id, user_id=member)
    name = next((p.full_name for p in await members_in_join_order(update_uow(context), circle.id)
                 if p.user_id == member), "?")
    await query.answer(str(texts.TOAST_DONE))
    await query.edit_message_text(texts.ORGANIZER_ADDED.format(actor=user.full_name, user=name, circle=circle.name))


async def cmd_stepdown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    await step_down(change(update, context), actor=user.id, circle_id=circle.id)
    names = await organizer_names(update_uow(context), circle.id)
    organizers = name_list(names, most=len(names))
    await update.effective_message.reply_text(texts.STEPPED_DOWN.format(user=user.full_name, circle=circle.name)
                                              + " " + texts.ORGANIZERS_NOW.format(names=organizers))


async def cmd_howtopay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Alone: shows them. With text: an organizer sets them; `off` removes them."""
    circle = await chat_circle(update, context)
    text = update.effective_message.text.split(maxsplit=1)[1] if context.args else ""
    if not text:
        shown = (texts.HOWTOPAY_SHOW.format(circle=circle.name, instructions=circle.payment_instructions)
                 + "\n" + str(texts.HOWTOPAY_HINT)) if circle.payment_instructions else texts.HOWTOPAY_NONE.format(
            circle=circle.name)
        await update.effective_message.reply_text(shown)
        return
    if not (user := await registered_user(update, context)):
        return
    cleared = text.strip().lower() in ("off", "none", "clear", "remove")
    changed = await set_payment_instructions(change(update, context), actor=user.id, circle_id=circle.id,
                                             text=None if cleared else text)
    reply = texts.HOWTOPAY_CLEARED if cleared else texts.HOWTOPAY_SET
    await update.effective_message.reply_text(reply.format(
        actor=user.full_name, circle=circle.name, payment_instructions=changed.payment_instructions))


def names_someone_else(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """`/paid @bob …`, or `/paid` as a reply to someone else's message (a typed command only: a button
    such as help's "I've paid" is always the presser's own payment)."""
    if update.message is None:
        return False
    replied = update.message.reply_to_message
    if replied is not None and replied.from_user and not replied.from_user.is_bot:
        return replied.from_user.id != update.effective_user.id
    handle = (update.effective_user.username or "").lower()
    return bool(context.args) and context.args[0].startswith("@") and context.args[0][1:].lower() != handle


async def paid_for(update: Update, context: ContextTypes.DEFAULT_TYPE, circle: Circle, user: User) -> None:
    """An organizer records (and so confirms) a member's payment; anyone else is told who can."""
    member = await named(update, context, circle)
    if member is None:
        # TRANSLATORS: fills {who} in "I couldn't find {who} among the members of “{circle}”." when no one was named.
        who = context.args[0] if context.args and context.args[0].startswith("@") else _("them")
        await update.effective_message.reply_text(texts.NOT_IN_CIRCLE.format(who=who[:40], circle=circle.name))
        return
    words = [a for a in context.args if not a.startswith("@")]
    amount = parse_amount(" ".join(words), circle.currency) if words else None
    uow = change(update, context)
    try:
        paid = await mark_paid(uow, actor=user.id, circle_id=circle.id, amount=amount, member=member.user_id)
    except NotOrganizer:
        names = texts.organizer_list(await organizer_names(update_uow(context), circle.id))
        await update.effective_message.reply_text(texts.PAID_FOR_REFUSED.format(organizers=names,
                                                                                member=member.full_name))
        return
    cycle_number = next(e.cycle_number for e in uow.committed if isinstance(e, PaymentConfirmed))
    await update.effective_message.reply_text(texts.PAID_FOR.format(
        actor=user.full_name, user=member.full_name, amount=texts.money(circle, paid.amount),
        cycle_number=cycle_number) + texts.still_short(circle, paid.confirmed_amount))


async def named(update: Update, context: ContextTypes.DEFAULT_TYPE, circle: Circle) -> Person | None:
    """The member meant by a reply or an @handle, or by `@name` for members without a Telegram handle
    (those on WhatsApp)."""
    members = await members_in_join_order(update_uow(context), circle.id)
    user = await named_member(update, context, circle)
    if user is not None:
        return next((p for p in members if p.user_id == user.id), None)
    return member_named(context.args[0], members) if context.args and context.args[0].startswith("@") else None


async def cmd_order(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    try:
        draft = await edit_order_draft(update_uow(context), actor=user.id, circle_id=circle.id,
                                       chat=(TG, str(update.effective_chat.id)))
    except InvalidPayoutOrder:
        await update.effective_message.reply_text(texts.ORDER_NOT_FIXED.format(
            circle=circle.name, order=str(texts.ORDER_NAMES[circle.payout_order])))
        return
    text, markup = _draft_message(draft)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def on_order_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on a name places them next; Undo takes the last one back; Save keeps the order (audited).
    Core lets only organizers' taps count, and refuses buttons of an older or saved draft."""
    query = update.callback_query
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    try:
        __, token, action = query.data.split(":", 2)
        add = uuid.UUID(hex=action[1:]) if action.startswith("+") else None
    except ValueError:
        raise StaleButton() from None
    chat = (TG, str(update.effective_chat.id))
    if action == "save":
        order = await save_order_draft(change(update, context), actor=user.id, circle_id=circle.id, chat=chat,
                                       token=token)
        await query.answer(str(texts.TOAST_SAVED))
        await query.edit_message_text(texts.ORDER_SAVED.format(
            actor=user.full_name, circle=circle.name, lines=texts.order_lines([p.full_name for p in order])
        )[:TELEGRAM_LIMIT])
        return
    draft = await edit_order_draft(update_uow(context), actor=user.id, circle_id=circle.id, chat=chat, token=token,
                                   add=add, undo=action == "undo")
    await query.answer()
    text, markup = _draft_message(draft)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:  # a tap that changed nothing (Undo with nobody placed, a name tapped twice)
        if "not modified" not in str(error):
            raise


def _draft_message(draft: OrderDraft) -> tuple[str, InlineKeyboardMarkup]:
    text = texts.order_draft(draft.circle, [p.full_name for p in draft.placed],
                             [p.full_name for p in draft.remaining])
    names = [InlineKeyboardButton(p.full_name[:40], callback_data=f"{ORDER}{draft.token}:+{p.user_id.hex}")
             for p in draft.remaining[:texts.MAX_ORDER_BUTTONS]]
    rows = [names[i:i + 2] for i in range(0, len(names), 2)]
    rows.append([InlineKeyboardButton(_("↩️ Undo"), callback_data=f"{ORDER}{draft.token}:undo"),
                 InlineKeyboardButton(_("✅ Save"), callback_data=f"{ORDER}{draft.token}:save")])
    return text[:TELEGRAM_LIMIT], InlineKeyboardMarkup(rows)
