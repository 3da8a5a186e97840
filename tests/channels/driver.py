"""Drive our real Telegram Application the way Telegram would, and read what it answered."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import Application

from bot.dispatcher import Dispatcher
from tests.channels import updates
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.updates import Person


@dataclass
class Driver:
    app: Application
    tg: FakeTelegram
    dispatcher: Dispatcher
    group: int = -1001234567890
    people: list[Person] = field(default_factory=list)

    async def deliver(self, update: dict) -> list[dict]:
        """Hand one update to the bot as Telegram would; return what the bot sent or edited meanwhile,
        including the announcements it queued in the outbox (delivered here as the dispatcher would)."""
        before = len(self.tg.sent)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        await self.dispatcher.drain()
        return self.tg.sent[before:]

    async def say(self, person: Person, text: str, *, reply_to: dict | None = None) -> str:
        """`person` types `text` in the group; returns the bot's reply texts joined."""
        sent = await self.deliver(updates.group_text(person, self.group, text, reply_to=reply_to))
        return "\n".join(m["text"] for m in sent if not is_card(m))

    async def private(self, person: Person, text: str) -> str:
        sent = await self.deliver(updates.private_text(person, text))
        return "\n".join(m["text"] for m in sent if not is_card(m))

    async def press(self, person: Person, message: dict, data: str) -> tuple[str, list[dict]]:
        """`person` taps a button; returns the alert/toast text and what the bot sent or edited."""
        answers_before = len(self.tg.callback_answers)
        sent = await self.deliver(updates.callback(person, message, data))
        answers = self.tg.callback_answers[answers_before:]
        return (answers[-1].get("text", "") if answers else ""), sent

    async def register(self, person: Person) -> str:
        await self.private(person, "/start")
        sent = await self.deliver(updates.contact(person, person.phone, person.id))
        return "\n".join(m["text"] for m in sent)

    def last_in_group(self) -> dict:
        """The group's newest message (edits, such as the status card's, are not new messages)."""
        return [m for m in self.tg.messages_to(self.group) if not m.get("edited")][-1]

    def card(self, chat: int | None = None) -> str:
        """The status card as the group sees it now (its latest post or edit)."""
        chat = self.group if chat is None else chat
        return [m for m in self.tg.messages_to(chat) if is_card(m)][-1]["text"]


def is_card(message: dict) -> bool:
    """A status card post or edit: a side channel, read with Driver.card() rather than as a reply."""
    return message.get("text", "").startswith(CARD_START)


CARD_START = "📌 “"


def buttons(message: dict) -> dict[str, str]:
    """Button label → callback data of a message's inline keyboard."""
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b.get("callback_data") or b.get("url") for row in keyboard for b in row}
