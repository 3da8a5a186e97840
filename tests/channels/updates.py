"""Builders for what Telegram delivers to the bot, as Bot API JSON dicts.

Ids come from module-wide counters, so every update and incoming message is distinct across a run.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from telegram import Bot, Update

from tests.channels.fake_telegram import FakeTelegram, chat_type

_update_ids = itertools.count(1)
_message_ids = itertools.count(100_000)
_callback_ids = itertools.count(1)


@dataclass
class Person:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    phone: str | None = None
    language_code: str | None = None  # their Telegram app's language, sent with every update

    def user_dict(self) -> dict:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


def private_text(person: Person, text: str) -> dict:
    return {"update_id": next(_update_ids), "message": _text_message(person, _private_chat(person), text)}


def group_text(person: Person, chat_id: int, text: str, *, reply_to: dict | None = None,
               title: str = "Family") -> dict:
    message = _text_message(person, _group_chat(chat_id, title), text)
    if reply_to is not None:
        message["reply_to_message"] = _as_sent(reply_to)
    return {"update_id": next(_update_ids), "message": message}


def edited_group_text(original: dict, text: str) -> dict:
    """The person edits the message of an earlier `group_text` update."""
    message = dict(original["message"], text=text, edit_date=int(time.time()))
    message.pop("entities", None)
    message.update(_command_entities(text))
    return {"update_id": next(_update_ids), "edited_message": message}


def contact(person: Person, phone: str, contact_user_id: int | None, *, first_name: str | None = None) -> dict:
    """A shared contact; `contact_user_id=None` is a vCard of someone not on Telegram."""
    shared = {"phone_number": phone, "first_name": first_name or person.first_name}
    if contact_user_id is not None:
        shared["user_id"] = contact_user_id
    message = _message(person, _private_chat(person), contact=shared)
    return {"update_id": next(_update_ids), "message": message}


def callback(person: Person, message: dict, data: str) -> dict:
    """The person presses a button under `message`, a message the bot sent (e.g. `FakeTelegram.sent[i]`)."""
    sent = _as_sent(message)
    query = {"id": str(next(_callback_ids)), "from": person.user_dict(), "message": sent,
             "chat_instance": f"instance{sent['chat']['id']}", "data": data}
    return {"update_id": next(_update_ids), "callback_query": query}


def chat_migrated(person: Person, old_chat_id: int, new_chat_id: int) -> dict:
    """The service message Telegram posts in a group that became a supergroup."""
    message = _message(person, _group_chat(old_chat_id, "Family"), migrate_to_chat_id=new_chat_id)
    return {"update_id": next(_update_ids), "message": message}


def bot_removed(person: Person, chat_id: int, *, status: str = "kicked") -> dict:
    """`person` removes the bot from the group (`status="left"` when the bot left on its own)."""
    new_member = {"status": status, "user": FakeTelegram.BOT_USER}
    if status == "kicked":
        new_member["until_date"] = 0
    change = {"chat": _group_chat(chat_id, "Family"), "from": person.user_dict(), "date": int(time.time()),
              "old_chat_member": {"status": "member", "user": FakeTelegram.BOT_USER},
              "new_chat_member": new_member}
    return {"update_id": next(_update_ids), "my_chat_member": change}


def member_left(person: Person, chat_id: int, left_person: Person) -> dict:
    """`left_person` left the group, or `person` removed them."""
    message = _message(person, _group_chat(chat_id, "Family"), left_chat_member=left_person.user_dict())
    return {"update_id": next(_update_ids), "message": message}


def as_update(data: dict, bot: Bot) -> Update:
    return Update.de_json(data, bot)


def _message(person: Person, chat: dict, **content: object) -> dict:
    return {"message_id": next(_message_ids), "date": int(time.time()), "chat": chat,
            "from": person.user_dict(), **content}


def _text_message(person: Person, chat: dict, text: str) -> dict:
    return _message(person, chat, text=text, **_command_entities(text))


def _command_entities(text: str) -> dict:
    """PTB's CommandHandler only fires on a `bot_command` entity at offset 0, as Telegram sends it."""
    if not text.startswith("/"):
        return {}
    command = text.split()[0]
    return {"entities": [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]}


def _private_chat(person: Person) -> dict:
    chat = {"id": person.id, "type": "private", "first_name": person.first_name}
    if person.username:
        chat["username"] = person.username
    return chat


def _group_chat(chat_id: int, title: str) -> dict:
    return {"id": chat_id, "type": chat_type(chat_id), "title": title}


def _as_sent(message: dict) -> dict:
    """A message as Telegram embeds it: no bookkeeping keys from FakeTelegram.sent, inline keyboards only."""
    bookkeeping = ("chat_id", "edited", "document_name", "document_content")
    bookkeeping += ("text",) if "document" in message else ()  # FakeTelegram.sent puts a caption there
    embedded = {k: v for k, v in message.items() if k not in bookkeeping and v is not None}
    if "inline_keyboard" not in embedded.get("reply_markup", {}):
        embedded.pop("reply_markup", None)
    return embedded
