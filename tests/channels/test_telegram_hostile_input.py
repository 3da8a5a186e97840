"""Property: whatever arguments anyone types after any command, the bot answers clearly (never the
apology for an unexpected error), and the circle's invariants hold afterwards."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import audit
from core.chats import circle_for_chat
from core.models import Channel
from handlers.telegram import texts
from handlers.telegram.registry import COMMANDS
from tests.channels import updates
from tests.channels.updates import Person

GRACE = Person(8001, "Grace", None, "grace", "+254700000801")
TOM = Person(8002, "Tom", None, "tom", "+254700000802")
STRANGER = Person(8003, "Stranger", None, None, None)  # never registered
arguments = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"-?[0-9]{1,25}([.,][0-9]{0,5})?( ?[A-Za-z]{3})?", fullmatch=True),
    st.sampled_from(["@tom", "@nobody", "anyway", "0", "-1", "9" * 40, "|||||", "2026-02-30", "🎲" * 30]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_any_command_with_any_arguments_gets_a_clear_answer(bot, new_uow, data):
    if not await circle_for_chat(new_uow(), Channel.TELEGRAM, str(bot.group)):
        for person in (GRACE, TOM):
            await bot.register(person)
        await bot.say(GRACE, "/newcircle Fund | 20 USD | 3 | weekly | 2026-12-02")
        await bot.say(TOM, "/join")
    command = data.draw(st.sampled_from([c.name for c in COMMANDS]))
    who = data.draw(st.sampled_from([GRACE, TOM, STRANGER]))
    text = f"/{command} {data.draw(arguments)}".strip()
    in_group = data.draw(st.booleans())
    update = updates.group_text(who, bot.group, text) if in_group else updates.private_text(who, text)
    sent = await bot.deliver(update)
    replies = [m["text"] for m in sent]
    assert replies, f"no answer to {text!r}"
    assert not any(r.startswith(str(texts.APOLOGY)[:30]) for r in replies), (text, replies)
    assert all(len(r) <= 4096 for r in replies)  # Telegram's limit for one message
    circle = await circle_for_chat(new_uow(), Channel.TELEGRAM, str(bot.group), include_ended=True)
    async with new_uow() as uow:
        assert await audit.verify_chain(uow.session, circle.id) is None
