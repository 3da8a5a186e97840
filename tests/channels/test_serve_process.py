"""`python -m bot serve` as deployed: a real process with both apps configured answers /healthz,
a signed WhatsApp webhook (reply delivered through the real twilio client), and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlencode

import httpx

from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio, incoming, sign

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_serve_runs_both_apps(fake_telegram, fake_twilio, clean_database, tmp_path):
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "DATABASE_URL": clean_database,
           "TELEGRAM_BOT_TOKEN": FakeTelegram.TOKEN, "TELEGRAM_API_URL": fake_telegram.base_url.removesuffix("/bot"),
           "TWILIO_ACCOUNT_SID": FakeTwilio.ACCOUNT_SID, "TWILIO_AUTH_TOKEN": FakeTwilio.AUTH_TOKEN,
           "TWILIO_WHATSAPP_FROM": FakeTwilio.FROM, "TWILIO_API_URL": fake_twilio.base_url,
           "PUBLIC_URL": public_url, "PORT": str(port), "LOG_LEVEL": "INFO"}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve", cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        async with httpx.AsyncClient(base_url=public_url) as client:
            for _ in range(200):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            assert (await client.get("/healthz")).json()["status"] == "ok"
            webhook = [c.params for c in fake_telegram.calls if c.method == "setWebhook"]
            assert webhook and webhook[0]["url"] == public_url + "/telegram/webhook"

            params = incoming("whatsapp:+254700000999", "help", profile_name="Zawadi")
            headers = {"X-Twilio-Signature": sign(public_url + "/whatsapp/webhook", params, FakeTwilio.AUTH_TOKEN),
                       "Content-Type": "application/x-www-form-urlencoded"}
            answer = await client.post("/whatsapp/webhook", content=urlencode(params), headers=headers)
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/xml")
            for _ in range(100):  # the reply goes out through the outbox dispatcher
                if fake_twilio.bodies_to("whatsapp:+254700000999"):
                    break
                await asyncio.sleep(0.05)
            assert "Reply with a number or the word." in fake_twilio.bodies_to("whatsapp:+254700000999")[0]
    finally:
        if process.returncode is None:
            process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the parent sees it.
    assert process.returncode in (0, -15) and "Application shutdown complete" in log, log[-2000:]
    assert "Traceback" not in log and FakeTelegram.TOKEN not in log and FakeTwilio.AUTH_TOKEN not in log
