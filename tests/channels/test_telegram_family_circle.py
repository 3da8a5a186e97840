"""Transcript: a family of five runs a whole circle in their Telegram group, start to finish."""

from __future__ import annotations

from tests.channels.driver import buttons
from tests.channels.updates import Person

FAMILY = [Person(1001, "Grace", "Otieno", "auntie_grace", "+254700000101"),
          Person(1002, "Tom", None, "tom_o", "+254700000102"),
          Person(1003, "Amina", None, None, "+254700000103"),
          Person(1004, "Joseph", None, "joe", "+254700000104"),
          Person(1005, "Wanjiru", None, "wanjiru", "+254700000105")]


async def test_five_members_run_a_whole_circle(bot):
    grace, *others = FAMILY
    for person in FAMILY:
        assert "you're registered as " + person.phone in await bot.register(person)

    created = await bot.say(grace, "/newcircle Family Fund | 50 USD | 5 | monthly | 2026-12-01")
    assert "New savings circle “Family Fund” by Grace Otieno" in created and "USD 50 monthly" in created

    for i, person in enumerate(others[:-1], start=2):
        assert f"{person.first_name} joined “Family Fund” ({i}/5)" in await bot.say(person, "/join")
    opened = await bot.say(others[-1], "/join")
    assert "Wanjiru joined “Family Fund” (5/5)" in opened
    assert "Cycle 1 of “Family Fund” is open: USD 50 due Tue 1 Dec" in opened

    by_name = {p.first_name: p for p in FAMILY}
    winners = []
    for cycle in range(1, 6):
        for n, person in enumerate(FAMILY):
            marked = await bot.say(person, "/paid")
            assert f"says they paid USD 50 for cycle {cycle}" in marked
            post = bot.last_in_group()
            if n % 2 == 0:  # confirm by button ...
                toast, sent = await bot.press(grace, post, buttons(post)["✅ Confirm"])
                assert toast == "Confirmed ✅" and "was confirmed by Grace Otieno" in sent[-1]["text"]
            else:  # ... or by replying /confirm to the payment post
                assert "was confirmed by Grace Otieno" in await bot.say(grace, "/confirm", reply_to=post)
        drawn = await bot.say(grace, "/draw")
        assert f"Cycle {cycle} draw:" in drawn and "Seed" not in drawn  # plain words; details on request
        assert "🤔 How is this fair?" in buttons(bot.last_in_group())
        winner = by_name[drawn.split("draw: ")[1].split(" ")[0]]
        winners.append(winner.first_name)

        paid_out = await bot.say(grace, "/payout")
        assert f"The cycle {cycle} pot of USD 250 was handed to {winner.first_name}" in paid_out
        payout_post = next(m for m in bot.tg.sent[::-1] if "I received it" in str(m.get("reply_markup")))
        toast, sent = await bot.press(winner, payout_post, buttons(payout_post)["🙏 I received it"])
        assert toast == "Thank you!" and f"confirmed receiving the cycle {cycle} pot" in sent[-1]["text"]
        if cycle < 5:
            assert f"Cycle {cycle + 1} of “Family Fund” is open" in paid_out
        else:
            assert "is complete: every member received the pot once. USD 1,250 was handed over" in paid_out

    assert sorted(winners) == sorted(p.first_name for p in FAMILY)  # each received exactly once
    history = await bot.say(grace, "/history")
    assert history.count("won, received USD 250 ✔") == 5
    callback_data = [b["callback_data"] for m in bot.tg.sent for row in (m["reply_markup"] or {}).get(
        "inline_keyboard", []) for b in row if "callback_data" in b]
    assert callback_data and max(len(d.encode()) for d in callback_data) <= 64  # Telegram's limit
