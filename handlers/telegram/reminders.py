"""/reminders and /autodraw: when the circle is nudged, and whether draws run by themselves."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from core.circles import member_role
from core.errors import NotOrganizer
from core.models import Role
from core.reminders import reminder_settings, set_reminders
from handlers import parsing
from handlers.telegram import texts
from handlers.telegram.common import change, chat_circle, registered_user, update_uow


async def cmd_reminders(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _settings_command(update, context, parsing.parse_reminders)


async def cmd_autodraw(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _settings_command(update, context, parsing.parse_autodraw)


async def _settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE, parse) -> None:
    circle = await chat_circle(update, context)
    current = reminder_settings(circle)
    if not context.args:  # anyone may look
        await update.effective_message.reply_text(texts.reminder_settings(circle, current))
        return
    if not (user := await registered_user(update, context)):
        return
    if await member_role(update_uow(context), circle.id, user.id) != Role.ORGANIZER:
        raise NotOrganizer()  # before parsing: a member's typo should not read as a settings problem
    changed = await set_reminders(change(update, context), actor=user.id, circle_id=circle.id,
                                  settings=parse(context.args, current))
    await update.effective_message.reply_text(str(texts.SETTINGS_UPDATED) + texts.reminder_settings(circle, changed))
