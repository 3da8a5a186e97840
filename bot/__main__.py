"""Entry point: `python -m bot [run|serve|migrate|audit [CIRCLE] [--head FINGERPRINT]]` (also `rosca-bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import uvicorn
from sqlalchemy.engine import make_url

from bot import audit_command
from bot.background import Background
from bot.beacon import DrandBeacon
from bot.config import ConfigError, Settings, load_settings
from bot.database import embedded_server_url, ensure_database, upgrade
from bot.dispatcher import Dispatcher
from bot.logs import configure_logging
from bot.polling import run_polling
from bot.telegram import build_application, check_token, with_background
from bot.web import create_web_app, monitoring_server
from bot.whatsapp import twilio_client, whatsapp_routes, whatsapp_sender
from core.db import make_engine, make_sessionmaker, normalize_database_url
from core.limits import Limits
from core.models import Channel
from core.uow import UnitOfWork
from handlers.telegram.delivery import TelegramSender

log = logging.getLogger("bot")


def database_url(settings: Settings) -> str:
    """The configured server, or the embedded one (started now) with a `rosca` database in it."""
    if settings.database_url:
        return normalize_database_url(settings.database_url)
    server = make_url(normalize_database_url(embedded_server_url(settings.data_dir)))
    url = server.set(database="rosca").render_as_string(hide_password=False)
    ensure_database(url)
    return url


def prepared_database(settings: Settings) -> str:
    url = database_url(settings)
    upgrade(url)
    log.info("database ready (%s), schema up to date", make_url(url).render_as_string(hide_password=True))
    return url


def _services(settings: Settings):
    """Database ready and migrated, then an engine and a unit-of-work factory over it."""
    engine = make_engine(prepared_database(settings))
    sessions = make_sessionmaker(engine)
    limits = Limits(circles_per_day=settings.max_circles_per_day,
                    seat_changes_per_hour=settings.max_seat_changes_per_hour)
    return engine, lambda: UnitOfWork(sessions, limits=limits)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Polling mode: the bot asks Telegram for updates; no public URL needed (laptops, a VPS).
    WhatsApp can only reach us through a webhook, so with WhatsApp configured this serves instead."""
    if settings.whatsapp_enabled:
        return cmd_serve(settings, args)
    asyncio.run(check_token(settings))
    engine, new_uow = _services(settings)
    application = build_application(settings, new_uow)
    background = with_background(application, engine, new_uow)
    # METRICS_PORT: /healthz and /metrics beside polling (webhook mode serves them on PORT).
    side = (monitoring_server(engine, background, settings.metrics_port, settings.log_level)
            if settings.metrics_port else None)
    run_polling(application, side)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """Webhook mode: the web server Telegram and Twilio post to, plus /healthz (Procfile's web process)."""
    if not settings.telegram_token and not settings.whatsapp_enabled:
        settings.require_telegram()  # says what to set
    if settings.whatsapp_enabled:
        settings.require_whatsapp()
    asyncio.run(_serve(settings))
    return 0


async def _serve(settings: Settings) -> None:
    # Built inside the running loop: the async twilio client opens its HTTP session on creation.
    if settings.telegram_token:
        await check_token(settings)
    engine, new_uow = _services(settings)
    telegram, senders = None, {}
    if settings.telegram_token:
        telegram = build_application(settings, new_uow, updater=False)
        senders[Channel.TELEGRAM] = TelegramSender(telegram.bot)
    dispatcher = Dispatcher(engine, senders)
    routes = []
    if settings.whatsapp_enabled:
        senders[Channel.WHATSAPP] = whatsapp_sender(settings, twilio_client(settings))
        routes = whatsapp_routes(settings, new_uow, dispatcher.wake.set)
    web = create_web_app(engine, telegram, public_url=settings.public_url, webhook_secret=settings.webhook_secret,
                         routes=routes, background=Background(new_uow, dispatcher, DrandBeacon(settings.drand_url)))
    # log_config=None: uvicorn's lines go through our handler (bot/logs.py), masked like the rest.
    config = uvicorn.Config(web, host="0.0.0.0", port=settings.port, log_level=settings.log_level.lower(),
                            log_config=None)
    await uvicorn.Server(config).serve()


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    prepared_database(settings)
    return 0


def cmd_audit(settings: Settings, args: argparse.Namespace) -> int:
    """Check a circle's record (by id or join code; `users`: the chain of user records) against its
    chain, the record checks members hold (`--head`), and its tables; no circle: list the circles."""
    try:
        held = audit_command.record_checks(args.head or [])  # a typo is bad input, before any database work
        return audit_command.run(prepared_database(settings), args.circle, held)
    except audit_command.BadInput as error:
        print(f"rosca-bot: {error}", file=sys.stderr)
        return audit_command.BAD_INPUT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Family ROSCA bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot, polling Telegram for updates (the default)")
    commands.add_parser("serve", help="run the webhook web server (set PUBLIC_URL)")
    commands.add_parser("migrate", help="apply database migrations and exit (Procfile release step)")
    audit_parser = commands.add_parser("audit", help="check a circle's record: its audit chain, what members "
                                                     "were shown, and its tables against its log")
    audit_parser.add_argument("circle", nargs="?", help="circle id or join code ('users': the chain of user "
                                                        "records); leave out to list the circles")
    audit_parser.add_argument("--head", action="append", metavar="FINGERPRINT",
                              help="a record check a member holds, e.g. 42-7KQ2-M9XA-B3CD (repeatable)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings)
        handler = {"run": cmd_run, None: cmd_run, "serve": cmd_serve, "migrate": cmd_migrate,
                   "audit": cmd_audit}[args.command]
        return handler(settings, args)
    except ConfigError as error:
        print(f"rosca-bot: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
