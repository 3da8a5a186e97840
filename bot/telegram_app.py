"""python-telegram-bot's Application, counting each update and its errors (bot/metrics.py) and
writing one line for it, in polling and webhook mode alike (both hand updates to process_update)."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application

from bot import metrics
from handlers.telegram.registry import COMMANDS

CHANNEL = "telegram"
_NAMES = frozenset(c.name for c in COMMANDS)
_BUTTON = re.compile(r"[a-z]{1,12}")  # a button's data starts with its kind ("pay:ok:…"); anything else is not ours
_CHATS = {"private": " in private", "group": " in group", "supergroup": " in group", "channel": " in channel"}


class ObservedApplication(Application):
    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        with metrics.handled(CHANNEL, f"telegram update {update.update_id}: {describe(update)}"):
            await super().process_update(update)

    async def process_error(self, update: object | None, error: Exception, job=None, coroutine=None) -> bool:
        """Sees every error a handler raised, before the error handler (handlers/telegram/errors.py) answers it."""
        if isinstance(update, Update):
            metrics.count_error(CHANNEL, metrics.error_kind(error))
        return await super().process_error(update, error, job, coroutine)


def describe(update: Update) -> str:
    """What the update is, without who sent it, where, or what they wrote: a registered command's
    word, a button's kind, or the update's kind; and the kind of chat."""
    chat = update.effective_chat
    where = _CHATS.get(chat.type, "") if chat is not None else ""
    if (query := update.callback_query) is not None:
        kind = (query.data or "").partition(":")[0]
        return f"{kind} button{where}" if _BUTTON.fullmatch(kind) else f"button{where}"
    message = update.message
    if message is not None and message.text and message.text.startswith("/"):
        words = message.text[1:].split(maxsplit=1)
        word = words[0].partition("@")[0].lower() if words else ""
        return f"/{word}{where}" if word in _NAMES else f"unknown command{where}"
    if message is not None:
        return ("text" if message.text else "contact" if message.contact else "message") + where
    kind = next((t for t in Update.ALL_TYPES if getattr(update, t, None) is not None), "update")
    return kind.replace("_", " ") + where
