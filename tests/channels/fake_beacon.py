"""A fake drand relay: `/{chain hash}/public/{round}` answered in drand's JSON (round, randomness,
signature; randomness = SHA-256 of the signature, as drand computes it), so the bot's real HTTP client
(bot/beacon.py) fetches from it. Its signatures are made up (48 bytes, like quicknet's BLS
signatures on G1) and deterministic per round; `down` makes it answer nothing useful, `too_early`
answers 425 (as relays do for a round not published yet) that many times first, and `wrong` serves
a value that is not drand's."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.fairness import BEACON_CHAIN, BeaconValue
from tests.channels.local_server import LocalServer


def beacon_value(round_number: int, salt: str = "") -> BeaconValue:
    """What the fake publishes for a round (`salt` gives another, equally valid-looking value)."""
    signature = hashlib.sha384(f"fake drand round {round_number}{salt}".encode()).hexdigest()
    return BeaconValue(round_number, hashlib.sha256(bytes.fromhex(signature)).hexdigest(), signature)


async def fake_fetch(round_number: int) -> BeaconValue:
    """The fake's value without a server: for core tests that inject the fetch."""
    return beacon_value(round_number)


class FakeBeacon(LocalServer):
    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.too_early = 0
        self.wrong = False
        self.asked: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def routes(self) -> list[Route]:
        return [Route("/{chain}/public/{round:int}", self._public)]

    async def _public(self, request: Request) -> Response:
        number = request.path_params["round"]
        self.asked.append(number)
        if self.down:
            return Response("upstream unavailable", status_code=503)
        if request.path_params["chain"] != BEACON_CHAIN:
            return JSONResponse({"error": "unknown chain hash"}, status_code=404)
        if self.too_early:
            self.too_early -= 1
            return Response("Too Early", status_code=425)
        value = beacon_value(number)
        randomness = beacon_value(number + 1).randomness if self.wrong else value.randomness
        return JSONResponse({"round": value.round, "randomness": randomness, "signature": value.signature})
