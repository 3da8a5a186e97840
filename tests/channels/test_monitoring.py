"""What an operator watches: /healthz (database, outbox backlog, scheduler), /metrics moving with
real traffic on both apps, and one INFO line per handled update that names no one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
from datetime import UTC, datetime

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot.background import Background, tick
from bot.dispatcher import Dispatcher
from bot.web import STALE_TICK, create_web_app
from tests.channels import updates
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.served import ROOT, free_port
from tests.channels.updates import Person

GRACE = Person(7001, "Grace", "Wanjiru", "auntie_grace", "+254700007001")
TOM = Person(7002, "Tom", None, "tom_k", "+254700007002")
ZAWADI = "+254700007111"


def metric(page: str, name: str, **labels: str) -> float:
    """One sample of a /metrics page; 0 when it has not been counted yet."""
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


async def test_healthz_reports_the_database_the_outbox_and_the_scheduler(bot, engine):
    async with engine.begin() as conn:  # two undelivered messages, the oldest 90 seconds old
        await conn.execute(text(
            "insert into outbox (channel, address, kind, payload, next_attempt_at, created_at) values "
            "('WHATSAPP', 'whatsapp:+254700007199', 'nudge_organizer', '{}', now(), now() - interval '90 seconds'),"
            "('WHATSAPP', 'whatsapp:+254700007199', 'nudge_organizer', '{}', now(), now() - interval '10 seconds')"))
    # No WhatsApp sender: the dispatcher leaves them pending, as during a Twilio outage.
    rosca = bot.app.bot_data["rosca"]
    background = Background(rosca.new_uow, Dispatcher(engine, {}), rosca.beacon)
    web = create_web_app(engine, None, public_url=None, webhook_secret=None, background=background)
    async with web.router.lifespan_context(web):
        started = background.last_tick  # the start, until the first tick (due at once) completes
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as client:
            health = await client.get("/healthz")
            assert health.status_code == 200
            report = health.json()
            assert {k: report[k] for k in ("status", "problems", "database", "outbox_pending")} == {
                "status": "ok", "problems": [], "database": "reachable", "outbox_pending": 2}
            assert 89 <= report["outbox_oldest_pending_seconds"] < 120
            assert 0 <= report["scheduler_last_tick_seconds"] < 5

            page = (await client.get("/metrics")).text
            assert metric(page, "rosca_outbox_pending") == 2 and 89 <= metric(page, "rosca_outbox_lag_seconds") < 120
            assert metric(page, "rosca_database_up") == 1 and metric(page, "rosca_scheduler_tick_age_seconds") < 5

            for _ in range(100):
                if background.last_tick != started:
                    break
                await asyncio.sleep(0.05)
            assert background.last_tick != started
            background.last_tick -= STALE_TICK + 1  # as if the process had been asleep for five minutes
            stale = await client.get("/healthz")
            assert stale.status_code == 503 and stale.json()["status"] == "failing"
            assert re.fullmatch(r"scheduler has not ticked for 30\d s", stale.json()["problems"][0])

            # The next tick that completes makes it healthy again.
            background.scheduler.get_job("tick").modify(next_run_time=datetime.now(UTC))
            for _ in range(100):
                if (await client.get("/healthz")).status_code == 200:
                    break
                await asyncio.sleep(0.05)
            assert (await client.get("/healthz")).json()["scheduler_last_tick_seconds"] < 5


async def test_healthz_without_a_scheduler_in_this_process_reports_none(whatsapp):
    report = (await whatsapp.client.get("/healthz")).json()
    assert report["status"] == "ok" and report["scheduler_last_tick_seconds"] is None
    assert report["outbox_pending"] == 0 and report["outbox_oldest_pending_seconds"] is None


async def test_metrics_move_with_a_telegram_update_and_a_whatsapp_message(bot, whatsapp):
    before = (await whatsapp.client.get("/metrics")).text
    for person in (GRACE, TOM):
        await bot.register(person)  # 2 updates each: /start, then the shared contact
    await bot.say(GRACE, "/newcircle Fund | 20 USD | 2 | weekly | 2026-12-02")
    await bot.say(TOM, "/join")
    assert "Only Grace Wanjiru (organizer) can change the reminders." in await bot.say(TOM, "/reminders 1 at 8")
    assert "Reply with a number or the word." in await whatsapp.send(ZAWADI, "help", name="Zawadi")
    after = (await whatsapp.client.get("/metrics")).text

    def moved(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert moved("rosca_updates_total", channel="telegram") == 7
    assert moved("rosca_updates_total", channel="whatsapp") == 1
    assert moved("rosca_errors_total", channel="telegram", kind="refusal") == 1  # Tom may not change reminders
    assert moved("rosca_errors_total", channel="telegram", kind="unexpected") == 0
    # The group's announcements and status card, and the WhatsApp reply, go out through the outbox.
    assert moved("rosca_sends_total", channel="telegram", result="sent") >= 2
    assert moved("rosca_sends_total", channel="whatsapp", result="sent") == 1
    assert metric(after, "rosca_outbox_pending") == 0 and metric(after, "rosca_outbox_lag_seconds") == 0


async def test_one_line_per_update_names_the_command_and_no_one(bot, whatsapp, caplog):
    with caplog.at_level(logging.INFO, logger="bot.updates"):
        await bot.register(GRACE)
        await bot.say(GRACE, "/newcircle Fund | 20 USD | 2 | weekly | 2026-12-02")
        await bot.say(GRACE, "/paid 20")  # before the circle starts: refused
        await bot.say(GRACE, "Grace here, I sent it by M-Pesa +254700007001")
        await bot.say(TOM, "/reminders")
        await whatsapp.send(ZAWADI, "JOIN K7QX", name="Zawadi Otieno")
        await whatsapp.send(ZAWADI, "my name is Zawadi, 0700007111")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    shapes = [re.sub(r"\d+ ms", "N ms", re.sub(r"(update|message) \w+:", r"\1 ID:", line)) for line in lines]
    assert shapes == ["telegram update ID: /start in private (N ms)",
                      "telegram update ID: contact in private (N ms)",
                      "telegram update ID: /newcircle in group (N ms)",
                      "telegram update ID: /paid in group, refused (N ms)",
                      "telegram update ID: text in group (N ms)",
                      "telegram update ID: /reminders in group (N ms)",
                      "whatsapp message ID: JOIN (N ms)",
                      "whatsapp message ID: text (N ms)"]
    log = "\n".join(shapes)
    for personal in ("Grace", "Wanjiru", "auntie_grace", "Family", "Fund", "K7QX", "Zawadi", "0700", "7001", "7111",
                     "M-Pesa", str(bot.group)):
        assert personal not in log


async def test_a_tick_with_nothing_due_logs_at_debug_and_one_that_acts_at_info(bot, clock, caplog):
    rosca = bot.app.bot_data["rosca"]

    async def tick_lines(when: str) -> list[tuple[str, str]]:
        clock.now = datetime.fromisoformat(when).replace(tzinfo=UTC)
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="bot.background"):
            await tick(rosca.new_uow, bot.dispatcher, rosca.beacon)
        return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.background"]

    assert await tick_lines("2026-11-28T06:00") == [("DEBUG", "scheduler tick: nothing due")]
    for person in (GRACE, TOM):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Fund | 20 USD | 2 | weekly | 2026-12-02")
    await bot.say(TOM, "/join")
    assert await tick_lines("2026-11-29T06:00") == [  # 09:00 in Nairobi, 3 days before: reminders go out
        ("INFO", "scheduler: 3 reminder(s) queued, 0 automatic draw(s), 0 vote(s) expired")]


async def test_polling_mode_serves_health_and_metrics_on_metrics_port(fake_telegram, clean_database, tmp_path):
    port = free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "DATABASE_URL": clean_database,
           "TELEGRAM_BOT_TOKEN": FakeTelegram.TOKEN, "TELEGRAM_API_URL": fake_telegram.base_url.removesuffix("/bot"),
           "METRICS_PORT": str(port), "LOG_LEVEL": "INFO"}
    log_file = tmp_path / "bot.log"
    with log_file.open("wb") as log:
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                                                       stdout=log, stderr=log)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).json()["scheduler_last_tick_seconds"] is not None:
                        break
                assert process.returncode is None, log_file.read_text()[-3000:]
                await asyncio.sleep(0.1)
            report = (await client.get("/healthz")).json()
            assert report["status"] == "ok" and report["database"] == "reachable"
            fake_telegram.queue_update(updates.private_text(GRACE, "/start"))
            for _ in range(100):
                if 'rosca_updates_total{channel="telegram"} 1.0' in (await client.get("/metrics")).text:
                    break
                await asyncio.sleep(0.1)
            assert 'rosca_updates_total{channel="telegram"} 1.0' in (await client.get("/metrics")).text
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)
    log = log_file.read_text()
    assert process.returncode == 0 and "Traceback" not in log, log[-3000:]
    assert re.search(r"telegram update \d+: /start in private \(\d+ ms\)", log)
    assert "GET /healthz" not in log and "GET /metrics" not in log  # probes are not logged at INFO
