"""NEW on WhatsApp: the same questions as on Telegram, answered one message at a time."""

from __future__ import annotations

from typing import Any

from core.circles import create_circle
from core.errors import CoreError
from handlers.circle_setup import CHOICES, QUESTIONS, STEPS, circle_settings, defaults_for, parse_answer
from handlers.telegram import texts as shared
from handlers.whatsapp import texts

STEP_KEYS = ("step", "name", "amount", "currency", "members", "frequency", "every_days", "first_due", "order")


def question(step: str) -> str:
    options = "".join(f"\n{n}. {label}" for n, (label, _) in enumerate(CHOICES.get(step, []), start=1))
    return QUESTIONS[step] + options + ("\n(Reply with a number.)" if options else "") + "\nSend CANCEL to stop."


async def start(talk) -> list[str]:
    if "|" in talk.args:  # the one-line form, as on Telegram
        parts = [p.strip() for p in talk.args.split("|")]
        if len(parts) not in (5, 6):
            return [texts.words(shared.ERRORS["invalid_schedule"])]
        currency, timezone = defaults_for(talk.user)
        state: dict[str, Any] = {}
        for step, part in zip(STEPS, parts):
            state.update(parse_answer(step, part, state.get("currency", currency)))
        return await _create(talk, state, timezone)
    await talk.remember(step="name")
    return [question("name")]


async def answer(talk, body: str) -> list[str]:
    state = await talk.state()
    step = state["step"]
    if body.strip().upper() in ("CANCEL", "STOP", "/CANCEL"):
        await talk.remember(**{k: None for k in STEP_KEYS})
        return [texts.SETUP_CANCELLED]
    choices = CHOICES.get(step, [])
    if body.strip().isdigit() and 1 <= int(body.strip()) <= len(choices):
        body = choices[int(body.strip()) - 1][1]
    currency, timezone = defaults_for(talk.user)
    try:
        state.update(parse_answer(step, body, state.get("currency") or currency))
    except CoreError as error:
        return [texts.refusal(error) + "\n" + question(step)]
    following = STEPS.index(step) + 1
    if following < len(STEPS):
        await talk.remember(**{**state, "step": STEPS[following]})
        return [question(STEPS[following])]
    await talk.remember(**{k: None for k in STEP_KEYS})
    return await _create(talk, state, timezone)


async def _create(talk, state: dict[str, Any], timezone: str) -> list[str]:
    circle = await create_circle(talk.change(), actor=talk.user.id, settings=circle_settings(state, timezone))
    await talk.remember(circle=str(circle.id))
    announcement = shared.circle_created(circle, talk.user.full_name, talk.now()).splitlines()[:-1]
    return ["\n".join(announcement + [texts.HOW_TO_JOIN.format(code=circle.join_code)])]
