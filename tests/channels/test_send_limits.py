"""The Telegram rate limiter (bot/send_limits.py) pacing the real PTB Bot against the fake Bot API, with
small limits so each test runs in seconds: 20 sends a second overall, 5 per 2 seconds in a group."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import pytest
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from bot import lanes
from bot.send_limits import LaneLimiter, LanePacer, ShutDown
from tests.channels.fake_telegram import FakeTelegram

OVERALL, GROUP, GROUP_PERIOD = 20, 5, 2.0
GROUPS = [-1001000000001, -1001000000002, -1001000000003, -1001000000004]
PRIVATE = 5000  # private chats are PRIVATE + n


@pytest.fixture
def limiter() -> LaneLimiter:
    return LaneLimiter(overall_rate=OVERALL, overall_period=1, group_rate=GROUP, group_period=GROUP_PERIOD)


@contextlib.asynccontextmanager
async def paced_app(fake_telegram: FakeTelegram, limiter: LaneLimiter) -> AsyncIterator[Application]:
    app = (ApplicationBuilder().token(FakeTelegram.TOKEN).base_url(fake_telegram.base_url)
           .request(HTTPXRequest(connection_pool_size=128)).rate_limiter(limiter).updater(None).build())
    await app.initialize()
    try:
        yield app
    finally:
        await app.shutdown()


@pytest.fixture
async def app(fake_telegram: FakeTelegram, limiter: LaneLimiter) -> AsyncIterator[Application]:
    async with paced_app(fake_telegram, limiter) as app:
        yield app


async def until_sent(tg: FakeTelegram, count: int) -> None:
    """The fake records sends as they arrive; a test waits here for the burst to land."""
    async with asyncio.timeout(10):
        while len(tg.sent) < count:
            await asyncio.sleep(0.005)


def send_all(app: Application, texts: list[str], chats: list[int]) -> list[asyncio.Task]:
    """One task per send; each task copies the current context, so the lane is the caller's."""
    return [asyncio.create_task(app.bot.send_message(chat, text)) for chat, text in zip(chats, texts, strict=True)]


async def test_interactive_sends_overtake_a_bulk_backlog_which_keeps_its_share(app, fake_telegram):
    with lanes.bulk():
        bulk = send_all(app, [f"bulk {n}" for n in range(50)], [PRIVATE + n for n in range(50)])
    await until_sent(fake_telegram, OVERALL)  # the burst is out: the other 30 bulk sends wait
    queued_at = len(fake_telegram.sent)
    interactive = send_all(app, [f"interactive {n}" for n in range(15)], [PRIVATE + 100 + n for n in range(15)])
    await asyncio.gather(*bulk, *interactive)

    after = [m["text"].split()[0] for m in fake_telegram.sent[queued_at:]]
    first_interactive, last_interactive = (after.index("interactive"),
                                           len(after) - 1 - after[::-1].index("interactive"))
    # First come first served would send the ~30 waiting bulk messages first; the lanes send about 4.
    assert after[:last_interactive].count("bulk") <= 8, after
    # ...but bulk is not starved: about 1 in 5 of the slots while both lanes wait.
    assert after[first_interactive:last_interactive].count("bulk") >= 3, after
    assert len(fake_telegram.sent) == 65


async def test_sends_keep_to_the_overall_rate(app, fake_telegram):
    started = time.monotonic()
    await asyncio.gather(*send_all(app, [f"hello {n}" for n in range(60)], [PRIVATE + n for n in range(60)]))
    elapsed = time.monotonic() - started
    assert elapsed >= 0.8 * (60 - OVERALL) / OVERALL, elapsed  # a burst of 20, then 20 a second
    assert len(fake_telegram.sent) == 60


async def test_flooding_groups_wait_on_their_own_budgets_without_slowing_a_private_chat(app, fake_telegram):
    """Four groups' bursts fill the overall burst; their other 20 sends wait on their groups only. Were
    they to hold overall slots while waiting, the private reply would queue behind all 20 (a second)."""
    started = time.monotonic()
    floods = send_all(app, [f"flood {n}" for n in range(40)], [group for group in GROUPS for _ in range(10)])
    await until_sent(fake_telegram, len(GROUPS) * GROUP)  # the bursts are out
    private_at = time.monotonic()
    await app.bot.send_message(PRIVATE, "a private reply")
    private_took = time.monotonic() - private_at
    await asyncio.gather(*floods)
    drained = time.monotonic() - started

    texts = [m["text"] for m in fake_telegram.sent]
    assert texts.index("a private reply") < len(GROUPS) * GROUP + 4  # about the first send after the bursts
    assert drained >= 0.8 * (10 - GROUP) * GROUP_PERIOD / GROUP, drained  # each group kept to 5 per 2 s
    assert private_took < drained / 5, (private_took, drained)
    family_times = [c.at for c in fake_telegram.calls if c.params.get("chat_id") == GROUPS[0]]
    assert family_times[GROUP + 2] - family_times[0] >= 0.8 * 3 * GROUP_PERIOD / GROUP  # burst, then 2.5 a second


async def test_flood_control_pauses_every_send_and_retries_once(app, fake_telegram):
    paused = asyncio.Event()

    class OnPause(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            paused.set()

    logger = logging.getLogger("bot.send_limits")
    on_pause, level = OnPause(logging.INFO), logger.level
    logger.addHandler(on_pause)
    logger.setLevel(logging.INFO)
    try:
        fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
        first = asyncio.create_task(app.bot.send_message(PRIVATE, "after the pause"))
        await paused.wait()
        other = asyncio.create_task(app.bot.send_message(PRIVATE + 1, "another chat, same pause"))
        assert await app.bot.answer_callback_query("spinner")  # not paced, not paused
        await asyncio.gather(first, other)
    finally:
        logger.removeHandler(on_pause)
        logger.setLevel(level)

    sends = [c for c in fake_telegram.calls if c.method == "sendMessage"]
    assert [(c.params["chat_id"], c.failed_with) for c in sends[:1]] == [(PRIVATE, 429)]
    assert sorted((c.params["chat_id"], c.failed_with) for c in sends[1:]) == [(PRIVATE, None), (PRIVATE + 1, None)]
    assert sends[1].at - sends[0].at >= 1.0 and sends[2].at - sends[0].at >= 1.0
    answered = next(c for c in fake_telegram.calls if c.method == "answerCallbackQuery")
    assert answered.at - sends[0].at < 0.5
    assert fake_telegram.texts_to(PRIVATE) == ["after the pause"]


async def test_answering_a_button_does_not_queue_behind_sends(app, fake_telegram):
    backlog = send_all(app, [f"hello {n}" for n in range(60)], [PRIVATE + n for n in range(60)])
    await until_sent(fake_telegram, OVERALL)
    answering = time.monotonic()
    await app.bot.answer_callback_query("spinner")
    answer_took = time.monotonic() - answering
    sent_by_then = len(fake_telegram.sent)
    await asyncio.gather(*backlog)
    drained = time.monotonic() - answering
    assert sent_by_then < 40  # the answer went ahead of most of the backlog
    assert answer_took < drained / 5, (answer_took, drained)


async def test_shutdown_fails_the_waiting_sends_and_leaves_none_hanging(fake_telegram):
    """A burst of 20, then one slot a minute: however slow the machine, the other 20 are still waiting
    when the bot shuts down (a faster refill let a loaded CI machine send a few more in between)."""
    limiter = LaneLimiter(overall_rate=OVERALL, overall_period=60 * OVERALL, group_rate=GROUP,
                          group_period=GROUP_PERIOD)
    async with paced_app(fake_telegram, limiter) as app:
        sends = send_all(app, [f"hello {n}" for n in range(40)], [PRIVATE + n for n in range(40)])
        await until_sent(fake_telegram, OVERALL)
        await limiter.shutdown()
        async with asyncio.timeout(2):
            results = await asyncio.gather(*sends, return_exceptions=True)
        refused = [r for r in results if isinstance(r, ShutDown)]
        assert len(refused) >= 40 - OVERALL - 1 and len(refused) + len(fake_telegram.sent) == 40
        with pytest.raises(ShutDown):
            await app.bot.send_message(PRIVATE, "too late")


async def test_whatsapp_pacing_lets_replies_pass_queued_reminders():
    """LanePacer (Twilio's messages a second): a reply asked for behind a backlog of reminders goes next."""
    pace, order = LanePacer(20), []

    async def send(name: str, lane: str) -> None:
        token = lanes.current.set(lane)
        try:
            await pace()
        finally:
            lanes.current.reset(token)
        order.append(name)

    backlog = [asyncio.create_task(send(f"reminder {n}", lanes.BULK)) for n in range(30)]
    await asyncio.sleep(0.1)  # the burst of 20 is gone; the rest wait
    await send("reply", lanes.INTERACTIVE)
    assert 20 <= order.index("reply") <= 22  # at most a slot or two after the burst, not after all 30
    await asyncio.gather(*backlog)
