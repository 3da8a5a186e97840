"""The python-telegram-bot Application, wired to core through the handlers' registry."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ApplicationBuilder

from bot.background import Background
from bot.beacon import DrandBeacon
from bot.config import ConfigError, Settings
from bot.dispatcher import Dispatcher
from bot.send_limits import LaneLimiter
from bot.telegram_app import ObservedApplication
from bot.telegram_request import RetryingRequest
from core.models import Channel
from core.uow import UnitOfWork
from handlers.telegram.common import CONTEXT_TYPES, Rosca
from handlers.telegram.delivery import TelegramSender
from handlers.telegram.registry import install, publish_menus

log = logging.getLogger(__name__)
CHECK_SECONDS = 20  # getMe at start: long enough for a slow link, short enough to say so


def build_application(settings: Settings, new_uow: Callable[[], UnitOfWork], *, updater: bool = True) -> Application:
    builder = (ApplicationBuilder().token(settings.require_telegram())
               .base_url(f"{settings.telegram_api_url}/bot").base_file_url(f"{settings.telegram_api_url}/file/bot")
               .request(RetryingRequest(connection_pool_size=256)).context_types(CONTEXT_TYPES)
               .application_class(ObservedApplication))
    if settings.telegram_rate_limit:
        # Paces sends within Telegram's limits, interactive before bulk, and retries after flood control.
        builder = builder.rate_limiter(LaneLimiter())
    if not updater:
        builder = builder.updater(None)  # webhook mode: updates arrive over HTTP
    application = builder.build()
    application.bot_data["rosca"] = Rosca(new_uow=new_uow, organizer_absent_days=settings.organizer_absent_days,
                                          beacon=DrandBeacon(settings.drand_url))
    install(application)
    return application


def with_background(application: Application, engine: AsyncEngine, new_uow: Callable[[], UnitOfWork]) -> Background:
    """Polling mode: start the dispatcher and scheduler with the Application, stop them with it."""
    background = Background(new_uow, Dispatcher(engine, {Channel.TELEGRAM: TelegramSender(application.bot)}),
                            application.bot_data["rosca"].beacon)

    async def started(app: Application) -> None:
        await publish_menus(app.bot)
        await background.start()
        log.info("Telegram bot @%s ready", app.bot.username)

    async def stopping(app: Application) -> None:
        await background.stop()

    application.post_init = started
    application.post_shutdown = stopping
    return background


async def check_token(settings: Settings) -> None:
    """Ask the Bot API who we are before starting, so each way this can fail is one line naming the
    setting to fix. (python-telegram-bot would log a traceback, and blame the token for any 404, which is
    also what a wrong TELEGRAM_API_URL gets.)"""
    token, api = settings.require_telegram(), settings.telegram_api_url
    try:
        async with httpx.AsyncClient(timeout=CHECK_SECONDS) as client:
            answer = await client.get(f"{api}/bot{token}/getMe")
    except httpx.HTTPError as error:
        raise ConfigError(f"can't reach the Telegram Bot API at {api} ({type(error).__name__}: {error}): check the "
                          "network, and TELEGRAM_API_URL if you set it") from error
    if answer.status_code == 401:
        raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather")
    try:
        me = answer.json()
    except ValueError:
        me = {}
    if answer.status_code != 200 or not isinstance(me, dict) or not me.get("ok"):
        raise ConfigError(f"the Bot API at {api} answered {answer.status_code} {answer.reason_phrase} to getMe: check "
                          "TELEGRAM_API_URL (the server's address, without /bot) and TELEGRAM_BOT_TOKEN")
