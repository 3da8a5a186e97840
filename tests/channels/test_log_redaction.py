"""`python -m bot serve` at LOG_LEVEL=DEBUG, through a whole join-and-pay flow on both apps, writes
no secret (the bot token, the Twilio account SID and auth token, the webhook secret) and no member's
phone number anywhere in its log."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from urllib.parse import urlencode

import httpx

from tests.channels import updates
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio, incoming, sign
from tests.channels.served import WEBHOOK_SECRET, served
from tests.channels.updates import Person

TOM = Person(9101, "Tom", None, "tom", "+254700009101")
AMINA, JOSEPH = "+254700009111", "+254700009112"


async def eventually(check, what: str):
    for _ in range(200):
        if result := check():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_a_debug_log_holds_no_secret_and_no_phone_number(fake_telegram, fake_twilio, clean_database, tmp_path):
    async with served(fake_telegram, fake_twilio, clean_database, tmp_path, log_level="DEBUG") as server, \
            httpx.AsyncClient(base_url=server.url) as client:

        async def telegram(update: dict) -> None:
            answer = await client.post("/telegram/webhook", json=update,
                                       headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
            assert answer.status_code == 200

        async def whatsapp(phone: str, body: str, name: str, expect: str) -> str:
            """Their message, then what the bot sent them since, once it includes `expect` (an
            announcement from the outbox may come first: Telegram updates are handled after the 200)."""
            address = f"whatsapp:{phone}"
            before = len(fake_twilio.bodies_to(address))
            params = incoming(address, body, profile_name=name)
            headers = {"X-Twilio-Signature": sign(server.url + "/whatsapp/webhook", params, FakeTwilio.AUTH_TOKEN),
                       "Content-Type": "application/x-www-form-urlencoded"}
            answer = await client.post("/whatsapp/webhook", content=urlencode(params), headers=headers)
            assert answer.status_code == 200
            return await eventually(lambda: expect in (sent := "\n".join(fake_twilio.bodies_to(address)[before:]))
                                    and sent, f"a reply to {body}")

        due = (date.today() + timedelta(days=10)).isoformat()
        created = await whatsapp(AMINA, f"NEW Family Fund | 50 USD | 3 | monthly | {due}", "Amina", "JOIN ")
        code = re.search(r"JOIN ([A-Z0-9]{6})", created).group(1)
        await telegram(updates.private_text(TOM, "/start"))
        await telegram(updates.contact(TOM, TOM.phone, TOM.id))
        await telegram(updates.private_text(TOM, f"/join {code}"))
        assert "You joined" in await whatsapp(JOSEPH, f"JOIN {code}", "Joseph", "You joined")
        await telegram(updates.private_text(TOM, "/paid"))
        assert "Noted: you paid USD 50" in await whatsapp(JOSEPH, "PAID", "Joseph", "Noted")
        waiting = await whatsapp(AMINA, "CONFIRM", "Amina", " — ")
        for ref in re.findall(r"^([A-Z0-9]{5}) — ", waiting, re.MULTILINE):
            assert "confirmed" in await whatsapp(AMINA, f"CONFIRM {ref}", "Amina", "confirmed")
        await eventually(lambda: any("confirmed your USD 50" in t for t in fake_telegram.texts_to(TOM.id)),
                         "Tom hears his payment was confirmed")
    log = server.log()
    assert "DEBUG" in log and "/telegram/webhook" in log  # it did log, in detail
    secrets = {"bot token": FakeTelegram.TOKEN, "bot token's secret part": FakeTelegram.TOKEN.split(":")[1],
               "Twilio account SID": FakeTwilio.ACCOUNT_SID, "Twilio auth token": FakeTwilio.AUTH_TOKEN,
               "webhook secret": WEBHOOK_SECRET}
    for what, secret in secrets.items():
        assert secret not in log, f"the log shows the {what}"
    for phone in (TOM.phone, AMINA, JOSEPH):
        assert phone.lstrip("+") not in log, f"the log shows {phone}"
