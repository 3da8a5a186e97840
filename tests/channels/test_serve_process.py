"""`python -m bot serve` as deployed: a real process with both apps configured answers /healthz,
a signed WhatsApp webhook (reply delivered through the real twilio client), and stops cleanly."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import httpx

from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio, incoming, sign
from tests.channels.served import served


async def test_serve_runs_both_apps(fake_telegram, fake_twilio, clean_database, tmp_path):
    async with served(fake_telegram, fake_twilio, clean_database, tmp_path) as server, \
            httpx.AsyncClient(base_url=server.url) as client:
        assert (await client.get("/healthz")).json()["status"] == "ok"
        webhook = [c.params for c in fake_telegram.calls if c.method == "setWebhook"]
        assert webhook and webhook[0]["url"] == server.url + "/telegram/webhook"

        params = incoming("whatsapp:+254700000999", "help", profile_name="Zawadi")
        headers = {"X-Twilio-Signature": sign(server.url + "/whatsapp/webhook", params, FakeTwilio.AUTH_TOKEN),
                   "Content-Type": "application/x-www-form-urlencoded"}
        answer = await client.post("/whatsapp/webhook", content=urlencode(params), headers=headers)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/xml")
        for _ in range(100):  # the reply goes out through the outbox dispatcher
            if fake_twilio.bodies_to("whatsapp:+254700000999"):
                break
            await asyncio.sleep(0.05)
        assert "Reply with a number or the word." in fake_twilio.bodies_to("whatsapp:+254700000999")[0]
    log = server.log()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the parent sees it.
    assert server.process.returncode in (0, -15) and "Application shutdown complete" in log, log[-2000:]
    assert "Traceback" not in log and FakeTelegram.TOKEN not in log and FakeTwilio.AUTH_TOKEN not in log
