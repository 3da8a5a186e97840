"""Transcript on WhatsApp (signed webhooks, the real twilio client): the code an organizer saw decides
only that claim; a short payment stays short until a PAID tops it up."""

from __future__ import annotations

import re

from tests.channels.test_whatsapp_organizer_tools import AMINA, JOSEPH, OTIENO, WANJIRU, circle_of
from tests.integration.builders import audit_details


def code_in(text: str) -> str:
    return re.search(r"CONFIRM (\w{5})", text).group(1)


async def test_an_old_code_after_a_reject_and_a_new_claim_decides_nothing(whatsapp, new_uow, clock):
    await circle_of(whatsapp, clock, JOSEPH, WANJIRU, OTIENO)  # USD 50 a cycle
    await whatsapp.send(JOSEPH, "PAID 10")
    old = code_in(whatsapp.inbox(AMINA)[-1])  # "Joseph says they paid USD 10 … reply CONFIRM K7P2Q"
    assert "rejected by Amina" in await whatsapp.send(AMINA, f"REJECT {old} NOT RECEIVED")
    await whatsapp.send(JOSEPH, "PAID 1")
    new = code_in(whatsapp.inbox(AMINA)[-1])
    assert new != old and "Joseph says they paid USD 1 " in whatsapp.inbox(AMINA)[-1]

    refused = await whatsapp.send(AMINA, f"CONFIRM {old}")
    assert refused == (f"⚠️ That code is for an earlier version of Joseph's payment, so nothing was decided. "
                       f"It's now USD 1: reply CONFIRM {new} to decide it as it is now.")
    assert "earlier version" in await whatsapp.send(AMINA, f"REJECT {old} OTHER")
    assert await audit_details(new_uow, "payment_confirmed") == []
    assert len(await audit_details(new_uow, "payment_rejected")) == 1

    confirmed = await whatsapp.send(AMINA, f"CONFIRM {new}")
    assert confirmed == "✅ Joseph's payment of USD 1 was confirmed by Amina. Still short by USD 49."
    assert "USD 49 is still to pay" in whatsapp.inbox(JOSEPH)[-1]
    assert "Paid in part: Joseph (short by USD 49)" in await whatsapp.send(WANJIRU, "SUMMARY")
    assert "more than is left to pay this cycle (USD 49)" in await whatsapp.send(JOSEPH, "PAID 50")
    assert "Noted: you paid USD 49" in await whatsapp.send(JOSEPH, "PAID")  # the top-up: what is left
    assert "A top-up: USD 1 of USD 50 was confirmed before." in whatsapp.inbox(AMINA)[-1]
    assert "was confirmed by Amina." in await whatsapp.send(AMINA, f"CONFIRM {code_in(whatsapp.inbox(AMINA)[-1])}")
    assert "Confirmed: Joseph\n" in await whatsapp.send(WANJIRU, "SUMMARY")
    assert [(d["amount"], d["confirmed_amount"]) for d in await audit_details(new_uow, "payment_confirmed")] == [
        (100, 100), (4900, 5000)]
