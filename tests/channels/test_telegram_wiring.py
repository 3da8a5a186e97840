"""The bot as deployed: menus per chat type, /help and the README from one registry, polling, webhook."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import httpx
from telegram import Update

from bot.config import Settings
from bot.polling import poll
from bot.telegram import build_application
from bot.web import TELEGRAM_PATH, create_web_app
from handlers.telegram.registry import COMMANDS, help_text, publish_menus
from tests.channels import updates
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.updates import Person

README = Path(__file__).resolve().parents[2] / "README.md"
GRACE = Person(4001, "Grace", None, "grace", "+254700000401")


def readme_commands() -> dict[str, str]:
    """`/name` → the "where" cell of each row in the README's Telegram command table."""
    section = README.read_text().split("### Telegram commands", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^\| `/(\w+)[^`]*` \| ([^|]+) \|", section, re.M)}


def test_readme_documents_exactly_the_registered_commands():
    documented = readme_commands()
    assert documented == {c.name: " and ".join(c.where) for c in COMMANDS}


def test_help_lists_each_place_s_commands():
    group, private = help_text(group=True), help_text(group=False)
    assert "/paid [AMOUNT] — tell the organizers you paid this cycle" in group
    assert "/draw [anyway] — draw who receives this cycle's pot (organizers)" in group
    assert "/mycircles" in private and "/paid" in private and "/draw" not in private


async def test_menus_are_published_per_chat_type(bot):
    await publish_menus(bot.app.bot)
    published = {c.params["scope"]["type"]: [x["command"] for x in c.params["commands"]]
                 for c in bot.tg.calls if c.method == "setMyCommands"}
    assert published["all_group_chats"][:3] == ["newcircle", "join", "leave"]
    assert {"mycircles", "paid", "received"} <= set(published["all_private_chats"])
    assert "draw" not in published["all_private_chats"]


async def test_polling_confirms_an_update_and_answers_it(bot):
    stop = asyncio.Event()
    polling = asyncio.create_task(poll(bot.app, stop))
    try:
        bot.tg.queue_update(updates.private_text(GRACE, "/start"))
        for _ in range(100):
            if bot.tg.texts_to(GRACE.id) and bot.tg.pending_updates == 0:
                break
            await asyncio.sleep(0.05)
        assert "share your phone number" in bot.tg.texts_to(GRACE.id)[0]
        assert bot.tg.pending_updates == 0  # confirmed by the next getUpdates, once recorded
        offsets = [c.params.get("offset") for c in bot.tg.calls if c.method == "getUpdates"]
        assert offsets[0] is None and offsets[-1] is not None
    finally:
        stop.set()
        await asyncio.wait_for(polling, timeout=5)


async def test_webhook_checks_the_secret_and_serves_health(bot, engine):
    web = create_web_app(engine, bot.app, public_url="https://rosca.example", webhook_secret="s3cret-token")
    update = updates.private_text(GRACE, "/start")
    async with web.router.lifespan_context(web):
        set_webhook = [c.params for c in bot.tg.calls if c.method == "setWebhook"]
        assert set_webhook == [{"url": "https://rosca.example" + TELEGRAM_PATH, "secret_token": "s3cret-token",
                                "allowed_updates": set_webhook[0]["allowed_updates"]}]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as client:
            assert (await client.get("/healthz")).json()["status"] == "ok"
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                assert (await client.post(TELEGRAM_PATH, json=update, headers=headers)).status_code == 403
            assert bot.tg.texts_to(GRACE.id) == []
            good = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            assert (await client.post(TELEGRAM_PATH, content=b"{not json", headers=good)).status_code == 400
            assert (await client.post(TELEGRAM_PATH, json=update, headers=good)).status_code == 200
            assert (await client.post(TELEGRAM_PATH, json=update, headers=good)).status_code == 200  # a retry
    assert len(bot.tg.texts_to(GRACE.id)) == 1 and "share your phone number" in bot.tg.texts_to(GRACE.id)[0]


async def test_with_the_limiter_on_a_429_is_waited_out_and_delivered(fake_telegram, new_uow):
    settings = Settings(database_url=None, data_dir=Path("."), telegram_token=FakeTelegram.TOKEN,
                        telegram_api_url=fake_telegram.base_url.removesuffix("/bot"), telegram_rate_limit=True)
    app = build_application(settings, new_uow)
    await app.initialize()
    try:
        fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
        await app.process_update(Update.de_json(updates.private_text(GRACE, "/start"), app.bot))
    finally:
        await app.shutdown()
    attempts = [c for c in fake_telegram.calls if c.method == "sendMessage"]
    assert [c.failed_with for c in attempts] == [429, None]
    assert attempts[1].at - attempts[0].at >= 1.0  # it honoured retry_after
    assert len(fake_telegram.texts_to(GRACE.id)) == 1


async def test_a_token_telegram_rejects_stops_the_bot_with_one_line(fake_telegram, tmp_path, database_url):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(README.parent), "DATABASE_URL": database_url,
           "TELEGRAM_BOT_TOKEN": "999999:WRONG-token_abcdefghijklmnopq",
           "TELEGRAM_API_URL": fake_telegram.base_url.removesuffix("/bot")}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert stderr.decode().strip().splitlines()[-1] == (
        "rosca-bot: Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather")
    assert "Traceback" not in stderr.decode() and "WRONG-token" not in stderr.decode()
