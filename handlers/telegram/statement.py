"""/statement: the circle's whole record as a PDF to keep, and on request a spreadsheet of every payment.

Any member may ask, in the group or privately, also after the circle ended: that is when a family
wants its record most. The files are sent as documents with no transaction open: core reads the
statement in one snapshot and closes its unit of work before the (seconds long) render and upload.
"""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from core.errors import CircleNotFound
from core.history import my_circles
from core.statement import circle_statement
from handlers import statements
from handlers.telegram import texts
from handlers.telegram.common import button_circle, chat_circle, is_group, registered_user, update_uow

PREFIX = "stmt:"
CAPTIONS = {statements.PDF: texts.STATEMENT_CAPTION, statements.CSV: texts.SPREADSHEET_CAPTION}


async def cmd_statement(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, its circle's; in private, the person's one circle's, or a button per circle."""
    circle = await chat_circle(update, context, include_ended=True) if is_group(update) else None
    if not (user := await registered_user(update, context)):
        return
    if circle is not None:
        await _send(update, context, user.id, circle.id, statements.PDF)
        return
    mine = await my_circles(update_uow(context), user.id, include_ended=True)
    if len(mine) == 1:
        await _send(update, context, user.id, mine[0].circle.id, statements.PDF)
    elif mine:
        choices = InlineKeyboardMarkup([[InlineKeyboardButton(
            m.circle.name, callback_data=f"{PREFIX}{statements.PDF}:{m.circle.id}")] for m in mine])
        await update.effective_message.reply_text(str(texts.STATEMENT_WHICH), reply_markup=choices)
    else:
        await update.effective_message.reply_text(str(texts.NO_CIRCLES))


async def on_statement_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"stmt:pdf:<circle id>" or "stmt:csv:<circle id>": anyone in a group can press it, so core
    checks that the presser is a member of the circle the button names."""
    kind = update.callback_query.data.removeprefix(PREFIX).partition(":")[0]
    if kind not in statements.CONTENT_TYPES:
        raise CircleNotFound()  # forged: no button of ours says that
    circle_id = button_circle(update, f"{PREFIX}{kind}:")
    if user := await registered_user(update, context):
        await _send(update, context, user.id, circle_id, kind)


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: uuid.UUID, circle_id: uuid.UUID,
                kind: str) -> None:
    """The statement as a document in this chat (a PDF comes with the spreadsheet's button)."""
    statement = await circle_statement(update_uow(context), circle_id, actor=user_id)
    if update.callback_query is not None:
        await update.callback_query.answer()
    await update.effective_chat.send_action(ChatAction.UPLOAD_DOCUMENT)  # rendering may take seconds
    document = await statements.document(statement, kind)
    csv_button = InlineKeyboardMarkup([[InlineKeyboardButton(
        str(texts.SPREADSHEET_BUTTON), callback_data=f"{PREFIX}{statements.CSV}:{statement.circle.id}")]])
    await update.effective_chat.send_document(
        InputFile(document.data, filename=document.filename),
        caption=CAPTIONS[kind].format(circle=statement.circle.name, fingerprint=statement.head.fingerprint),
        reply_markup=csv_button if kind == statements.PDF else None)
