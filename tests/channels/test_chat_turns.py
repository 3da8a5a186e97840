"""Updates are recorded, confirmed to Telegram, then handled in their chat's turn (bot/inbound.py):
a group waiting on Telegram's 20-a-minute limit delays nobody else, in polling and webhook mode, and
an update recorded but not handled before a stop is handled at the next start, once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from bot.config import Settings
from bot.polling import poll
from bot.telegram import build_application
from bot.web import TELEGRAM_PATH, create_web_app
from core.inbox import receive
from core.models import Channel
from tests.channels import updates
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.updates import Person

GRACE, TOM, ANA = Person(4101, "Grace"), Person(4102, "Tom"), Person(4103, "Ana")
GROUP = -1004100000001
FLOOD = 22  # Telegram's group limit lets 20 through at once, then one every 3 s: done within the stop's 8 s


async def until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def limited_bot(fake_telegram: FakeTelegram, new_uow):
    settings = Settings(database_url=None, data_dir=Path("."), telegram_token=FakeTelegram.TOKEN,
                        telegram_api_url=fake_telegram.base_url.removesuffix("/bot"), telegram_rate_limit=True)
    return build_application(settings, new_uow)


async def a_private_reply_overtakes_the_flood(tg: FakeTelegram, deliver) -> None:
    """Tom floods the group with /help; once its first replies are out, Ana asks in private."""
    for _ in range(FLOOD):
        await deliver(updates.group_text(TOM, GROUP, "/help"))
    await until(lambda: len(tg.messages_to(GROUP)) >= 20)
    asked = time.monotonic()
    await deliver(updates.private_text(ANA, "/help"))
    await until(lambda: tg.messages_to(ANA.id))
    assert time.monotonic() - asked < 2  # not after the group's last replies, 9 s away
    assert len(tg.messages_to(GROUP)) < FLOOD  # the group is still waiting on its limit


async def test_polling_answers_a_private_chat_while_a_group_waits_on_its_limit(fake_telegram, new_uow):
    app, stop = limited_bot(fake_telegram, new_uow), asyncio.Event()
    polling = asyncio.create_task(poll(app, stop))

    async def deliver(update: dict) -> None:
        fake_telegram.queue_update(update)

    try:
        await a_private_reply_overtakes_the_flood(fake_telegram, deliver)
    finally:
        stop.set()
        await asyncio.wait_for(polling, timeout=30)  # finishes the group's turns first
    assert len(fake_telegram.messages_to(GROUP)) == FLOOD


async def test_the_webhook_answers_at_once_and_a_private_chat_is_not_held_up(fake_telegram, engine, new_uow):
    app = limited_bot(fake_telegram, new_uow)
    web = create_web_app(engine, app, public_url=None, webhook_secret="s3cret")
    answered: list[float] = []
    async with (web.router.lifespan_context(web),
                httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as client):
        async def deliver(update: dict) -> None:
            started = time.monotonic()
            response = await client.post(TELEGRAM_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token":
                                                                               "s3cret"})
            assert response.status_code == 200
            answered.append(time.monotonic() - started)

        await a_private_reply_overtakes_the_flood(fake_telegram, deliver)
    assert len(fake_telegram.messages_to(GROUP)) == FLOOD  # the shutdown finished the group's turns
    assert max(answered) < 1  # Telegram's connections are never tied up by the group's wait


async def test_an_update_recorded_but_not_handled_is_handled_at_the_next_start_once(bot, new_uow):
    update = updates.private_text(GRACE, "/start")
    # As if the bot had recorded and confirmed it, then crashed: Telegram won't send it again.
    assert await receive(new_uow(), Channel.TELEGRAM, [(f"{FakeTelegram.BOT_ID}:{update['update_id']}", update)])
    for _ in range(2):  # the first start handles it; the second finds nothing left to do
        stop = asyncio.Event()
        polling = asyncio.create_task(poll(bot.app, stop))
        try:
            await until(lambda: bot.tg.texts_to(GRACE.id))
            await until(lambda: any(c.method == "getUpdates" for c in bot.tg.calls))
        finally:
            stop.set()
            await asyncio.wait_for(polling, timeout=10)
    assert len(bot.tg.texts_to(GRACE.id)) == 1 and "share your phone number" in bot.tg.texts_to(GRACE.id)[0]
