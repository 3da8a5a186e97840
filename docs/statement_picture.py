"""Draws the first page of a sample statement for the README: docs/statement.png.

    python -m docs.statement_picture [--language en] [--out docs/statement.png]

A four-member chama runs three of its four cycles through the real use cases (a late payment and
a short one included) on a fresh database (BENCH_DATABASE_URL's server, else an embedded
PostgreSQL; dropped afterwards), then its statement is rendered and page 1 drawn with pypdfium2
(`pip install -e ".[docs]"`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2

from bench.fanout import on_fresh_database
from core.circles import CircleSettings, create_circle, join_circle
from core.contributions import confirm_contribution, mark_paid
from core.db import make_engine, make_sessionmaker
from core.draws import fetch_and_draw
from core.organizers import set_payment_instructions
from core.payouts import acknowledge_payout, record_payout
from core.statement import circle_statement
from core.uow import UnitOfWork
from core.users import register_user
from handlers import statements
from tests.channels.fake_beacon import fake_fetch

PEOPLE = ("Mama Njeri", "Wanjiru Kamau", "Otieno Ouma", "Amina Hassan")
FIRST_DUE = date(2026, 9, 5)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 9, 1, 7, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def sample(url: str, language: str) -> bytes:
    engine = make_engine(url)
    sessions, clock = make_sessionmaker(engine), Clock()

    def new_uow() -> UnitOfWork:
        return UnitOfWork(sessions, clock=clock)

    try:
        people = [(await register_user(new_uow(), phone=f"+2547{12345670 + i}", full_name=name)).id
                  for i, name in enumerate(PEOPLE)]
        circle = await create_circle(new_uow(), actor=people[0], chat=None, settings=CircleSettings(
            name="Mama Njeri's Chama", amount_per_cycle=50000, currency="KES", total_members=4, frequency="weekly",
            first_due_date=FIRST_DUE, timezone="Africa/Nairobi", language=language))
        await set_payment_instructions(new_uow(), actor=people[0], circle_id=circle.id,
                                       text="M-Pesa Paybill 247247, account CHAMA, by Friday evening.")
        for person in people[1:]:
            await join_circle(new_uow(), actor=person, circle_id=circle.id)
        for cycle in range(3):
            await pay(new_uow, clock, circle.id, people, cycle)
            clock.now += timedelta(hours=9)
            draw = await fetch_and_draw(new_uow, fake_fetch, actor=people[0], circle_id=circle.id)
            clock.now += timedelta(hours=2)
            payout = await record_payout(new_uow(), actor=people[0], circle_id=circle.id)
            clock.now += timedelta(hours=3)
            await acknowledge_payout(new_uow(), actor=draw.winner_id, payout_id=payout.id)
            clock.now = datetime.combine(FIRST_DUE + timedelta(weeks=cycle + 1), datetime.min.time(), UTC) - \
                timedelta(days=3, hours=-6)
        statement = await circle_statement(new_uow(), circle.id, actor=people[0])
        return (await statements.document(statement, statements.PDF)).data
    finally:
        await engine.dispose()


async def pay(new_uow, clock: Clock, circle_id: uuid.UUID, people: list[uuid.UUID], cycle: int) -> None:
    """Everyone pays through the week; in cycle 2 Amina pays late, in cycle 3 Otieno first sends part
    and tops it up."""
    for i, person in enumerate(people):
        clock.now += timedelta(hours=13, minutes=17 * i)
        if cycle == 1 and i == 3:
            clock.now += timedelta(days=2)
        parts = (20000, None) if cycle == 2 and i == 2 else (None,)
        for amount in parts:
            paid = await mark_paid(new_uow(), actor=person, circle_id=circle_id, amount=amount)
            clock.now += timedelta(hours=1, minutes=5)
            await confirm_contribution(new_uow(), actor=people[0], contribution_id=paid.id)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m docs.statement_picture", description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="en", help="the circle's language (default en)")
    parser.add_argument("--out", type=Path, default=Path("docs/statement.png"))
    args = parser.parse_args()
    data = on_fresh_database(lambda url: asyncio.run(sample(url, args.language)))
    page = pypdfium2.PdfDocument(data)[0]
    page.render(scale=1.4).to_pil().convert("RGB").save(args.out, optimize=True)
    print(f"{args.out}: page 1 of a {len(data) // 1024} KiB statement")
    return 0


if __name__ == "__main__":
    sys.exit(main())
