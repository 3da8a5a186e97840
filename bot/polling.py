"""Polling that confirms an update to Telegram only after handling it.

python-telegram-bot's own polling confirms a batch as soon as it asks for the next one, before the
batch is handled, so a crash loses everything fetched but not yet handled. Here the offset moves
past an update only once it is handled: after a crash Telegram hands the rest over again, and the
delivery log (core/inbox.py) makes sure nothing already handled acts twice.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application

log = logging.getLogger(__name__)
LONG_POLL_SECONDS = 25


async def poll(application: Application, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (by default: until SIGINT or SIGTERM)."""
    if stop is None:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.bot.delete_webhook()
    offset = None
    try:
        while not stop.is_set():
            fetch = asyncio.create_task(application.bot.get_updates(
                offset=offset, timeout=LONG_POLL_SECONDS, allowed_updates=Update.ALL_TYPES))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                fetch.cancel()
                break
            stopping.cancel()
            try:
                batch = fetch.result()
            except (NetworkError, TimedOut) as error:
                log.warning("getUpdates failed (%s); retrying", error)
                await asyncio.sleep(1)
                continue
            for update in batch:
                await application.process_update(update)
                offset = update.update_id + 1
    finally:
        if application.post_shutdown:
            await application.post_shutdown(application)
        await application.shutdown()


def run_polling(application: Application) -> None:
    asyncio.run(poll(application))
