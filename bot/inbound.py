"""Telegram updates from arrival to handling, in both modes (bot/polling.py, bot/web.py).

An arriving update is first recorded with its content (core/inbox.receive: one statement for a whole
batch), and Telegram is told at once that we have it: polling's offset moves on, the webhook answers
200. Then it waits for its turn in its chat's queue (ChatQueues): updates of one chat, or of one
person, are handled in the order they came; different chats, concurrently. So a group flooding the
bot, or waiting minutes on Telegram's 20-messages-a-minute group limit, delays nobody else, and
Telegram's webhook connections are never tied up by one slow chat.

Nothing is lost by answering early: an update recorded but not handled when the bot stops or
crashes is handed over again at the next start (`recover`), and the claim its change makes
(core/deliveries.py) means it acts once however often it is handled. When the database is away, an
update can't be recorded: it is handled all the same, so the sender hears "try again in a moment".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.ext import Application

from core.inbox import receive, unhandled
from handlers.telegram.common import TG, delivery_key

log = logging.getLogger(__name__)
DRAIN_SECONDS = 8  # stopping waits this long for the updates in hand: within docker stop's 10 s
CONCURRENCY = 256  # updates handled at once (the others wait for a turn): bounds the demand on the pool


class ChatQueues:
    """Handles each submitted update after the earlier ones of its chat and of its sender, with at
    most `concurrency` handled at once. Each update's task waits on the tasks before it that share a
    key, so a chat's queue costs nothing while it is empty."""

    def __init__(self, handle: Callable[[Update], Awaitable[None]], concurrency: int = CONCURRENCY) -> None:
        self._handle = handle
        self._turns = asyncio.Semaphore(concurrency)
        self._last: dict[tuple[str, int], asyncio.Task] = {}  # the latest task of each chat and sender
        self._tasks: set[asyncio.Task] = set()

    def submit(self, update: Update) -> None:
        keys = _keys(update)
        before = {self._last[key] for key in keys if key in self._last}
        task = asyncio.create_task(self._run(update, before))
        self._tasks.add(task)
        for key in keys:
            self._last[key] = task
        task.add_done_callback(lambda done: self._forget(done, keys))

    def _forget(self, task: asyncio.Task, keys: list[tuple[str, int]]) -> None:
        self._tasks.discard(task)
        for key in keys:
            if self._last.get(key) is task:
                del self._last[key]

    async def _run(self, update: Update, before: set[asyncio.Task]) -> None:
        if before:
            await asyncio.wait(before)
        async with self._turns:
            try:
                await self._handle(update)
            except Exception:  # process_update handles errors itself; this is a bug in that
                log.exception("update %s failed outside its handlers", update.update_id)

    @property
    def waiting(self) -> int:
        return len(self._tasks)

    async def drain(self, seconds: float | None = None) -> int:
        """Wait until every submitted update is handled (those submitted meanwhile included), or for
        `seconds`: the updates still waiting then are cancelled, and their number returned."""
        deadline = None if seconds is None else asyncio.get_running_loop().time() + seconds
        while self._tasks:
            left = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if left is not None and left <= 0:
                break
            await asyncio.wait(set(self._tasks), timeout=left)
        cut = set(self._tasks)
        for task in cut:
            task.cancel()
        await asyncio.gather(*cut, return_exceptions=True)
        return len(cut)


def _keys(update: Update) -> list[tuple[str, int]]:
    chat, sender = update.effective_chat, update.effective_user
    keys = ([("chat", chat.id)] if chat else []) + ([("user", sender.id)] if sender else [])
    return keys or [("update", update.update_id)]  # neither (a poll's state, say): a queue of its own


class Inbound:
    def __init__(self, application: Application, concurrency: int = CONCURRENCY) -> None:
        self.application = application
        self.queues = ChatQueues(application.process_update, concurrency)
        # An Application without our database (bench/throughput.py's baselines) records nothing.
        wired = application.bot_data.get("rosca")
        self.new_uow = wired.new_uow if wired is not None else None

    async def take(self, updates: list[Update], contents: list[dict[str, Any]] | None = None) -> None:
        """Record `updates` (`contents`: their JSON, if at hand) and queue the ones not seen before."""
        bot = self.application.bot
        keys = [delivery_key(bot, update) for update in updates]
        contents = contents or [update.to_dict() for update in updates]
        try:
            fresh = (await receive(self.new_uow(), TG, list(zip(keys, contents, strict=True)))
                     if self.new_uow is not None else set(keys))
        except DBAPIError:
            log.warning("could not record %d update(s): the database is away; answering them now", len(updates))
            fresh = set(keys)
        for key, update in zip(keys, updates, strict=True):
            if key in fresh:
                self.queues.submit(update)

    async def recover(self) -> None:
        """Queue the updates recorded but never handled (the bot stopped or crashed first)."""
        if self.new_uow is None:
            return
        bot = self.application.bot
        left = await unhandled(self.new_uow(), TG, delivery_key(bot, None))
        if left:
            log.info("handling %d update(s) received before the last stop", len(left))
        for content in left:
            self.queues.submit(Update.de_json(content, bot))

    async def drain(self) -> None:
        """Finish the updates in hand, for up to DRAIN_SECONDS (a group waiting on Telegram's limit
        can take minutes). Cut short, an update changed nothing yet, or its change is committed and
        only a reply is lost: the rest stay recorded and are handled at the next start."""
        if left := await self.queues.drain(DRAIN_SECONDS):
            log.warning("stopping with %d update(s) not handled yet: they are handled at the next start", left)
