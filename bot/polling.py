"""Polling: getUpdates in a loop, each batch recorded before the next call confirms it to Telegram.

python-telegram-bot's own polling confirms a batch as soon as it asks for the next one, before the
batch is handled, so a crash loses everything fetched but not yet handled. Here a batch is recorded
in the database first (bot/inbound.py), then confirmed and handled in its chats' queues while the
next batch is fetched: one chat's backlog never holds up the others, nor the polling, and after a
crash whatever was recorded but not handled is handled at the next start.

When getUpdates fails (Telegram or the network down), the next try waits longer each time: 1 s,
2 s, 4 s … up to a minute, and one warning is written per step, not per try.

Stopping (SIGINT, SIGTERM) stops fetching, finishes the updates in hand and shuts down; if that takes
longer than SHUTDOWN_SECONDS, the bot writes where every thread stands and exits anyway. Nothing is
lost by that: what was handled is committed, and what was not is handled at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import signal
import sys
import threading
from collections.abc import Coroutine
from typing import Any

import uvicorn
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application

from bot.inbound import Inbound

log = logging.getLogger(__name__)
LONG_POLL_SECONDS = 25
FIRST_RETRY, MAX_RETRY = 1.0, 60.0  # seconds
SHUTDOWN_SECONDS = 20  # under docker's and systemd's patience; a long poll ends sooner than this


async def poll(application: Application, stop: asyncio.Event | None = None, *,
               first_retry: float = FIRST_RETRY, max_retry: float = MAX_RETRY) -> None:
    """Run until `stop` is set (by default: until SIGINT or SIGTERM)."""
    if stop is None:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, _stopping, stop)
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.bot.delete_webhook()
    inbound = Inbound(application)
    offset, wait, failures = None, 0.0, 0
    try:
        await inbound.recover()
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
                failures += 1
                longer = min(max(wait * 2, first_retry), max_retry)
                if longer != wait:  # a new step; at the cap, the tries go on quietly
                    log.warning("getUpdates failed (%s); retrying in %g s", error, longer)
                wait = longer
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)
                continue
            if failures:
                log.info("getUpdates works again after %d failed tries", failures)
                wait, failures = 0.0, 0
            await inbound.take(batch)
            if batch:
                offset = batch[-1].update_id + 1
    finally:
        await inbound.drain()
        if application.post_shutdown:
            await application.post_shutdown(application)
        await application.shutdown()


def _stopping(stop: asyncio.Event) -> None:
    """A stop was asked for: from now on, a shutdown that hangs ends the process after a while."""
    if not stop.is_set():
        stop.set()
        deadline = threading.Timer(SHUTDOWN_SECONDS, _give_up)
        deadline.daemon = True  # a shutdown that finishes in time exits without waiting for it
        deadline.start()


def _give_up() -> None:
    log.error("shutdown took more than %d s; exiting anyway (where each thread stood follows)", SHUTDOWN_SECONDS)
    faulthandler.dump_traceback(sys.stderr, all_threads=True)
    os._exit(1)


def run_polling(application: Application, side: uvicorn.Server | None = None) -> None:
    """`side`: a web server to run as long as polling does (METRICS_PORT's /healthz and /metrics)."""
    asyncio.run(_with_side_server(poll(application), side))


async def _with_side_server(polling: Coroutine[Any, Any, None], side: uvicorn.Server | None) -> None:
    serving = asyncio.create_task(side.serve()) if side is not None else None
    try:
        await polling
    finally:
        if serving is not None:
            side.should_exit = True
            await serving
