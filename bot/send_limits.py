"""Telegram's send limits, with two lanes: a reply to someone who just tapped does not queue behind
reminders to ten thousand circles, and the reminders still go out while people tap.

Telegram allows a bot about 30 messages a second overall and 20 a minute in each group. Every Bot API
call that names a chat waits for its group's budget (groups only), then for the overall budget; there the
interactive lane goes first, but the bulk lane gets at least one slot in BULK_EVERY while it has waiters.
Calls that name no chat (answerCallbackQuery, getMe, setWebhook...) are not paced: Telegram does not count
them as messages, and answerCallbackQuery stops the spinner on the button someone just pressed.

A RetryAfter (Telegram's flood control) pauses all paced sends for retry_after, then the call is retried,
up to max_retries times, as python-telegram-bot's AIORateLimiter does."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot import lanes

log = logging.getLogger(__name__)
# Telegram: about 30 messages a second overall and 20 a minute per group.
OVERALL_PER_SECOND, GROUP_PER_MINUTE = 30, 20
BULK_EVERY = 5  # bulk gets at least 1 in 5 overall slots while it waits: 6/s at the cap
MAX_RETRIES = 3
IDLE_GROUPS_KEPT = 512  # above this many group budgets, forget those with nothing to remember
_SLACK = 1e-9  # float rounding: a slot due "now" must count as free now, or the timer would spin

Result = bool | dict[str, Any] | list[dict[str, Any]]


class ShutDown(NetworkError):
    """A send still waiting for its turn when the bot shuts down. A NetworkError, so callers treat it like
    any send that did not get through (the outbox tries again later)."""

    def __init__(self) -> None:
        super().__init__("the bot is shutting down: not sent")


class Budget:
    """`rate` sends per `period` seconds, in bursts of up to `rate` (a leaky bucket, like aiolimiter's),
    handed out to waiters by lane: interactive first, bulk at least one in BULK_EVERY.

    Waiters are futures the budget resolves from one timer set for when the next slot frees up, so
    nothing polls."""

    def __init__(self, rate: float, period: float) -> None:
        self._capacity, self._leak_per_second = rate, rate / period
        self._level, self._leaked_at = 0.0, 0.0
        self._paused_until = 0.0
        self._waiters: dict[str, deque[asyncio.Future[None]]] = {lanes.INTERACTIVE: deque(), lanes.BULK: deque()}
        self._interactive_in_a_row = 0  # while bulk waits
        self._timer: asyncio.TimerHandle | None = None

    async def take(self, lane: str, *, first: bool = False) -> None:
        """Wait for a slot in `lane`; `first` puts a retry at the head of its lane, since it waited once."""
        loop = asyncio.get_running_loop()
        if not self._waiting() and self._has_room(loop.time()):
            self._level += 1
            return
        waiter = loop.create_future()
        (self._waiters[lane].appendleft if first else self._waiters[lane].append)(waiter)
        self._set_timer(loop)
        try:
            await waiter
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):  # already handed a slot: it goes unused, which is safe
                self._waiters[lane].remove(waiter)
            raise

    def pause(self, seconds: float) -> None:
        """Hand out no slot for `seconds` (flood control); a longer pause already running stands."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    def idle(self, now: float) -> bool:
        self._leak(now)
        return not self._waiting() and self._level == 0

    def close(self) -> None:
        """Fail every waiter: nothing will hand them a slot any more."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for queue in self._waiters.values():
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_exception(ShutDown())

    def _waiting(self) -> bool:
        return any(self._waiters.values())

    def _leak(self, now: float) -> None:
        self._level = max(0.0, self._level - (now - self._leaked_at) * self._leak_per_second)
        self._leaked_at = now

    def _has_room(self, now: float) -> bool:
        self._leak(now)
        return now >= self._paused_until and self._level + 1 <= self._capacity + _SLACK

    def _set_timer(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is None and self._waiting():
            free_at = self._leaked_at + max(0.0, self._level + 1 - self._capacity) / self._leak_per_second
            self._timer = loop.call_at(max(free_at, self._paused_until), self._hand_out, loop)

    def _hand_out(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        while self._waiting() and self._has_room(loop.time()):
            self._level += 1
            self._next_waiter().set_result(None)
        self._set_timer(loop)

    def _next_waiter(self) -> asyncio.Future[None]:
        interactive, bulk = self._waiters[lanes.INTERACTIVE], self._waiters[lanes.BULK]
        if interactive and not (bulk and self._interactive_in_a_row >= BULK_EVERY - 1):
            self._interactive_in_a_row += 1 if bulk else 0
            return interactive.popleft()
        self._interactive_in_a_row = 0
        return bulk.popleft()


class LaneLimiter(BaseRateLimiter[int]):
    """python-telegram-bot's hook for every Bot API call (but getUpdates). rate_limit_args, if given, is the
    number of retries after a RetryAfter, as for AIORateLimiter."""

    def __init__(self, *, overall_rate: float = OVERALL_PER_SECOND, overall_period: float = 1,
                 group_rate: float = GROUP_PER_MINUTE, group_period: float = 60,
                 max_retries: int = MAX_RETRIES) -> None:
        self._overall = Budget(overall_rate, overall_period)
        self._group_rate, self._group_period = group_rate, group_period
        self._groups: dict[int | str, Budget] = {}
        self._max_retries = max_retries
        self._closed = False

    async def initialize(self) -> None:
        self._closed = False

    async def shutdown(self) -> None:
        self._closed = True
        for budget in (self._overall, *self._groups.values()):
            budget.close()
        self._groups.clear()

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Result]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Result:
        max_retries = rate_limit_args or self._max_retries
        chat_id = data.get("chat_id")
        for attempt in itertools.count():
            if chat_id is not None:
                await self._wait_turn(chat_id, retry=attempt > 0)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == max_retries:
                    log.warning("%s: still flood-limited after %d retries", endpoint, max_retries)
                    raise
                # The public retry_after warns about its coming type change; AIORateLimiter reads this too.
                seconds = error._retry_after.total_seconds() + 0.1
                log.info("%s: flood control, pausing sends for %.1f s", endpoint, seconds)
                self._overall.pause(seconds)  # the limit is the bot's, so every paced send waits
                await asyncio.sleep(seconds)

    async def _wait_turn(self, chat_id: int | str, *, retry: bool) -> None:
        """The group's slot first, then the overall one: a group waiting out its minute holds no overall
        slot, so it slows no other chat."""
        if self._closed:
            raise ShutDown()
        lane = lanes.current.get()
        group = _group_of(chat_id)
        if group is not None and self._group_rate:
            await self._group_budget(group).take(lane, first=retry)
        await self._overall.take(lane, first=retry)

    def _group_budget(self, group: int | str) -> Budget:
        if group not in self._groups and len(self._groups) >= IDLE_GROUPS_KEPT:
            now = asyncio.get_running_loop().time()
            self._groups = {key: budget for key, budget in self._groups.items() if not budget.idle(now)}
        if group not in self._groups:
            self._groups[group] = Budget(self._group_rate, self._group_period)
        return self._groups[group]


def _group_of(chat_id: int | str) -> int | str | None:
    """Groups and supergroups have negative ids; '@name' addresses a channel or supergroup (which we can't
    tell from one another, so both get a group's budget). Private chats are positive."""
    with contextlib.suppress(ValueError, TypeError):
        chat_id = int(chat_id)
    if isinstance(chat_id, int):
        return chat_id if chat_id < 0 else None
    return chat_id


class LanePacer:
    """`rate` sends a second for a sender with no per-chat limits (Twilio's WhatsApp sender): awaited
    before each send, in the lane the send runs in, so replies go ahead of reminders there too."""

    def __init__(self, rate: float) -> None:
        self._budget = Budget(rate, 1)

    async def __call__(self) -> None:
        await self._budget.take(lanes.current.get())
