"""Entry point: `python -m bot [run|serve|migrate|audit [CIRCLE] [--head FINGERPRINT]|backup FILE|restore FILE
[--force]]` (also `rosca-bot`).

Whatever stops the bot from starting ends it with one line on stderr naming the setting to fix, exit
code 2 (a traceback too with LOG_LEVEL=DEBUG): each failure is turned into a ConfigError where it is
detected, and `starting()` turns anything unforeseen while starting into one as well. Once running,
errors are logged as they happen, not turned into one line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bot import audit_command, backup
from bot.background import Background
from bot.beacon import DrandBeacon
from bot.config import ConfigError, Settings, load_settings
from bot.database import claimed_data_folder, embedded_server, ensure_database, upgrade
from bot.dispatcher import Dispatcher
from bot.logs import configure_logging, redact
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
BAD_SETUP = 2  # the exit code of every failure to start
EXAMPLE_DATABASE_URL = "postgresql://user:password@host:5432/rosca"


@contextlib.contextmanager
def starting() -> Iterator[None]:
    """Around what a command does before it runs: anything unforeseen becomes one line too."""
    try:
        yield
    except ConfigError:
        raise
    except Exception as error:
        raise ConfigError(f"could not start ({type(error).__name__}: {error}); LOG_LEVEL=DEBUG shows where") from error


_resources = contextlib.ExitStack()  # the embedded server and data folder a command took: released as main() ends


class Terminated(SystemExit):
    """SIGTERM (docker stop, systemd) unwinds like an exception, so the embedded server is stopped first."""


def _terminate(signum: int, frame: object) -> None:
    signal.signal(signum, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    raise Terminated(128 + signum)


def database_url(settings: Settings, *, claim: bool = False) -> str:
    """The configured server, or the embedded one (started now, stopped as main() ends) with a `rosca`
    database in it. `claim`: this is a bot or a restore, so no other bot may use the data folder."""
    if settings.database_url:
        try:
            url = normalize_database_url(settings.database_url)
        except ValueError as error:
            raise ConfigError(f"{error} (e.g. {EXAMPLE_DATABASE_URL})") from error
        try:
            make_url(url)  # a port that is no number, a broken [address]
        except (ValueError, ArgumentError) as error:
            raise ConfigError(f"DATABASE_URL is malformed ({error}): it should look like "
                              f"{EXAMPLE_DATABASE_URL}") from error
        return url
    settings.require_lasting_data_dir()
    try:
        if claim:
            _resources.enter_context(claimed_data_folder(settings.data_dir))
        server = make_url(normalize_database_url(_resources.enter_context(embedded_server(settings.data_dir))))
    except (OSError, subprocess.SubprocessError) as error:
        reason = f"{error.strerror}: {error.filename}" if isinstance(error, OSError) and error.strerror else error
        raise ConfigError(f"ROSCA_DATA_DIR ({settings.data_dir}) can't hold the embedded database ({reason}): make it "
                          "a folder this user can write, or set DATABASE_URL") from error
    url = server.set(database="rosca").render_as_string(hide_password=False)
    ensure_database(url)
    return url


def prepared_database(settings: Settings, *, claim: bool = False) -> str:
    try:
        url = database_url(settings, claim=claim)
        upgrade(url)
    except DBAPIError as error:
        raise _unusable(settings, error) from error
    log.info("database ready (%s), schema up to date", make_url(url).render_as_string(hide_password=True))
    return url


def _unusable(settings: Settings, error: DBAPIError) -> ConfigError:
    reason = error.orig  # the driver's own words (no password in them)
    if not settings.database_url:
        return ConfigError(f"the embedded database in ROSCA_DATA_DIR ({settings.data_dir}) failed: {reason}; "
                           "set DATABASE_URL to use another PostgreSQL")
    where = make_url(normalize_database_url(settings.database_url)).render_as_string(hide_password=True)
    return ConfigError(f"can't use the database in DATABASE_URL ({where}): {reason}; check its host, port, "
                       "database name, user, password and sslmode")


def _services(settings: Settings):
    """Database ready and migrated, then an engine and a unit-of-work factory over it."""
    engine = make_engine(prepared_database(settings, claim=True), settings.database_pool_size)
    sessions = make_sessionmaker(engine)
    limits = Limits(circles_per_day=settings.max_circles_per_day,
                    seat_changes_per_hour=settings.max_seat_changes_per_hour)
    return engine, lambda: UnitOfWork(sessions, limits=limits)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Polling mode: the bot asks Telegram for updates; no public URL needed (laptops, a VPS).
    WhatsApp can only reach us through a webhook, so with WhatsApp configured this serves instead."""
    if settings.whatsapp_enabled:
        return cmd_serve(settings, args)
    with starting():
        asyncio.run(check_token(settings))
        engine, new_uow = _services(settings)
        application = build_application(settings, new_uow)
        background = with_background(application, engine, new_uow)
        # METRICS_PORT: /healthz and /metrics beside polling (webhook mode serves them on PORT).
        side = (monitoring_server(engine, background, _listen(settings.metrics_port, "METRICS_PORT"),
                                  settings.log_level) if settings.metrics_port else None)
    run_polling(application, side)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """Webhook mode: the web server Telegram and Twilio post to, plus /healthz (Procfile's web process)."""
    if not settings.telegram_token and not settings.whatsapp_enabled:
        settings.require_telegram()  # says what to set
    if settings.whatsapp_enabled:
        settings.require_whatsapp()
    settings.require_public_url()
    asyncio.run(_serve(settings))
    return 0


async def _serve(settings: Settings) -> None:
    # Built inside the running loop: the async twilio client opens its HTTP session on creation.
    with starting():
        listener = _listen(settings.port)
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
    config = uvicorn.Config(web, log_level=settings.log_level.lower(), log_config=None)
    log.info("listening on port %d", settings.port)
    await uvicorn.Server(config).serve(sockets=[listener])


def _listen(port: int, setting: str = "PORT") -> socket.socket:
    """The web server's socket, taken first: a busy port stops us before we tell Telegram where to post
    (uvicorn would find out only after its startup, and exit with a traceback)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("0.0.0.0", port))
    except OSError as error:
        listener.close()
        raise ConfigError(f"can't listen on {setting} {port} ({error.strerror}): stop what uses it, or set "
                          f"{setting} to another port") from error
    return listener


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    with starting():
        prepared_database(settings)
    return 0


def cmd_audit(settings: Settings, args: argparse.Namespace) -> int:
    """Check a circle's record (by id or join code; `users`: the chain of user records) against its
    chain, the record checks members hold (`--head`), and its tables; no circle: list the circles."""
    try:
        held = audit_command.record_checks(args.head or [])  # a typo is bad input, before any database work
        with starting():
            url = prepared_database(settings)
        return audit_command.run(url, args.circle, held)
    except audit_command.BadInput as error:
        print(f"rosca-bot: {error}", file=sys.stderr)
        return audit_command.BAD_INPUT


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    with starting():
        url = database_url(settings)
    print(backup.backup(url, Path(args.file)))
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    with starting():
        url = database_url(settings, claim=True)
    print(backup.restore(url, Path(args.file), force=args.force))
    return 0


COMMANDS = {None: cmd_run, "run": cmd_run, "serve": cmd_serve, "migrate": cmd_migrate, "audit": cmd_audit,
            "backup": cmd_backup, "restore": cmd_restore}


def version() -> str:
    """The installed package's version; from a source checkout that was never installed, pyproject's."""
    try:
        return metadata.version("family-rosca-bot")
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        return tomllib.loads(pyproject.read_text())["project"]["version"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Family ROSCA bot")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
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
    backup_parser = commands.add_parser("backup", help="write the whole database to FILE (pg_dump's custom format)")
    backup_parser.add_argument("file", metavar="FILE")
    restore_parser = commands.add_parser("restore", help="load a backup into an empty database (the bot stopped)")
    restore_parser.add_argument("file", metavar="FILE")
    restore_parser.add_argument("--force", action="store_true", help="replace a database that holds data")
    args = parser.parse_args(argv)
    if args.version:
        print(f"family-rosca-bot {version()}")
        return 0
    signal.signal(signal.SIGTERM, _terminate)
    settings = None
    try:
        settings = load_settings()
        configure_logging(settings)
        with _resources:
            return COMMANDS[args.command](settings, args)
    except ConfigError as error:
        if settings is not None and settings.log_level == "DEBUG":
            log.debug("what stopped the start:", exc_info=error)
        # One line, however the cause wrote it; masked like the log (a URL in it may carry a pasted token).
        print(f"rosca-bot: {redact(' '.join(str(error).split()))}", file=sys.stderr)
        return BAD_SETUP
    except Terminated:
        signal.raise_signal(signal.SIGTERM)  # everything is stopped: now end as SIGTERM asked
        raise


if __name__ == "__main__":
    sys.exit(main())
