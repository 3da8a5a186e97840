"""Retrying the Bot API, without ever posting one message twice."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)
ATTEMPTS = 4
BACKOFF = 0.5  # seconds before the second attempt; doubles after that
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class RetryingRequest(HTTPXRequest):
    """Retries what surely did not reach Telegram (no connection) and what Telegram itself failed
    (5xx), with backoff. A timeout while waiting for the answer is NOT retried: the message may
    well be in the group already, and a second copy is worse than a missing "sent" receipt.
    Flood control (429) is the rate limiter's job (it honours retry_after)."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                code, payload = await super().do_request(*args, **kwargs)
            except (TimedOut, NetworkError) as error:
                if attempt == ATTEMPTS or not isinstance(error.__cause__, NOT_SENT):
                    raise
                log.warning("Bot API unreachable (%s); retrying", error.__cause__.__class__.__name__)
            else:
                if code < 500 or attempt == ATTEMPTS:
                    return code, payload
                log.warning("Bot API answered %s; retrying", code)
            await asyncio.sleep(BACKOFF * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # the loop always returns or raises
