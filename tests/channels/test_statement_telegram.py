"""Transcripts: /statement sends the circle's record as a PDF document, and its button a spreadsheet
(CSV) of every payment, to members only, in the group or privately, also once the circle ended."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from core.models import Circle
from core.summary import circle_summary
from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.test_record_check import head_now
from tests.channels.test_status_card import FAMILY, GRACE, TOM, decision_post, started, tap_paid
from tests.channels.updates import Person

AMINA, JOSEPH = FAMILY[2], FAMILY[3]
SPREADSHEET = "📊 Spreadsheet (CSV)"
OTHER_GROUP = -1009876543210


def documents(sent: list[dict]) -> list[dict]:
    return [m for m in sent if "document" in m]


def uploads(bot) -> int:
    return sum(1 for c in bot.tg.calls if c.method == "sendDocument")


def pdf_text(document: dict) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document["document_content"])).pages)


def csv_rows(document: dict) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(document["document_content"].decode("utf-8-sig"))))


async def circle_id(new_uow, name: str) -> uuid.UUID:
    async with new_uow() as uow:
        return await uow.session.scalar(select(Circle.id).where(Circle.name == name))


async def group_statement(bot, person: Person) -> dict:
    """`person` sends /statement in the group: the one document that came back."""
    sent = await bot.deliver(updates.group_text(person, bot.group, "/statement"))
    [document] = documents(sent)
    return document


async def pay(bot, person: Person, amount: str = "") -> None:
    """`person` says they paid (`amount`: part of it); Grace confirms from her private chat."""
    if amount:
        await bot.say(person, f"/paid {amount}")
    else:
        await tap_paid(bot, person)
    post = decision_post(bot, GRACE, person.first_name)
    await bot.press(GRACE, post, buttons(post)["✅ Confirm"])


async def test_statement_in_the_group_is_a_pdf_with_the_record_check(bot, new_uow):
    await started(bot, [GRACE, TOM, AMINA])
    await pay(bot, GRACE)
    document = await group_statement(bot, TOM)
    fingerprint = (await head_now(new_uow, "Fund")).fingerprint
    assert document["chat_id"] == bot.group
    assert document["document_name"] == "fund-2026-11-25.pdf"
    assert document["text"] == f"Statement of “Fund”\nRecord check: {fingerprint}"  # the caption
    assert buttons(document) == {SPREADSHEET: f"stmt:csv:{await circle_id(new_uow, 'Fund')}"}
    text = pdf_text(document)
    assert "Fund" in text and fingerprint in text


async def test_statement_spreadsheet_totals_match_the_summary(bot, new_uow):
    await started(bot, [GRACE, TOM, AMINA])
    await pay(bot, GRACE)
    await pay(bot, TOM, "1")  # confirmed in part: USD 19 short
    await tap_paid(bot, AMINA)  # waiting for Grace
    pdf = await group_statement(bot, AMINA)

    toast, sent = await bot.press(AMINA, pdf, buttons(pdf)[SPREADSHEET])
    [document] = documents(sent)
    assert toast == "" and document["chat_id"] == bot.group and document["document_name"] == "fund-2026-11-25.csv"
    assert document["text"].startswith("Every payment of “Fund”, as a spreadsheet\nRecord check: ")
    assert not buttons(document)
    rows = csv_rows(document)
    assert [(r["member"], r["amount"], r["confirmed"], r["status"], r["short by"]) for r in rows] == [
        ("Amina", "20.00", "0.00", "waiting for confirmation", ""),
        ("Grace", "20.00", "20.00", "confirmed", ""),
        ("Tom", "1.00", "1.00", "confirmed in part", "19.00")]
    summary = await circle_summary(new_uow(), await circle_id(new_uow, "Fund"))
    confirmed = sum(Decimal(r["confirmed"]) for r in rows if int(r["cycle"]) == summary.cycle.cycle_number)
    assert confirmed * 100 == summary.confirmed_this_cycle == 2100


async def test_statement_only_for_members(bot):
    await started(bot, [GRACE, TOM])
    pdf = await group_statement(bot, TOM)
    await bot.register(JOSEPH)  # in the group, not in the circle
    before = uploads(bot)

    toast, sent = await bot.press(JOSEPH, pdf, buttons(pdf)[SPREADSHEET])
    assert toast.startswith("Only members of “Fund” can do that.") and not documents(sent)
    refused = await bot.say(JOSEPH, "/statement")
    assert refused.startswith("Only members of “Fund” can do that.")
    stranger = Person(8099, "Stranger")  # never registered
    toast, sent = await bot.press(stranger, pdf, buttons(pdf)[SPREADSHEET])
    assert "I need to know your phone number first" in toast and not documents(sent)
    assert uploads(bot) == before


async def test_statement_forged_buttons_are_refused(bot, new_uow):
    await started(bot, [GRACE, TOM])
    pdf = await group_statement(bot, TOM)
    bot.group = OTHER_GROUP  # Joseph's own circle, where Tom is no member
    await bot.register(JOSEPH)
    await bot.say(JOSEPH, "/newcircle Other | 5 USD | 2 | weekly | 2026-12-02")
    bot.group = pdf["chat_id"]
    other = await circle_id(new_uow, "Other")
    before = uploads(bot)

    for forged in ("stmt:csv:not-a-circle", f"stmt:xls:{other}", f"stmt:csv:{uuid.uuid4()}"):
        toast, sent = await bot.press(TOM, pdf, forged)
        assert toast and not documents(sent), forged
    toast, sent = await bot.press(TOM, pdf, f"stmt:csv:{other}")
    assert toast.startswith("Only members of “Other” can do that.") and not documents(sent)
    assert uploads(bot) == before


async def test_statement_in_private_chat(bot, new_uow):
    await started(bot, [GRACE, TOM])
    sent = await bot.deliver(updates.private_text(TOM, "/statement"))  # Tom has one circle: its statement
    [document] = documents(sent)
    assert document["chat_id"] == TOM.id and "Fund" in pdf_text(document)
    _, sent = await bot.press(TOM, document, buttons(document)[SPREADSHEET])
    [spreadsheet] = documents(sent)
    assert spreadsheet["chat_id"] == TOM.id and spreadsheet["document_name"].endswith(".csv")

    bot.group = OTHER_GROUP  # Grace organizes a second circle in another group
    await bot.say(GRACE, "/newcircle Savings | 5 USD | 2 | weekly | 2026-12-02")
    assert await bot.private(GRACE, "/statement") == "Which circle's statement? Tap it:"
    choice = bot.tg.last_to(GRACE.id)
    assert buttons(choice) == {"Fund": f"stmt:pdf:{await circle_id(new_uow, 'Fund')}",
                               "Savings": f"stmt:pdf:{await circle_id(new_uow, 'Savings')}"}
    _, sent = await bot.press(GRACE, choice, buttons(choice)["Savings"])
    [document] = documents(sent)
    assert document["chat_id"] == GRACE.id and document["text"].startswith("Statement of “Savings”")
    assert "Savings" in pdf_text(document)

    await bot.register(JOSEPH)
    assert await bot.private(JOSEPH, "/statement") == (
        "You're not in any circle yet. Ask your organizer for the group, then send /join there.")


async def test_statement_of_a_finished_circle(bot, new_uow):
    await started(bot, [GRACE, TOM])
    for _cycle in (1, 2):
        await pay(bot, GRACE)
        await pay(bot, TOM)
        await bot.say(GRACE, "/draw")
        paid_out = await bot.say(GRACE, "/payout")
        receiver = next(p for p in (GRACE, TOM) if f"handed to {p.first_name}" in paid_out)
        post = next(m for m in reversed(bot.tg.messages_to(bot.group)) if "🙏 I received it" in buttons(m))
        await bot.press(receiver, post, buttons(post)["🙏 I received it"])
    assert "is complete" in paid_out

    pdf = await group_statement(bot, TOM)
    assert "Fund" in pdf_text(pdf)
    _, sent = await bot.press(TOM, pdf, buttons(pdf)[SPREADSHEET])
    rows = csv_rows(documents(sent)[0])
    assert [(r["cycle"], r["member"], r["confirmed"]) for r in rows] == [
        ("1", "Grace", "20.00"), ("1", "Tom", "20.00"), ("2", "Grace", "20.00"), ("2", "Tom", "20.00")]
    [document] = documents(await bot.deliver(updates.private_text(TOM, "/statement")))
    assert document["text"].startswith("Statement of “Fund”")
