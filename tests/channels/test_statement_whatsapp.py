"""Transcripts: STATEMENT on WhatsApp. The PDF goes out as a media message whose link Twilio fetches from
our web app (HEAD, then GET); STATEMENT CSV answers with a link to the spreadsheet. Every link is signed
and expires: the tests fetch them through the real web app, and tamper with them."""

from __future__ import annotations

import csv
import io
import re
from base64 import urlsafe_b64encode
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from bot.statement_links import LIFETIME
from core.models import Circle
from core.record_check import current_head
from core.summary import circle_summary
from handlers.whatsapp.commands import COMMANDS, Message, handle
from handlers.whatsapp.texts import help_all
from tests.channels.whatsapp_driver import PUBLIC_URL

AMINA, JOSEPH, WANJIRU, OTIENO = "+254700000901", "+254700000902", "+254700000903", "+254700000904"
NAMES = {AMINA: "Amina", JOSEPH: "Joseph", WANJIRU: "Wanjiru", OTIENO: "Otieno"}
LINK = re.compile(re.escape(PUBLIC_URL) + r"/statements/\S+")
README = Path(__file__).resolve().parents[2] / "README.md"


async def family(whatsapp, clock, name: str = "Family", size: int = 3) -> str:
    """Amina sets up a circle on WhatsApp; Joseph and Wanjiru join, a second apart (3 seats: it starts)."""
    created = await whatsapp.send(AMINA, f"NEW {name} | 50 USD | {size} | weekly | 2026-12-02", name="Amina")
    code = re.search(r"JOIN (\w{6})", created).group(1)
    for phone in (JOSEPH, WANJIRU)[:size - 1]:
        clock.now += timedelta(seconds=1)
        assert f"You joined “{name}”" in await whatsapp.send(phone, f"JOIN {code}", name=NAMES[phone])
    return code


async def paying_family(whatsapp, clock) -> str:
    """Cycle 1 under way: Joseph's USD 50 confirmed, Wanjiru's USD 30 of 50 recorded by Amina, Amina unpaid."""
    code = await family(whatsapp, clock)
    assert "Noted: you paid USD 50" in await whatsapp.send(JOSEPH, "PAID")
    assert "Joseph's payment of USD 50 was confirmed by Amina" in await whatsapp.send(AMINA, "CONFIRM Joseph")
    assert "Recorded Wanjiru's payment of USD 30 (confirmed)" in await whatsapp.send(AMINA, "PAID FOR Wanjiru 30")
    return code


async def circle_id(new_uow, name: str = "Family"):
    async with (uow := new_uow()):
        return (await uow.session.execute(select(Circle.id).where(Circle.name == name))).scalar_one()


def last_message(whatsapp, phone: str) -> dict:
    return whatsapp.twilio.messages_to(f"whatsapp:{phone}")[-1]


def path_of(url: str) -> str:
    assert url.startswith(PUBLIC_URL + "/statements/"), url
    return url.removeprefix(PUBLIC_URL)


def with_token(path: str, change) -> str:
    """The link's path with its token changed by `change(token)`."""
    _, root, token, name = path.split("/")
    return f"/{root}/{change(token)}/{name}"


async def test_statement_is_a_pdf_twilio_fetches_from_a_signed_link(whatsapp, new_uow, clock):
    await paying_family(whatsapp, clock)
    reply = await whatsapp.send(JOSEPH, "statement")
    words, sent = whatsapp.twilio.messages_to(f"whatsapp:{JOSEPH}")[-2:]
    fingerprint = (await current_head(new_uow(), await circle_id(new_uow))).fingerprint
    # The words first, then the file alone: WhatsApp shows no text sent with a document.
    assert reply == words["body"] == (f"📄 The statement of “Family”, record check {fingerprint}. "
                                      "Send STATEMENT CSV for a spreadsheet of every payment.")
    assert words["media_url"] == [] and sent["body"] == ""
    [url] = sent["media_url"]
    for method in ("HEAD", "GET"):  # as Twilio checks the file before it sends it
        response = await whatsapp.client.request(method, path_of(url))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == 'inline; filename="family-20261125.pdf"'
        assert response.headers["cache-control"] == "no-store"
    pdf = PdfReader(io.BytesIO(response.content))
    assert "Family" in pdf.pages[0].extract_text()
    assert fingerprint in "\n".join(page.extract_text() for page in pdf.pages)


async def test_statement_csv_is_a_link_to_every_payment(whatsapp, new_uow, clock):
    await paying_family(whatsapp, clock)
    reply = await whatsapp.send(WANJIRU, "Statement CSV")
    assert reply.startswith("📊 Every payment of “Family”, for a spreadsheet (CSV): ")
    assert reply.endswith("\nThe link works for 24 hours.") and LIFETIME == timedelta(hours=24)
    assert last_message(whatsapp, WANJIRU)["media_url"] == []  # WhatsApp can't carry a CSV: a link in the text
    response = await whatsapp.client.get(path_of(LINK.search(reply).group()))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'inline; filename="family-20261125.csv"'
    assert response.headers["cache-control"] == "no-store"
    text = response.content.decode("utf-8-sig")
    assert "+2547" not in text  # no member's number leaves in a statement
    summary = await circle_summary(new_uow(), await circle_id(new_uow))
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["cycle"] == str(summary.cycle.cycle_number)]
    assert sorted((row["member"], row["confirmed"]) for row in rows) == [("Joseph", "50.00"), ("Wanjiru", "30.00")]
    assert sum(Decimal(row["confirmed"]) for row in rows) == Decimal(summary.confirmed_this_cycle) / 100 == 80


async def test_a_changed_or_expired_link_is_refused_without_the_statement(whatsapp, new_uow, clock):
    await paying_family(whatsapp, clock)
    await whatsapp.send(JOSEPH, "STATEMENT")
    pdf = path_of(last_message(whatsapp, JOSEPH)["media_url"][0])
    csv_link = path_of(LINK.search(await whatsapp.send(JOSEPH, "STATEMENT CSV")).group())
    assert (await whatsapp.client.get(csv_link)).status_code == 200
    await family(whatsapp, clock, name="Other", size=2)
    other = await circle_id(new_uow, "Other")

    def tampered(token: str) -> str:  # one character of the signature changed
        at = len(token) - 5
        return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1:]

    def for_other_circle(token: str) -> str:  # Other's id, with the signature made for Family's
        _, kind, expiry, signature = token.split(".")
        return ".".join([urlsafe_b64encode(other.bytes).rstrip(b"=").decode(), kind, expiry, signature])

    refused = [with_token(pdf, tampered), with_token(csv_link, tampered), with_token(pdf, for_other_circle),
               with_token(csv_link, for_other_circle), with_token(pdf, lambda token: token.replace(".pdf.", ".csv.")),
               pdf.replace("statement.pdf", "statement.csv"), "/statements/not-a-token/statement.pdf"]
    for path in refused:
        for method in ("HEAD", "GET"):
            response = await whatsapp.client.request(method, path)
            assert (response.status_code, response.headers["content-type"]) == (404, "text/plain; charset=utf-8")
        assert response.text == "No such statement."
    clock.now += LIFETIME + timedelta(hours=1)  # 25 hours after the links were made
    for path in (pdf, csv_link):
        response = await whatsapp.client.get(path)
        assert response.status_code == 410
        assert response.text == "This link has expired. Ask the bot for the statement again."


async def test_only_a_member_gets_a_link(whatsapp, clock):
    code = await paying_family(whatsapp, clock)
    assert "You're not in a circle yet" in await whatsapp.send(OTIENO, "STATEMENT", name="Otieno")
    refused = await whatsapp.send(OTIENO, f"STATEMENT CSV {code}")
    assert "Only members" in refused and "/statements/" not in refused
    assert "No circle has the join code “ZZZZZZ”" in await whatsapp.send(OTIENO, "STATEMENT ZZZZZZ")
    assert [m for m in whatsapp.twilio.messages_to(f"whatsapp:{OTIENO}") if m["media_url"]] == []
    assert LINK.search(await whatsapp.send(JOSEPH, f"STATEMENT CSV {code}"))  # named by its code, for a member


async def test_a_finished_circle_still_has_its_statement(whatsapp, clock):
    """STATEMENT finds a finished circle: the one chosen or joined last, else the only one left; with
    several, STATEMENT <code> names one (CIRCLE <code> chooses only a running circle)."""
    family_code = await family(whatsapp, clock, size=4)
    clock.now += timedelta(seconds=1)
    other = re.search(r"JOIN (\w{6})", await whatsapp.send(WANJIRU, "NEW Other | 20 USD | 3 | weekly | 2026-12-02"))
    assert "You joined “Other”" in await whatsapp.send(JOSEPH, f"JOIN {other.group(1)}")
    assert "You left “Other”" in await whatsapp.send(JOSEPH, "LEAVE")  # the circle he chose last is gone
    assert "“Family” was cancelled." in await whatsapp.send(AMINA, f"CANCEL {family_code}")
    reply = await whatsapp.send(JOSEPH, "STATEMENT CSV")  # Family: the only circle he is in
    assert "Every payment of “Family”" in reply
    assert (await whatsapp.client.get(path_of(LINK.search(reply).group()))).status_code == 200
    third = re.search(r"JOIN (\w{6})", await whatsapp.send(AMINA, "NEW Third | 20 USD | 3 | weekly | 2026-12-02"))
    third_code = third.group(1)
    assert "You joined “Third”" in await whatsapp.send(JOSEPH, f"JOIN {third_code}")
    assert "“Third” was cancelled." in await whatsapp.send(AMINA, f"CANCEL {third_code}")
    assert "Every payment of “Third”" in await whatsapp.send(JOSEPH, "STATEMENT CSV")  # joined last
    await whatsapp.send(JOSEPH, f"JOIN {other.group(1)}")
    await whatsapp.send(JOSEPH, "LEAVE")
    assert await whatsapp.send(JOSEPH, "STATEMENT") == (
        f"Your circles have ended: Family ({family_code}), Third ({third_code}). "
        "Send STATEMENT <code> for the statement of one.")
    assert "Every payment of “Family”" in await whatsapp.send(JOSEPH, f"STATEMENT CSV {family_code}")


async def test_without_a_public_address_statements_say_why(whatsapp, new_uow, clock):
    await family(whatsapp, clock)
    replies = await handle(new_uow, Message(f"whatsapp:{JOSEPH}", "STATEMENT"), absent_days=14)
    assert replies == ["Statements need the bot's web address, and whoever runs the bot hasn't set it (PUBLIC_URL)."]


def test_statement_is_listed_with_the_other_commands():
    assert "STATEMENT" in COMMANDS
    assert "• STATEMENT — the circle's whole record as a PDF; STATEMENT CSV — every payment" in help_all()
    section = README.read_text(encoding="utf-8").split("### WhatsApp commands", 1)[1].split("\n## ", 1)[0]
    assert "`STATEMENT`" in section and "`STATEMENT CSV`" in section
