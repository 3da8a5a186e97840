"""The drand beacon over HTTP: one round's public random number, for a draw (core/fairness.py).

Called before the draw's transaction opens, never inside it. Any relay serves the same values and
they are checked here (and again in core) for the right round and randomness = SHA-256(signature);
the BLS signature itself is not verified (that needs a pairing library), which is why families can
compare the round with any drand relay themselves.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from core.errors import BeaconUnavailable
from core.fairness import BEACON_CHAIN, BEACON_PERIOD, BeaconValue

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5.0
# A draw right after its cycle opened asks for a round a few seconds ahead: relays answer 425 Too Early
# (or 404) until it exists, so wait for it, at most this long.
WAIT_FOR_ROUND_SECONDS = 20.0


class DrandBeacon:
    """`await beacon(round)` → BeaconValue, or BeaconUnavailable."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    async def __call__(self, round_number: int) -> BeaconValue:
        address = f"{self.url}/{BEACON_CHAIN}/public/{round_number}"
        waited = 0.0
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
            while True:
                try:
                    response = await http.get(address)
                except httpx.HTTPError as error:
                    log.warning("beacon round %d unreachable: %s", round_number, type(error).__name__)
                    raise BeaconUnavailable(round=round_number) from None
                if response.status_code in (404, 425) and waited < WAIT_FOR_ROUND_SECONDS:
                    await asyncio.sleep(BEACON_PERIOD)
                    waited += BEACON_PERIOD
                    continue
                return _value(response, round_number)


def _value(response: httpx.Response, round_number: int) -> BeaconValue:
    try:
        response.raise_for_status()
        body = response.json()
        value = BeaconValue(round=body["round"], randomness=body["randomness"], signature=body["signature"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        log.warning("beacon round %d: unusable answer (%s)", round_number, type(error).__name__)
        raise BeaconUnavailable(round=round_number) from None
    if value.round != round_number:
        log.warning("beacon round %d: the relay answered round %s", round_number, value.round)
        raise BeaconUnavailable(round=round_number)
    return value
