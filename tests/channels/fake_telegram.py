"""A fake Telegram Bot API server, so channel tests drive the real PTB `Application` over HTTP.

It answers the way Telegram does where our bot could notice the difference (result shapes, error
bodies, edits that change nothing, HTML that Telegram would reject), and records every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import html
import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.channels.local_server import LocalServer

# PTB sends every parameter as a form field holding a string; these hold numbers or booleans.
_NUMBER_KEYS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "from_chat_id",
                "message_thread_id", "cache_time", "max_connections"}
_FREE_TEXT_KEYS = {"text", "caption", "callback_query_id", "inline_message_id"}
_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
              "a", "code", "pre", "tg-emoji", "blockquote"}
_NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                 "markup are exactly the same as a current content and reply markup of the message")

@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    failed_with: int | None = None

@dataclass(frozen=True)
class Upload:
    """A file sent as multipart form data (sendDocument)."""

    filename: str
    content: bytes

class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return JSONResponse(body, status_code=self.status)

def chat_type(chat_id: int) -> str:
    """Telegram's id ranges: users are positive, supergroups start at -100…, basic groups are the rest."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id < -1_000_000_000_000 else "group"

class FakeTelegram(LocalServer):
    TOKEN = "123456:TEST-token_abcdefghijklmnopqrst"
    BOT_ID = 123456
    BOT_USERNAME = "rosca_test_bot"
    BOT_USER: ClassVar[dict] = {"id": BOT_ID, "is_bot": True, "first_name": "Rosca Test",
                                "username": BOT_USERNAME, "can_join_groups": True,
                                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.sent: list[dict] = []
        self._updates: list[dict] = []
        self._update_queued = asyncio.Event()
        self._messages: dict[tuple[int, int], dict] = {}
        self._last_message_id: dict[int, int] = defaultdict(int)
        self._commands: dict[tuple[str, str], list] = {}
        self._webhook_url = ""
        self._faults: dict[str, deque[ApiError]] = defaultdict(deque)
        self._delays: dict[str, deque[float]] = defaultdict(deque)
        self._methods = {name.lower(): handler for name, handler in {
            "getMe": lambda p: self.BOT_USER, "getUpdates": self._get_updates,
            "sendMessage": self._send_message, "sendDocument": self._send_document,
            "editMessageText": lambda p: self._edit(p, text=_visible_text(p["text"], p.get("parse_mode"))),
            "editMessageReplyMarkup": self._edit, "answerCallbackQuery": lambda p: True,
            "setMyCommands": self._set_commands, "deleteMyCommands": self._delete_commands,
            "getMyCommands": lambda p: self._commands.get(_scope_key(p), []),
            "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": lambda p: {"url": self._webhook_url, "has_custom_certificate": False,
                                         "pending_update_count": len(self._updates)},
            "sendChatAction": lambda p: True, "getChat": self._get_chat, "setChatMenuButton": lambda p: True,
            "leaveChat": lambda p: True, "deleteMessage": self._delete_message,
        }.items()}

    def routes(self) -> list[Route]:
        return [Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]

    def _before_stop(self) -> None:
        self._update_queued.set()  # release a pending long poll at once

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/file/bot"

    # --- what the tests set up and read ---

    def queue_update(self, update: dict) -> None:
        self._updates.append(update)
        self._update_queued.set()

    def fail_next(self, method: str, *, status: int = 500, retry_after: int | None = None,
                  description: str = "Internal Server Error", times: int = 1) -> None:
        if status == 429:
            description = f"Too Many Requests: retry after {retry_after}"
        fault = ApiError(status, description, {"retry_after": retry_after} if retry_after else None)
        self._faults[method.lower()].extend([fault] * times)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        self._delays[method.lower()].extend([seconds] * times)

    @property
    def pending_updates(self) -> int:
        """Queued updates the bot has not confirmed yet (getUpdates drops them once offset passes)."""
        return len(self._updates)

    def messages_to(self, chat_id: int) -> list[dict]:
        return [m for m in self.sent if m["chat_id"] == chat_id]

    def last_to(self, chat_id: int) -> dict:
        return self.messages_to(chat_id)[-1]

    def texts_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.messages_to(chat_id)]

    @property
    def callback_answers(self) -> list[dict]:
        return [c.params for c in self.calls if c.method == "answerCallbackQuery" and not c.failed_with]

    def clear(self) -> None:
        self.calls.clear()
        self.sent.clear()

    # --- HTTP ---

    async def _endpoint(self, request: Request) -> JSONResponse:
        """A delay holds back the answer, not the work: a timed-out send has still been sent."""
        method = request.path_params["method"]
        call = Call(method, await _read_params(request), time.monotonic())
        self.calls.append(call)
        try:
            response = JSONResponse({"ok": True, "result": await self._answer(request, method.lower(), call)})
        except ApiError as error:
            call.failed_with = error.status
            response = error.response()
        if self._delays[method.lower()]:
            await asyncio.sleep(self._delays[method.lower()].popleft())
        return response

    async def _answer(self, request: Request, key: str, call: Call) -> Any:
        if request.path_params["token"] != self.TOKEN:
            raise ApiError(401, "Unauthorized")
        if self._faults[key]:
            raise self._faults[key].popleft()
        if key not in self._methods:
            raise ApiError(404, "Not Found: method not found")
        result = self._methods[key](call.params)
        return await result if asyncio.iscoroutine(result) else result

    # --- Bot API methods ---

    async def _get_updates(self, p: dict) -> list[dict]:
        if self._webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        if "offset" in p:
            self._updates = [u for u in self._updates if u["update_id"] >= p["offset"]]
        if not self._updates and p.get("timeout") and self._server and not self._server.should_exit:
            self._update_queued.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_queued.wait(), min(p["timeout"], 1.0))
        return self._updates[: p.get("limit", 100)]

    def _send_message(self, p: dict) -> dict:
        chat_id = p["chat_id"]
        self._last_message_id[chat_id] += 1
        message = {"message_id": self._last_message_id[chat_id], "date": int(time.time()),
                   "chat": {"id": chat_id, "type": chat_type(chat_id)}, "from": self.BOT_USER,
                   "text": _visible_text(p["text"], p.get("parse_mode"))}
        if "entities" in p:
            message["entities"] = p["entities"]
        if "inline_keyboard" in p.get("reply_markup", {}):
            message["reply_markup"] = p["reply_markup"]
        self._messages[(chat_id, message["message_id"])] = message
        self.sent.append({**message, "reply_markup": p.get("reply_markup"), "chat_id": chat_id})
        return message

    def _send_document(self, p: dict) -> dict:
        """Records the file's name and bytes ("document_name", "document_content") for tests to read;
        "text" holds the caption so transcripts read on."""
        chat_id, upload = p["chat_id"], p["document"]
        if not isinstance(upload, Upload):
            raise ApiError(400, "Bad Request: this fake only takes uploaded files")
        if len(p.get("caption", "")) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        self._last_message_id[chat_id] += 1
        file_id = f"file-{chat_id}-{self._last_message_id[chat_id]}"
        message = {"message_id": self._last_message_id[chat_id], "date": int(time.time()),
                   "chat": {"id": chat_id, "type": chat_type(chat_id)}, "from": self.BOT_USER,
                   "document": {"file_id": file_id, "file_unique_id": file_id, "file_name": upload.filename,
                                "file_size": len(upload.content)}}
        if p.get("caption"):
            message["caption"] = p["caption"]
        if "inline_keyboard" in p.get("reply_markup", {}):
            message["reply_markup"] = p["reply_markup"]
        self._messages[(chat_id, message["message_id"])] = message
        self.sent.append({**message, "text": p.get("caption", ""), "reply_markup": p.get("reply_markup"),
                          "chat_id": chat_id, "document_name": upload.filename, "document_content": upload.content})
        return message

    def _edit(self, p: dict, **changes: Any) -> dict | bool:
        """Telegram drops the inline keyboard when an edit does not repeat it."""
        if "inline_message_id" in p:
            self.sent.append({"inline_message_id": p["inline_message_id"], "chat_id": None, **changes,
                              "reply_markup": p.get("reply_markup"), "edited": True})
            return True
        old = self._messages.get((p.get("chat_id"), p.get("message_id")))
        if old is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        new = {k: v for k, v in old.items() if k not in ("reply_markup", "edit_date")} | changes
        if p.get("reply_markup"):
            new["reply_markup"] = p["reply_markup"]
        if all(new.get(k) == old.get(k) for k in ("text", "reply_markup")):
            raise ApiError(400, _NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        self._messages[(p["chat_id"], p["message_id"])] = new
        self.sent.append({"reply_markup": None, **new, "chat_id": p["chat_id"], "edited": True})
        return new

    def _delete_message(self, p: dict) -> bool:
        if self._messages.pop((p["chat_id"], p["message_id"]), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _set_commands(self, p: dict) -> bool:
        self._commands[_scope_key(p)] = p["commands"]
        return True

    def _delete_commands(self, p: dict) -> bool:
        self._commands.pop(_scope_key(p), None)
        return True

    def _set_webhook(self, p: dict) -> bool:
        self._webhook_url = p["url"]
        return True

    def _delete_webhook(self, p: dict) -> bool:
        self._webhook_url = ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_chat(self, p: dict) -> dict:
        chat_id = p["chat_id"]
        return {"id": chat_id, "type": chat_type(chat_id), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                                        "premium_subscription": False, "gifts_from_channels": False}}

def _scope_key(p: dict) -> tuple[str, str]:
    return json.dumps(p.get("scope", {"type": "default"}), sort_keys=True), p.get("language_code", "")

async def _read_params(request: Request) -> dict[str, Any]:
    raw: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    body = await request.body()
    if content_type.startswith("application/json") and body:
        raw.update(json.loads(body))
    elif content_type.startswith("application/x-www-form-urlencoded"):
        raw.update(parse_qsl(body.decode(), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in form.iter_parts():
            payload = part.get_payload(decode=True)
            raw[part.get_param("name", header="content-disposition")] = (
                Upload(part.get_filename(), payload) if part.get_filename() else payload.decode())
    return {key: _decode(key, value) for key, value in raw.items()}

def _decode(key: str, value: Any) -> Any:
    """Undo PTB's form encoding: numbers and flags arrive as text, objects as JSON text."""
    if not isinstance(value, str) or key in _FREE_TEXT_KEYS:
        return value
    if key in _NUMBER_KEYS:
        with contextlib.suppress(ValueError):
            return int(value)
        with contextlib.suppress(ValueError):
            return float(value)
    if value in ("true", "false"):
        return value == "true"
    if value.startswith(("{", "[")):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value

def _visible_text(text: str, parse_mode: str | None) -> str:
    """What the user reads. Telegram rejects any `<` that does not open a tag it knows (say, a name like "<3")."""
    if parse_mode != "HTML":
        return text
    for tag in re.findall(r"</?([^\s>/]*)", text):
        if tag not in _HTML_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
    return html.unescape(re.sub(r"<[^>]*>", "", text))
