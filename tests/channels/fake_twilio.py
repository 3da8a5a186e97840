"""A fake Twilio REST API, so channel tests drive the real `twilio` client over HTTP, plus signed webhooks.

Point a real client at it by replacing the API domain's base URL (`twilio.base.domain.Domain.base_url`,
"https://api.twilio.com" by default; every Messages request is built from it):

    client = Client(FakeTwilio.ACCOUNT_SID, FakeTwilio.AUTH_TOKEN, http_client=AsyncTwilioHttpClient())
    client.api.base_url = fake.base_url
    await client.messages.create_async(to=..., from_=FakeTwilio.FROM, body=...)
    await client.http_client.close()  # closes the aiohttp session

`AsyncTwilioHttpClient()` opens its aiohttp session in `__init__`, so build it inside the running loop.

The sync client (`Client(sid, token)`, `requests` underneath) works the same way, but it blocks, so call
it off the loop that serves the fake: `await asyncio.to_thread(client.messages.create, ...)`.
TWILIO_EDGE and TWILIO_REGION must be unset: with either, the client rewrites the host of every URL.

Twilio calls our web app with form posts signed in `X-Twilio-Signature`; `incoming`, `status_callback`
and `sign` build those requests the way Twilio does.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from tests.channels.local_server import LocalServer

API_VERSION = "2010-04-01"
MAX_BODY_LENGTH = 1600

@dataclass
class Call:
    method: str
    path: str
    params: dict[str, str]
    failed_with: int | None = None

class ApiError(Exception):
    """Twilio's error body; the client turns it into `TwilioRestException(status, code, message)`."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        body = {"code": self.code, "message": self.message,
                "more_info": f"https://www.twilio.com/docs/errors/{self.code}", "status": self.status}
        headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if self.status == 401 else None
        return JSONResponse(body, status_code=self.status, headers=headers)

class FakeTwilio(LocalServer):
    ACCOUNT_SID = "AC0d1c2b3a495867708f9e8d7c6b5a4938"
    AUTH_TOKEN = "7e3f9a1c5b2d4e6f8091a2b3c4d5e6f7"
    FROM = "whatsapp:+14155238886"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.sent: list[dict] = []
        self._faults: deque[ApiError] = deque()

    def routes(self) -> list[Route]:
        return [Route(f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json", self._create_message,
                      methods=["POST"])]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    # --- what the tests set up and read ---

    def fail_next(self, status: int = 500, code: int = 20500, message: str = "Internal Server Error",
                  times: int = 1) -> None:
        if status == 429:
            code, message = 20429, "Too Many Requests"
        self._faults.extend([ApiError(status, code, message)] * times)

    def messages_to(self, address: str) -> list[dict]:
        return [m for m in self.sent if m["to"] == address]

    def bodies_to(self, address: str) -> list[str]:
        """The texts sent to `address` (a file sent alone has none)."""
        return [m["body"] for m in self.messages_to(address) if m["body"]]

    def clear(self) -> None:
        self.calls.clear()
        self.sent.clear()

    # --- HTTP ---

    async def _create_message(self, request: Request) -> JSONResponse:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
        params = dict(pairs)
        call = Call(request.method, request.url.path, params)
        self.calls.append(call)
        try:
            self._authenticate(request)
            if self._faults:
                raise self._faults.popleft()
            # MediaUrl may repeat, one per file (WhatsApp sends the first, Twilio says).
            return JSONResponse(self._accept(params, [v for k, v in pairs if k == "MediaUrl"]), status_code=201)
        except ApiError as error:
            call.failed_with = error.status
            return error.response()

    def _authenticate(self, request: Request) -> None:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            credentials = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            credentials = ""
        if scheme.lower() != "basic" or credentials != f"{self.ACCOUNT_SID}:{self.AUTH_TOKEN}":
            raise ApiError(401, 20003, "Authenticate")
        if request.path_params["account_sid"] != self.ACCOUNT_SID:
            raise ApiError(404, 20404, f"The requested resource {request.url.path} was not found")

    def _accept(self, p: dict[str, str], media: list[str]) -> dict[str, Any]:
        """Validates like Twilio does before queueing, then answers with the Message resource."""
        if not p.get("To"):
            raise ApiError(400, 21604, "A 'To' phone number is required.")
        if not p.get("From") and not p.get("MessagingServiceSid"):
            raise ApiError(400, 21603, "A 'From' phone number is required.")
        if not p.get("Body") and not p.get("ContentSid") and not media:
            raise ApiError(400, 21602, "Message body is required.")
        if len(p.get("Body", "")) > MAX_BODY_LENGTH:
            raise ApiError(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        variables = _content_variables(p.get("ContentVariables"))
        sid = new_sid("SM")
        self.sent.append({"sid": sid, "to": p["To"], "from_": p.get("From"), "body": p.get("Body", ""),
                          "content_sid": p.get("ContentSid"), "content_variables": variables,
                          "status_callback": p.get("StatusCallback"),
                          "messaging_service_sid": p.get("MessagingServiceSid"), "media_url": media})
        now = format_datetime(datetime.now(UTC))
        uri = f"/{API_VERSION}/Accounts/{self.ACCOUNT_SID}/Messages/{sid}"
        return {"sid": sid, "account_sid": self.ACCOUNT_SID, "api_version": API_VERSION,
                "to": p["To"], "from": p.get("From"), "body": p.get("Body", ""),
                "messaging_service_sid": p.get("MessagingServiceSid"),
                "status": "queued" if p.get("From") else "accepted", "direction": "outbound-api",
                "num_segments": "1", "num_media": str(len(media)), "price": None, "price_unit": "USD",
                "error_code": None, "error_message": None,
                "date_created": now, "date_updated": now, "date_sent": None,
                "uri": f"{uri}.json", "subresource_uris": {"media": f"{uri}/Media.json"}}

def _content_variables(raw: str | None) -> dict | None:
    if raw is None:
        return None
    try:
        variables = json.loads(raw)
    except ValueError:
        variables = None
    if not isinstance(variables, dict):
        raise ApiError(400, 21656, "The ContentVariables Parameter is invalid.")
    return variables

def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex

# --- what Twilio posts to our web app ---

def sign(url: str, params: dict[str, str], auth_token: str) -> str:
    """The `X-Twilio-Signature` Twilio would send. `url` is the full URL Twilio called, query string included."""
    return RequestValidator(auth_token).compute_signature(url, params)

def incoming(from_: str, body: str, *, to: str = FakeTwilio.FROM, profile_name: str | None = None,
             message_sid: str | None = None, num_media: int = 0,
             media: list[tuple[str, str]] = ()) -> dict[str, str]:
    """An incoming WhatsApp message. `media` holds (url, content type) pairs; `num_media` counts media
    without listing them."""
    sender = _whatsapp(from_)
    sid = message_sid or new_sid("SM")
    params = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": FakeTwilio.ACCOUNT_SID,
              "From": sender, "To": _whatsapp(to), "Body": body, "NumMedia": str(len(media) or num_media),
              "NumSegments": "1", "SmsStatus": "received", "WaId": sender.removeprefix("whatsapp:+"),
              "MessageType": _message_type(media), "ApiVersion": API_VERSION}
    if profile_name is not None:
        params["ProfileName"] = profile_name
    for index, (url, content_type) in enumerate(media):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = content_type
    return params

def status_callback(message_sid: str, status: str, *, error_code: str | None = None,
                    to: str) -> dict[str, str]:
    """A delivery status callback for a message we sent (queued, sent, delivered, read, failed, undelivered)."""
    params = {"MessageSid": message_sid, "SmsSid": message_sid, "MessageStatus": status, "SmsStatus": status,
              "To": _whatsapp(to), "From": FakeTwilio.FROM, "AccountSid": FakeTwilio.ACCOUNT_SID,
              "ChannelPrefix": "whatsapp", "ApiVersion": API_VERSION}
    if error_code is not None:
        params["ErrorCode"] = error_code
    return params

def _whatsapp(address: str) -> str:
    return address if address.startswith("whatsapp:") else f"whatsapp:{address}"

def _message_type(media: list[tuple[str, str]]) -> str:
    if not media:
        return "text"
    kind = media[0][1].partition("/")[0]
    return kind if kind in ("image", "video", "audio") else "document"
