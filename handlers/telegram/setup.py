"""/newcircle: a one-line form for power users, or a guided setup one question at a time."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from core.circles import CircleSettings, create_circle
from core.conversations import clear_state, load_state, save_state
from core.errors import CoreError
from core.models import PayoutOrder, User
from core.money import currency_for_region
from core.phones import phone_region, phone_timezone
from core.users import clean_name
from handlers import parsing
from handlers.telegram import texts
from handlers.telegram.common import TG, change, chat_circle, registered_user, rosca

USAGE = ("To set up a circle in one line:\n/newcircle NAME | AMOUNT [CURRENCY] | MEMBERS | FREQUENCY | "
         "FIRST_DUE_DATE [| ORDER]\ne.g. /newcircle Family Fund | 50 USD | 5 | monthly | 2026-12-01\n"
         "FREQUENCY: weekly, every 2 weeks, monthly or every N days. ORDER: random (default), drawn or fixed.\n"
         "Or send /newcircle alone and I'll ask one question at a time.")
QUESTIONS = {
    "name": "Let's set up your circle. What should it be called?",
    "amount": "How much does each member pay per cycle? (e.g. 50, or 50 USD)",
    "members": "How many members will the circle have, you included? (2–200)",
    "frequency": "How often do members pay? Tap one, or type e.g. “every 10 days”.",
    "first_due": "When is the first payment due? (YYYY-MM-DD)",
    "order": "How is the payout order decided?",
}
STEPS = list(QUESTIONS)
BUTTONS = {
    "frequency": [("Weekly", "weekly"), ("Every 2 weeks", "biweekly"), ("Monthly", "monthly")],
    "order": [("Fair draw each cycle", "random"), ("Draw the order now", "drawn"), ("I'll set it", "fixed")],
}


def _defaults(user: User) -> tuple[str, str]:
    return currency_for_region(phone_region(user.phone) or "") or "USD", phone_timezone(user.phone)


def _answer(step: str, text: str, currency: str) -> dict[str, Any]:
    """One answer parsed into JSON-safe values for the conversation state."""
    if step == "name":
        return {"name": clean_name(text, field="name", limit=64)}
    if step == "amount":
        amount, currency = parsing.parse_money(text, currency)
        return {"amount": amount, "currency": currency}
    if step == "members":
        return {"members": parsing.parse_member_count(text)}
    if step == "frequency":
        frequency, every = parsing.parse_frequency(text)
        return {"frequency": frequency, "every_days": every}
    if step == "first_due":
        return {"first_due": parsing.parse_due_date(text).isoformat()}
    return {"order": parsing.parse_order(text).value}


def _settings(state: dict[str, Any], timezone: str) -> CircleSettings:
    return CircleSettings(name=state["name"], amount_per_cycle=state["amount"], currency=state["currency"],
                          total_members=state["members"], frequency=state["frequency"],
                          every_days=state["every_days"], first_due_date=date.fromisoformat(state["first_due"]),
                          timezone=timezone, payout_order=PayoutOrder(state.get("order", "RANDOM")))


async def cmd_newcircle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not (user := await registered_user(update, context)):
        return
    if await _has_circle(update, context):
        await update.effective_message.reply_text(texts.ERRORS["chat_has_active_circle"])
        return
    text = update.effective_message.text.split(maxsplit=1)
    if len(text) == 1:
        return await _ask(update, context, user, {"step": "name"})
    parts = [p.strip() for p in text[1].split("|")]
    if len(parts) not in (5, 6):
        await update.effective_message.reply_text(USAGE)
        return
    currency, timezone = _defaults(user)
    state: dict[str, Any] = {}
    for step, part in zip(STEPS, parts):
        state.update(_answer(step, part, state.get("currency", currency)))
    await _create(update, context, user, state, timezone)


async def _has_circle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    try:
        await chat_circle(update, context)
        return True
    except CoreError:
        return False


async def on_setup_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed answer (a reply to the bot's question, so it reaches us under group privacy mode)."""
    await _take_answer(update, context, update.effective_message.text)


async def on_setup_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    await _take_answer(update, context, update.callback_query.data.split(":", 2)[2])


async def _take_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    chat, sender = str(update.effective_chat.id), str(update.effective_user.id)
    state = await load_state(rosca(context).new_uow(), TG, chat, sender)
    if not state or "step" not in state:
        if update.effective_chat.type == "private" and update.callback_query is None:
            await update.effective_message.reply_text(texts.PRIVATE_HINT)
        return  # in a group: ordinary chatter, or someone else's buttons
    if not (user := await registered_user(update, context)):
        return
    if text.strip().lower() in ("cancel", "/cancel"):
        await clear_state(rosca(context).new_uow(), TG, chat, sender)
        await update.effective_message.reply_text("Setup cancelled.")
        return
    currency, timezone = _defaults(user)
    try:
        state.update(_answer(state["step"], text, state.get("currency", currency)))
    except CoreError as error:
        await update.effective_message.reply_text(texts.refusal(error) + "\n" + QUESTIONS[state["step"]],
                                                  reply_markup=ForceReply(selective=True))
        return
    following = STEPS.index(state["step"]) + 1
    if following < len(STEPS):
        return await _ask(update, context, user, {**state, "step": STEPS[following]})
    await clear_state(rosca(context).new_uow(), TG, chat, sender)
    await _create(update, context, user, state, timezone)


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, state: dict[str, Any]) -> None:
    chat, sender = str(update.effective_chat.id), str(update.effective_user.id)
    await save_state(rosca(context).new_uow(), TG, chat, sender, state)
    step = state["step"]
    if step in BUTTONS:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"new:{step}:{value}")]
                                       for label, value in BUTTONS[step]])
    else:
        markup = ForceReply(selective=True, input_field_placeholder=step.replace("_", " "))
    await update.effective_message.reply_text(f"{user.full_name}: {QUESTIONS[step]}", reply_markup=markup)


async def _create(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, state: dict[str, Any],
                  timezone: str) -> None:
    circle = await create_circle(change(update, context), actor=user.id, settings=_settings(state, timezone),
                                 chat=(TG, str(update.effective_chat.id)))
    await update.effective_message.reply_text(texts.circle_created(circle, user.full_name))
