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
from core.contributions import confirm_contribution, mark_paid
from core.languages import set_circle_language
from core.models import CircleStatus, Contribution, Cycle, CycleStatus, User
from core.payouts import acknowledge_payout, record_payout
from core.statement import circle_statement
from core.summary import circle_summary
from handlers import i18n, statements
from handlers.i18n import _
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
    for _cycle in names:
        await run_cycle(new_uow, circle.id, people)
    return circle, people


async def test_a_finished_circle_prints_its_whole_record(new_uow):
    circle, people = await finished_circle(new_uow)
    statement = await circle_statement(new_uow(), circle.id, actor=people[1])
    assert statement.circle.status == CircleStatus.COMPLETED
    pdf = await statements.document(statement, statements.PDF)
    text = pdf_text(pdf.data)
    assert "Statement of “Family Fund”" in text
    for name in ("Auntie Grace", "Tom", "Amina", "Wanjiru"):
        assert name in text
    assert statement.head.fingerprint in text
    assert f"held {statement.head.count} entries" in text
    assert "Paid out so far USD 800" in text  # four pots of 4 × USD 50
    assert text.count("USD 200") == 4 * 2  # each cycle's pot, and what was paid out of it
    assert len(re.findall(r"^(Auntie Grace|Tom|Amina|Wanjiru) USD 50 ", text, re.M)) == 16  # every payment
    for cycle in statement.cycles:
        assert cycle.seed_commitment in text and cycle.seed in text
    assert f"python -m bot audit {circle.join_code} --head {statement.head.fingerprint}" in text
    # Numbers are masked: country code and last three digits only.
    async with new_uow() as uow:
        phones = (await uow.session.execute(select(User.phone).where(User.id.in_(people)))).scalars().all()
    for phone in phones:
        assert phone not in text and phone[-7:] not in text and f"+254 ••• {phone[-3:]}" in text


async def test_the_spreadsheet_adds_up_to_what_summary_shows(new_uow, clock):
    circle, people = await active_circle(new_uow, 4)
    await run_cycle(new_uow, circle.id, people)
    clock.now += timedelta(days=40)  # cycle 2's payments come after its due date: late
    await pay_everyone(new_uow, circle.id, people[:3])
    await mark_paid(new_uow(), actor=people[3], circle_id=circle.id, amount=2000)  # short, and waiting
    statement = await circle_statement(new_uow(), circle.id, actor=people[2])
    rows = csv_rows((await statements.document(statement, statements.CSV)).data)
    board = await circle_summary(new_uow(), circle.id)
    assert len(rows) == 8
    this_cycle = [r for r in rows if r["cycle"] == "2"]
    assert sum(int(r["confirmed"].replace(".", "")) for r in this_cycle) == board.confirmed_this_cycle == 15000
    paid_out = sum(int(r["confirmed"].replace(".", "")) for r in rows if r["cycle"] == "1")
    assert paid_out == board.paid_out_total == 20000
    assert {r["late"] for r in this_cycle} == {"yes"} and {r["late"] for r in rows if r["cycle"] == "1"} == {"no"}
    waiting = next(r for r in this_cycle if r["status"] == "waiting for confirmation")
    assert waiting["amount"] == "20.00" and waiting["confirmed"] == "0.00" and waiting["decided by"] == ""
    assert {r["currency"] for r in rows} == {"USD"}


async def test_only_members_get_a_statement(new_uow):
    circle, people = await active_circle(new_uow, 3)
    outsider = await user(new_uow, "Nosy Neighbour")
    with pytest.raises(errors.NotMember):
        await circle_statement(new_uow(), circle.id, actor=outsider)


async def test_a_200_member_circle_prints_every_member_and_payment(new_uow):
    circle, people = await active_circle(new_uow, 200)
    await run_cycle(new_uow, circle.id, people)
    statement = await circle_statement(new_uow(), circle.id, actor=people[0])
    assert len(statement.payments) == 200
    text = pdf_text((await statements.document(statement, statements.PDF)).data)
    async with new_uow() as uow:
        names = (await uow.session.execute(select(User.full_name).where(User.id.in_(people)))).scalars().all()
    for name in names:
        assert len(re.findall(rf"^{re.escape(name)} USD 50 ", text, re.M)) == 1  # their cycle 1 payment
    assert "USD 10,000" in text  # the pot: 200 × USD 50
    assert statement.head.fingerprint in text
    # The schedule runs to the last cycle, 199 months on, its receiver still to be drawn.
    assert re.search(r"^200 Wed 1 Jul 2043 — USD 10,000 — —$", text, re.M)


async def test_an_arabic_statement_is_shaped_right_to_left(new_uow):
    circle, people = await finished_circle(new_uow, names=("فاطمة", "أحمد", "Tom", "مريم"), language="ar")
    statement = await circle_statement(new_uow(), circle.id, actor=people[0])
    text = pdf_text((await statements.document(statement, statements.PDF)).data)
    assert statement.head.fingerprint in text
    with i18n.speaking("ar"):
        title = _("Statement of “{circle}”", circle="Family Fund")
        assert title.replace("\u2068", "").replace("\u2069", "") != "Statement of “Family Fund”"  # translated
    for name in ("فاطمة", "أحمد", "مريم"):  # joined letters read back as the letters typed
        assert name in text
    assert "USD 800" in text


async def test_an_amharic_statement_uses_the_ethiopic_font(new_uow):
    circle, people = await finished_circle(new_uow, names=("አበበ", "ትዕግስት", "Tom", "ሰላም"), language="am")
    statement = await circle_statement(new_uow(), circle.id, actor=people[0])
    text = pdf_text((await statements.document(statement, statements.PDF)).data)
    assert statement.head.fingerprint in text
    for name in ("አበበ", "ትዕግስት", "ሰላም"):
        assert name in text
    with i18n.speaking("am"):
        assert _("The circle") in text and _("The circle") != "The circle"
