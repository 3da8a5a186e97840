from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.telegram import build_application
from core.models import Channel
from handlers.telegram.delivery import TelegramSender
from tests.channels.driver import Driver
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as tg:
        yield tg


@pytest.fixture
async def bot(fake_telegram, new_uow, engine, clock):
    """Our real Application (handlers, error handler, database) talking HTTP to the fake Bot API."""
    settings = Settings(database_url=None, data_dir=Path("."), telegram_token=FakeTelegram.TOKEN,
                        telegram_api_url=fake_telegram.base_url.removesuffix("/bot"), telegram_rate_limit=False)
    app = build_application(settings, new_uow)
    dispatcher = Dispatcher(engine, {Channel.TELEGRAM: TelegramSender(app.bot)}, clock=clock)
    await app.initialize()
    yield Driver(app, fake_telegram, dispatcher)
    await app.shutdown()


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio() as twilio:
        yield twilio
