"""/newcircle: a one-line form for power users, or a guided setup one question at a time."""

from __future__ import annotations

from typing import Any

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from core.circles import create_circle
from core.conversations import clear_state, load_state, save_state
from core.errors import CoreError
from core.models import User
from handlers.circle_setup import CHOICES, QUESTIONS, STEPS, circle_settings, defaults_for, parse_answer
from handlers.telegram import texts
from handlers.telegram.common import TG, change, chat_circle, registered_user, update_uow

USAGE = ("To set up a circle in one line:\n/newcircle NAME | AMOUNT [CURRENCY] | MEMBERS | FREQUENCY | "
         "FIRST_DUE_DATE [| ORDER]\ne.g. /newcircle Family Fund | 50 USD | 5 | monthly | 2026-12-01\n"
         "FREQUENCY: weekly, every 2 weeks, monthly or every N days. ORDER: random (default), drawn or fixed.\n"
         "Or send /newcircle alone and I'll ask one question at a time.")
BUTTONS = {step: [(label, value) for label, value in choices] for step, choices in CHOICES.items()}


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
    currency, timezone = defaults_for(user)
    state: dict[str, Any] = {}
    for step, part in zip(STEPS, parts):
        state.update(parse_answer(step, part, state.get("currency", currency)))
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
    state = await load_state(update_uow(context), TG, chat, sender)
    if not state or "step" not in state:
        if update.effective_chat.type == "private" and update.callback_query is None:
            await update.effective_message.reply_text(texts.PRIVATE_HINT)
        return  # in a group: ordinary chatter, or someone else's buttons
    if not (user := await registered_user(update, context)):
        return
    if text.strip().lower() in ("cancel", "/cancel"):
        await clear_state(update_uow(context), TG, chat, sender)
        await update.effective_message.reply_text("Setup cancelled.")
        return
    currency, timezone = defaults_for(user)
    try:
        state.update(parse_answer(state["step"], text, state.get("currency", currency)))
    except CoreError as error:
        await update.effective_message.reply_text(texts.refusal(error) + "\n" + QUESTIONS[state["step"]],
                                                  reply_markup=ForceReply(selective=True))
        return
    following = STEPS.index(state["step"]) + 1
    if following < len(STEPS):
        return await _ask(update, context, user, {**state, "step": STEPS[following]})
    await clear_state(update_uow(context), TG, chat, sender)
    await _create(update, context, user, state, timezone)


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, state: dict[str, Any]) -> None:
    chat, sender = str(update.effective_chat.id), str(update.effective_user.id)
    await save_state(update_uow(context), TG, chat, sender, state)
    step = state["step"]
    if step in BUTTONS:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"new:{step}:{value}")]
                                       for label, value in BUTTONS[step]])
    else:
        markup = ForceReply(selective=True, input_field_placeholder=step.replace("_", " "))
    await update.effective_message.reply_text(f"{user.full_name}: {QUESTIONS[step]}", reply_markup=markup)


async def _create(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, state: dict[str, Any],
                  timezone: str) -> None:
    circle = await create_circle(change(update, context), actor=user.id, settings=circle_settings(state, timezone),
                                 chat=(TG, str(update.effective_chat.id)))
    await update.effective_message.reply_text(texts.circle_created(circle, user.full_name, update_uow(context).now()))
