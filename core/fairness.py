"""Draws that nobody, the organizer included, can steer, and that anyone can check afterwards.

When a cycle opens the bot makes a secret seed and publishes its SHA-256 commitment together with
the sorted list of eligible member ids. The draw later uses only those published inputs and then
reveals the seed. Because the commitment is public before anyone can influence the draw, a seed
chosen after the fact would not match it, and because the eligible list is public too, nobody can
be quietly added or left out. `core/verify_draw.py` (one stdlib-only file) replays a draw from the published values.

The seed sits in the bot's database, so on its own it would let whoever runs the bot know the winner
from the moment the cycle opens, or try seeds until one favours a relative. So the cycle also fixes,
when it opens, a future round of the drand beacon (a public random number the League of Entropy
publishes every 3 seconds, which nobody can know or choose in advance). The draw's key is
SHA-256(seed || that round's randomness): unknown to everyone, the operator included, until the round
is published, by which time the seed and the eligible list are long committed. drand's randomness is
SHA-256 of the round's BLS signature, which anyone can fetch from any drand relay.

Ids are canonical (lowercase, hyphenated) UUID strings: that makes the message below unambiguous
(no id can contain "|" or ",") and gives every verifier the same sort order.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

_SEED_BYTES = 32
_HEX_256 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"(?:[0-9a-f]{2})+")
_DOMAIN = "rosca-draw-v1"
_SPACE = 2**256  # HMAC-SHA256 outputs are read as integers in [0, 2**256)

# drand "quicknet", the League of Entropy's unchained 3-second chain (see `drand.love`).
BEACON_CHAIN = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
BEACON_GENESIS = 1692803367  # Unix time of round 1
BEACON_PERIOD = 3  # seconds between rounds
# The round is chosen this far after the cycle opens, so a clock a little fast or slow still picks
# a round nobody has seen when the seed is committed.
BEACON_MARGIN = 10


def new_seed() -> str:
    """A fresh secret for one draw; `secrets` so it cannot be predicted from earlier seeds."""
    return secrets.token_bytes(_SEED_BYTES).hex()


def commitment(seed_hex: str) -> str:
    """What is published when the cycle opens, binding the bot to the seed it will reveal."""
    return hashlib.sha256(_seed_bytes(seed_hex)).hexdigest()


def seed_matches(seed_hex: str, commitment_hex: str) -> bool:
    """Whether a revealed seed is the one committed to (both as lowercase hex)."""
    if not isinstance(commitment_hex, str) or not _HEX_256.fullmatch(commitment_hex):
        raise ValueError("commitment must be 64 lowercase hex characters")
    return commitment(seed_hex) == commitment_hex


def beacon_round_after(moment: datetime) -> int:
    """The first beacon round published more than BEACON_MARGIN seconds after `moment`."""
    elapsed = int(moment.timestamp()) + BEACON_MARGIN - BEACON_GENESIS
    return max(elapsed // BEACON_PERIOD + 2, 1)


def beacon_round_time(round_number: int) -> int:
    """When the round is published (Unix time)."""
    return BEACON_GENESIS + (round_number - 1) * BEACON_PERIOD


@dataclass(frozen=True)
class BeaconValue:
    """One beacon round as drand publishes it; refuses a randomness that is not SHA-256(signature)."""

    round: int
    randomness: str
    signature: str

    def __post_init__(self) -> None:
        if isinstance(self.round, bool) or not isinstance(self.round, int) or self.round < 1:
            raise ValueError(f"not a beacon round: {self.round!r}")
        if not isinstance(self.signature, str) or not _HEX.fullmatch(self.signature):
            raise ValueError("signature must be lowercase hex")
        if hashlib.sha256(bytes.fromhex(self.signature)).hexdigest() != self.randomness:
            raise ValueError("randomness is not the SHA-256 of the signature")


def draw_key(seed_hex: str, randomness_hex: str | None = None) -> str:
    """The draw's HMAC key: SHA-256(seed || beacon randomness), or the seed itself for a draw made
    without the beacon (cycles opened before it, or a draw the beacon could not reach)."""
    seed = _seed_bytes(seed_hex)
    if randomness_hex is None:
        return seed_hex
    return hashlib.sha256(seed + _seed_bytes(randomness_hex)).hexdigest()


def draw_message(circle_id: str, cycle_number: int, eligible_ids: Sequence[str]) -> bytes:
    """The exact bytes a draw depends on, so an independent verifier can rebuild them."""
    _require_uuid(circle_id)
    if isinstance(cycle_number, bool) or not isinstance(cycle_number, int) or cycle_number < 1:
        raise ValueError(f"cycle_number must be an integer >= 1, got {cycle_number!r}")
    ordered = _sorted_unique(eligible_ids)
    return f"{_DOMAIN}|{circle_id}|{cycle_number}|{','.join(ordered)}".encode()


def draw_index(seed_hex: str, message: bytes, n: int) -> int:
    """A uniform index in [0, n): HMAC outputs past the last whole multiple of n are skipped,
    because folding them in with `%` would favour the low indexes."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= _SPACE:
        raise ValueError(f"n must be an integer in 1..2**256, got {n!r}")
    key = _seed_bytes(seed_hex)
    counter = 0
    while True:
        block = hmac.new(key, message + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        x = int.from_bytes(block, "big")
        if _accept(x, n):
            return x % n
        counter += 1


def _accept(x: int, n: int) -> bool:
    return x < (_SPACE // n) * n


def pick_winner(seed_hex: str, circle_id: str, cycle_number: int, eligible_ids: Sequence[str],
                randomness_hex: str | None = None) -> str:
    """The member who receives this cycle's pot; independent of the order ids are given in."""
    ordered = sorted(eligible_ids)
    message = draw_message(circle_id, cycle_number, ordered)
    return ordered[draw_index(draw_key(seed_hex, randomness_hex), message, len(ordered))]


def draw_order(seed_hex: str, circle_id: str, member_ids: Sequence[str]) -> list[str]:
    """A whole payout order from one seed, for circles that fix the order at the start.

    Cycle k is drawn among the members not yet placed, exactly as a cycle-by-cycle draw with
    the same seed would, so one verifier covers both styles.
    """
    remaining = _sorted_unique(member_ids)
    order = []
    for cycle_number in range(1, len(remaining) + 1):
        winner = pick_winner(seed_hex, circle_id, cycle_number, remaining)
        order.append(winner)
        remaining.remove(winner)
    return order


@dataclass(frozen=True)
class DrawProof:
    """Everything published about one draw; `verify` replays it."""

    circle_id: str
    cycle_number: int
    eligible_ids: tuple[str, ...]
    commitment: str
    seed: str
    beacon: BeaconValue | None = None  # None: drawn without the beacon

    def verify(self) -> str:
        """The winner these values produce, refused when the seed is not the committed one."""
        if not seed_matches(self.seed, self.commitment):
            raise ValueError("seed does not match commitment")
        randomness = self.beacon.randomness if self.beacon else None
        return pick_winner(self.seed, self.circle_id, self.cycle_number, self.eligible_ids, randomness)


def _seed_bytes(seed_hex: str) -> bytes:
    # Stricter than bytes.fromhex, which also takes spaces and uppercase: one spelling per seed.
    if not isinstance(seed_hex, str) or not _HEX_256.fullmatch(seed_hex):
        raise ValueError("seed must be 64 lowercase hex characters")
    return bytes.fromhex(seed_hex)


def _require_uuid(value: str) -> None:
    try:
        canonical = str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        canonical = None
    if canonical != value:
        raise ValueError(f"not a canonical lowercase UUID: {value!r}")


def _sorted_unique(ids: Sequence[str]) -> list[str]:
    ordered = sorted(ids)
    if not ordered:
        raise ValueError("no eligible members")
    if len(set(ordered)) != len(ordered):
        raise ValueError("duplicate member ids")
    for member_id in ordered:
        _require_uuid(member_id)
    return ordered
