"""/newcircle: a one-line form for power users, or a guided setup in the organizer's private chat,
like @BotFather's: one question at a time, buttons where the choice is finite, a review with
Create / Change / Cancel, then the circle is announced in the group it was asked for.

The group is remembered in the organizer's private conversation state when the group command
arrives, so a hand-made deep link cannot aim a setup at another group: its nonce only has to match.
"""

from __future__ import annotations

import secrets
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from core.circles import create_circle, member_role, set_timezone
from core.conversations import clear_state, load_state, save_state, take_state
from core.errors import CoreError, InvalidTimezone, NotOrganizer
from core.models import Circle, Role, User
from core.uow import UnitOfWork
from handlers import circle_setup as setup
from handlers import parsing
from handlers.circle_setup import SetupAnswerError
from handlers.telegram import texts
from handlers.telegram.common import TG, acting_user, change, chat_circle, is_group, registered_user, update_uow
from handlers.telegram.membership import announcement_markup

CANCEL_WORDS = ("cancel", "/cancel", "stop")


async def cmd_newcircle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if is_group(update) and await _has_circle(update, context):
        await update.effective_message.reply_text(str(texts.ERRORS["chat_has_active_circle"]))
        return
    line = update.effective_message.text.split(maxsplit=1)
    if len(line) == 1:
        return await (_invite_to_private(update, context) if is_group(update) else _begin_here(update, context))
    if not (user := await registered_user(update, context)):
        return
    if len(line[1].split("|")) not in (5, 6):
        await update.effective_message.reply_text(str(texts.SETUP_USAGE))
        return
    who = setup.asker(user, update_uow(context).now())
    try:
        state = setup.parse_line(line[1], who)
    except SetupAnswerError as error:
        await update.effective_message.reply_text(error.words(who))
        return
    group = str(update.effective_chat.id) if is_group(update) else None
    await _create(update, context, user, state, who, group)


async def _has_circle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    try:
        await chat_circle(update, context)
        return True
    except CoreError:
        return False


async def _invite_to_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remember the group in the sender's private conversation; the link only carries a nonce."""
    nonce, private = secrets.token_urlsafe(6), str(update.effective_user.id)
    await save_state(update_uow(context), TG, private, private, {"group": str(update.effective_chat.id),
                                                                  "nonce": nonce})
    if not (user := await registered_user(update, context, payload=f"new-{nonce}")):
        return
    link = f"https://t.me/{context.bot.username}?start=new-{nonce}"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(str(texts.SETUP_IN_PRIVATE_BUTTON), url=link)]])
    await update.effective_message.reply_text(texts.SETUP_IN_PRIVATE.format(name=user.full_name), reply_markup=markup)


async def _begin_here(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/newcircle in a private chat: a circle with no group, joined by code (as on WhatsApp)."""
    if not (user := await registered_user(update, context)):
        return
    private = str(update.effective_chat.id)
    state = await load_state(update_uow(context), TG, private, private)
    if state and state.get("group") and state.get("step"):  # a group's setup is running here: go on with it
        return await _ask(update, context, user, {k: v for k, v in state.items() if k != "step"}, step=state["step"])
    await update.effective_message.reply_text(str(texts.SETUP_WITHOUT_GROUP))
    await _ask(update, context, user, {"nonce": secrets.token_urlsafe(6)})


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, nonce: str) -> None:
    """/start new-NONCE in the private chat: continue the setup the group command began."""
    private = str(update.effective_chat.id)
    state = await load_state(update_uow(context), TG, private, private)
    if not state or state.get("nonce") != nonce:
        await update.effective_message.reply_text(str(texts.SETUP_LINK_OLD))
        return
    await _ask(update, context, user, state)


async def on_setup_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed answer; in a private chat every message reaches us, whatever the group's privacy mode."""
    await _take_answer(update, context, update.effective_message.text, None)


async def on_setup_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _, step, value = update.callback_query.data.split(":", 2)
    await _take_answer(update, context, value, step)


async def _take_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, pressed: str | None) -> None:
    chat, sender = str(update.effective_chat.id), str(update.effective_user.id)
    state = await load_state(update_uow(context), TG, chat, sender)
    query = update.callback_query
    if not state or "step" not in state or (pressed is not None and pressed != state["step"]):
        if query is not None:  # someone else's button, or an answered question's
            await query.answer(str(texts.SETUP_STALE_BUTTON))
        elif update.effective_chat.type == "private":
            await update.effective_message.reply_text(str(texts.PRIVATE_HINT))
        return
    if not (user := await acting_user(update, context)):
        return
    who, step = setup.asker(user, update_uow(context).now(), state), state.pop("step")
    if text.strip().lower() in CANCEL_WORDS:
        await clear_state(update_uow(context), TG, chat, sender)
        await update.effective_message.reply_text(str(setup.CANCELLED))
    elif step == "review" and text.strip().lower() == "create":
        if not await _create_reviewed(update, context, user):
            return
    elif step == "change" and text in setup.FIELDS:  # re-ask just that one, then back to the review
        await _ask(update, context, user, state, step=text)
    elif step in ("review", "change"):
        await _ask(update, context, user, state, step="change" if text.strip().lower() == "change" else "review")
    else:
        try:
            state.update(setup.parse_answer(step, text, who, state))
        except SetupAnswerError as error:
            await _ask(update, context, user, state, step=step, before=error.words(who))
        else:
            await _ask(update, context, user, state)
    if query is not None:  # answered last: a refusal (error handler) shows as this button's alert
        await query.answer()


async def _create_reviewed(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> bool:
    """Create once, however many taps arrive: the review's state is taken in the creating transaction."""
    chat = str(update.effective_chat.id)
    uow = change(update, context)
    async with uow:  # one transaction: a refused creation leaves the review where it was
        if (state := await take_state(uow, TG, chat, chat, "review")) is not None:
            group = state.get("group")
            circle = await _create_circle(uow, user, state, setup.asker(user, uow.now(), state), group)
    if state is None:
        if update.callback_query is not None:
            await update.callback_query.answer(str(texts.SETUP_STALE_BUTTON))
        return False
    await _announce(update, context, user, circle, group)
    return True


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, state: dict[str, Any], *,
               step: str | None = None, before: str = "") -> None:
    """Save where the setup stands and ask its next question (or show the review)."""
    who = setup.asker(user, update_uow(context).now(), state)
    step = step or setup.next_step(state)
    chat = str(update.effective_chat.id)
    await save_state(update_uow(context), TG, chat, str(update.effective_user.id), {**state, "step": step})
    if step == "review":
        text, options = setup.review(state, who), setup.REVIEW_ACTIONS
    elif step == "change":
        text, options = str(texts.SETUP_WHICH_FIELD), [*((label, f) for f, label in setup.FIELDS.items()),
                                                  (texts.SETUP_BACK, "review")]
    else:
        text, options = setup.question(step, who), setup.choices(step, state, who)
    buttons = [InlineKeyboardButton(str(label), callback_data=f"new:{step}:{value}") for label, value in options]
    width = 3 if step == "members" else 2 if step in ("first_due", "change") else 1
    markup = InlineKeyboardMarkup([buttons[i:i + width] for i in range(0, len(buttons), width)]) if buttons else None
    await update.effective_message.reply_text("\n".join(filter(None, [before, text])), reply_markup=markup)


async def _create(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, state: dict[str, Any],
                  who: setup.Asker, group: str | None) -> None:
    circle = await _create_circle(change(update, context), user, state, who, group)
    await _announce(update, context, user, circle, group)


async def _create_circle(uow: UnitOfWork, user: User, state: dict[str, Any], who: setup.Asker,
                         group: str | None) -> Circle:
    if group is not None:  # the group gets our announcement directly: the outbox skips it
        uow.origin = (TG, group)
    return await create_circle(uow, actor=user.id, settings=setup.circle_settings(state, who.timezone),
                               chat=(TG, group) if group else None)


async def _announce(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, circle: Circle,
                    group: str | None) -> None:
    announcement = texts.circle_created(circle, user.full_name, update_uow(context).now())
    if group is None:  # no group, so no Join button: the last line (how to join) becomes the join code's
        await update.effective_message.reply_text(announcement.rsplit("\n", 1)[0] + "\n" + texts.SETUP_NO_GROUP_DONE
                                                  .format(code=circle.join_code),
                                                  reply_markup=announcement_markup(circle, join=False))
    elif group == str(update.effective_chat.id):  # the one-line form, typed in the group
        await update.effective_message.reply_text(announcement, reply_markup=announcement_markup(circle))
    else:
        try:
            await context.bot.send_message(int(group), announcement, reply_markup=announcement_markup(circle))
            done = texts.SETUP_POSTED.format(name=circle.name)
        except TelegramError:
            done = texts.SETUP_NOT_POSTED.format(name=circle.name, code=circle.join_code)
        await update.effective_message.reply_text(done)


async def cmd_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/timezone shows the circle's zone; /timezone CITY or ZONE changes it (organizers)."""
    circle = await chat_circle(update, context)
    if not context.args:  # anyone may look
        await update.effective_message.reply_text(texts.TIMEZONE_NOW.format(
            circle=circle.name, zone=setup.zone_words(circle.timezone), name=circle.timezone))
        return
    if not (user := await registered_user(update, context)):
        return
    if await member_role(update_uow(context), circle.id, user.id) != Role.ORGANIZER:
        raise NotOrganizer()  # before reading the zone: a member's typo should not read as a zone problem
    wanted = " ".join(context.args)
    try:
        zone = parsing.parse_timezone(wanted)
    except InvalidTimezone:
        await update.effective_message.reply_text(texts.TIMEZONE_UNKNOWN.format(text=wanted[:40]))
        return
    changed = await set_timezone(change(update, context), actor=user.id, circle_id=circle.id, timezone=zone)
    await update.effective_message.reply_text(texts.TIMEZONE_SET.format(
        actor=user.full_name, circle=changed.name, zone=setup.zone_words(zone), name=zone))
