"""Fan-out benchmark: planning reminders for many circles, then delivering the outbox to Telegram.

    python -m bench.fanout [--circles 10000] [--messages 600]

Uses BENCH_DATABASE_URL (a server URL; a database is created there and dropped at the end), else an
embedded PostgreSQL in a temporary folder. Telegram is the fake Bot API server the channel tests use,
so the delivery numbers measure our dispatcher and python-telegram-bot's rate limiter, not a network.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.database import embedded_server, upgrade
from bot.dispatcher import Dispatcher
from bot.send_limits import OVERALL_PER_SECOND
from bot.telegram import build_application
from core.db import make_engine, make_sessionmaker
from core.models import Base, Channel
from core.reminders import plan_reminders
from core.uow import UnitOfWork
from handlers.telegram.delivery import TelegramSender
from tests.channels.fake_telegram import FakeTelegram
from tests.conftest import drop_database, fresh_database

T = TypeVar("T")

DUE = date(2026, 12, 1)
# 14:30 UTC on the due date is past 09:00 local and still the same date in every zone below.
NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
ZONES = ["America/New_York", "America/Sao_Paulo", "Europe/London", "Africa/Lagos", "Africa/Nairobi",
         "Asia/Manila"]
# Per circle: the group reminder, nudges to the 6 unpaid members (members 1-3 confirmed, member 4
# pending), and one organizer nudge for the pending payment; so both planning statements do work.
ROWS_PER_CIRCLE = 8

# Member k of circle c is user md5('u<c>-<k>'): every table can be filled from generate_series alone.
_USER = "md5('u' || c || '-' || k)::uuid"
_SETUP = [
    f"""insert into users (id, phone, full_name)
        select {_USER}, '+1' || (2000000000::bigint + c * 10 + k), 'Member ' || c || '-' || k
        from generate_series(1, :n) c, generate_series(0, 9) k""",
    f"""insert into channel_identities (id, user_id, channel, address)
        select gen_random_uuid(), {_USER}, 'TELEGRAM', (5000000000::bigint + c * 10 + k)::text
        from generate_series(1, :n) c, generate_series(0, 9) k""",
    """insert into circles (id, name, owner_id, amount_per_cycle, currency, total_members, frequency,
                            first_due_date, timezone, payout_order, join_code, status, started_at)
        select md5('c' || c)::uuid, 'Circle ' || c, md5('u' || c || '-0')::uuid, 5000, 'USD', 10, 'monthly',
               :due, (cast(:zones as text[]))[1 + c % cardinality(cast(:zones as text[]))], 'RANDOM',
               'B' || c, 'ACTIVE', now()
        from generate_series(1, :n) c""",
    """insert into circle_chats (id, circle_id, channel, chat_address)
        select gen_random_uuid(), md5('c' || c)::uuid, 'TELEGRAM', (-1000000000000 - c)::text
        from generate_series(1, :n) c""",
    f"""insert into memberships (id, circle_id, user_id, role)
        select gen_random_uuid(), md5('c' || c)::uuid, {_USER}, case k when 0 then 'ORGANIZER' else 'MEMBER' end
        from generate_series(1, :n) c, generate_series(0, 9) k""",
    f"""insert into cycles (id, circle_id, cycle_number, due_date, status, eligible_ids, seed_commitment, seed)
        select md5('y' || c)::uuid, md5('c' || c)::uuid, 1, :due, 'OPEN',
               array(select {_USER} from generate_series(0, 9) k), md5('s' || c) || md5('t' || c),
               md5('x' || c) || md5('z' || c)
        from generate_series(1, :n) c""",
    f"""insert into contributions (id, cycle_id, user_id, amount, status, marked_by, decided_by, decided_at)
        select gen_random_uuid(), md5('y' || c)::uuid, {_USER}, 5000,
               case when k <= 3 then 'CONFIRMED' else 'PENDING' end, {_USER},
               case when k <= 3 then md5('u' || c || '-0')::uuid end, case when k <= 3 then now() end
        from generate_series(1, :n) c, generate_series(1, 4) k""",
]


async def empty_tables(engine: AsyncEngine) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"truncate {tables} restart identity cascade"))


async def create_circles(engine: AsyncEngine, n: int) -> float:
    return await bulk_load(engine, _SETUP, {"n": n, "due": DUE, "zones": ZONES})


async def bulk_load(engine: AsyncEngine, statements: list[str], values: dict) -> float:
    """Empty every table, run `statements` with `values`; the seconds it took."""
    started = time.perf_counter()
    await empty_tables(engine)
    async with engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement), values)
    # A live database has statistics (autovacuum); planning fresh bulk-loaded tables without them
    # would measure the query planner's guesses instead of our SQL.
    async with engine.connect() as conn:
        await conn.execute(text("analyze"))
        await conn.commit()
    return time.perf_counter() - started


async def timed_planning(engine: AsyncEngine) -> tuple[int, float, int, int]:
    """One plan_reminders call: (rows queued, seconds, Python heap peak, max-RSS growth) in bytes."""
    sessions = make_sessionmaker(engine)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    queued = await plan_reminders(UnitOfWork(sessions, clock=lambda: NOW))
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024  # KiB on Linux
    return queued, seconds, peak, rss_growth


async def bench_planning(engine: AsyncEngine, circles: int, table: list, failures: list) -> None:
    for n in sorted({max(circles // 10, 1), max(circles // 2, 1), circles}):
        setup = await create_circles(engine, n)
        table.append((f"  setup: {n} circles (not measured)", f"{setup:.1f} s", ""))
        queued, seconds, peak, rss = await timed_planning(engine)
        verdict = "" if n != circles else " (ok)" if seconds < 10 else " (MISSED)"
        table.append((f"plan reminders, {n} circles", f"{seconds:.2f} s{verdict}", "< 10 s" if verdict else ""))
        table.append((f"  outbox rows queued (expect {n * ROWS_PER_CIRCLE})", f"{queued}", ""))
        table.append(("  rows/s", f"{queued / seconds:,.0f}", ""))
        table.append(("  Python heap peak / max-RSS growth", f"{peak / 1024:.0f} KiB / {rss / 2**20:.1f} MiB",
                      "flat in N"))
        if queued != n * ROWS_PER_CIRCLE:
            failures.append(f"{n} circles: queued {queued} reminders, expected {n * ROWS_PER_CIRCLE}")
        # The scheduler ticks every minute and re-runs the same statements, which now find only
        # conflicts: this is what every later tick of the day costs.
        again, seconds, _, _ = await timed_planning(engine)
        table.append((f"  next tick ({again} new)", f"{seconds:.2f} s", "< 60 s tick"))


async def queue_messages(engine: AsyncEngine, messages: int, chats: int) -> dict[int, list[str]]:
    """Message i goes to chat 1000 + i % chats and names member "m<i>", so each text is traceable."""
    await empty_tables(engine)
    async with engine.begin() as conn:
        await conn.execute(text("""
            insert into outbox (channel, address, kind, payload, next_attempt_at, created_at)
            select 'TELEGRAM', (1000 + i % :chats)::text, 'nudge_organizer',
                   jsonb_build_object('circle', 'Fund', 'cycle_number', 1, 'pending', jsonb_build_array('m' || i)),
                   now(), now()
            from generate_series(0, :m - 1) i order by i"""), {"m": messages, "chats": chats})
    expected: dict[int, list[str]] = defaultdict(list)
    for i in range(messages):
        expected[1000 + i % chats].append(f"m{i}")
    return expected


def delivery_problems(tg: FakeTelegram, expected: dict[int, list[str]]) -> list[str]:
    """Lost, duplicated or reordered messages, chat by chat."""
    got: dict[int, list[str]] = defaultdict(list)
    for message in tg.sent:
        got[message["chat_id"]].append(re.search(r"\): (m\d+)\.", message["text"]).group(1))
    problems = []
    for chat in sorted(expected.keys() | got.keys()):
        if got[chat] != expected[chat]:
            problems.append(f"chat {chat}: expected {expected[chat]}, got {got[chat]}")
    return problems


async def timed_delivery(engine: AsyncEngine, tg: FakeTelegram, messages: int, limited: bool) -> tuple[float, list]:
    expected = await queue_messages(engine, messages, chats=max(messages // 3, 1))
    tg.clear()
    settings = Settings(database_url=None, data_dir=Path("."), telegram_token=FakeTelegram.TOKEN,
                        telegram_api_url=tg.base_url.removesuffix("/bot"), telegram_rate_limit=limited)
    sessions = make_sessionmaker(engine)
    app = build_application(settings, lambda: UnitOfWork(sessions))
    await app.initialize()
    try:
        dispatcher = Dispatcher(engine, {Channel.TELEGRAM: TelegramSender(app.bot)}, concurrency=8)
        started = time.perf_counter()
        await dispatcher.drain()
        seconds = time.perf_counter() - started
    finally:
        await app.shutdown()
    return messages / seconds, delivery_problems(tg, expected)


async def bench_delivery(engine: AsyncEngine, messages: int, table: list, failures: list) -> None:
    async with FakeTelegram() as tg:
        for limited in (True, False):
            rate, problems = await timed_delivery(engine, tg, messages, limited)
            if limited:
                table.append((f"deliver {messages} msgs, rate limiter on", f"{rate:.1f} msg/s",
                              f"{OVERALL_PER_SECOND} ±10%"))
                ratio = rate / OVERALL_PER_SECOND
                verdict = "ok" if abs(ratio - 1) <= 0.10 else "OFF TARGET"
                table.append(("  ratio to 30/s", f"{ratio:.2f} ({verdict})", "0.90-1.10"))
            else:
                table.append((f"deliver {messages} msgs, rate limiter off", f"{rate:.1f} msg/s", "ceiling"))
            table.append(("  each delivered exactly once, in order", "yes" if not problems else
                          f"NO ({len(problems)} chats)", "yes"))
            failures.extend(problems[:5])


async def server_version(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        return await conn.scalar(text("show server_version"))


def print_table(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows) + 2
    print(f"\n{f'fan-out benchmark ({os.cpu_count()} cores)':<{width}}{'value':<24}target")
    for label, value, target in rows:
        print(f"{label:<{width}}{value:<24}{target}")


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    if url := os.environ.get("BENCH_DATABASE_URL"):
        yield url
        return
    # The folder goes after the server has stopped (the inner block ends first).
    with tempfile.TemporaryDirectory(prefix="rosca-bench-") as data_dir, embedded_server(Path(data_dir)) as url:
        yield url


def on_fresh_database(work: Callable[[str], T]) -> T:
    """`work(url)` on a new, migrated database (on BENCH_DATABASE_URL's server, or an embedded one),
    dropped afterwards."""
    with server_url() as server:
        database = fresh_database(server, "rosca_bench")
        try:
            upgrade(database)
            return work(database)
        finally:
            drop_database(database)


async def run(url: str, args: argparse.Namespace) -> list[str]:
    engine = make_engine(url)
    table: list[tuple[str, str, str]] = []
    failures: list[str] = []
    try:
        print(f"nproc {os.cpu_count()}, PostgreSQL {await server_version(engine)}, Python {sys.version.split()[0]}")
        await bench_planning(engine, args.circles, table, failures)
        await bench_delivery(engine, args.messages, table, failures)
    finally:
        await engine.dispose()
    table.append(("process max RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB", ""))
    print_table(table)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=10_000, help="circles of 10 members (default 10000)")
    parser.add_argument("--messages", type=int, default=600,
                        help="outbox messages to deliver (default 600; the limiter lets a first burst of 30 "
                             "through at once, so a few hundred are needed for a stable rate)")
    args = parser.parse_args()
    started = time.perf_counter()
    failures = on_fresh_database(lambda database: asyncio.run(run(database, args)))
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
