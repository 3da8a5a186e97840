"""A conversation written down as a family would read it: who did what where, and what the bot
showed in return (messages, buttons, edits, pop-up answers), for the README's example."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.channels.driver import Driver, buttons, is_card
from tests.channels.updates import Person


@dataclass
class Transcript:
    bot: Driver
    people: dict[int, str]  # Telegram user id → the name the story calls them
    lines: list[str] = field(default_factory=list)

    def chat(self, chat_id: int) -> str:
        return "the group" if chat_id == self.bot.group else f"{self.people.get(chat_id, chat_id)} privately"

    def _took(self, before: int, toast: str = "") -> list[dict]:
        sent = self.bot.tg.sent[before:]
        if toast:
            self.lines.append(f"> 🤖 (pop-up) {toast}")
        card_edited = False
        for message in sent:
            where = self.chat(message["chat_id"])
            if is_card(message) and message.get("edited"):
                card_edited = True  # the card changes at almost every step: said once, shown in full at the end
                continue
            verb = "edits its message in" if message.get("edited") else "to"
            text = "\n> ".join(message.get("text", "").splitlines())
            labels = "".join(f" [{label}]" for label in buttons(message))
            self.lines.append(f"> 🤖 {verb} {where}: {text}{labels}")
        if card_edited:
            self.lines.append(f"> 🤖 updates the pinned status card in {self.chat(self.bot.group)}")
        self.lines.append("")
        return sent

    async def say(self, person: Person, text: str) -> list[dict]:
        self.lines.append(f"**{self.people[person.id]}** in the group: `{text}`")
        before = len(self.bot.tg.sent)
        await self.bot.say(person, text)
        return self._took(before)

    async def private(self, person: Person, text: str) -> list[dict]:
        self.lines.append(f"**{self.people[person.id]}** to the bot, privately: `{text}`")
        before = len(self.bot.tg.sent)
        await self.bot.private(person, text)
        return self._took(before)

    async def tap(self, person: Person, message: dict, label: str) -> list[dict]:
        """`person` taps the button labelled `label` under `message`."""
        self.lines.append(f"**{self.people[person.id]}** taps [{label}] in {self.chat(message['chat_id'])}")
        before = len(self.bot.tg.sent)
        toast, _ = await self.bot.press(person, message, buttons(message)[label])
        return self._took(before, toast)

    def card(self) -> None:
        """The status card as the group sees it now."""
        self.lines += ["The pinned status card now reads:", "> " + "\n> ".join(self.bot.card().splitlines()), ""]

    def markdown(self) -> str:
        return "\n".join(self.lines).strip() + "\n"
