"""/paid, and an organizer's Confirm / Reject — by button, by replying, or by naming the member."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from core.contributions import confirm_contribution, mark_paid, pending_contribution_of, reject_contribution
from core.errors import ContributionNotFound, CoreError, PaymentChanged
from core.events import PaymentConfirmed, PaymentMarked
from core.models import Circle, Contribution, ContributionStatus, User, short_by
from core.money import parse_amount
from core.uow import UnitOfWork
from handlers.i18n import _, money
from handlers.telegram import organizer, texts
from handlers.telegram.common import change, chat_circle, is_group, registered_user, update_uow
from handlers.telegram.membership import named_member
from handlers.telegram.paying import paid_privately
from handlers.telegram.setup import on_setup_answer

CONFIRM, REJECT = "pay:ok:", "pay:no:"
# Reject's follow-ups, in a private chat: why, and for a short amount how much did arrive.
SHORT, NOT_RECEIVED, OTHER, SHORT_UNKNOWN, BACK = "pay:rs:", "pay:rn:", "pay:ro:", "pay:rq:", "pay:bk:"
REASONS = {NOT_RECEIVED: "not_received", OTHER: "other", SHORT_UNKNOWN: "short"}
# Every decision button carries the payment, the version of its claim the organizer saw, and the
# currency (to read a typed amount; a forged one only misreads it): "pay:ok:<id>:<version>:KES",
# at most 7 + 36 + 1 + 10 + 1 + 3 = 58 of Telegram's 64 bytes. Buttons sent before versions existed
# carry no version: they were sent for the first claim, so they mean version 1 and core refuses them
# once the payment was claimed again.
FIRST_CLAIM = 1


def _data(prefix: str, contribution_id: uuid.UUID | str, version: int, currency: str) -> str:
    return f"{prefix}{contribution_id}:{version}" + (f":{currency}" if currency else "")


def decision_buttons(contribution_id: uuid.UUID | str, version: int, currency: str = "") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(_("✅ Confirm"), callback_data=_data(CONFIRM, contribution_id, version, currency)),
        InlineKeyboardButton(_("❌ Reject"), callback_data=_data(REJECT, contribution_id, version, currency))]])


def reason_buttons(contribution_id: uuid.UUID, version: int, currency: str) -> InlineKeyboardMarkup:
    def data(prefix: str) -> str:
        return _data(prefix, contribution_id, version, currency)
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(str(texts.REASONS["short"]), callback_data=data(SHORT)),
         InlineKeyboardButton(str(texts.REASONS["not_received"]), callback_data=data(NOT_RECEIVED))],
        [InlineKeyboardButton(str(texts.REASONS["other"]), callback_data=data(OTHER)),
         InlineKeyboardButton(_("↩️ Back"), callback_data=data(BACK))]])


def short_buttons(contribution_id: uuid.UUID, version: int, currency: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        _("🤷 Don't know"), callback_data=_data(SHORT_UNKNOWN, contribution_id, version, currency))]])


def _payment(data: str) -> tuple[uuid.UUID, int, str]:
    """'<id>[:<version>][:<currency>]' → the payment, the claim's version, the currency."""
    payment, *rest = data.split(":")
    version = int(rest.pop(0)) if rest and rest[0].isascii() and rest[0].isdigit() else FIRST_CLAIM
    return _id(payment, ContributionNotFound), version, rest[0] if rest else ""


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
                                              reply_markup=decision_buttons(paid.id, paid.version, circle.currency))


async def on_decision_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not is_group(update):
        return await on_private_decision(update, context)
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    confirm = query.data.startswith(CONFIRM)
    contribution_id, version, __ = _payment(query.data[len(CONFIRM):])
    try:
        decided = await _decide(update, context, circle, user, contribution_id, confirm, version)
    except PaymentChanged as changed:
        return await _show_changed(update, changed, in_group=True)
    await query.answer(str(texts.TOAST_DECIDED[confirm]))
    await query.edit_message_text(_decided_text(circle, decided, user))
    return None


async def on_private_decision(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An organizer's own copy of a payment. No circle in a private chat: core takes the payment's
    and checks the presser organizes it. Reject first asks why (nothing changes until a reason)."""
    query = update.callback_query
    if not (user := await registered_user(update, context)):
        return
    action = query.data[:7]
    contribution_id, version, currency = _payment(query.data[7:])
    original = query.message.text.split("\n\n")[0]
    if action == REJECT:
        ask, markup = texts.WHY_REJECT, reason_buttons(contribution_id, version, currency)
    elif action == SHORT:
        ask, markup = texts.HOW_SHORT, short_buttons(contribution_id, version, currency)
    elif action == BACK:
        ask, markup = "", decision_buttons(contribution_id, version, currency)
    else:
        return await _decide_privately(update, context, user, (contribution_id, version, currency),
                                       REASONS.get(action), None)
    await query.answer()
    await query.edit_message_text(original + (f"\n\n{ask.format(user=_payer(original))}" if ask else ""),
                                  reply_markup=markup)
    return None


async def on_short_amount(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply, in a private chat, to the "how much did arrive?" question: the amount that did."""
    message = update.effective_message
    asked = message.reply_to_message
    payment = _asked_short(asked, context.bot.id)
    if payment is None:
        return await on_setup_answer(update, context)
    if not (user := await registered_user(update, context)):
        return
    received = parse_amount(message.text, payment[2])
    await _decide_privately(update, context, user, payment, "short", received, asked)


async def _decide_privately(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User,
                            payment: tuple[uuid.UUID, int, str], reason: str | None, received: int | None,
                            post: Message | None = None) -> None:
    uow = change(update, context)
    contribution_id, version, currency = payment
    try:
        if reason is None:
            await confirm_contribution(uow, actor=user.id, contribution_id=contribution_id, version=version)
            outcome = str(texts.YOU_CONFIRMED) + _still_short(uow, currency)
        else:
            await reject_contribution(uow, actor=user.id, contribution_id=contribution_id, reason=reason,
                                      received=received, version=version)
            outcome = str(texts.YOU_REJECTED).replace("{why}", str(texts.REASONS[reason]).lower())
    except PaymentChanged as changed:
        return await _show_changed(update, changed, in_group=False)
    post = post or update.callback_query.message
    original = post.text.split("\n\n")[0]
    text = original + "\n\n" + outcome.format(user=_payer(original))
    if update.callback_query is not None:
        await update.callback_query.answer(str(texts.TOAST_DECIDED[reason is None]))
        await update.callback_query.edit_message_text(text)
    else:
        await context.bot.edit_message_text(text, chat_id=post.chat.id, message_id=post.message_id)
        await update.effective_message.reply_text(outcome.format(user=_payer(original)))


def _payer(post_text: str) -> str:
    """The payer's name in an organizer's copy of a payment (PAYMENT_TO_DECIDE, in the reader's language)."""
    before, _sep, after = str(texts.PAYMENT_TO_DECIDE).partition("{user}")
    after = after.split("{", 1)[0]  # the words between the name and the next placeholder
    name = post_text.removeprefix(before)
    return (name.split(after)[0] if after.strip() else name).strip("\u2068\u2069")


def _asked_short(message: Message | None, bot_id: int) -> tuple[uuid.UUID, int, str] | None:
    """The payment (id, claim version, currency) whose "how much did arrive?" question a message is."""
    if message is None or message.from_user is None or message.from_user.id != bot_id or not message.reply_markup:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data and button.callback_data.startswith(SHORT_UNKNOWN):
                return _payment(button.callback_data[len(SHORT_UNKNOWN):])
    return None


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
    # A reply to a payment post decides the claim that post showed; naming the member, the current one.
    contribution_id, version = _from_payment_post(update.effective_message.reply_to_message, context.bot.id)
    if contribution_id is None:
        member = await named_member(update, context, circle)
        if member is None:
            await update.effective_message.reply_text(
                texts.WHO_USAGE.format(command="confirm" if confirm else "reject"))
            return
        contribution_id = (await pending_contribution_of(update_uow(context), circle_id=circle.id,
                                                         member=member.id)).id
    try:
        decided = await _decide(update, context, circle, user, contribution_id, confirm, version)
    except PaymentChanged as changed:
        return await _show_changed(update, changed, in_group=True)
    await update.effective_message.reply_text(_decided_text(circle, decided, user))


def _from_payment_post(message: Message | None, bot_id: int) -> tuple[uuid.UUID | None, int | None]:
    """The payment (and claim version) a reply points at: read from the buttons of the bot's own payment post."""
    if message is None or message.from_user is None or message.from_user.id != bot_id or not message.reply_markup:
        return None, None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data and button.callback_data.startswith(CONFIRM):
                contribution_id, version, __ = _payment(button.callback_data[len(CONFIRM):])
                return contribution_id, version
    return None, None


async def _decide(update: Update, context: ContextTypes.DEFAULT_TYPE, circle: Circle, user: User,
                  contribution_id: uuid.UUID, confirm: bool, version: int | None) -> Contribution:
    # Buttons can be pressed from any chat and callback data forged: core refuses a payment that is
    # not this chat's circle's, and checks that the presser is its organizer.
    decide = confirm_contribution if confirm else reject_contribution
    return await decide(change(update, context), actor=user.id, contribution_id=contribution_id, circle_id=circle.id,
                        version=version)


def _decided_text(circle: Circle, decided: Contribution, by: User) -> str:
    return texts.payment_decided(decided.payer.full_name, circle, decided.amount, decided.status, by.full_name,
                                 short_by(circle.amount_per_cycle, decided.confirmed_amount))


def _still_short(uow: UnitOfWork, currency: str) -> str:
    """' Still short by KES 499.' after confirming part of a payment (buttons sent before they carried
    the currency leave it out: the payer is told anyway)."""
    confirmed = next(e for e in uow.committed if isinstance(e, PaymentConfirmed))
    short = short_by(confirmed.amount_due, confirmed.confirmed_amount)
    return texts.STILL_SHORT.format(short=money(short, currency)) if short and currency else ""


async def _show_changed(update: Update, changed: PaymentChanged, *, in_group: bool) -> None:
    """A decision on a claim since replaced (rejected, then marked again): nothing changed. The post
    becomes the payment as it stands now, with fresh buttons while it waits for a decision."""
    c = changed.context
    amount = money(c["amount"], c["currency"])
    if c["status"] == ContributionStatus.PENDING:
        circle = SimpleNamespace(name=c["circle"], currency=c["currency"])
        now = (texts.payment_marked(c["name"], circle, c["amount"], c["cycle_number"]) if in_group else
               texts.PAYMENT_TO_DECIDE.format(user=c["name"], money=amount, cycle_number=c["cycle_number"],
                                              circle=c["circle"]))
        text, markup = f"{now}\n\n{texts.PAYMENT_CHANGED.format(money=amount)}", decision_buttons(
            c["contribution_id"], c["version"], c["currency"])
    else:
        text, markup = texts.PAYMENT_CHANGED_DECIDED.format(
            money=amount, status_word=str(texts.STATUS_WORDS[c["status"]])), None
    if update.callback_query is not None:
        await update.callback_query.answer(str(texts.PAYMENT_CHANGED_TOAST))
        try:
            await update.callback_query.edit_message_text(text, reply_markup=markup)
        except BadRequest as error:  # the post already shows the payment as it is (a second stale tap)
            if "not modified" not in str(error):
                raise
    else:
        await update.effective_message.reply_text(text, reply_markup=markup)

