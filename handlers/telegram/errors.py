"""The one place refusals become friendly replies, and surprises become a logged apology."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.exc import DataError, DBAPIError
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from core.chats import circle_for_chat
from core.errors import CoreError
from core.history import names_of
from core.schedule import local_date
from core.stewardship import organizer_absence
from core.uow import AlreadyHandled
from handlers.guide import standing
from handlers.telegram import texts
from handlers.telegram.common import TG, acting_user, rosca, update_uow
from handlers.telegram.votes import vote_button

log = logging.getLogger(__name__)
ALERT_LIMIT = 200  # Telegram's limit for a callback answer's text
WHO_MAY_ACT = ("not_organizer", "not_member")
# A button's data prefix → its command.
BUTTON_ACTIONS = {"pay:ok": "confirm", "pay:no": "reject", "cancel": "cancelcircle", "drawnb": "draw",
                  "lang": "language"}


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=error)
        return
    if isinstance(error, AlreadyHandled):  # another delivery of this update did it: say nothing twice
        log.info("update %s: handled by another delivery of it", update.update_id)
        return
    if isinstance(error, DataError):  # it refused something in the update (a NUL byte): an input error
        log.info("update %s: input refused by the database (%s)", update.update_id, error.orig.__class__.__name__)
        text = str(texts.UNSTORABLE)
    elif isinstance(error, DBAPIError):  # the database is away (restart, failover)
        log.warning("update %s: database unavailable: %s", update.update_id, error.__class__.__name__)
        # The update's change may have committed before the database went (a draw, then the read for
        # its announcement): then don't say nothing happened.
        own = getattr(context, "own_uow", None)
        text = str(texts.DATABASE_AWAY_AFTER_CHANGE if own is not None and own.committed else texts.DATABASE_AWAY)
    elif isinstance(error, CoreError):
        text, markup = await explain(update, context, error)
        await tell(update, text, markup)
        return
    else:
        log.error("update %s failed", update.update_id, exc_info=error)
        text = str(texts.APOLOGY)
    await tell(update, text)


async def explain(update: Update, context: ContextTypes.DEFAULT_TYPE,
                  error: CoreError) -> tuple[str, InlineKeyboardMarkup | None]:
    """The refusal in words; one who may not act is told who can (the circle core names, else this
    chat's) and what happens next for what they tried. When no organizer has acted for a while, a
    member is also offered the way out: a vote (with its button)."""
    uow = update_uow(context)
    ids = [*error.context.get("user_ids", []), *([error.context["user_id"]] if "user_id" in error.context else [])]
    names = {str(k): v for k, v in (await names_of(uow, ids)).items()} if ids else {}
    if error.key not in WHO_MAY_ACT:
        return texts.refusal(error, names), None
    user = await acting_user(update, context)
    circle_id = error.context.get("circle_id")
    if circle_id is None and (chat := update.effective_chat) is not None:
        circle = await circle_for_chat(uow, TG, str(chat.id))
        circle_id = circle.id if circle else None
    try:
        where = await standing(uow, uuid.UUID(str(circle_id)), user.id if user else None) if circle_id else None
    except (CoreError, ValueError):
        where = None
    text = texts.refusal(error, names, where, attempted(update), actor=user.id if user else None)
    if error.key == "not_organizer" and where is not None and where.role is not None and not where.ended:
        absence = await organizer_absence(uow, where.circle.id, absent_days=rosca(context).organizer_absent_days)
        if absence is not None:
            since = absence.last_acted and local_date(absence.last_acted, where.circle.timezone)
            absent = texts.absent_line(where.circle.name, since, where.today)
            return f"{text} {texts.ORGANIZER_ABSENT.format(absent=absent)}", vote_button()
    return text, None


def attempted(update: Update) -> str | None:
    """What the person tried, by its command's name: '/draw@bot anyway' → 'draw'; a button → its command."""
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        head, _, rest = data.partition(":")
        return (BUTTON_ACTIONS.get(data[:6]) or BUTTON_ACTIONS.get(head)
                or (rest.partition(":")[0] if head == "help" else head))
    text = update.effective_message.text if update.effective_message else None
    if text and text.startswith("/"):
        return text[1:].split(maxsplit=1)[0].split("@")[0].lower() if len(text) > 1 else None
    return None


async def tell(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer whatever the update was (a button: an alert; a message: a reply, with `markup`), best effort."""
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:ALERT_LIMIT], show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text, reply_markup=markup)
    except Exception:  # the reply itself failed (chat gone, network): nothing more we can do here
        log.warning("could not tell the user about update %s's failure", update.update_id, exc_info=True)
