"""The real bot process killed with SIGKILL in the middle of delivering: after a restart every
message arrives, and at most the one in flight at the kill arrives twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from core.models import Channel, OutboxMessage, OutboxStatus
from core.outbox import enqueue
from tests.channels.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
CHAT, MESSAGES = 777, 60


async def start_bot(fake: FakeTelegram, database_url: str, workdir: Path) -> asyncio.subprocess.Process:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url,
           "TELEGRAM_BOT_TOKEN": FakeTelegram.TOKEN, "TELEGRAM_API_URL": fake.base_url.removesuffix("/bot"),
           "TELEGRAM_RATE_LIMIT": "off", "LOG_LEVEL": "WARNING",
           "PYTHONFAULTHANDLER": "1"}  # SIGABRT then prints where every thread is (stop_bot)
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=workdir, env=env,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def stop_bot(process: asyncio.subprocess.Process, grace: float = 30) -> bytes:
    """SIGTERM, as a deployer's `docker stop` sends: the bot must exit by itself. A bot that doesn't
    fails the test here, with what it said, instead of hanging the whole run."""
    process.terminate()
    try:
        return (await asyncio.wait_for(process.communicate(), grace))[1]
    except TimeoutError:
        process.send_signal(signal.SIGABRT)  # faulthandler writes each thread's stack: where it hangs
        try:
            stderr = (await asyncio.wait_for(process.communicate(), 10))[1]
        except TimeoutError:
            process.kill()
            stderr = (await process.communicate())[1]
        raise AssertionError(f"the bot did not stop within {grace} s of SIGTERM:\n"
                             + stderr.decode()[-6000:]) from None


async def pending(new_uow) -> int:
    async with new_uow() as uow:
        return await uow.session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING))


async def wait_for(condition, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.05)


async def test_kill_9_mid_delivery_loses_nothing_and_repeats_at_most_one(fake_telegram, new_uow, clock,
                                                                         clean_database, tmp_path):
    async with new_uow() as uow:
        for n in range(MESSAGES):
            await enqueue(uow.session, channel=Channel.TELEGRAM, address=str(CHAT), kind="nudge_organizer",
                          payload={"circle": "Fund", "cycle_number": 1, "pending": [f"#{n}"]}, now=clock())
        await uow.session.commit()
    fake_telegram.delay_next("sendMessage", 0.03, times=10 * MESSAGES)  # keep the process mid-stream

    first = await start_bot(fake_telegram, clean_database, tmp_path)

    async def some_sent():
        return len(fake_telegram.texts_to(CHAT)) >= 15
    try:
        await wait_for(some_sent)
    except TimeoutError:
        if first.returncode is None:
            first.kill()
        raise AssertionError((await first.communicate())[1].decode()[-3000:]) from None
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert 15 <= len(fake_telegram.texts_to(CHAT)) < MESSAGES, "the kill must land mid-delivery"

    second = await start_bot(fake_telegram, clean_database, tmp_path)

    async def all_sent():
        return await pending(new_uow) == 0
    try:
        await wait_for(all_sent)
    finally:
        stderr = await stop_bot(second)
    assert second.returncode == 0, stderr.decode()[-2000:]

    counts = Counter(text.split(": ")[-1].split(".")[0] for text in fake_telegram.texts_to(CHAT))
    assert set(counts) == {f"#{n}" for n in range(MESSAGES)}  # nothing lost
    assert sum(counts.values()) - MESSAGES <= 1  # at most the one in flight repeated
    order = [int(text.split("#")[-1].split(".")[0]) for text in fake_telegram.texts_to(CHAT)]
    assert order == sorted(order)  # in order, the repeat (if any) right where the kill happened
