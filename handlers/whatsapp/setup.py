"""NEW on WhatsApp: the same questions and review as on Telegram, answered one message at a time,
choices as numbered replies. The answers so far live in the conversation state under "setup"."""

from __future__ import annotations

from typing import Any

from core.circles import create_circle, member_role, set_timezone
from core.conversations import take_state
from core.errors import InvalidTimezone, NotOrganizer
from core.models import Channel, Role
from handlers import circle_setup as setup
from handlers import parsing
from handlers.circle_setup import SetupAnswerError
from handlers.i18n import _
from handlers.telegram import texts as shared
from handlers.whatsapp import keywords, texts
from handlers.whatsapp.texts import say

CANCEL_WORDS = ("CANCEL", "STOP", "/CANCEL")  # and CANCEL in any language we speak


def _options(step: str, answers: dict[str, Any], who: setup.Asker) -> list[tuple[str, str]]:
    if step == "review":
        return [(str(label).split(" ", 1)[-1], value) for label, value in setup.REVIEW_ACTIONS]  # without the emoji
    if step == "change":
        return [*((str(label), field) for field, label in setup.FIELDS.items()), (_("Back to the review"), "review")]
    if step == "members":  # a typed number is the answer: numbered sizes would read as option numbers
        return []
    return setup.choices(step, answers, who)


def _message(step: str, answers: dict[str, Any], who: setup.Asker, before: str = "") -> str:
    if step == "review":
        text = setup.review(answers, who)
    elif step == "change":
        text = str(texts.SETUP_WHICH_FIELD)
    else:
        text = setup.question(step, who)
    options = "".join(f"\n{n}. {label}" for n, (label, _value) in enumerate(_options(step, answers, who), start=1))
    hint = str(texts.SETUP_REPLY_NUMBER) if options else ""
    return "\n".join(filter(None, [before, text + options, hint, say(texts.SETUP_CANCEL_HINT)]))


async def start(talk) -> list[str]:
    who = setup.asker(talk.user, talk.now())
    if "|" in talk.args:  # the one-line form, as on Telegram
        if len(talk.args.split("|")) not in (5, 6):
            return [texts.words(str(shared.SETUP_USAGE))]
        try:
            return await _create(talk, setup.parse_line(talk.args, who), who)
        except SetupAnswerError as error:
            return [error.words(who)]
    return await _ask(talk, {}, who)


async def answer(talk, body: str) -> list[str]:
    state = await talk.state()
    step, answers = state["step"], dict(state.get("setup") or {})
    who = setup.asker(talk.user, talk.now(), answers)
    if body.strip().upper() in CANCEL_WORDS or keywords.english(body.strip().lstrip("/")) == "CANCEL":
        await talk.remember(step=None, setup=None)
        return [str(setup.CANCELLED)]
    options = _options(step, answers, who)
    reply = body.strip()
    if reply.isascii() and reply.isdigit() and 1 <= int(reply) <= len(options):
        body = options[int(reply) - 1][1]
    if step == "review":
        choice = body.strip().lower()
        if choice == "create":
            return await _create(talk, answers, who, reviewed=True)
        return await _ask(talk, answers, who, step="change" if choice == "change" else "review")
    if step == "change" and body in setup.FIELDS:  # re-ask just that one, then back to the review
        return await _ask(talk, answers, who, step=body)
    if step == "change":
        return await _ask(talk, answers, who, step="review")
    try:
        answers.update(setup.parse_answer(step, body, who, answers))
    except SetupAnswerError as error:
        return await _ask(talk, answers, who, step=step, before=error.words(who))
    return await _ask(talk, answers, setup.asker(talk.user, talk.now(), answers))


async def _ask(talk, answers: dict[str, Any], who: setup.Asker, *, step: str | None = None,
               before: str = "") -> list[str]:
    step = step or setup.next_step(answers)
    await talk.remember(step=step, setup=answers)
    return [_message(step, answers, who, before)]


async def _create(talk, answers: dict[str, Any], who: setup.Asker, *, reviewed: bool = False) -> list[str]:
    """`reviewed`: the review is taken in the creating transaction, so two "1"s at once create one
    circle, and a refused creation leaves the review where it was."""
    uow, sender = talk.change(), talk.message.sender
    async with uow:
        if reviewed and await take_state(uow, Channel.WHATSAPP, sender, sender, "review") is None:
            return [say(texts.SETUP_ALREADY_DONE)]
        circle = await create_circle(uow, actor=talk.user.id, settings=setup.circle_settings(answers, who.timezone))
    await talk.remember(circle=str(circle.id))
    announcement = shared.circle_created(circle, talk.user.full_name, talk.now()).splitlines()[:-1]
    return ["\n".join(announcement + [say(texts.HOW_TO_JOIN, code=circle.join_code)])]


async def cmd_timezone(talk) -> list[str]:
    """TIMEZONE shows the circle's zone; TIMEZONE CITY or ZONE changes it (organizers)."""
    circle = await talk.circle()
    if not talk.args:
        return [texts.words(shared.TIMEZONE_NOW.format(circle=circle.name, zone=setup.zone_words(circle.timezone),
                                                       name=circle.timezone))]
    if await member_role(talk.new_uow(), circle.id, talk.user.id) != Role.ORGANIZER:
        raise NotOrganizer()
    try:
        zone = parsing.parse_timezone(talk.args)
    except InvalidTimezone:
        return [texts.words(shared.TIMEZONE_UNKNOWN.format(text=talk.args[:40]))]
    changed = await set_timezone(talk.change(), actor=talk.user.id, circle_id=circle.id, timezone=zone)
    return [shared.TIMEZONE_SET.format(actor=talk.user.full_name, circle=changed.name, zone=setup.zone_words(zone),
                                       name=zone)]
