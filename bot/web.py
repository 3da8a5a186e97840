"""The web app for webhook mode (`python -m bot serve`): Telegram's webhook route, /healthz and /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
import socket

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot import metrics
from bot.background import Background
from bot.inbound import Inbound
from handlers.telegram.registry import publish_menus

log = logging.getLogger(__name__)
TELEGRAM_PATH = "/telegram/webhook"
MAX_UPDATE_BYTES = 1_000_000
# /healthz answers 503 when the database doesn't answer within DATABASE_TIMEOUT seconds, or the
# scheduler (a tick a minute) has not completed one for STALE_TICK seconds: five missed ticks.
DATABASE_TIMEOUT, STALE_TICK = 5.0, 300.0


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
    inbound = Inbound(telegram) if telegram is not None else None

    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        body = await bounded_body(request, MAX_UPDATE_BYTES)
        try:
            content = json.loads(body)
            update = Update.de_json(content, telegram.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return Response(status_code=400)
        # Recorded before answering, handled after in its chat's turn (bot/inbound.py): if we die
        # before recording it, Telegram gets no 200 and delivers it again.
        await inbound.take([update], [content])
        return Response(status_code=200)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        if telegram is not None:
            await telegram.initialize()
            await telegram.start()
            await inbound.recover()
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
            if telegram is not None:
                await inbound.drain()  # the updates answered 200 but not yet handled
            if background is not None:
                await background.stop()
            if telegram is not None:
                await telegram.stop()
                await telegram.shutdown()

    all_routes = [*monitoring_routes(engine, background), *routes]
    if telegram is not None:
        all_routes.append(Route(TELEGRAM_PATH, telegram_webhook, methods=["POST"]))
    return Starlette(routes=all_routes, lifespan=lifespan)


def monitoring_routes(engine: AsyncEngine, background: Background | None) -> list[Route]:
    """GET /healthz and GET /metrics (README, Monitoring); `background`: the scheduler whose ticks
    this process runs, if it runs one."""

    async def backlog() -> metrics.Backlog | None:
        """The outbox's backlog, which doubles as the database check; None: unreachable."""
        try:
            return await asyncio.wait_for(metrics.outbox_backlog(engine), DATABASE_TIMEOUT)
        except Exception as error:  # refused, timed out, authentication gone: all "unreachable" to a probe
            log.warning("health check: database unreachable (%s)", error.__class__.__name__)
            return None

    async def healthz(request: Request) -> Response:
        outbox = await backlog()
        tick_age = background.tick_age() if background is not None else None
        problems = [] if outbox is not None else ["database unreachable"]
        if tick_age is not None and tick_age > STALE_TICK:
            problems.append(f"scheduler has not ticked for {tick_age:.0f} s")
        return JSONResponse({
            "status": "failing" if problems else "ok", "problems": problems,
            "database": "unreachable" if outbox is None else "reachable",
            "outbox_pending": None if outbox is None else outbox.pending,
            "outbox_oldest_pending_seconds": None if outbox is None else _rounded(outbox.oldest_seconds),
            "scheduler_last_tick_seconds": _rounded(tick_age),
        }, status_code=503 if problems else 200)

    async def metrics_page(request: Request) -> Response:
        outbox = await backlog()
        metrics.DATABASE_UP.set(outbox is not None)
        if outbox is not None:  # else the last values stay, and rosca_database_up says why
            metrics.OUTBOX_PENDING.set(outbox.pending)
            metrics.OUTBOX_LAG.set(outbox.oldest_seconds or 0)
        if background is not None and (tick_age := background.tick_age()) is not None:
            metrics.TICK_AGE.set(tick_age)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return [Route("/healthz", healthz), Route("/metrics", metrics_page)]


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


class SideServer(uvicorn.Server):
    """Polling mode's /healthz and /metrics (METRICS_PORT), served beside the polling loop, which
    owns SIGINT and SIGTERM: this server leaves them alone and stops when polling does."""

    def __init__(self, config: uvicorn.Config, listener: socket.socket) -> None:
        super().__init__(config)
        self.listener = listener

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        await super().serve(sockets=sockets or [self.listener])

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def monitoring_server(engine: AsyncEngine, background: Background, listener: socket.socket,
                      log_level: str) -> SideServer:
    """`listener`: the port's socket, bound before anything started, so a busy port is one line at start."""
    app = Starlette(routes=monitoring_routes(engine, background))
    return SideServer(uvicorn.Config(app, log_level=log_level.lower(), log_config=None), listener)
