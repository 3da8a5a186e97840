"""The web app for webhook mode (`python -m bot serve`): Telegram's webhook route and /healthz."""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import secrets

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.background import Background
from handlers.telegram.registry import publish_menus

log = logging.getLogger(__name__)
TELEGRAM_PATH = "/telegram/webhook"
MAX_UPDATE_BYTES = 1_000_000


async def bounded_body(request: Request, limit: int) -> bytes:
    """The request's body, refused with 413 as soon as it is known to pass `limit` bytes: by its
    declared Content-Length before reading anything, and by counting a streamed (chunked) body as
    it arrives, so nobody can make us hold more than `limit` (plus one chunk) of anything unsigned."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413)
    return bytes(body)


def create_web_app(engine: AsyncEngine, telegram: Application | None, *, public_url: str | None,
                   webhook_secret: str | None, routes: tuple[Route, ...] | list[Route] = (),
                   background: Background | None = None) -> Starlette:
    """`routes`: more webhook routes (WhatsApp); `background`: dispatcher and scheduler to run alongside."""
    # Without a configured secret, a fresh one per start is as good: we register it with Telegram
    # on every start. Several instances behind one URL must share a configured one.
    secret = webhook_secret or secrets.token_urlsafe(32)

    async def healthz(request: Request) -> Response:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("select 1"))
        except Exception:
            log.warning("health check: database unreachable", exc_info=True)
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        body = await bounded_body(request, MAX_UPDATE_BYTES)
        try:
            update = Update.de_json(json.loads(body), telegram.bot)
        except (ValueError, TypeError, KeyError):
            return Response(status_code=400)
        # Handled before answering: if we die half-way, Telegram gets no 200 and delivers it again.
        await telegram.process_update(update)
        return Response(status_code=200)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        if telegram is not None:
            await telegram.initialize()
            await telegram.start()
            await publish_menus(telegram.bot)
            if public_url:
                await telegram.bot.set_webhook(public_url + TELEGRAM_PATH, secret_token=secret,
                                               allowed_updates=Update.ALL_TYPES)
                log.info("Telegram webhook set to %s%s", public_url, TELEGRAM_PATH)
            else:
                log.warning("PUBLIC_URL is not set: Telegram doesn't know where to send updates")
        if background is not None:
            await background.start()
        try:
            yield
        finally:
            if background is not None:
                await background.stop()
            if telegram is not None:
                await telegram.stop()
                await telegram.shutdown()

    all_routes = [Route("/healthz", healthz), *routes]
    if telegram is not None:
        all_routes.append(Route(TELEGRAM_PATH, telegram_webhook, methods=["POST"]))
    return Starlette(routes=all_routes, lifespan=lifespan)
