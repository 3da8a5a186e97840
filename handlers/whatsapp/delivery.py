"""Delivering outbox messages on WhatsApp through Twilio: wording, the 24-hour rule, failures."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from aiohttp import ClientError
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from core.outbox import DeliveryFailed, Due
from core.payment_refs import payment_ref
from handlers.formats import day, names
from handlers.i18n import _, money
from handlers.telegram import texts as telegram_texts
from handlers.telegram.delivery import plain_text
from handlers.telegram.identity import NOTICES
from handlers.whatsapp import identity, texts
from handlers.whatsapp.keywords import keyword
from handlers.whatsapp.texts import say

MAX_BODY = 1600  # WhatsApp's limit for one message
WINDOW = timedelta(hours=24)
REMINDERS = ("reminder", "overdue", "nudge_reminder", "nudge_overdue")
PAYING = ("cycle_opened", *REMINDERS)  # the next step is paying: a PAID quick reply where configured
QUICK_REPLY_BODY = 1024  # Twilio's limit for a quick-reply template's body
# Telegram's wording, with the parts that only make sense in a Telegram group turned around.
GROUP_PHRASES = {telegram_texts.PAY_HINT: texts.PAY_HINT, telegram_texts.VOTE_TAP: texts.VOTE_REPLY}


def render(kind: str, p: dict[str, Any]) -> str:
    if kind == "reply":
        return p["text"]
    if kind in NOTICES:  # about a person, not a circle
        return identity.notice(kind, p)
    amount = money(p["amount"], p["currency"]) if "amount" in p else ""
    if kind == "payment_marked":
        ref = payment_ref(p["contribution_id"], p.get("version", 1))  # queued before versions: the first claim
        text = say(texts.PAYMENT_MARKED, user=p["user"], money=amount, cycle_number=p["cycle_number"],
                   circle=p["circle"], ref=ref)
        if p.get("confirmed_amount"):  # a top-up of a payment confirmed in part
            text += " " + telegram_texts.TOP_UP.format(confirmed=money(p["confirmed_amount"], p["currency"]),
                                                       due=money(p["amount_due"], p["currency"]))
        return text
    if kind == "payout_recorded":
        # TRANSLATORS: {receiver} is a member's name; {RECEIVED} the WhatsApp keyword RECEIVED
        return _("🤝 The cycle {cycle_number} pot of “{circle}” ({money}) was handed to {receiver}. "
                 "{receiver}, reply {RECEIVED} once you have it.", cycle_number=p["cycle_number"], circle=p["circle"],
                 money=amount, receiver=p["receiver"], RECEIVED=keyword("RECEIVED"))
    if kind == "nudge_organizer":  # Telegram's asks to tap the payments' buttons
        # TRANSLATORS: {pending_names} lists members; {CONFIRM} is the WhatsApp keyword CONFIRM
        return _("“{circle}”: payments wait for your confirmation (cycle {cycle_number}): {pending_names}. "
                 "Reply {CONFIRM} to see them.", circle=p["circle"], cycle_number=p["cycle_number"],
                 pending_names=names(p.get("pending")), CONFIRM=keyword("CONFIRM"))
    circle = SimpleNamespace(name=p["circle"], currency=p.get("currency"), amount_per_cycle=p.get("amount_per_cycle"))
    text = texts.words(plain_text(kind, p, circle))
    for telegram_phrase, whatsapp_phrase in GROUP_PHRASES.items():
        text = text.replace(str(telegram_phrase), say(whatsapp_phrase))
    if kind in ("draw_completed", "auto_draw"):
        text += "\n" + say(texts.FAIR_HINT)
    return text


def fit(text: str, limit: int = MAX_BODY) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WhatsAppSender:
    """Sends through the official twilio client, each message after `pace()` (the wiring's: Twilio's
    messages a second, interactive before bulk)."""

    def __init__(self, client: Client, from_: str, clock: Callable[[], datetime], *,
                 pace: Callable[[], Awaitable[None]], reminder_template: str | None = None,
                 paid_template: str | None = None, status_callback: str | None = None) -> None:
        self.client, self.from_, self.clock, self.pace = client, from_, clock, pace
        self.reminder_template, self.status_callback = reminder_template, status_callback
        self.paid_template = paid_template

    async def __call__(self, message: Due) -> str:
        options: dict[str, Any] = {"to": message.address, "from_": self.from_}
        if self.status_callback:
            options["status_callback"] = self.status_callback
        if message.kind in REMINDERS and self.reminder_template and not self._window_open(message):
            # Outside the 24-hour window WhatsApp only accepts approved templates.
            p = message.payload
            due = day(p["due_date"], p.get("today", p["due_date"]))
            options |= {"content_sid": self.reminder_template, "content_variables": json.dumps(
                {"1": p["circle"], "2": money(p.get("owed", p["amount_per_cycle"]), p["currency"]), "3": due})}
        elif message.kind in PAYING and self.paid_template and self._window_open(message):
            # In the window a quick-reply template needs no approval: the same words, and a button to tap.
            text = fit(render(message.kind, message.payload), QUICK_REPLY_BODY)
            options |= {"content_sid": self.paid_template, "content_variables": json.dumps({"1": text})}
        else:
            options["body"] = fit(render(message.kind, message.payload))
        if message.kind == "reply" and message.payload.get("media_url"):  # a file: Twilio fetches it from there
            options["media_url"] = [message.payload["media_url"]]
            if not options.get("body"):
                options.pop("body", None)
        await self.pace()
        try:
            sent = await self.client.messages.create_async(**options)
        except TwilioRestException as error:
            transient = error.status == 429 or error.status >= 500
            raise DeliveryFailed(f"twilio {error.status} {error.code}: {error.msg}",
                                 permanent=not transient) from error
        except (ClientError, TimeoutError) as error:
            raise DeliveryFailed(f"network: {error!r}") from error
        return sent.sid

    def _window_open(self, message: Due) -> bool:
        last = message.last_inbound_at
        return last is not None and self.clock() - last < WINDOW


