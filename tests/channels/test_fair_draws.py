"""Transcripts: a draw in plain words, "How is this fair?" on request, and /verify with a file the
standalone checker accepts — at 3 members and at 200, on Telegram and on WhatsApp."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import select

from core import verify_draw
from core.circles import create_circle, join_circle
from core.models import Channel, Circle
from core.users import register_user, user_by_identity
from handlers.telegram.draws import order_fair_button
from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.updates import Person
from tests.channels.whatsapp_driver import PUBLIC_URL
from tests.integration.builders import draw_now, settings, user

GRACE = Person(7001, "Grace", None, "grace", "+254700000701")
TOM = Person(7002, "Tom", None, "tom", "+254700000702")
AMINA = Person(7003, "Amina", None, "amina", "+254700000703")
STRANGER = Person(7009, "Eve", None, "eve", "+254700000709")
HEX_64 = re.compile(r"[0-9a-f]{64}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FAIR = "🤔 How is this fair?"
LONG = "Wanjiku Njeri-Kamau Otieno wa Mama Grace"  # long names are the hard case for length


def plain(text: str) -> bool:
    return not HEX_64.search(text) and not UUID.search(text)


def check_alone(tmp_path: Path, content: bytes, name: str = "draw.json") -> subprocess.CompletedProcess[str]:
    """Run the checker as a family would: the one file, a draw file, no site-packages, no environment."""
    alone = tmp_path / "alone"
    alone.mkdir(exist_ok=True)
    (alone / "verify_draw.py").write_bytes(content if name == "verify_draw.py" else verify_draw_source())
    (alone / name).write_bytes(content)
    return subprocess.run([sys.executable, "-I", "-S", "verify_draw.py", name], cwd=alone, capture_output=True,
                          text=True, timeout=60)


def verify_draw_source() -> bytes:
    return Path(verify_draw.__file__).read_bytes()


async def drawn_circle(bot) -> None:
    for person in (GRACE, TOM, AMINA):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Savings | 20 USD | 3 | weekly | 2026-12-02")
    await bot.say(TOM, "/join")
    await bot.say(AMINA, "/join")
    opened = bot.tg.texts_to(bot.group)[-1]
    assert "Cycle 1 of “Savings” is open" in opened and plain(opened)


async def test_the_draw_in_plain_words_and_how_it_was_fair(bot, tmp_path):
    await drawn_circle(bot)
    drawn = await bot.say(GRACE, "/draw anyway")
    assert re.fullmatch(r"🎲 Cycle 1 draw: (Grace|Tom|Amina) receives the pot!\n"
                        r"Drawn before everyone was confirmed; not confirmed: .*\.", drawn), drawn
    assert plain(drawn)
    post = bot.last_in_group()

    toast, sent = await bot.press(AMINA, post, buttons(post)[FAIR])
    why = sent[-1]["text"]
    assert why.startswith("Before anyone paid this cycle, I locked in a secret number")
    assert "nobody, not even the organizer, could choose" in why
    assert "Could receive the pot (3): " in why and HEX_64.search(why)  # the details, below the words
    winner = drawn.split("draw: ")[1].split(" receives")[0]
    assert f"Winner: {winner}" in why

    _, files = await bot.press(AMINA, sent[-1], buttons(sent[-1])["📄 The draw file"])
    assert files[-1]["document_name"] == "draw-1.json"
    proof = json.loads(files[-1]["document_content"])
    assert proof["kind"] == "draw" and proof["cycle"] == 1 and len(proof["eligible"]) == 3
    _, checker = await bot.press(AMINA, files[-1], buttons(files[-1])["🐍 Get the checker"])
    assert checker[-1]["document_name"] == "verify_draw.py" and checker[-1]["document_content"] == verify_draw_source()

    done = check_alone(tmp_path, files[-1]["document_content"], "draw-1.json")
    assert done.returncode == 0 and f"{winner} (" in done.stdout and "OK: " in done.stdout, done.stdout + done.stderr


async def test_verify_sends_the_details_and_a_file_the_checker_accepts(bot, tmp_path):
    await drawn_circle(bot)
    await bot.say(GRACE, "/draw anyway")
    sent = await bot.deliver(updates.group_text(TOM, bot.group, "/verify 1"))
    details, document = sent
    assert details["text"].startswith("🔍 Cycle 1 of “Savings”") and "python3 verify_draw.py draw-1.json" in (
        details["text"])
    assert document["caption"] == "python3 verify_draw.py draw-1.json" and "🐍 Get the checker" in buttons(document)
    assert check_alone(tmp_path, document["document_content"], "draw-1.json").returncode == 0
    assert "Send /verify, /verify N with a cycle number, or /verify order." in await bot.say(TOM, "/verify x")
    assert "isn't drawn by lot" in await bot.say(TOM, "/verify order")


async def test_stale_forged_and_foreign_fair_buttons_show_nothing(bot):
    await drawn_circle(bot)
    await bot.say(GRACE, "/draw anyway")
    draw_button = buttons(bot.last_in_group())[FAIR]
    other_group = -1009876543211
    await bot.deliver(updates.group_text(STRANGER, other_group, "/start"))
    elsewhere = {**bot.last_in_group(), "chat": {"id": other_group, "type": "supergroup"}, "chat_id": other_group}
    await bot.register(STRANGER)
    # Someone outside the circle, in another group, presses a copy of the button: nothing is shown.
    for data in (draw_button, f"fair:d:{uuid.uuid4()}", "fair:d:not-a-uuid", "fair:zz:1", "fair:", "fair:of:1"):
        toast, sent = await bot.press(STRANGER, elsewhere, data)
        assert toast == "That draw isn't one I can show here." and sent == [], data
    # A stale button (an old draw, long after) still shows that draw, to anyone in its group.
    toast, sent = await bot.press(STRANGER, bot.last_in_group(), draw_button)
    assert sent and "Cycle 1 of “Savings”" in sent[-1]["text"]


async def test_a_drawn_order_is_committed_at_creation_and_revealed_at_the_start(bot, new_uow, tmp_path):
    for person in (GRACE, TOM, AMINA):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Drawn | 20 USD | 3 | weekly | 2026-12-02 | drawn")
    announcement = bot.last_in_group()
    assert list(buttons(announcement)) == ["🙋 Join", "🤔 How is this fair?"]  # the order's draw, from creation on
    before = await bot.say(TOM, "/verify order")
    assert "Payout order of “Drawn”, drawn by lot" in before and HEX_64.search(before)
    assert "Secret number (seed): revealed when the circle starts" in before
    commitment = HEX_64.search(before).group()
    async with new_uow() as uow:
        circle_id = (await uow.session.execute(select(Circle.id).where(Circle.name == "Drawn"))).scalar_one()
    button = order_fair_button(circle_id).callback_data
    assert buttons(announcement)["🤔 How is this fair?"] == button
    _, sent = await bot.press(AMINA, announcement, button)
    assert sent[-1]["text"].startswith("When the circle was created, I locked in a secret number")
    assert commitment in sent[-1]["text"] and buttons(sent[-1]) == {}  # nothing to check yet
    await bot.say(TOM, "/join")
    await bot.say(AMINA, "/join")  # full: the circle starts and the order is revealed
    _, sent = await bot.press(AMINA, bot.last_in_group(), button)
    assert "When the circle started I revealed the number" in sent[-1]["text"]
    _, files = await bot.press(AMINA, sent[-1], buttons(sent[-1])["📄 The draw file"])
    assert files[-1]["document_name"] == "order.json"
    sent = await bot.deliver(updates.group_text(TOM, bot.group, "/verify order"))
    assert commitment in sent[0]["text"] and "Order (3): 1. " in sent[0]["text"]
    proof = json.loads(sent[1]["document_content"])
    assert proof["kind"] == "order" and proof["commitment"] == commitment and len(proof["order"]) == 3
    done = check_alone(tmp_path, sent[1]["document_content"], "order.json")
    assert done.returncode == 0 and "the order is the one the bot announced" in done.stdout, done.stdout


async def big_circle(new_uow, group: int, members: int = 200, *, whatsapp: str | None = None):
    """A 200-member circle with long names in `group`, started and drawn (organizer's override)."""
    organizer = await user(new_uow, f"{LONG} 000", telegram=True)
    circle = await create_circle(new_uow(), actor=organizer, chat=(Channel.TELEGRAM, str(group)),
                                 settings=settings(members, name="The Very Big Extended Family Savings Circle"))
    people = [organizer]
    for n in range(1, members - (1 if whatsapp else 0)):
        people.append(await user(new_uow, f"{LONG} {n:03d}"))
        await join_circle(new_uow(), actor=people[-1], circle_id=circle.id)
    if whatsapp:
        wa = await register_user(new_uow(), phone=whatsapp, full_name=f"{LONG} WA", channel=Channel.WHATSAPP,
                                 address=f"whatsapp:{whatsapp}")
        await join_circle(new_uow(), actor=wa.id, circle_id=circle.id)
    await draw_now(new_uow, actor=organizer, circle_id=circle.id, override=True)
    return circle


async def test_200_members_every_draw_message_fits_telegram(bot, new_uow, tmp_path):
    await big_circle(new_uow, bot.group)
    await bot.dispatcher.drain()
    announced = bot.last_in_group()
    assert "receives the pot!" in announced["text"] and plain(announced["text"]) and FAIR in buttons(announced)

    toast, sent = await bot.press(TOM, announced, buttons(announced)[FAIR])  # not registered: in the group
    assert len(sent[-1]["text"]) <= 4096 and "Could receive the pot (200): " in sent[-1]["text"]
    assert "more" in sent[-1]["text"]  # the names are summarised; all of them are in the file

    details, document = await bot.deliver(updates.group_text(TOM, bot.group, "/verify"))
    assert len(details["text"]) <= 4096 and "Fingerprint (commitment): " in details["text"]
    assert len(json.loads(document["document_content"])["eligible"]) == 200
    done = check_alone(tmp_path, document["document_content"], "draw-1.json")
    assert done.returncode == 0 and done.stdout.count("  [") == 200, done.stdout[-500:]


# --- WhatsApp -------------------------------------------------------------------------------------
WA_GRACE, WA_TOM, WA_AMINA = "+254700000721", "+254700000722", "+254700000723"


async def whatsapp_circle(whatsapp, new_uow) -> None:
    """Grace organizes on WhatsApp; Tom and Amina join there."""
    await whatsapp.send(WA_GRACE, "hi", name="Grace")
    grace = await user_by_identity(new_uow(), Channel.WHATSAPP, f"whatsapp:{WA_GRACE}")
    circle = await create_circle(new_uow(), actor=grace.id, chat=None, settings=settings(3, name="Savings"))
    for phone, name in ((WA_TOM, "Tom"), (WA_AMINA, "Amina")):
        assert "You joined “Savings”" in await whatsapp.send(phone, f"JOIN {circle.join_code}", name=name)


def path_of(url: str) -> str:
    assert url.startswith(PUBLIC_URL + "/")
    return url.removeprefix(PUBLIC_URL)


async def test_whatsapp_draw_in_plain_words_and_fair_on_request(whatsapp, new_uow, tmp_path):
    await whatsapp_circle(whatsapp, new_uow)
    before = await whatsapp.send(WA_TOM, "VERIFY")  # the cycle is open: its commitment, never its seed
    assert "Secret number (seed): revealed at the draw" in before and "https://" not in before
    unrevealed = await whatsapp.client.get(f"/proofs/{HEX_64.search(before).group()}.json")
    assert json.loads(unrevealed.content)["seed"] is None
    drawn = await whatsapp.send(WA_GRACE, "DRAW anyway")
    assert drawn.startswith("🎲 Cycle 1 draw: ") and drawn.endswith("Reply FAIR to see how this draw was fair.")
    announced = whatsapp.inbox(WA_TOM)[-1]
    assert "receives the pot!" in announced and announced.endswith("Reply FAIR to see how this draw was fair.")
    assert plain(drawn) and plain(announced)

    fair = await whatsapp.send(WA_TOM, "fair")
    assert fair.startswith("Before anyone paid this cycle, I locked in a secret number") and len(fair) <= 1600
    assert "Could receive the pot (3): Amina, Grace, Tom" in fair
    checker_url, file_url = re.findall(r"https://\S+", fair)
    assert checker_url == PUBLIC_URL + "/verify_draw.py" and f"python3 verify_draw.py {file_url}" in fair
    checker = await whatsapp.client.get(path_of(checker_url))
    assert checker.status_code == 200 and checker.content == verify_draw_source()
    proof = await whatsapp.client.get(path_of(file_url))
    assert proof.status_code == 200 and json.loads(proof.content)["kind"] == "draw"
    done = check_alone(tmp_path, proof.content, "draw-1.json")
    assert done.returncode == 0 and "OK: " in done.stdout, done.stdout + done.stderr
    assert await whatsapp.send(WA_AMINA, "VERIFY 1") == fair

    for missing in (f"/proofs/{'ab' * 32}.json", "/proofs/not-a-commitment.json", f"/proofs/{'AB' * 32}.json"):
        assert (await whatsapp.client.get(missing)).status_code == 404
    assert await whatsapp.send(WA_TOM, "VERIFY 7") == "There's no cycle 7 in this circle yet."
    assert await whatsapp.send(WA_TOM, "VERIFY soon") == "Send VERIFY for the latest draw, VERIFY <cycle number>, " \
                                                         "or VERIFY ORDER."
    assert "isn't drawn by lot" in await whatsapp.send(WA_TOM, "VERIFY ORDER")


async def test_200_members_every_draw_message_fits_whatsapp(bot, whatsapp, new_uow, tmp_path):
    phone = "+254700000799"
    await big_circle(new_uow, bot.group, whatsapp=phone)
    await bot.dispatcher.drain()
    announced = whatsapp.inbox(phone)[-1]
    assert "receives the pot!" in announced and plain(announced) and len(announced) <= 1600
    for asked in ("FAIR", "VERIFY", "VERIFY 1"):
        answer = await whatsapp.send(phone, asked)
        assert len(answer) <= 1600 and "Could receive the pot (200): " in answer and " more" in answer, asked
    file_url = re.findall(r"https://\S+", answer)[-1]
    proof = await whatsapp.client.get(path_of(file_url))
    assert len(json.loads(proof.content)["eligible"]) == 200
    assert check_alone(tmp_path, proof.content, "draw-1.json").returncode == 0
