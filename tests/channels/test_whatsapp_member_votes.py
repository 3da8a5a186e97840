"""Transcripts: on WhatsApp too, members of a circle whose organizer disappeared vote (VOTE <name>, VOTE END,
VOTE YES / VOTE NO) for a new organizer or to end it, each hearing the vote privately."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from core.models import Circle, CircleStatus
from tests.integration.builders import audit_details

AMINA, JOSEPH, WANJIRU, OTIENO = "+254700000901", "+254700000902", "+254700000903", "+254700000904"
STRANGER = "+254700000909"
NAMES = {AMINA: "Amina", JOSEPH: "Joseph", WANJIRU: "Wanjiru", OTIENO: "Otieno"}


async def running_circle(whatsapp, clock, *members: str) -> None:
    """Amina sets up a circle the members fill (it starts); then she is never heard from again."""
    created = await whatsapp.send(AMINA, f"NEW Family | 50 USD | {len(members) + 1} | weekly | 2026-12-02",
                                  name="Amina")
    code = re.search(r"JOIN (\w{6})", created).group(1)
    for phone in members:
        clock.now += timedelta(seconds=1)
        assert "You joined “Family”" in await whatsapp.send(phone, f"JOIN {code}", name=NAMES[phone])




async def test_members_elect_a_new_organizer_on_whatsapp(whatsapp, new_uow, clock):
    await running_circle(whatsapp, clock, JOSEPH, WANJIRU, OTIENO)
    assert "Noted: you paid USD 50" in await whatsapp.send(JOSEPH, "PAID")
    refused = await whatsapp.send(JOSEPH, "VOTE")
    assert refused.startswith("An organizer of this circle (Amina) acted on Wed 25 Nov, so they still run it.")

    clock.now += timedelta(days=15)
    refused = await whatsapp.send(JOSEPH, "DRAW")
    assert refused.startswith("Only Amina (organizer) can draw.")
    assert refused.endswith("No organizer has acted in “Family” since Wed 25 Nov. Members can vote for a new "
                            "organizer or to end the circle: send VOTE.")
    choices = await whatsapp.send(JOSEPH, "vote")
    assert "send VOTE and a member's name to propose them as organizer (e.g. VOTE Joseph), or VOTE END" in choices
    assert "I couldn't tell which member you mean by “Zed”" in await whatsapp.send(JOSEPH, "VOTE Zed")

    ballot = await whatsapp.send(JOSEPH, "VOTE Wanjiru")
    assert ballot.startswith("🗳 Joseph proposes to make Wanjiru the organizer of “Family”.\nYes: 1 · No: 0 · "
                             "It carries when 3 of all 4 members vote yes.")
    assert ballot.endswith("Reply VOTE YES or VOTE NO.")
    heard = whatsapp.inbox(OTIENO)[-1]  # every member hears of it privately, and how to answer
    assert heard.startswith("🗳 Joseph proposes to make Wanjiru the organizer of “Family”: no organizer has acted "
                            "in “Family” since Wed 25 Nov. It carries when 3 of all 4 members vote yes.")
    assert heard.endswith("Reply VOTE YES or VOTE NO.")

    assert "Counted" not in await whatsapp.send(JOSEPH, "VOTE NO")  # proposing was his yes, and it is final
    assert "You already voted yes" in whatsapp.inbox(JOSEPH)[-1]
    assert "You're not in a circle yet" in await whatsapp.send(STRANGER, "VOTE YES", name="Stranger")
    assert "Yes: 2 · No: 0" in await whatsapp.send(WANJIRU, "vote yes")
    carried = await whatsapp.send(OTIENO, "VOTE YES")
    assert "✅ Carried." in carried
    told = "⭐ The members chose Wanjiru as organizer of “Family” (3 of 4 voted yes)."
    assert all(any(t.startswith(told) for t in whatsapp.inbox(p)) for p in (AMINA, JOSEPH, WANJIRU, OTIENO))
    assert [len(await audit_details(new_uow, a)) for a in ("vote_started", "ballot_cast", "vote_carried")] == [1, 3, 1]

    assert "Joseph's payment of USD 50 was confirmed by Wanjiru" in await whatsapp.send(WANJIRU, "CONFIRM Joseph")
    assert "Cycle 1 draw" in await whatsapp.send(WANJIRU, "DRAW anyway")


async def test_the_majority_ends_the_circle_on_whatsapp(whatsapp, new_uow, clock):
    await running_circle(whatsapp, clock, JOSEPH, WANJIRU)
    clock.now += timedelta(days=15)
    assert "🗳 Joseph proposes to end “Family”" in await whatsapp.send(JOSEPH, "VOTE END")
    ended = await whatsapp.send(WANJIRU, "VOTE YES")
    assert "🛑 The members ended “Family” (2 of 3 voted yes). Its history stays available with HISTORY." in ended
    assert "🛑 The members ended “Family”" in whatsapp.inbox(AMINA)[-1]
    async with new_uow() as uow:
        assert await uow.session.scalar(select(Circle.status)) == CircleStatus.CANCELLED
    assert "This circle was cancelled." in await whatsapp.send(JOSEPH, "VOTE YES")
