"""/vote and its buttons: members decide for a circle whose organizers stopped acting (core/stewardship.py)."""

from __future__ import annotations

import uuid
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from core.errors import StaleButton
from core.models import Circle, Role, User, VoteKind, VoteStatus
from core.organizers import members_in_join_order
from core.schedule import local_date
from core.stewardship import Vote, cast_ballot, circle_of_vote, needed, open_vote, start_vote, vote_choices
from handlers.i18n import pgettext
from handlers.telegram import texts
from handlers.telegram.common import change, chat_circle, registered_user, rosca, update_uow
from handlers.telegram.organizer import named

VOTE = "vote:"  # vote:menu · vote:e:<member hex> (propose them) · vote:end · vote:y:<vote hex> · vote:n:<vote hex>


def vote_button() -> InlineKeyboardMarkup:
    """Under a refusal: the way out when no organizer acts."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(str(texts.VOTE_BUTTON), callback_data=f"{VOTE}menu")]])


def ballot_buttons(vote_id: uuid.UUID | str) -> InlineKeyboardMarkup:
    hex_id = uuid.UUID(str(vote_id)).hex
    return InlineKeyboardMarkup([[InlineKeyboardButton(str(texts.VOTE_YES), callback_data=f"{VOTE}y:{hex_id}"),
                                  InlineKeyboardButton(str(texts.VOTE_NO), callback_data=f"{VOTE}n:{hex_id}")]])


async def cmd_vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/vote: the open vote, or the choices; /vote yes|no votes; /vote @member or /vote end proposes."""
    circle = await chat_circle(update, context)
    if not (user := await registered_user(update, context)):
        return
    word = context.args[0].lower() if context.args else ""
    if word in ("yes", "no"):
        vote = await cast_ballot(change(update, context), actor=user.id, circle_id=circle.id, in_favour=word == "yes")
    elif word == "end":
        vote = await _start(update, context, user, circle, VoteKind.END)
    elif context.args:
        person = await named(update, context, circle)
        if person is None:
            await update.effective_message.reply_text(texts.NOT_IN_CIRCLE.format(who=context.args[0][:40],
                                                                                 circle=circle.name))
            return
        vote = await _start(update, context, user, circle, VoteKind.ELECT, person.user_id)
    else:
        text, markup = await _choices(update, context, user, circle)
        await update.effective_message.reply_text(text, reply_markup=markup)
        return
    text, markup = _ballot(vote, context)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def on_vote_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Yes / No (in the group or a private copy: the button names its vote), a member proposed, End,
    or the refusal's Vote button. Core checks the presser is a member and counts one ballot each."""
    query = update.callback_query
    if not (user := await registered_user(update, context)):
        return
    action, _, rest = query.data.removeprefix(VOTE).partition(":")
    try:
        subject = uuid.UUID(hex=rest) if rest else None
    except ValueError:
        raise StaleButton() from None
    if action in ("y", "n") and subject is not None:
        circle_id = await circle_of_vote(update_uow(context), subject)
        vote = await cast_ballot(change(update, context), actor=user.id, circle_id=circle_id, in_favour=action == "y",
                                 vote_id=subject)
        # TRANSLATORS: the ballot just cast, in "Counted: {ballot}."
        ballot = pgettext("ballot", "yes") if action == "y" else pgettext("ballot", "no")
        await query.answer(texts.VOTE_COUNTED.format(ballot=ballot))
        text, markup = _ballot(vote, context)
        await query.edit_message_text(text, reply_markup=markup)
        return
    circle = await chat_circle(update, context)
    if action == "menu":
        text, markup = await _choices(update, context, user, circle)
        await query.answer()
        await query.message.reply_text(text, reply_markup=markup)
        return
    if action not in ("e", "end") or (action == "e") != (subject is not None):
        raise StaleButton()
    vote = await _start(update, context, user, circle, VoteKind.ELECT if action == "e" else VoteKind.END, subject)
    await query.answer(str(texts.TOAST_DONE))
    text, markup = _ballot(vote, context)
    await query.edit_message_text(text, reply_markup=markup)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, circle: Circle, kind: VoteKind,
                 candidate: uuid.UUID | None = None) -> Vote:
    return await start_vote(change(update, context), actor=user.id, circle_id=circle.id, kind=kind,
                            candidate=candidate, absent_days=rosca(context).organizer_absent_days)


async def _choices(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User,
                   circle: Circle) -> tuple[str, InlineKeyboardMarkup | None]:
    """The open vote with its buttons; else (refused while an organizer is active) whom to propose."""
    vote = await open_vote(update_uow(context), circle.id)
    if vote is not None:
        return _ballot(vote, context)
    absence = await vote_choices(update_uow(context), actor=user.id, circle_id=circle.id,
                                 absent_days=rosca(context).organizer_absent_days)
    members = await members_in_join_order(update_uow(context), circle.id)
    names = [InlineKeyboardButton(p.full_name[:40], callback_data=f"{VOTE}e:{p.user_id.hex}")
             for p in members if p.role != Role.ORGANIZER][:texts.MAX_ORDER_BUTTONS]
    rows = [names[i:i + 2] for i in range(0, len(names), 2)]
    rows.append([InlineKeyboardButton(str(texts.VOTE_END_BUTTON), callback_data=f"{VOTE}end")])
    since = absence.last_acted and local_date(absence.last_acted, circle.timezone)
    absent = texts.absent_line(circle.name, since, _today(context, circle))
    text = texts.VOTE_CHOICES.format(absent=absent, needed=needed(len(members)), members=len(members))
    return text, InlineKeyboardMarkup(rows)


def _ballot(vote: Vote, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, InlineKeyboardMarkup | None]:
    markup = ballot_buttons(vote.id) if vote.status == VoteStatus.OPEN else None
    return texts.vote_text(vote, _today(context, vote.circle)), markup


def _today(context: ContextTypes.DEFAULT_TYPE, circle: Circle) -> date:
    return local_date(update_uow(context).now(), circle.timezone)
