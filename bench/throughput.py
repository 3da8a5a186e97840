"""Throughput benchmark: many families using the bot at once, against a bare python-telegram-bot bot.

    python -m bench.throughput [--circles 500] [--members 10] [--seconds 15]

Every member of every circle sends /paid in the circle's group chat, the organizer taps Confirm on each
payment post, and someone asks for /summary every fifth member. The updates reach the real Application
over HTTP from the fake Bot API server the channel tests use, in the two ways the bot runs: polling
(`python -m bot`: the updater long-polls getUpdates) and webhook (`python -m bot serve`: each update is
POSTed to bot/web.py's route). The baseline is a bare Application answering every update with one
message and no database, fed the same updates the same way.

Latency runs from the moment an update is available (queued for getUpdates, or POSTed) to the moment
the bot's visible answer reaches the fake server: the payment post, the edited post after Confirm, the
summary. Each circle has at most one update outstanding, so the answer in its chat is that update's.
Peak phases keep WINDOW updates outstanding; paced phases feed Poisson arrivals at half our peak.

Database: as bench.fanout (BENCH_DATABASE_URL, else an embedded PostgreSQL in a temporary folder).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import sys
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bench.fanout import server_url, server_version
from bot.config import Settings
from bot.database import upgrade
from bot.telegram import build_application
from bot.web import TELEGRAM_PATH, create_web_app
from core.circles import create_circle, join_circle
from core.db import make_engine, make_sessionmaker
from core.models import Channel
from core.uow import UnitOfWork
from core.users import register_user
from tests.channels.driver import buttons
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.updates import Person, callback, group_text
from tests.conftest import drop_database, fresh_database
from tests.integration.builders import settings as circle_settings

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # before the circles' first due date, 2026-12-01
WINDOW = 32  # updates outstanding at once in a peak phase
SECRET = "bench-webhook-secret"
CONFIRM = "✅ Confirm"


@dataclass
class Family:
    chat: int
    people: list[Person]  # people[0] organizes

    def script(self, problems: list[str] | None) -> Iterator[dict]:
        """The family's updates, one at a time; send() each the bot's answer to get the next one.
        With `problems`, answers that are not what our bot should say are noted there."""
        for n, person in enumerate(self.people, start=1):
            post = yield group_text(person, self.chat, "/paid")
            if problems is not None and CONFIRM not in buttons(post):
                problems.append(f"/paid got: {post['text'][:80]}")
            edited = yield callback(self.people[0], post, buttons(post).get(CONFIRM, "pay:ok:"))
            if problems is not None and "confirmed by" not in edited["text"]:
                problems.append(f"Confirm got: {edited['text'][:80]}")
            if n % 5 == 0:
                yield group_text(person, self.chat, "/summary")


class Recorder(list):
    """FakeTelegram.sent that also hands over each message the moment the bot sends it, so the load
    generator answers the bot at once instead of polling the list."""

    def __init__(self, on_message: Callable[[dict], None]) -> None:
        super().__init__()
        self.on_message = on_message

    def append(self, message: dict) -> None:
        super().append(message)
        self.on_message(message)


async def create_families(new_uow: Callable[[], UnitOfWork], count: int, members: int, first: int) -> list[Family]:
    """Active circles with cycle 1 open, made through the core use cases (8 at a time)."""
    limit = asyncio.Semaphore(8)

    async def family(c: int) -> Family:
        people = [Person(first + c * members + k, f"M{first + c * members + k}") for k in range(members)]
        async with limit:
            ids = [(await register_user(new_uow(), phone=f"+2547{p.id:08d}", full_name=p.first_name,
                                        channel=Channel.TELEGRAM, address=str(p.id))).id for p in people]
            chat = -1_002_000_000_000 - first - c
            circle = await create_circle(new_uow(), actor=ids[0], chat=(Channel.TELEGRAM, str(chat)),
                                         settings=circle_settings(members, name=f"Family {first + c}"))
            for uid in ids[1:]:
                await join_circle(new_uow(), actor=uid, circle_id=circle.id)
        return Family(chat, people)

    return list(await asyncio.gather(*(family(c) for c in range(count))))


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss: float = 0.0
    ran_out: bool = False

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def ms(self, *quantiles: float) -> str:
        ordered = sorted(self.latencies)
        return " / ".join(f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.0f}" for q in quantiles)


async def run_phase(tg: FakeTelegram, feed: Callable[[dict], None], families: Iterator[Family],
                    problems: list[str] | None, seconds: float, rate: float | None = None) -> Phase:
    """Feed updates for `seconds`: as fast as WINDOW outstanding allow, or at Poisson `rate` per second."""
    phase, ready, in_flight = Phase(), deque(), {}
    window, drained = asyncio.Semaphore(WINDOW if rate is None else 1_000_000), asyncio.Event()

    def on_message(message: dict) -> None:
        if message["chat_id"] not in in_flight:
            if problems is not None:
                problems.append(f"unasked message: {message.get('text', '')[:80]}")
            return
        script, fed_at = in_flight.pop(message["chat_id"])
        phase.latencies.append(time.monotonic() - fed_at)
        with contextlib.suppress(StopIteration):
            ready.append((message["chat_id"], script, script.send(message)))
        window.release()
        if not in_flight:
            drained.set()

    tg.sent = Recorder(on_message)
    arrivals = random.Random(1)
    start = next_at = time.monotonic()
    while time.monotonic() < start + seconds:
        if rate is None:
            await window.acquire()
        else:
            next_at += arrivals.expovariate(rate)
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        if ready:
            chat, script, update = ready.popleft()
        elif family := next(families, None):
            chat, script = family.chat, family.script(problems)
            update = next(script)
        else:
            phase.ran_out = True
            break
        in_flight[chat] = (script, time.monotonic())
        drained.clear()
        feed(update)
        phase.peak_rss = max(phase.peak_rss, rss_mib())
    if in_flight:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(drained.wait(), 30)
    phase.seconds = time.monotonic() - start
    if in_flight and problems is not None:
        problems.append(f"{len(in_flight)} updates got no answer within 30 s")
    return phase


@contextlib.asynccontextmanager
async def polling(app: Application, tg: FakeTelegram, engine: AsyncEngine):
    """As `python -m bot` runs: the updater long-polls getUpdates, the Application handles what comes."""
    await app.initialize()
    await app.updater.start_polling(poll_interval=0)
    await app.start()
    try:
        yield tg.queue_update
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@contextlib.asynccontextmanager
async def webhook(app: Application, tg: FakeTelegram, engine: AsyncEngine):
    """As `python -m bot serve` runs: each update is a POST to bot/web.py's route, handled as it arrives."""
    web = create_web_app(engine, app, public_url=None, webhook_secret=SECRET)
    posts: set[asyncio.Task] = set()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as http:
        await app.initialize()

        def feed(update: dict) -> None:
            post = asyncio.create_task(http.post(TELEGRAM_PATH, json=update,
                                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}))
            posts.add(post)
            post.add_done_callback(posts.discard)

        try:
            yield feed
        finally:
            await asyncio.gather(*posts)
            await app.shutdown()


MODES = {"polling": polling, "webhook": webhook}


def baseline_app(tg: FakeTelegram, webhook_mode: bool) -> Application:
    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(update.effective_chat.id, "ok")

    builder = ApplicationBuilder().token(FakeTelegram.TOKEN).base_url(tg.base_url)
    app = (builder.updater(None) if webhook_mode else builder).build()
    app.add_handler(MessageHandler(filters.ALL, answer))
    app.add_handler(CallbackQueryHandler(answer))
    return app


def command_of(update: dict) -> str:
    return "Confirm button" if "callback_query" in update else update["message"]["text"]


@contextlib.contextmanager
def counting(engine: AsyncEngine) -> Iterator[Counter]:
    """Statements, transactions (each also costs a BEGIN and a COMMIT or ROLLBACK round-trip) and pool
    checkouts (each costs a pre-ping round-trip) while the block runs."""
    counts, target = Counter(), engine.sync_engine
    listeners = {"before_cursor_execute": lambda *a: counts.update(["statements"]),
                 "begin": lambda *a: counts.update(["transactions"]),
                 "checkout": lambda *a: counts.update(["checkouts"])}
    for name, listener in listeners.items():
        event.listen(target, name, listener)
    try:
        yield counts
    finally:
        for name, listener in listeners.items():
            event.remove(target, name, listener)


async def queries_per_command(app: Application, tg: FakeTelegram, engine: AsyncEngine, families: list[Family],
                              problems: list[str]) -> dict[str, list[Counter]]:
    """One update at a time through the Application, counting what each one asks of the database."""
    tg.sent = []
    per_command: dict[str, list[Counter]] = defaultdict(list)
    await app.initialize()
    try:
        for family in families:
            script = family.script(problems)
            update = next(script)
            for _ in range(11):  # five payments, five confirmations, one summary
                with counting(engine) as counts:
                    await app.process_update(Update.de_json(update, app.bot))
                per_command[command_of(update)].append(counts)
                update = script.send(tg.sent[-1])
    finally:
        await app.shutdown()
    return per_command


def spread(values: list[int]) -> str:
    return f"{min(values)}" if min(values) == max(values) else f"{min(values)}-{max(values)}"


def query_rows(small: dict[str, list[Counter]], large: dict[str, list[Counter]], members: int) -> list[tuple]:
    rows = [(f"database per update ({members} | 100 members)", "", "", "")]
    for command in small:
        for label, measure in (("statements", lambda c: c["statements"]), ("transactions", lambda c: c["transactions"]),
                               ("round-trips", lambda c: c["statements"] + 2 * c["transactions"] + c["checkouts"])):
            shown = [spread([measure(c) for c in runs[command]]) for runs in (small, large)]
            verdict = "constant" + (" (ok)" if shown[0] == shown[1] and "-" not in shown[0] else " (NOT)")
            rows.append((f"  {command}: {label}", " | ".join(shown), "", verdict if label == "statements" else ""))
    rows.append(("  (round-trips = statements + BEGIN and COMMIT/ROLLBACK per transaction + one pre-ping "
                 "per connection checkout)", "", "", ""))
    return rows


async def bench_mode(mode: str, tg: FakeTelegram, engine: AsyncEngine, ours: Callable[..., Application],
                     families: Iterator[Family], baseline_families: list[Family], seconds: float,
                     problems: list[str]) -> list[tuple]:
    async def phase(app: Application, fams: Iterator[Family], checked: list[str] | None, rate: float | None = None):
        async with MODES[mode](app, tg, engine) as feed:
            return await run_phase(tg, feed, fams, checked, seconds, rate)

    base = await phase(baseline_app(tg, mode == "webhook"), iter(baseline_families), None)
    peak = await phase(ours(updater=mode == "polling"), families, problems)
    paced = await phase(ours(updater=mode == "polling"), families, problems, rate=peak.rate / 2)
    ratio = peak.rate / base.rate
    how = "one update at a time" if mode == "polling" else "each update as it arrives"
    rows = [(f"{mode}, as `python -m bot{' serve' if mode == 'webhook' else ''}` ({how})", "", "", ""),
            (f"  updates/s at peak ({WINDOW} outstanding)", f"{peak.rate:.0f}", f"{base.rate:.0f}", ""),
            ("  ratio to baseline", f"{ratio:.2f} ({'ok' if ratio >= 0.5 else 'MISSED'})", "", ">= 0.5"),
            ("  p50 / p95 / p99 at peak (ms)", peak.ms(.5, .95, .99), base.ms(.5, .95, .99), ""),
            (f"  p50 / p95 / p99 at 50% of peak, {paced.rate:.0f}/s (ms)", paced.ms(.5, .95, .99), "",
             "p99 < 250" + (" (ok)" if float(paced.ms(.99)) < 250 else " (MISSED)")),
            ("  peak RSS during the peak phase (MiB)", f"{peak.peak_rss:.0f}", f"{base.peak_rss:.0f}", "")]
    if peak.ran_out or paced.ran_out or base.ran_out:
        problems.append(f"{mode}: ran out of circles before {seconds} s; use more --circles or fewer --seconds")
    return rows


async def run(url: str, args: argparse.Namespace) -> list[str]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    new_uow = lambda: UnitOfWork(sessions, clock=lambda: NOW)  # noqa: E731
    problems: list[str] = []
    try:
        print(f"nproc {os.cpu_count()}, PostgreSQL {await server_version(engine)}, Python {sys.version.split()[0]}")
        started = time.perf_counter()
        families = await create_families(new_uow, args.circles, args.members, first=1)
        large = await create_families(new_uow, 2, 100, first=args.circles * args.members + 1)
        setup = time.perf_counter() - started
        print(f"setup took {setup:.0f} s; measuring for about {6 * args.seconds:.0f} s")
        rows = [(f"setup: {args.circles} circles of {args.members} + 2 of 100 (not measured)", f"{setup:.0f} s", "", "")]
        async with FakeTelegram() as tg:
            settings = Settings(database_url=None, data_dir=Path("."), telegram_token=FakeTelegram.TOKEN,
                                telegram_api_url=tg.base_url.removesuffix("/bot"), telegram_rate_limit=False)

            def ours(updater: bool = False) -> Application:
                return build_application(settings, new_uow, updater=updater)

            counted = [await queries_per_command(ours(), tg, engine, fams, problems) for fams in (families[:2], large)]
            remaining = iter(families[2:])
            for mode in MODES:
                rows += await bench_mode(mode, tg, engine, ours, remaining, families, args.seconds, problems)
        rows += query_rows(*counted, args.members)
        rows.append(("answers as expected (ours)", "yes" if not problems else f"NO ({len(problems)})", "", "yes"))
        rows.append(("process max RSS (MiB)", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
                     "", ""))
        print_table(rows, await server_version(engine))
    finally:
        await engine.dispose()
    return problems


def print_table(rows: list[tuple], version: str) -> None:
    width = max(len(r[0]) for r in rows if r[1] or r[2] or r[3]) + 2
    print(f"\n{f'throughput benchmark ({os.cpu_count()} cores, PostgreSQL {version})':<{width}}"
          f"{'ours':<20}{'baseline':<20}target")
    for label, ours, base, target in rows:
        print(f"{label:<{width}}{ours:<20}{base:<20}{target}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=500, help="circles, each in its own group chat (default 500)")
    parser.add_argument("--members", type=int, default=10, help="members per circle (default 10)")
    parser.add_argument("--seconds", type=float, default=15, help="length of each of the 6 phases (default 15)")
    args = parser.parse_args()
    started = time.perf_counter()
    database = fresh_database(server_url(), "rosca_bench")
    try:
        upgrade(database)
        problems = asyncio.run(run(database, args))
    finally:
        drop_database(database)
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")
    for problem in problems[:10]:
        print("FAILED:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
