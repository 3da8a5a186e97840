"""/help that fits the person: a few lines on where they stand, and a button for each next step.

Each step button in a group runs the very command it names (the registry hands us their callbacks),
so a tap does exactly what typing the command does. In a private chat the buttons name the circle.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.ext import ContextTypes

from core.chats import circle_for_chat
from core.history import MyCircle, my_circles
from core.models import STILL_OWING, User
from handlers import guide
from handlers.telegram import texts
from handlers.telegram.common import TG, acting_user, is_group, update_uow
from handlers.telegram.identity import share_phone
from handlers.telegram.paying import PAID

HELP, ALL = "help:", "help:all"
READS = (guide.SUMMARY, guide.HISTORY)  # steps anyone may take, registered or not
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


def button(step: str, circle_id: uuid.UUID, label: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label or str(texts.HELP_BUTTONS[step]), callback_data=f"{HELP}{step}:{circle_id}")


def keyboard(rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    everything = [*rows, InlineKeyboardButton(str(texts.HELP_BUTTONS["all"]), callback_data=ALL)]
    return InlineKeyboardMarkup([everything[i:i + 2] for i in range(0, len(everything), 2)])


async def card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, Markup]:
    user = await acting_user(update, context)
    if not is_group(update):
        return await _private_card(update, context, user)
    circle = await circle_for_chat(update_uow(context), TG, str(update.effective_chat.id), include_ended=True)
    if circle is None:
        return str(texts.HELP_NO_CIRCLE), keyboard([])
    where = await guide.standing(update_uow(context), circle.id, user.id if user else None)
    text = texts.help_card(where, name=user.full_name if user else update.effective_user.first_name,
                           registered=user is not None)
    if user is None and not where.ended:
        payload = f"join-{circle.join_code}" if where.forming else "register"
        link = InlineKeyboardButton(str(texts.HELP_BUTTONS["register"]),
                                    url=f"https://t.me/{context.bot.username}?start={payload}")
        return text, keyboard([link, button(guide.SUMMARY, circle.id)])
    amount = texts.money(circle, where.my_short or circle.amount_per_cycle)
    return text, keyboard([button(step, circle.id, texts.HELP_BUTTONS[step].format(amount=amount))
                           for step in where.steps()])


async def _private_card(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User | None) -> tuple[str, Markup]:
    if user is None:
        return str(texts.ASK_CONTACT), share_phone()
    mine = await my_circles(update_uow(context), user.id)
    owing = [m for m in mine if _owes(m)][:3]
    return texts.help_private(user.full_name, mine, update_uow(context).now()), keyboard(
        [InlineKeyboardButton(callback_data=f"{PAID}{m.circle.id}", text=texts.HELP_PAID_FOR.format(
            amount=texts.money(m.circle, m.short or m.circle.amount_per_cycle), circle=m.circle.name[:24]))
         for m in owing])


async def shortcut(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> InlineKeyboardMarkup | None:
    """The button for a command that help offers as a step (Did you mean /paid? → I've paid), in a group's circle."""
    if command not in guide.STEPS or not is_group(update):
        return None
    circle = await circle_for_chat(update_uow(context), TG, str(update.effective_chat.id),
                                   include_ended=command == guide.HISTORY)
    if circle is None:
        return None
    label = texts.HELP_BUTTONS[command].format(amount=texts.money(circle, circle.amount_per_cycle))
    return InlineKeyboardMarkup([[button(command, circle.id, label)]])


def _owes(m: MyCircle) -> bool:
    return m.cycle_number is not None and m.my_payment in STILL_OWING


async def on_step(update: Update, context: ContextTypes.DEFAULT_TYPE,
                  commands: Mapping[str, Callable[..., Awaitable[None]]]) -> None:
    """A step button: `help:<command>:<circle id>`. A button from another circle (an old help message
    in a chat that has a new circle since, or forged data) is out of date and does nothing."""
    query = update.callback_query
    step, _, circle_id = query.data.removeprefix(HELP).partition(":")
    if not is_group(update):  # private help pays with paying's own buttons; an old help:paid is stale
        await query.answer(str(texts.STALE_BUTTON), show_alert=True)
        return
    circle = await circle_for_chat(update_uow(context), TG, str(update.effective_chat.id),
                                   include_ended=step == guide.HISTORY)
    if circle is None or str(circle.id) != circle_id or step not in guide.STEPS:
        await query.answer(str(texts.STALE_BUTTON), show_alert=True)
        return
    if step not in READS and await acting_user(update, context) is None:
        await query.answer(texts.REGISTER_FIRST.format(name=update.effective_user.first_name), show_alert=True)
        return
    await commands[step](update, context)
    await query.answer()
