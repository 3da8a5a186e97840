"""Which language each Telegram chat hears, and /language to change it.

A private chat speaks the person's language: the one they chose, else their Telegram app's. A group
speaks its circle's (chosen by its organizers; at setup, the organizer's); a group with no circle yet
speaks the sender's, since they are the one setting it up.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from core.inbox import Arrival
from core.languages import choose_language, set_circle_language
from handlers import i18n
from handlers.i18n import _
from handlers.telegram import texts
from handlers.telegram.common import change, chat_circle, is_group, registered_user

PREFIX = "lang:"
PER_ROW = 2


def hear(update: Update, arrival: Arrival | None) -> None:
    """Speak this update's chat's language for the rest of its handling (replies and refusals)."""
    sender = update.effective_user
    app_language = sender.language_code if sender is not None else None
    personal = arrival.user.language if arrival is not None and arrival.user is not None else None
    if is_group(update) and arrival is not None and arrival.circle is not None:
        i18n.speak(arrival.circle.language)
    else:
        i18n.speak(personal or app_language)


def choices(current: str) -> InlineKeyboardMarkup:
    """One button per language we speak, each named in itself (a ✓ on the current one)."""
    buttons = [InlineKeyboardButton(("✓ " if code == current else "") + i18n.language_name(code),
                                    callback_data=f"{PREFIX}{code}") for code in i18n.supported()]
    return InlineKeyboardMarkup([buttons[i:i + PER_ROW] for i in range(0, len(buttons), PER_ROW)])


async def cmd_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language: in private, the person's own; in a group, the circle's (organizers change it)."""
    if is_group(update):
        circle = await chat_circle(update, context)
        text = _("“{circle}” speaks {language} in this group. Organizers can choose another:",
                 circle=circle.name, language=i18n.language_name(circle.language))
        await update.effective_message.reply_text(text, reply_markup=choices(circle.language))
        return
    text = _("I speak {language} with you. Choose another:", language=i18n.language_name(i18n.current()))
    await update.effective_message.reply_text(text, reply_markup=choices(i18n.current()))


async def on_language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    wanted = query.data.removeprefix(PREFIX)
    if wanted not in i18n.supported():  # a button from a version that spoke a language we no longer have
        await query.answer(str(texts.ERRORS["stale_button"]), show_alert=True)
        return
    if not (user := await registered_user(update, context)):
        return
    if is_group(update):
        circle = await chat_circle(update, context)  # core refuses one who isn't its organizer
        await set_circle_language(change(update, context), actor=user.id, circle_id=circle.id, language=wanted)
        i18n.speak(wanted)
        await query.answer()
        await query.edit_message_text(_("{actor} chose {language} for “{circle}”: I'll speak it in this group.",
                                        actor=user.full_name, language=i18n.language_name(wanted),
                                        circle=circle.name))
        return
    await choose_language(change(update, context), user_id=user.id, language=wanted)
    i18n.speak(wanted)
    await query.answer()
    await query.edit_message_text(_("Done: I'll speak {language} with you.", language=i18n.language_name(wanted)))
