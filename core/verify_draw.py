r"""Check a savings-circle draw yourself: no bot, no bot source, only Python 3.8+ and this one file.

The bot sends this file ("Get the checker") and a small JSON file per draw. Then:

    python3 verify_draw.py draw-3.json           # a file the bot sent (or its https:// link)
    python3 verify_draw.py order-drawn.json      # a payout order drawn when the circle started

or with the values typed out:

    python3 verify_draw.py draw --circle CIRCLE_UUID --cycle N \
        --eligible ID1,ID2,... --commitment HEX --seed HEX [--expect-winner ID]
    python3 verify_draw.py order --circle CIRCLE_UUID \
        --members ID1,ID2,... --commitment HEX --seed HEX [--expect-order ID1,ID2,...]

How a draw works: before anyone paid, the bot chose a secret 32-byte seed and published its
SHA-256 "commitment". At the draw it revealed the seed. The winner is
sorted(eligible)[HMAC-SHA256(seed, "rosca-draw-v1|<circle>|<cycle>|<sorted ids>" + counter)],
read as a number and mapped to an index without favouring anyone (numbers past the last whole
multiple of the member count are skipped). A payout order drawn at the start is cycle 1, 2, ...
drawn this way among the members not yet placed.

Exit status: 0 everything checks out; 1 the seed does not match the commitment, or the result
differs from what was announced; 2 the input is malformed.

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
import urllib.request
import uuid

DOMAIN = "rosca-draw-v1"
SPACE = 2**256  # HMAC-SHA256 outputs read as integers in [0, 2**256)


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


def pick_winner(seed_hex: str, circle_id: str, cycle_number: int, eligible_ids: list) -> str:
    ordered = sorted(eligible_ids)
    return ordered[draw_index(seed_hex, draw_message(circle_id, cycle_number, ordered), len(ordered))]


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
        print("message:       {}".format(draw_message(circle, number, ordered).decode()))
        print("eligible (sorted):")
        for index, member_id in enumerate(ordered):
            print("  [{}] {}".format(index, who(member_id)))
        winner = pick_winner(seed, circle, number, ordered)
        print("winner: [{}] {}".format(ordered.index(winner), who(winner)))
        announced = [canonical_id(data["winner"])] if data.get("winner") else None
        return verdict("winner", [winner], announced, "cycle {}: {} receives the pot".format(number, who(winner)))
    order = draw_order(seed, circle, id_list(data.get("members") or []))
    print("payout order:")
    for number, member_id in enumerate(order, start=1):
        print("  cycle {}: {}".format(number, who(member_id)))
    announced = id_list(data["order"]) if data.get("order") else None
    return verdict("order", order, announced, "the payout order follows from the seed")


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
    draw.add_argument("--expect-winner", dest="winner", type=typed(canonical_id), metavar="ID")
    order = commands.add_parser("order", parents=[published], help="check a payout order drawn at the start")
    order.add_argument("--members", type=typed(lambda t: id_list(t.split(","))), required=True, metavar="ID1,...")
    order.add_argument("--expect-order", dest="order", type=typed(lambda t: [canonical_id(p) for p in t.split(",")]),
                       metavar="ID1,ID2,...")
    return vars(parser.parse_args(argv))


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
