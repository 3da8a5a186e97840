"""Statements on the web, for WhatsApp: a WhatsApp message carries a file only as a link Twilio fetches
(HEAD, then GET), and a spreadsheet not at all (Twilio refuses CSV), so the PDF goes out as a media
message and the CSV as a link the member opens in their phone's browser.

A link names a circle, a kind (pdf, csv) and when it stops working, signed with a key derived from the
Twilio auth token (which WhatsApp needs anyway, so no new setting). The bot signs a link only for a
member of the circle; one that leaks stops working a day later. The signature and the expiry are checked
before anything is read from the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.errors import CircleNotFound
from core.statement import circle_statement
from core.uow import UnitOfWork
from handlers import statements

# A reply waits in the outbox (rate limits, retries) before Twilio fetches its file, and a member opens a
# CSV link when they get to it: a day covers both. The CSV's reply says "24 hours" (handlers/whatsapp/texts.py).
LIFETIME = timedelta(hours=24)
PATH = "/statements"
KINDS = (statements.PDF, statements.CSV)
_MAC_BYTES = 16  # 128 bits of HMAC-SHA256
# <circle id, base64url>.<kind>.<expiry, Unix seconds>.<signature, base64url>
_TOKEN = re.compile(r"([A-Za-z0-9_-]{22})\.(pdf|csv)\.(\d{1,12})\.([A-Za-z0-9_-]{22})")  # pdf|csv: KINDS


@dataclass(frozen=True)
class Link:
    circle_id: uuid.UUID
    kind: str  # statements.PDF or statements.CSV
    expires_at: datetime


class StatementLinks:
    def __init__(self, auth_token: str) -> None:
        # Its own key, not the auth token itself: a statement link never helps forge a webhook signature.
        self._key = hmac.new(auth_token.encode(), b"statement links", hashlib.sha256).digest()

    def sign(self, circle_id: uuid.UUID, kind: str, expires_at: datetime) -> str:
        """The path of the circle's statement as `kind`, good until `expires_at` (to the second)."""
        if kind not in KINDS:
            raise ValueError(f"no statement of kind {kind!r}")
        signed = f"{_encode(circle_id.bytes)}.{kind}.{int(expires_at.timestamp())}"
        return f"{PATH}/{signed}.{self._mac(signed)}/statement.{kind}"

    def verify(self, token: str) -> Link | None:
        """What a token names if we signed it, expired or not; None for anything else."""
        match = _TOKEN.fullmatch(token)
        if match is None or not hmac.compare_digest(match[4], self._mac(token.rpartition(".")[0])):
            return None
        return Link(uuid.UUID(bytes=base64.urlsafe_b64decode(match[1] + "==")), match[2],
                    datetime.fromtimestamp(int(match[3]), UTC))

    def _mac(self, signed: str) -> str:
        return _encode(hmac.new(self._key, signed.encode(), hashlib.sha256).digest()[:_MAC_BYTES])


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def statement_routes(links: StatementLinks, new_uow: Callable[[], UnitOfWork]) -> list[Route]:
    async def statement(request: Request) -> Response:
        link = links.verify(request.path_params["token"])
        if link is None or request.path_params["filename"] != f"statement.{link.kind}":
            return _refusal("No such statement.", 404)
        if new_uow().now() >= link.expires_at:
            return _refusal("This link has expired. Ask the bot for the statement again.", 410)
        try:
            found = await circle_statement(new_uow(), link.circle_id, actor=None)
        except CircleNotFound:  # signed, then the circle was deleted
            return _refusal("No such statement.", 404)
        document = await statements.document(found, link.kind)
        # Twilio shows a WhatsApp document under this name: 20 characters at most, no spaces.
        shown = statements.filename(found, link.kind, short=True)
        return Response(document.data, media_type=document.content_type, headers={
            "Content-Disposition": f'inline; filename="{shown}"', "Cache-Control": "no-store"})

    return [Route(PATH + "/{token}/{filename}", statement, methods=["GET"])]


def _refusal(text: str, status: int) -> Response:
    return Response(text, status_code=status, media_type="text/plain", headers={"Cache-Control": "no-store"})
