"""The Bot API failing under the bot: 5xx and refused connections are retried, a reply is never
posted twice, and a slow answer (the message may be in the chat already) is not re-sent."""

from __future__ import annotations

import logging

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.telegram_request import RetryingRequest
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
