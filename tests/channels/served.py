"""`python -m bot serve` as a real process, with both apps pointed at the fake APIs: for what only a
real process shows (its memory, its log output)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "s3cret-webhook-token-for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    process: asyncio.subprocess.Process
    url: str
    port: int
    log_file: Path

    def memory_kib(self, field: str) -> int:
        """VmRSS (now) or VmHWM (the peak so far) of the server process, in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise AssertionError(f"no {field} in /proc/{self.process.pid}/status")

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")


@contextlib.asynccontextmanager
async def served(fake_telegram: FakeTelegram, fake_twilio: FakeTwilio, database_url: str, tmp_path: Path,
                 log_level: str = "INFO") -> AsyncIterator[Served]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url,
           "TELEGRAM_BOT_TOKEN": FakeTelegram.TOKEN, "TELEGRAM_API_URL": fake_telegram.base_url.removesuffix("/bot"),
           "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
           "TWILIO_ACCOUNT_SID": FakeTwilio.ACCOUNT_SID, "TWILIO_AUTH_TOKEN": FakeTwilio.AUTH_TOKEN,
           "TWILIO_WHATSAPP_FROM": FakeTwilio.FROM, "TWILIO_API_URL": fake_twilio.base_url,
           "PUBLIC_URL": url, "PORT": str(port), "LOG_LEVEL": log_level}
    log_file = tmp_path / "serve.log"
    with log_file.open("wb") as log:  # a file, not a pipe: a chatty DEBUG log must not block the server
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve", cwd=tmp_path, env=env,
                                                       stdout=log, stderr=log)
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(300):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.returncode is None, log_file.read_text()[-3000:]
                await asyncio.sleep(0.1)
        yield Served(process, url, port, log_file)
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)
