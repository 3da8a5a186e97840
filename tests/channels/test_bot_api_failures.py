"""The Bot API failing under the bot: 5xx and refused connections are retried, a reply is never
posted twice, a slow answer (the message may be in the chat already) is not re-sent, and polling
backs off while getUpdates keeps failing."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.polling import poll
from bot.telegram_request import RetryingRequest
from tests.channels import updates
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.updates import Person

GRACE = Person(9101, "Grace", None, "grace", "+254700000911")


async def test_server_errors_on_a_reply_are_retried_and_it_arrives_once(bot):
    bot.tg.fail_next("sendMessage", status=500, times=2)
    reply = await bot.private(GRACE, "/start")
    assert "share your phone number" in reply
    attempts = [c.failed_with for c in bot.tg.calls if c.method == "sendMessage"]
    assert attempts == [500, 500, None] and len(bot.tg.texts_to(GRACE.id)) == 1


async def test_a_timed_out_send_is_not_sent_again(fake_telegram):
    fake_telegram.delay_next("sendMessage", 1.0)  # the message is stored, the answer comes late
    bot = Bot(FakeTelegram.TOKEN, base_url=fake_telegram.base_url, request=RetryingRequest(read_timeout=0.3))
    async with bot:
        with pytest.raises(TimedOut):
            await bot.send_message(GRACE.id, "once")
    assert fake_telegram.texts_to(GRACE.id) == ["once"]
    assert [c.method for c in fake_telegram.calls].count("sendMessage") == 1


async def test_an_unreachable_api_is_retried_then_reported(caplog):
    bot = Bot(FakeTelegram.TOKEN, base_url="http://127.0.0.1:9/bot", request=RetryingRequest(connect_timeout=0.2))
    with caplog.at_level(logging.WARNING, logger="bot.telegram_request"), pytest.raises(NetworkError) as raised:
        async with bot:
            pass  # getMe: nothing listens on port 9
    assert "ConnectError" in str(raised.value)
    assert caplog.text.count("Bot API unreachable (ConnectError); retrying") == 3


async def test_polling_backs_off_while_get_updates_fails_and_resets_once_it_works(bot, caplog):
    bot.tg.fail_next("getUpdates", status=500, times=5)  # getUpdates has a request of its own, without retries
    bot.tg.queue_update(updates.private_text(GRACE, "/start"))
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="bot.polling"):
        polling = asyncio.create_task(poll(bot.app, stop, first_retry=0.2, max_retry=0.8))
        try:
            for _ in range(200):
                if bot.tg.texts_to(GRACE.id):
                    break
                await asyncio.sleep(0.05)
            bot.tg.fail_next("getUpdates", status=500)  # one more failure, after it worked: back to the first step
            for _ in range(200):
                if [c.failed_with for c in bot.tg.calls if c.method == "getUpdates"][-2:] == [500, None]:
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await asyncio.wait_for(polling, timeout=5)
    assert "share your phone number" in bot.tg.texts_to(GRACE.id)[0]
    polls = [c for c in bot.tg.calls if c.method == "getUpdates"]
    waits = [later.at - earlier.at for earlier, later in itertools.pairwise(polls) if earlier.failed_with]
    for waited, planned in zip(waits, [0.2, 0.4, 0.8, 0.8, 0.8, 0.2], strict=True):  # doubling up to the cap, reset
        assert planned <= waited < planned + 0.3, waits
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "bot.polling"]
    assert [w.rsplit("; ", 1)[1] for w in warnings] == ["retrying in 0.2 s", "retrying in 0.4 s", "retrying in 0.8 s",
                                                         "retrying in 0.2 s"]  # one line per step, not per try
    assert "getUpdates works again after 5 failed tries" in caplog.text
