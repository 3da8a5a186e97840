"""Latency benchmark: how long an unrelated chat waits while the bot is busy elsewhere.

    python -m bench.latency [--circles 10000] [--flood 40] [--quiet-seconds 10] [--flood-seconds 20]
                            [--fanout-seconds 30]

A probe, someone in a private chat with the bot, asks /help every 0.2-0.5 s; its wait runs from the
update being available (queued for getUpdates, or POSTed to the webhook) to the answer reaching the
fake Bot API server. It asks on a fixed schedule whatever the answers do, so a stalled bot shows as
many long waits, not one. Three scenarios, each in both modes (polling, webhook), with the default
rate limiter on and the outbox dispatcher running, as the bot runs:
  quiet    the probe alone, for comparison;
  flood    one circle's group chat gets --flood /summary commands at once from its members (Telegram
           lets a bot post 20 a minute in a group, so their answers take minutes: reported as far as
           they got within the phase, not waited for);
  fan-out  --circles circles whose reminders fall due now (bulk-inserted as bench.fanout does); the
           scheduler's step (bot/background.py tick) queues the reminders and the dispatcher sends
           them at the limiter's overall cap while the probe asks.
A probe still unanswered GRACE seconds after its phase counts as never answered (shown as inf).
Database: as bench.fanout (BENCH_DATABASE_URL, else an embedded PostgreSQL); dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import math
import os
import random
import sys
import time
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.exc import SAWarning
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.ext import Application

from bench.fanout import NOW, create_circles, on_fresh_database, server_version
from bench.throughput import SECRET, Family, Phase, Recorder, create_families
from bot.background import tick
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.inbound import DRAIN_SECONDS
from bot.polling import poll
from bot.send_limits import OVERALL_PER_SECOND
from bot.telegram import build_application
from bot.web import TELEGRAM_PATH, create_web_app
from core.db import make_engine, make_sessionmaker
from core.models import Channel
from core.uow import UnitOfWork
from handlers.telegram import texts
from handlers.telegram.delivery import TelegramSender
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.updates import Person, group_text, private_text

PROBE = Person(900_000_001, "Probe")  # no circle, no registration: /help needs only a reply
GRACE = 5.0  # seconds a phase's last probes may still be answered in
STOP_SECONDS = DRAIN_SECONDS + 4  # stopping cuts the updates in hand short after DRAIN_SECONDS
TARGET_MS = 1000  # issue 12: the probe's p99
BULK_SHARE = 0.8  # bulk must get at least this share of the overall cap while the probe asks
# Before the circles' first due date (2026-12-01), when create_families makes the flooding circle.
SETUP_TIME = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
FAILURES = {texts.APOLOGY, texts.DATABASE_AWAY, texts.DATABASE_AWAY_AFTER_CHANGE}


def failed(message: dict) -> bool:
    """The error handler's apology, not an answer: the update failed (say, no pooled connection in time)."""
    return message.get("text") in FAILURES


@dataclass
class Probe:
    """The unrelated chat: /help on a fixed random schedule; answers matched to questions in order.
    An apology answers a question but counts as never answered."""

    asked: deque[float] = field(default_factory=deque)  # when each unanswered /help was made available
    waits: Phase = field(default_factory=Phase)
    apologies: int = 0
    settled: asyncio.Event = field(default_factory=asyncio.Event)

    def answered(self, message: dict, at: float) -> None:
        if self.asked:
            asked = self.asked.popleft()
            self.apologies += failed(message)
            self.waits.latencies.append(math.inf if failed(message) else at - asked)
        if not self.asked:
            self.settled.set()

    async def ask(self, feed: Callable[[dict], None], seconds: float, pace: random.Random) -> None:
        started = time.monotonic()
        while time.monotonic() < started + seconds:
            self.settled.clear()
            self.asked.append(time.monotonic())
            feed(private_text(PROBE, "/help"))
            await asyncio.sleep(pace.uniform(0.2, 0.5))  # pacing, not waiting for anything
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.settled.wait(), GRACE)
        self.waits.seconds = time.monotonic() - started
        self.waits.latencies += [math.inf] * len(self.asked)
        self.asked.clear()


@dataclass
class Flood:
    """One group's burst of /summary: when each answer came, in seconds after the burst."""

    chat: int
    started: float = 0.0
    answers: list[float] = field(default_factory=list)
    apologies: int = 0

    def answered(self, message: dict, at: float) -> None:
        if failed(message):
            self.apologies += 1
        else:
            self.answers.append(at - self.started)

    def send(self, feed: Callable[[dict], None], family: Family, count: int) -> None:
        self.started = time.monotonic()
        for n in range(count):
            feed(group_text(family.people[n % len(family.people)], family.chat, "/summary"))


@dataclass
class Bulk:
    """Everything else the bot sent during a phase (reminders, nudges): when each was sent."""

    sent: list[float] = field(default_factory=list)

    def answered(self, message: dict, at: float) -> None:
        self.sent.append(at)

    def rate(self, until: float) -> float:
        """Messages a second from the first bulk send to `until`."""
        return len(self.sent) / (until - self.sent[0]) if len(self.sent) > 1 else 0.0


def route(tg: FakeTelegram, probe: Probe, flood: Flood | None, bulk: Bulk) -> None:
    """Hand each message the fake server records to whoever waits for it in that chat."""
    def on_message(message: dict) -> None:
        at = time.monotonic()
        if message["chat_id"] == PROBE.id:
            probe.answered(message, at)
        elif flood is not None and message["chat_id"] == flood.chat:
            flood.answered(message, at)
        else:
            bulk.answered(message, at)

    tg.sent = Recorder(on_message)


@contextlib.asynccontextmanager
async def polling(app: Application, tg: FakeTelegram, engine: AsyncEngine):
    """As `python -m bot` runs (bot/polling.py). Unlike bench.throughput's, stopping does not wait for
    a batch held up by the group limiter: it is cancelled, and what the bot did not confirm dropped."""
    await app.initialize()  # before the dispatcher sends with app.bot; poll() skips it then
    stop = asyncio.Event()
    poller = asyncio.create_task(poll(app, stop))
    try:
        yield tg.queue_update
    finally:
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(poller, STOP_SECONDS)
        async with Bot(FakeTelegram.TOKEN, base_url=tg.base_url) as bot:
            await bot.delete_webhook(drop_pending_updates=True)


@contextlib.asynccontextmanager
async def webhook(app: Application, tg: FakeTelegram, engine: AsyncEngine):
    """As `python -m bot serve` runs (bot/web.py): each update a POST, recorded and answered at once,
    then handled in its chat's turn; stopping cuts short what still waits on the group limiter."""
    web = create_web_app(engine, app, public_url=None, webhook_secret=SECRET)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    posts: set[asyncio.Task] = set()
    async with web.router.lifespan_context(web):  # stopping it cuts the updates in hand short, as serve's does
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as http:
            def feed(update: dict) -> None:
                post = asyncio.create_task(http.post(TELEGRAM_PATH, json=update, headers=headers))
                posts.add(post)
                post.add_done_callback(posts.discard)

            try:
                yield feed
            finally:
                _, held = await asyncio.wait(set(posts), timeout=STOP_SECONDS) if posts else (set(), set())
                for post in held:
                    post.cancel()
                await asyncio.gather(*held, return_exceptions=True)


@dataclass
class Bench:
    """What every phase shares: the fake server, the database, the bot's settings and clock."""

    tg: FakeTelegram
    url: str
    engine: AsyncEngine  # the benchmark's own: setup and counting, never the bot's
    settings: Settings
    clock: Callable[[], datetime]

    @contextlib.asynccontextmanager
    async def bot(self, mode: Callable):
        """A fresh bot as `python -m bot` makes it (Application, limiter, engine and pool), in `mode`,
        with the outbox dispatcher running. Yields the Application, the dispatcher, the feed and the
        units of work. Work cut short at the end (cancelled) may strand pooled connections in a
        transaction: the engine goes with the phase, and its stranded connections are closed at once."""
        async with self.engine.begin() as conn:  # a phase starts quiet: nothing left to send from the last
            await conn.execute(text("truncate outbox"))
        engine = make_engine(self.url)
        sessions = make_sessionmaker(engine)

        def new_uow() -> UnitOfWork:
            return UnitOfWork(sessions, clock=self.clock)

        app = build_application(self.settings, new_uow, updater=mode is polling)
        try:
            async with mode(app, self.tg, engine) as feed:
                dispatcher = Dispatcher(engine, {Channel.TELEGRAM: TelegramSender(app.bot)}, clock=self.clock)
                delivering = asyncio.create_task(dispatcher.run_forever())
                try:
                    yield app, dispatcher, feed, new_uow
                finally:
                    delivering.cancel()
                    await asyncio.gather(delivering, return_exceptions=True)
        finally:
            await engine.dispose()
            close_stranded()


def close_stranded() -> None:
    """Close now the connections of work cancelled at a phase's end, ending their transactions and
    locks. SQLAlchemy warns about each as it closes it; here that is expected, not a leak to report."""
    pool_log = logging.getLogger("sqlalchemy.pool")
    level = pool_log.level
    pool_log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The garbage collector is trying to clean up", SAWarning)
            gc.collect()
    finally:
        pool_log.setLevel(level)


def probe_row(label: str, probe: Probe) -> tuple[str, str, str]:
    waits = probe.waits
    lost = sum(1 for w in waits.latencies if math.isinf(w))
    p99 = waits.ms(0.99)
    return (f"  {label}: probe p50 / p95 / p99 / max (ms), asked",
            f"{waits.percentiles()} / {waits.ms(1.0):.0f}, {len(waits.latencies)}"
            + (f" ({lost} unanswered, {probe.apologies} of them apologies)" if lost else ""),
            f"p99 < {TARGET_MS} ({'ok' if p99 < TARGET_MS else 'MISSED'})")


async def quiet(bench: Bench, mode: Callable, seconds: float, problems: list[str]) -> list[tuple]:
    probe = Probe()
    route(bench.tg, probe, None, Bulk())
    async with bench.bot(mode) as (_, _, feed, _):
        await probe.ask(feed, seconds, random.Random(1))
    if any(math.isinf(w) for w in probe.waits.latencies) or not probe.waits.latencies:
        problems.append(f"{mode.__name__}, quiet: the probe was not answered every time")
    return [probe_row("quiet", probe)]


async def flood(bench: Bench, mode: Callable, family: Family, count: int, seconds: float,
                problems: list[str]) -> list[tuple]:
    probe, burst = Probe(), Flood(family.chat)
    route(bench.tg, probe, burst, Bulk())
    async with bench.bot(mode) as (_, _, feed, _):
        asking = asyncio.create_task(probe.ask(feed, seconds, random.Random(2)))
        await asyncio.sleep(min(1.0, seconds / 4))  # the probe's schedule is under way before the burst
        burst.send(feed, family, count)
        await asking
        within = time.monotonic() - burst.started
    answers = [a for a in burst.answers if a <= within]  # not those that came while the bot stopped
    if not answers:
        problems.append(f"{mode.__name__}, flood: no /summary was answered")
    got = len(answers)
    spread = f"first {answers[0]:.1f} s, last {answers[-1]:.1f} s" if got else "none"
    return [probe_row(f"flood of {count} /summary", probe),
            (f"  flood: its own answers within {within:.0f} s of the burst",
             f"{got} of {count} ({spread})" + (f", {burst.apologies} apologies" if burst.apologies else ""),
             "20 a minute per group (report)")]


async def fan_out(bench: Bench, mode: Callable, seconds: float, problems: list[str]) -> list[tuple]:
    """The reminder step runs as the probe starts asking; the outbox starts empty, so each mode plans
    and sends the same reminders."""
    probe, bulk = Probe(), Bulk()
    route(bench.tg, probe, None, bulk)
    async with bench.bot(mode) as (app, dispatcher, feed, new_uow):
        asking = asyncio.create_task(probe.ask(feed, seconds, random.Random(3)))
        started = time.monotonic()
        await tick(new_uow, dispatcher, app.bot_data["rosca"].beacon)
        planned = time.monotonic() - started
        await asking
        ended = time.monotonic()
    async with bench.engine.connect() as conn:
        queued = await conn.scalar(text("select count(*) from outbox"))
    if not queued or not bulk.sent:
        problems.append(f"{mode.__name__}, fan-out: {queued} reminders queued, {len(bulk.sent)} sent")
    rate, floor = bulk.rate(ended), BULK_SHARE * OVERALL_PER_SECOND
    return [probe_row("fan-out", probe),
            ("  fan-out: reminder step (tick), outbox rows queued", f"{planned:.1f} s, {queued}", ""),
            (f"  fan-out: bulk sent in the phase ({ended - started:.0f} s), msg/s", f"{len(bulk.sent)}, {rate:.1f}",
             f">= {floor:.0f} msg/s ({'ok' if rate >= floor else 'MISSED'})")]


async def run(url: str, args: argparse.Namespace) -> tuple[list[tuple], list[str]]:
    """The table's rows and what went wrong with the instrument itself (not missed targets)."""
    engine = make_engine(url)  # as the bot makes it: default pool, pre-ping
    sessions = make_sessionmaker(engine)
    zero = time.monotonic()

    def clock() -> datetime:  # the reminders' due time, moving on as real time does
        return NOW + timedelta(seconds=time.monotonic() - zero)

    problems: list[str] = []
    try:
        version = await server_version(engine)
        started = time.perf_counter()
        await create_circles(engine, args.circles)  # empties every table first: before the flooding circle
        family, = await create_families(lambda: UnitOfWork(sessions, clock=lambda: SETUP_TIME), 1, 10, first=1)
        rows = [(f"setup: {args.circles} circles due now, 1 flooding circle of 10 (not measured)",
                 f"{time.perf_counter() - started:.0f} s", "")]
        async with FakeTelegram() as tg:
            settings = Settings(database_url=None, data_dir=Path("."), telegram_token=FakeTelegram.TOKEN,
                                telegram_api_url=tg.base_url.removesuffix("/bot"), telegram_rate_limit=True,
                                drand_url="http://127.0.0.1:9")  # no draw is due; if one were, no network
            bench = Bench(tg, url, engine, settings, clock)
            for mode in (polling, webhook):
                print(f"{mode.__name__}: quiet {args.quiet_seconds:.0f} s, flood {args.flood_seconds:.0f} s, "
                      f"fan-out {args.fanout_seconds:.0f} s", flush=True)
                rows.append((f"{mode.__name__} (as `python -m bot{'' if mode is polling else ' serve'}`)", "", ""))
                rows += await quiet(bench, mode, args.quiet_seconds, problems)
                rows += await flood(bench, mode, family, args.flood, args.flood_seconds, problems)
                rows += await fan_out(bench, mode, args.fanout_seconds, problems)
    finally:
        await engine.dispose()
    title = f"latency benchmark ({os.cpu_count()} cores, PostgreSQL {version}, limiter on)"
    return [(title, "value", "target"), *rows], problems


def print_table(rows: list[tuple]) -> None:
    width = max(len(r[0]) for r in rows) + 2
    value = max(len(r[1]) for r in rows) + 2
    print()
    for label, measured, target in rows:
        print(f"{label:<{width}}{measured:<{value}}{target}".rstrip())


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=10_000, help="circles whose reminders fall due (10000)")
    parser.add_argument("--flood", type=int, default=40, help="/summary commands in the flooding group (40)")
    parser.add_argument("--quiet-seconds", type=float, default=10, help="the probe alone (10)")
    parser.add_argument("--flood-seconds", type=float, default=20, help="the probe during the flood (20)")
    parser.add_argument("--fanout-seconds", type=float, default=30, help="the probe during the fan-out (30)")
    return parser


def main() -> int:
    args = parser().parse_args()
    started = time.perf_counter()
    rows, problems = on_fresh_database(lambda database: asyncio.run(run(database, args)))
    print_table(rows)
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")
    for problem in problems:
        print("FAILED:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
