r"""Check a savings-circle draw yourself: no bot, no bot source, only Python 3.8+ and this one file.

The bot sends this file ("Get the checker") and a small JSON file per draw. Then:

    python3 verify_draw.py draw-3.json           # a file the bot sent (or its https:// link)
    python3 verify_draw.py order-drawn.json      # a payout order drawn when the circle started

or with the values typed out:

    python3 verify_draw.py draw --circle CIRCLE_UUID --cycle N \
        --eligible ID1,ID2,... --commitment HEX --seed HEX \
        [--round R --signature HEX] [--expect-winner ID]
    python3 verify_draw.py order --circle CIRCLE_UUID \
        --members ID1,ID2,... --commitment HEX --seed HEX [--expect-order ID1,ID2,...]

How a draw works: before anyone paid, the bot chose a secret 32-byte seed and published its
SHA-256 "commitment", and named a round of the drand beacon (the League of Entropy's public random
number, every 3 seconds, chain "quicknet") published just after. At the draw it revealed the seed
and used that round's randomness. The winner is
sorted(eligible)[HMAC-SHA256(key, "rosca-draw-v1|<circle>|<cycle>|<sorted ids>" + counter)]
with key = SHA-256(seed || randomness), read as a number and mapped to an index without favouring
anyone (numbers past the last whole multiple of the member count are skipped). Draws of cycles
opened before the bot used the beacon, or made without it when it couldn't be reached (the file
then says so), use key = seed. A payout order drawn at the start is cycle 1, 2, ... drawn this way
(key = seed) among the members not yet placed.

What this file checks about the beacon: that the randomness is SHA-256 of the round's signature, as
drand defines it, and that the result follows from it. It does not check the signature itself (that
needs a BLS pairing library); instead compare the round with any drand relay, e.g.
https://api.drand.sh/<chain>/public/<round> or https://drand.cloudflare.com/<chain>/public/<round>:
the same signature means the League of Entropy published it, at the time printed below, which
should be after the cycle opened (the "cycle is open" message), so nobody knew it when the seed was
locked in.

Exit status: 0 everything checks out; 1 the seed does not match the commitment, the beacon value
is not drand's, or the result differs from what was announced; 2 the input is malformed.

Why this is a copy: the bot computes draws in core/fairness.py. This file repeats that algorithm
(and nothing else) so a family can check a draw without installing or trusting the bot.
tests/unit/test_verify_draw.py pins the two together: they must agree on many random draws, and
this file must run with the standard library alone (python -I -S), on Python 3.8 syntax.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import time
import urllib.request
import uuid

DOMAIN = "rosca-draw-v1"
SPACE = 2**256  # HMAC-SHA256 outputs read as integers in [0, 2**256)
BEACON_CHAIN = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"  # drand quicknet
BEACON_GENESIS, BEACON_PERIOD = 1692803367, 3  # round 1's Unix time, seconds between rounds


# --- the algorithm (the same as core/fairness.py) ---------------------------------------------------
def commitment(seed_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def draw_message(circle_id: str, cycle_number: int, eligible_ids: list) -> bytes:
    return "{}|{}|{}|{}".format(DOMAIN, circle_id, cycle_number, ",".join(sorted(eligible_ids))).encode()


def draw_index(seed_hex: str, message: bytes, n: int) -> int:
    key, counter, limit = bytes.fromhex(seed_hex), 0, (SPACE // n) * n
    while True:
        block = hmac.new(key, message + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        x = int.from_bytes(block, "big")
        if x < limit:
            return x % n
        counter += 1


def draw_key(seed_hex: str, randomness_hex=None) -> str:
    if randomness_hex is None:
        return seed_hex
    return hashlib.sha256(bytes.fromhex(seed_hex) + bytes.fromhex(randomness_hex)).hexdigest()


def beacon_randomness(signature_hex: str) -> str:
    """drand's randomness for a round: SHA-256 of its signature."""
    return hashlib.sha256(bytes.fromhex(signature_hex)).hexdigest()


def round_time(round_number: int) -> str:
    moment = time.gmtime(BEACON_GENESIS + (round_number - 1) * BEACON_PERIOD)
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", moment)


def pick_winner(seed_hex: str, circle_id: str, cycle_number: int, eligible_ids: list, randomness_hex=None) -> str:
    ordered = sorted(eligible_ids)
    key = draw_key(seed_hex, randomness_hex)
    return ordered[draw_index(key, draw_message(circle_id, cycle_number, ordered), len(ordered))]


def draw_order(seed_hex: str, circle_id: str, member_ids: list) -> list:
    remaining, order = sorted(member_ids), []
    for cycle_number in range(1, len(remaining) + 1):
        winner = pick_winner(seed_hex, circle_id, cycle_number, remaining)
        order.append(winner)
        remaining.remove(winner)
    return order


# --- reading what the bot published -------------------------------------------------------------------
class BadInput(ValueError):
    pass


def canonical_id(text: str) -> str:
    try:
        return str(uuid.UUID(str(text).strip()))
    except ValueError:
        raise BadInput("not an id: {!r}".format(text)) from None


def id_list(values) -> list:
    ids = [canonical_id(v) for v in values]
    if not ids:
        raise BadInput("no member ids")
    if len(set(ids)) != len(ids):
        raise BadInput("the same id is listed twice")
    return ids


def hex256(text: str) -> str:
    value = str(text).strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise BadInput("expected 64 hex characters, got {!r}".format(text))
    return value


def signature_hex(text) -> str:
    value = str(text).strip().lower()
    if not value or len(value) % 2 or any(c not in "0123456789abcdef" for c in value):
        raise BadInput("expected a hex signature, got {!r}".format(text))
    return value


def beacon_of(data: dict):
    """The draw file's beacon: None (a cycle without one), or (round, randomness or None, signature or None)."""
    beacon = data.get("beacon")
    if beacon is None:
        return None
    if not isinstance(beacon, dict) or beacon.get("chain", BEACON_CHAIN) != BEACON_CHAIN:
        raise BadInput("the beacon is not drand quicknet ({})".format(BEACON_CHAIN))
    number = cycle_number(beacon.get("round"))
    if beacon.get("signature") is None:
        return number, None, None
    return number, hex256(beacon.get("randomness")), signature_hex(beacon["signature"])


def cycle_number(text) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = 0
    if value < 1:
        raise BadInput("expected a cycle number >= 1, got {!r}".format(text))
    return value


def load(source: str) -> dict:
    """A JSON file the bot sent, from disk or from its https:// link."""
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 (the user's own link)
            raw = response.read()
    else:
        with open(source, "rb") as handle:
            raw = handle.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise BadInput("{} is not a draw file (not JSON)".format(source)) from None
    if not isinstance(data, dict) or data.get("kind") not in ("draw", "order"):
        raise BadInput("{} is not a draw file".format(source))
    return data


# --- the report ---------------------------------------------------------------------------------------
def check(data: dict) -> int:
    """Print what the published values show; 0 consistent, 1 not, 2 malformed or not revealed yet."""
    names = data.get("names") or {}
    circle = canonical_id(data.get("circle"))
    promised = hex256(data.get("commitment"))
    if not data.get("seed"):
        print("commitment: {}".format(promised))
        print("The secret number is revealed at the draw; check again once it has happened.")
        return 2
    seed = hex256(data["seed"])

    def who(member_id: str) -> str:
        return "{} ({})".format(names[member_id], member_id) if member_id in names else member_id

    print("commitment:    {}".format(promised))
    print("sha256(seed):  {}".format(commitment(seed)))
    matches = commitment(seed) == promised
    print("seed matches commitment: {}".format("yes" if matches else "NO"))
    if not matches:
        print("NOT OK: this seed is not the one the bot locked in beforehand, so the result proves nothing.")
        return 1
    if data["kind"] == "draw":
        number = cycle_number(data.get("cycle"))
        ordered = sorted(id_list(data.get("eligible") or []))
        beacon = beacon_of(data)
        randomness = check_beacon(beacon)
        if randomness is False:
            return 1
        print("key:           {}".format(draw_key(seed, randomness)))
        print("message:       {}".format(draw_message(circle, number, ordered).decode()))
        print("eligible (sorted):")
        for index, member_id in enumerate(ordered):
            print("  [{}] {}".format(index, who(member_id)))
        winner = pick_winner(seed, circle, number, ordered, randomness)
        print("winner: [{}] {}".format(ordered.index(winner), who(winner)))
        announced = [canonical_id(data["winner"])] if data.get("winner") else None
        return verdict("winner", [winner], announced, "cycle {}: {} receives the pot".format(number, who(winner)))
    order = draw_order(seed, circle, id_list(data.get("members") or []))
    print("payout order:")
    for number, member_id in enumerate(order, start=1):
        print("  cycle {}: {}".format(number, who(member_id)))
    announced = id_list(data["order"]) if data.get("order") else None
    return verdict("order", order, announced, "the payout order follows from the seed")


def check_beacon(beacon):
    """Print what the beacon shows; the randomness to mix in, None for none, False when it is not drand's."""
    if beacon is None:
        print("public random number: none (this cycle opened before the bot used one): key = seed")
        return None
    number, randomness, signature = beacon
    print("public random number: drand quicknet round {}, published {}".format(number, round_time(number)))
    if signature is None:
        print("NOTE: this draw was made WITHOUT the public random number (it couldn't be reached), so the "
              "result rests on the seed alone: the organizer couldn't choose it, but whoever runs the bot "
              "could have known it before the draw. key = seed")
        return None
    print("signature:     {}".format(signature))
    print("randomness:    {}".format(randomness))
    print("sha256(signature): {}".format(beacon_randomness(signature)))
    if beacon_randomness(signature) != randomness:
        print("randomness matches signature: NO")
        print("NOT OK: this randomness is not the SHA-256 of the round's signature, so it is not drand's.")
        return False
    print("randomness matches signature: yes")
    print("Compare the signature with any drand relay: https://api.drand.sh/{}/public/{}".format(BEACON_CHAIN, number))
    return randomness


def verdict(what: str, actual: list, announced, summary: str) -> int:
    if announced is None:
        print("OK: the seed matches the commitment; {}.".format(summary))
        return 0
    if actual == announced:
        print("expected {}: matches".format(what))
        print("OK: the seed matches the commitment and the {} is the one the bot announced; {}.".format(what, summary))
        return 0
    print("expected {}: DIFFERS (published {})".format(what, ", ".join(announced)))
    print("NOT OK: the {} the bot announced is not the one these values produce.".format(what))
    return 1


def arguments(argv: list) -> dict:
    """The typed-out form, read into the same shape as a draw file."""
    def typed(parse):
        def read(text: str):
            try:
                return parse(text)
            except BadInput as error:
                raise argparse.ArgumentTypeError(str(error)) from None
        return read

    published = argparse.ArgumentParser(add_help=False)
    published.add_argument("--circle", type=typed(canonical_id), required=True, metavar="UUID")
    published.add_argument("--commitment", type=typed(hex256), required=True, metavar="HEX")
    published.add_argument("--seed", type=typed(hex256), required=True, metavar="HEX")
    parser = argparse.ArgumentParser(prog="verify_draw.py", description="Check a savings-circle draw. "
                                     "Give the JSON file the bot sent, or the values:")
    commands = parser.add_subparsers(dest="kind")
    commands.required = True
    draw = commands.add_parser("draw", parents=[published], help="check one cycle's winner")
    draw.add_argument("--cycle", type=typed(cycle_number), required=True, metavar="N")
    draw.add_argument("--eligible", type=typed(lambda t: id_list(t.split(","))), required=True, metavar="ID1,ID2,...")
    draw.add_argument("--round", type=typed(cycle_number), metavar="R", help="the drand quicknet round, if any")
    draw.add_argument("--signature", type=typed(signature_hex), metavar="HEX", help="that round's signature")
    draw.add_argument("--expect-winner", dest="winner", type=typed(canonical_id), metavar="ID")
    order = commands.add_parser("order", parents=[published], help="check a payout order drawn at the start")
    order.add_argument("--members", type=typed(lambda t: id_list(t.split(","))), required=True, metavar="ID1,...")
    order.add_argument("--expect-order", dest="order", type=typed(lambda t: [canonical_id(p) for p in t.split(",")]),
                       metavar="ID1,ID2,...")
    data = vars(parser.parse_args(argv))
    if data["kind"] == "draw" and (data.get("round") is None) != (data.get("signature") is None):
        parser.error("--round and --signature go together")
    if data["kind"] == "draw" and data.get("round") is not None:
        data["beacon"] = {"round": data.pop("round"), "signature": data["signature"],
                          "randomness": beacon_randomness(data.pop("signature"))}
    return data


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 1 and argv[0] not in ("draw", "order") and not argv[0].startswith("-"):
        try:
            return check(load(argv[0]))
        except (OSError, BadInput) as error:
            print("Can't check that: {}".format(error), file=sys.stderr)
            return 2
    data = arguments(argv)
    try:
        return check(data)
    except BadInput as error:
        print("Can't check that: {}".format(error), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
