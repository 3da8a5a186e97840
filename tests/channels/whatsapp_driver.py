"""Drive our real web app the way Twilio would (signed form POSTs) and read what went out through
the real twilio client to the fake Twilio API."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from bot.whatsapp import STATUS_PATH, WEBHOOK_PATH
from tests.channels.driver import Driver
from tests.channels.fake_twilio import FakeTwilio, incoming, sign

PUBLIC_URL = "https://rosca.example"


@dataclass
class WhatsAppDriver:
    client: httpx.AsyncClient
    twilio: FakeTwilio
    telegram: Driver  # shares the dispatcher, so one drain delivers to both apps

    async def post(self, path: str, params: dict[str, str], *, signature: str | None = "sign") -> httpx.Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature == "sign":
            signature = sign(PUBLIC_URL + path, params, FakeTwilio.AUTH_TOKEN)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        response = await self.client.post(path, content=urlencode(params), headers=headers)
        await self.telegram.dispatcher.drain()
        return response

    async def send(self, phone: str, body: str, *, name: str | None = None, **extra) -> str:
        """A member writes `body` from WhatsApp; returns the replies they got, joined."""
        address = f"whatsapp:{phone}"
        before = len(self.twilio.bodies_to(address))
        response = await self.post(WEBHOOK_PATH, incoming(address, body, profile_name=name, **extra))
        assert response.status_code == 200, response.text
        return "\n".join(self.twilio.bodies_to(address)[before:])

    async def status(self, params: dict[str, str]) -> httpx.Response:
        return await self.post(STATUS_PATH, params)

    def inbox(self, phone: str) -> list[str]:
        return self.twilio.bodies_to(f"whatsapp:{phone}")
