"""Statements read back: the PDF's text and the CSV's rows carry the record's numbers, names and check."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from core import errors
from core.languages import set_circle_language
from core.contributions import confirm_contribution, mark_paid
from core.models import Circle, CircleStatus, Contribution, Cycle, CycleStatus, User
from core.payouts import acknowledge_payout, record_payout
from core.statement import circle_statement
from core.summary import circle_summary
from handlers import i18n, statement_pdf, statements
from tests.integration.builders import active_circle, draw_now, user


async def pay_everyone(new_uow, circle_id, people, *, amount: int | None = None) -> None:
    organizer = people[0]
    async with new_uow() as uow:
        cycle = await uow.session.scalar(select(Cycle.id).where(Cycle.circle_id == circle_id,
                                                                Cycle.status == CycleStatus.OPEN))
    for person in people:
        await mark_paid(new_uow(), actor=person, circle_id=circle_id, amount=amount)
        async with new_uow() as uow:
            contribution = await uow.session.scalar(select(Contribution.id).where(
                Contribution.cycle_id == cycle, Contribution.user_id == person))
        await confirm_contribution(new_uow(), actor=organizer, contribution_id=contribution)


async def run_cycle(new_uow, circle_id, people) -> None:
    """Everyone pays and is confirmed, the draw, the payout, its receiver's thanks."""
    await pay_everyone(new_uow, circle_id, people)
    draw = await draw_now(new_uow, actor=people[0], circle_id=circle_id)
    payout = await record_payout(new_uow(), actor=people[0], circle_id=circle_id)
    await acknowledge_payout(new_uow(), actor=draw.winner_id, payout_id=payout.id)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


async def finished_circle(new_uow, names=("Auntie Grace", "Tom", "Amina", "Wanjiru"), language: str = "en"):
    circle, people = await active_circle(new_uow, len(names))
    await set_circle_language(new_uow(), actor=people[0], circle_id=circle.id, language=language)
    async with new_uow() as uow:
        for person, name in zip(people, names):
            await uow.session.execute(update(User).where(User.id == person).values(full_name=name))
        await uow.session.commit()
    for _ in names:
        await run_cycle(new_uow, circle.id, people)
    return circle, people


async def test_a_finished_circle_prints_its_whole_record(new_uow):
    circle, people = await finished_circle(new_uow)
    statement = await circle_statement(new_uow(), circle.id, actor=people[1])
    assert statement.circle.status == CircleStatus.COMPLETED
    pdf = await statements.document(statement, statements.PDF)
    text = pdf_text(pdf.data)
    open("/tmp/st-en.pdf", "wb").write(pdf.data)
    assert "Family Fund" in text
    for name in ("Auntie Grace", "Tom", "Amina", "Wanjiru"):
        assert name in text
    assert statement.head.fingerprint in text
    assert f"{statement.head.count} entries" in text


async def test_an_arabic_statement_is_shaped_right_to_left(new_uow):
    circle, people = await finished_circle(new_uow, names=("فاطمة", "أحمد", "Tom", "مريم"), language="ar")
    statement = await circle_statement(new_uow(), circle.id, actor=people[0])
    pdf = await statements.document(statement, statements.PDF)
    open("/tmp/st-ar.pdf", "wb").write(pdf.data)
    text = pdf_text(pdf.data)
    print(text[:3000])
    assert statement.head.fingerprint in text


async def test_an_amharic_statement_uses_the_ethiopic_font(new_uow):
    circle, people = await finished_circle(new_uow, names=("አበበ", "ትዕግስት", "Tom", "ሰላም"), language="am")
    statement = await circle_statement(new_uow(), circle.id, actor=people[0])
    pdf = await statements.document(statement, statements.PDF)
    open("/tmp/st-am.pdf", "wb").write(pdf.data)
    text = pdf_text(pdf.data)
    print(text[:3000])
    assert statement.head.fingerprint in text
