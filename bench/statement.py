"""Statement benchmark: the time and memory to build the statement of the largest circle there can be.

    python -m bench.statement [--members 200] [--languages en,ar]

One circle of --members members that ran all its cycles (200 × 200: 40,000 confirmed payments, 200
draws and payouts), bulk-inserted, then for each language: the read model (core/statement.py), the
PDF and the CSV, each timed, then run again for the Python heap's peak (tracemalloc, which slows
Python down); then how late the event loop's timers fire while the bot renders the PDF as it does
for a chat (in a worker thread); the process's peak RSS at the end.
Database: as bench.fanout (BENCH_DATABASE_URL, else an embedded PostgreSQL); dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy import text

from bench.fanout import bulk_load, on_fresh_database, server_version
from core.db import make_engine, make_sessionmaker
from core.statement import circle_statement
from core.uow import UnitOfWork
from handlers import i18n, statement_pdf, statements

T = TypeVar("T")

FIRST_DUE = date(2025, 1, 4)
NOW = datetime(2029, 1, 1, 12, tzinfo=UTC)
CIRCLE = "md5('circle')::uuid"
_USER = "md5('u' || k)::uuid"  # member k (1 … m); member 1 organizes and receives in cycle 1, member k in cycle k
_SETUP = [
    f"""insert into users (id, phone, full_name)
        select {_USER}, '+2547' || lpad(k::text, 8, '0'), 'Member ' || k from generate_series(1, :m) k""",
    f"""insert into circles (id, name, owner_id, amount_per_cycle, currency, total_members, frequency,
                            first_due_date, timezone, payout_order, join_code, status, started_at, language)
        values ({CIRCLE}, 'Big Family Stokvel', md5('u1')::uuid, 50000, 'KES', :m, 'weekly', :first,
                'Africa/Nairobi', 'RANDOM', 'BIGFAM', 'COMPLETED', :first, :language)""",
    f"""insert into memberships (id, circle_id, user_id, role)
        select gen_random_uuid(), {CIRCLE}, {_USER}, case k when 1 then 'ORGANIZER' else 'MEMBER' end
        from generate_series(1, :m) k""",
    f"""insert into cycles (id, circle_id, cycle_number, due_date, status, eligible_ids, seed_commitment, seed)
        select md5('y' || c)::uuid, {CIRCLE}, c, :first + 7 * (c - 1), 'PAID_OUT',
               array(select {_USER} from generate_series(c, :m) k), md5('s' || c) || md5('t' || c),
               md5('x' || c) || md5('z' || c)
        from generate_series(1, :m) c""",
    f"""insert into contributions (id, cycle_id, user_id, amount, confirmed_amount, status, marked_by, decided_by,
                                   decided_at, created_at)
        select gen_random_uuid(), md5('y' || c)::uuid, {_USER}, 50000, 50000, 'CONFIRMED', {_USER},
               md5('u1')::uuid, :first + 7 * (c - 1) + interval '20 hours',
               :first + 7 * (c - 1) + interval '1 minute' * (k * 7 % 900)
        from generate_series(1, :m) c, generate_series(1, :m) k""",
    """insert into draws (id, cycle_id, winner_id) select gen_random_uuid(), md5('y' || c)::uuid, md5('u' || c)::uuid
        from generate_series(1, :m) c""",
    """insert into payouts (id, cycle_id, receiver_id, amount, recorded_by, acknowledged_at)
        select gen_random_uuid(), md5('y' || c)::uuid, md5('u' || c)::uuid, 50000 * :m, md5('u1')::uuid,
               :first + 7 * (c - 1) + interval '2 days'
        from generate_series(1, :m) c""",
]


async def create_circle(engine, members: int, language: str) -> float:
    return await bulk_load(engine, _SETUP, {"m": members, "first": FIRST_DUE, "language": language})


def peak_of(work: Callable[[], object]) -> int:
    """The Python heap's peak while `work()` runs, in bytes (tracing slows Python down: timed apart)."""
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


TICK = 0.01


async def loop_stalls(work: Awaitable[object]) -> list[float]:
    """How late a 10 ms timer fires, again and again, while `work` runs as the bot runs it (the render
    in a worker thread): what every other chat's handling waits on meanwhile."""
    task = asyncio.ensure_future(work)
    stalls = []
    while not task.done():
        started = time.perf_counter()
        await asyncio.sleep(TICK)
        stalls.append(time.perf_counter() - started - TICK)
    await task
    return stalls


def timed(work: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


async def run(url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)

    try:
        print(f"nproc {os.cpu_count()}, PostgreSQL {await server_version(engine)}, Python {sys.version.split()[0]}")
        print(f"{args.members} members × {args.members} cycles{'seconds':>16}{'heap peak':>12}{'size':>10}")
        for language in args.languages.split(","):
            setup = await create_circle(engine, args.members, language)
            circle_id = await _circle_id(engine)
            started = time.perf_counter()
            statement = await circle_statement(UnitOfWork(sessions, clock=lambda: NOW), circle_id, actor=None)
            seconds = time.perf_counter() - started
            assert len(statement.payments) == args.members ** 2
            tracemalloc.start()
            await circle_statement(UnitOfWork(sessions, clock=lambda: NOW), circle_id, actor=None)
            read_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"{language}: bulk insert              {setup:9.2f}")
            print(f"{language}: read model (one snapshot){seconds:9.2f}{read_peak / 2**20:9.0f} MiB")
            with i18n.speaking(language):
                for name, render in (("PDF", statement_pdf.render), ("CSV", statements.spreadsheet)):
                    data, seconds = timed(lambda: render(statement))
                    peak = peak_of(lambda: render(statement))
                    print(f"{language}: {name:<23}{seconds:9.2f}{peak / 2**20:9.0f} MiB{len(data) / 2**20:7.1f} MiB")
            stalls = await loop_stalls(statements.document(statement, statements.PDF))
            print(f"{language}: while the bot renders the PDF, the event loop answered every "
                  f"{TICK * 1000:.0f} ms tick within {max(stalls) * 1000:.0f} ms (median "
                  f"{statistics.median(stalls) * 1000:.1f} ms late, {len(stalls)} ticks)")
    finally:
        await engine.dispose()
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


async def _circle_id(engine):
    async with engine.connect() as conn:
        return await conn.scalar(text(f"select {CIRCLE}"))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.statement", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200, help="members, and so cycles (default 200)")
    parser.add_argument("--languages", default="en,am,ar",
                        help="comma-separated languages to print in (default en,am,ar)")
    args = parser.parse_args()
    on_fresh_database(lambda url: asyncio.run(run(url, args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
