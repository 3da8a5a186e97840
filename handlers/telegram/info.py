"""/summary, /history and /mycircles: reading, never changing."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from core.history import circle_history, my_circles
from core.summary import circle_summary
from handlers.telegram import texts
from handlers.telegram.common import chat_circle, registered_user, update_uow


async def cmd_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context)
    board = await circle_summary(update_uow(context), circle.id)
    await update.effective_message.reply_text(texts.summary(board, update_uow(context).now()))


async def cmd_history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    circle = await chat_circle(update, context, include_ended=True)
    circle, records = await circle_history(update_uow(context), circle.id)
    await update.effective_message.reply_text(texts.history(circle, records, update_uow(context).now()))


async def cmd_mycircles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if user := await registered_user(update, context):
        items = await my_circles(update_uow(context), user.id)
        await update.effective_message.reply_text(texts.my_circles(items, update_uow(context).now()))

