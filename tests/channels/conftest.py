from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.telegram import build_application
from bot.web import create_web_app
from bot.whatsapp import twilio_client, whatsapp_routes, whatsapp_sender
from core.models import Channel
from handlers.telegram.delivery import TelegramSender
from tests.channels.driver import Driver
from tests.channels.fake_beacon import FakeBeacon
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio
from tests.channels.whatsapp_driver import PUBLIC_URL, WhatsAppDriver


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as tg:
        yield tg


@pytest.fixture
async def fake_beacon() -> AsyncIterator[FakeBeacon]:
    async with FakeBeacon() as beacon:
        yield beacon


@pytest.fixture
async def bot(fake_telegram, fake_beacon, new_uow, engine, clock):
    """Our real Application (handlers, error handler, database) talking HTTP to the fake Bot API and
    the fake drand beacon."""
    settings = Settings(database_url=None, data_dir=Path("."), telegram_token=FakeTelegram.TOKEN,
                        telegram_api_url=fake_telegram.base_url.removesuffix("/bot"), telegram_rate_limit=False,
                        drand_url=fake_beacon.url)
    app = build_application(settings, new_uow)
    dispatcher = Dispatcher(engine, {Channel.TELEGRAM: TelegramSender(app.bot)}, clock=clock)
    await app.initialize()
    yield Driver(app, fake_telegram, dispatcher)
    await app.shutdown()


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio() as twilio:
        yield twilio


@pytest.fixture
async def whatsapp(bot, fake_twilio, fake_beacon, new_uow, engine, clock):
    """The real web app's WhatsApp routes, with the real twilio client talking to the fake Twilio API;
    the Telegram driver's dispatcher delivers to both apps."""
    settings = Settings(database_url=None, data_dir=Path("."), public_url=PUBLIC_URL,
                        twilio_account_sid=FakeTwilio.ACCOUNT_SID, twilio_auth_token=FakeTwilio.AUTH_TOKEN,
                        twilio_whatsapp_from=FakeTwilio.FROM, twilio_api_url=fake_twilio.base_url,
                        twilio_messages_per_second=1000, drand_url=fake_beacon.url)
    client = twilio_client(settings)
    bot.dispatcher.senders[Channel.WHATSAPP] = whatsapp_sender(settings, client, clock)
    web = create_web_app(engine, None, public_url=PUBLIC_URL, webhook_secret=None,
                         routes=whatsapp_routes(settings, new_uow, bot.dispatcher.wake.set))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as http:
        yield WhatsAppDriver(http, fake_twilio, bot)
    await client.http_client.close()
