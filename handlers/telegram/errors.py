"""The one place refusals become friendly replies, and surprises become a logged apology."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.ext import ContextTypes

from core.errors import CoreError
from core.history import names_of
from handlers.telegram import texts
from handlers.telegram.common import update_uow

log = logging.getLogger(__name__)
ALERT_LIMIT = 200  # Telegram's limit for a callback answer's text


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=error)
        return
    if isinstance(error, DBAPIError):  # the database is away (restart, failover)
        log.warning("update %s: database unavailable: %s", update.update_id, error.__class__.__name__)
        # The update's change may have committed before the database went (a draw, then the read for
        # its announcement): then don't say nothing happened.
        held = getattr(context, "held", None)
        text = texts.DATABASE_AWAY_AFTER_CHANGE if held is not None and held.committed else texts.DATABASE_AWAY
    elif isinstance(error, CoreError):
        ids = error.context.get("user_ids", [])
        names = {str(k): v for k, v in (await names_of(update_uow(context), ids)).items()} if ids else {}
        text = texts.refusal(error, names)
    else:
        log.error("update %s failed", update.update_id, exc_info=error)
        text = texts.APOLOGY
    await tell(update, text)


async def tell(update: Update, text: str) -> None:
    """Answer whatever the update was (a button: an alert; a message: a reply), best effort."""
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:ALERT_LIMIT], show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
    except Exception:  # the reply itself failed (chat gone, network): nothing more we can do here
        log.warning("could not tell the user about update %s's failure", update.update_id, exc_info=True)
