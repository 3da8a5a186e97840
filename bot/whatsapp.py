"""WhatsApp through Twilio: the client, the signed webhook, and delivery status callbacks."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qsl

from sqlalchemy.exc import DataError, DBAPIError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from bot import metrics
from bot.beacon import DrandBeacon
from bot.config import Settings
from bot.proofs import proof_routes
from bot.send_limits import LanePacer
from bot.statement_links import LIFETIME, StatementLinks, statement_routes
from bot.web import bounded_body
from core.inbox import arrive
from core.models import Channel
from core.outbox import queue_replies, record_delivery_failure
from core.uow import AlreadyHandled, UnitOfWork, utc_now
from core.users import touch_inbound
from handlers.whatsapp import keywords, texts
from handlers.whatsapp.commands import COMMANDS, Message, handle
from handlers.whatsapp.delivery import WhatsAppSender

log = logging.getLogger(__name__)
WEBHOOK_PATH, STATUS_PATH = "/whatsapp/webhook", "/whatsapp/status"
CHANNEL = "whatsapp"
MAX_FORM_BYTES = 64_000


def twilio_client(settings: Settings) -> Client:
    """The official client, async; pointed at TWILIO_API_URL when set (tests, a proxy)."""
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=AsyncTwilioHttpClient())
    if settings.twilio_api_url:
        client.api.base_url = settings.twilio_api_url
    return client


def whatsapp_sender(settings: Settings, client: Client, clock: Callable[[], datetime] = utc_now) -> WhatsAppSender:
    return WhatsAppSender(client, settings.twilio_whatsapp_from, clock,
                          pace=LanePacer(settings.twilio_messages_per_second),
                          reminder_template=settings.twilio_reminder_content_sid,
                          paid_template=settings.twilio_paid_content_sid,
                          status_callback=settings.public_url + STATUS_PATH)


def _twiml(reply: str | None = None) -> Response:
    """The webhook's answer: empty (replies go through the outbox), or one message Twilio sends itself."""
    answer = MessagingResponse()
    if reply is not None:
        answer.message(reply)
    return Response(str(answer), media_type="text/xml")


def whatsapp_routes(settings: Settings, new_uow: Callable[[], UnitOfWork], wake: Callable[[], None]) -> list[Route]:
    validator = RequestValidator(settings.twilio_auth_token)
    beacon = DrandBeacon(settings.drand_url)
    links = StatementLinks(settings.twilio_auth_token)

    def statement_link(circle_id: uuid.UUID, kind: str) -> str:
        return settings.public_url + links.sign(circle_id, kind, new_uow().now() + LIFETIME)

    async def signed_form(request: Request, path: str) -> dict[str, str] | None:
        """The POSTed form if Twilio signed it for our public URL; None otherwise. The signature covers
        the parsed form, so the body's size is bounded before it is read (413 past MAX_FORM_BYTES)."""
        body = await bounded_body(request, MAX_FORM_BYTES)
        params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        url = settings.public_url + path + (f"?{request.url.query}" if request.url.query else "")
        signature = request.headers.get("X-Twilio-Signature", "")
        return params if signature and validator.validate(url, params, signature) else None

    async def webhook(request: Request) -> Response:
        params = await signed_form(request, WEBHOOK_PATH)
        if params is None or not params.get("From", "").startswith("whatsapp:+") or not params.get("MessageSid"):
            return Response(status_code=403)
        body = params.get("ButtonPayload") or params.get("Body", "")
        with metrics.handled(CHANNEL, f"whatsapp message {params['MessageSid'][:40]}: {keyword(body)}") as handling:
            return await answer(params, body, handling)

    async def answer(params: dict[str, str], body: str, handling: metrics.Handling) -> Response:
        try:
            # Twilio retries a webhook it thinks failed: the MessageSid makes the retry a no-op. The
            # message's change (or, for a read, its replies) claims that id as it commits: exactly
            # once, as on Telegram.
            own = new_uow()
            if (await arrive(own, Channel.WHATSAPP, params["MessageSid"], sender=None, chat=None)).first:
                # A tapped quick reply: Body is the button's title, ButtonPayload its id (e.g. PAID).
                message = Message(sender=params["From"], body=body, profile_name=params.get("ProfileName") or None,
                                  media=int(params.get("NumMedia", "0") or 0))
                try:
                    # One unit of work for the message: one connection at a time, as on Telegram.
                    replies = await handle(lambda: own, message, public_url=settings.public_url,
                                           absent_days=settings.organizer_absent_days, beacon=beacon,
                                           statement_link=statement_link if settings.public_url else None)
                    await queue_replies(own, Channel.WHATSAPP, message.sender, replies)
                except AlreadyHandled:  # Twilio's retry of it got there first
                    handling.outcome = metrics.DUPLICATE
                    return _twiml()
                finally:
                    await own.finish()
                # They just wrote: WhatsApp's 24-hour window for free-form replies is open.
                await touch_inbound(new_uow(), Channel.WHATSAPP, message.sender)
                wake()
            else:
                handling.outcome = metrics.DUPLICATE
        except DataError as error:
            # The database refused something in the message (a NUL byte, say) that got past the
            # checks: an input error, rolled back whole, not an outage.
            log.info("WhatsApp message %s: input refused by the database (%s)", params["MessageSid"][:40],
                     error.orig.__class__.__name__)
            metrics.count_error(CHANNEL, metrics.REFUSAL)
            return _twiml(str(texts.UNSTORABLE))
        except DBAPIError:
            # The database is away (restart, failover): answer in the webhook's own response, which
            # Twilio sends on without our outbox, so the member knows to try again.
            log.warning("WhatsApp message %s: database unavailable", params["MessageSid"])
            metrics.count_error(CHANNEL, metrics.DATABASE)
            return _twiml(str(texts.DATABASE_AWAY))
        except Exception:  # a bug: Starlette logs it and answers 500, and Twilio tries again
            metrics.count_error(CHANNEL, metrics.UNEXPECTED)
            raise
        return _twiml()

    async def status(request: Request) -> Response:
        params = await signed_form(request, STATUS_PATH)
        if params is None:
            return Response(status_code=403)
        if params.get("MessageStatus") in ("failed", "undelivered"):
            error = f"twilio {params.get('MessageStatus')} (error {params.get('ErrorCode', '?')})"
            if await record_delivery_failure(new_uow(), params.get("MessageSid", ""), error):
                log.warning("WhatsApp message %s was not delivered: %s", params.get("MessageSid"), error)
        return Response(status_code=204)

    return [Route(WEBHOOK_PATH, webhook, methods=["POST"]), Route(STATUS_PATH, status, methods=["POST"]),
            *proof_routes(new_uow), *statement_routes(links, new_uow)]


def keyword(body: str) -> str:
    """The command a message starts with (PAID, MY CIRCLES…, in English whatever language it was typed
    in), for the log: never the rest of what it says (a name, an amount, a join code), and only a word
    the bot knows."""
    command, rest = keywords.parse(body)
    if command in COMMANDS:
        return command
    return "menu choice" if command.isascii() and command.isdigit() and not rest else "text"
