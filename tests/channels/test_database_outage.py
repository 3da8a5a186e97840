"""PostgreSQL away for a few seconds: the bot stays up, says "try again in a moment", changes
nothing, and recovers by itself when the database returns. The outage is a TCP proxy in front of
the real server that drops every connection and refuses new ones."""

from __future__ import annotations

import asyncio
import logging
import re
from contextlib import suppress

import httpx
from sqlalchemy.engine import make_url
from telegram import Update

from bot.config import Settings
from bot.telegram import build_application
from bot.web import create_web_app
from core.db import make_engine, make_sessionmaker
from core.uow import UnitOfWork
from handlers.telegram import texts
from tests.channels import updates
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.test_monitoring import metric
from tests.channels.updates import Person

GRACE = Person(9001, "Grace", None, "grace", "+254700000901")


class Outage:
    """Forwards 127.0.0.1:port to the database until `cut()`; `restore()` accepts again."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        socket_dir = url.query.get("host")
        self.target = (socket_dir, url.port or 5432) if socket_dir else (url.host, url.port or 5432)
        self.unix = bool(socket_dir)
        self.links: set[asyncio.StreamWriter] = set()
        self.up = True

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.close()
            return
        if self.unix:
            up_reader, up_writer = await asyncio.open_unix_connection(f"{self.target[0]}/.s.PGSQL.{self.target[1]}")
        else:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.links |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(ConnectionError, asyncio.CancelledError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    def cut(self) -> None:
        self.up = False
        for writer in self.links:
            writer.close()
        self.links.clear()

    def restore(self) -> None:
        self.up = True

    async def stop(self) -> None:
        self.cut()
        self.server.close()


async def test_the_bot_survives_a_database_outage(fake_telegram, clean_database, clock):
    outage = Outage(clean_database)
    port = await outage.start()
    url = make_url(clean_database).set(host="127.0.0.1", port=port, query={})
    engine = make_engine(url.render_as_string(hide_password=False), pool_timeout=2, connect_args={"connect_timeout": 2})
    sessions = make_sessionmaker(engine)
    settings = Settings(database_url=None, data_dir=".", telegram_token=FakeTelegram.TOKEN,
                        telegram_api_url=fake_telegram.base_url.removesuffix("/bot"), telegram_rate_limit=False)
    app = build_application(settings, lambda: UnitOfWork(sessions, clock=clock))
    await app.initialize()

    async def say(update: dict) -> list[str]:
        before = len(fake_telegram.sent)
        await app.process_update(Update.de_json(update, app.bot))
        return [m["text"] for m in fake_telegram.sent[before:]]

    try:
        await say(updates.private_text(GRACE, "/start"))
        assert "registered as +254700000901" in (await say(updates.contact(GRACE, GRACE.phone, GRACE.id)))[0]
        outage.cut()
        for _ in range(3):  # the bot stays up and answers every time
            assert await say(updates.private_text(GRACE, "/mycircles")) == [str(texts.DATABASE_AWAY)]
        outage.restore()  # and recovers by itself: pre-ping replaces the dead pooled connections
        assert (await say(updates.private_text(GRACE, "/mycircles")))[0].startswith("You're not in any circle yet")
    finally:
        await app.shutdown()
        await engine.dispose()
        await outage.stop()


async def test_healthz_and_metrics_say_when_the_database_is_away(fake_telegram, clean_database, clock, caplog):
    outage = Outage(clean_database)
    port = await outage.start()
    url = make_url(clean_database).set(host="127.0.0.1", port=port, query={})
    engine = make_engine(url.render_as_string(hide_password=False), pool_timeout=2, connect_args={"connect_timeout": 2})
    settings = Settings(database_url=None, data_dir=".", telegram_token=FakeTelegram.TOKEN,
                        telegram_api_url=fake_telegram.base_url.removesuffix("/bot"), telegram_rate_limit=False)
    sessions = make_sessionmaker(engine)
    app = build_application(settings, lambda: UnitOfWork(sessions, clock=clock))
    await app.initialize()
    web = create_web_app(engine, None, public_url=None, webhook_secret=None)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as client:
            assert (await client.get("/healthz")).status_code == 200
            before = (await client.get("/metrics")).text
            outage.cut()
            health = await client.get("/healthz")
            assert health.status_code == 503
            assert health.json() == {"status": "failing", "problems": ["database unreachable"],
                                     "database": "unreachable", "outbox_pending": None,
                                     "outbox_oldest_pending_seconds": None, "scheduler_last_tick_seconds": None}
            with caplog.at_level(logging.INFO, logger="bot.updates"):
                await app.process_update(Update.de_json(updates.private_text(GRACE, "/mycircles"), app.bot))
            assert fake_telegram.texts_to(GRACE.id)[-1] == str(texts.DATABASE_AWAY)
            assert re.fullmatch(r"telegram update \d+: /mycircles in private, database away \(\d+ ms\)",
                                [r.getMessage() for r in caplog.records if r.name == "bot.updates"][-1])
            after = (await client.get("/metrics")).text
            assert metric(after, "rosca_database_up") == 0
            assert (metric(after, "rosca_errors_total", channel="telegram", kind="database")
                    - metric(before, "rosca_errors_total", channel="telegram", kind="database")) == 1
            outage.restore()
            assert (await client.get("/healthz")).status_code == 200
            assert metric((await client.get("/metrics")).text, "rosca_database_up") == 1
    finally:
        await app.shutdown()
        await engine.dispose()
        await outage.stop()
