r"""Replay a published draw, so any member can check it without trusting the bot or the organizer.

Usage (Python 3.11+, standard library only; run from the project root):

    python -m core.verify draw --circle CIRCLE_UUID --cycle N \
        --eligible ID1,ID2,... --commitment HEX --seed HEX [--expect-winner ID]

    python -m core.verify order --circle CIRCLE_UUID \
        --members ID1,ID2,... --commitment HEX --seed HEX [--expect-order ID1,ID2,...]

`draw` checks one cycle's draw: it prints the exact message that was drawn on, whether the
revealed seed matches the commitment published when the cycle opened, the eligible members
sorted with their indexes, and the winner. `order` does the same for a payout order drawn once
at the start. Ids may be pasted in any order and letter case; they are sorted and normalised.

Exit status: 0 everything is consistent; 1 the seed does not match the commitment, or the
result differs from --expect-winner / --expect-order; 2 the arguments are malformed.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Sequence

from core import fairness


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not _report_seed(args.seed, args.commitment):
        return 1
    return _report_draw(args) if args.command == "draw" else _report_order(args)


def _report_seed(seed: str, commitment: str) -> bool:
    matches = fairness.seed_matches(seed, commitment)
    print(f"commitment:    {commitment}")
    print(f"sha256(seed):  {fairness.commitment(seed)}")
    print(f"seed matches commitment: {'yes' if matches else 'NO'}")
    if not matches:
        print("This seed is not the one committed to, so no result can be verified.")
    return matches


def _report_draw(args: argparse.Namespace) -> int:
    ordered = sorted(args.eligible)
    print(f"message:       {fairness.draw_message(args.circle, args.cycle, ordered).decode()}")
    print("eligible (sorted):")
    for index, member_id in enumerate(ordered):
        print(f"  [{index}] {member_id}")
    winner = fairness.pick_winner(args.seed, args.circle, args.cycle, ordered)
    print(f"winner: [{ordered.index(winner)}] {winner}")
    expected = [args.expect_winner] if args.expect_winner else None
    return _compare("winner", [winner], expected)


def _report_order(args: argparse.Namespace) -> int:
    order = fairness.draw_order(args.seed, args.circle, args.members)
    print("payout order:")
    for cycle_number, member_id in enumerate(order, start=1):
        print(f"  cycle {cycle_number}: {member_id}")
    return _compare("order", order, args.expect_order)


def _compare(what: str, actual: list[str], expected: list[str] | None) -> int:
    if expected is None:
        return 0
    if actual == expected:
        print(f"expected {what}: matches")
        return 0
    print(f"expected {what}: DIFFERS (published {', '.join(expected)})")
    return 1


def _parser() -> argparse.ArgumentParser:
    published = argparse.ArgumentParser(add_help=False)
    published.add_argument("--circle", type=_uuid, required=True, metavar="UUID")
    published.add_argument("--commitment", type=_hex256, required=True, metavar="HEX")
    published.add_argument("--seed", type=_hex256, required=True, metavar="HEX")
    parser = argparse.ArgumentParser(prog="python -m core.verify", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    draw = commands.add_parser("draw", parents=[published], help="verify one cycle's winner")
    draw.add_argument("--cycle", type=_cycle_number, required=True, metavar="N")
    draw.add_argument("--eligible", type=_id_list, required=True, metavar="ID1,ID2,...")
    draw.add_argument("--expect-winner", type=_uuid, metavar="ID")
    order = commands.add_parser("order", parents=[published], help="verify a payout order")
    order.add_argument("--members", type=_id_list, required=True, metavar="ID1,ID2,...")
    order.add_argument("--expect-order", type=_id_sequence, metavar="ID1,ID2,...")
    return parser


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UUID: {text!r}") from None


def _id_sequence(text: str) -> list[str]:
    return [_uuid(part) for part in text.split(",")]


def _id_list(text: str) -> list[str]:
    ids = _id_sequence(text)
    if len(set(ids)) != len(ids):
        raise argparse.ArgumentTypeError("the same id is listed twice")
    return ids


def _hex256(text: str) -> str:
    value = text.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise argparse.ArgumentTypeError("expected 64 hex characters")
    return value


def _cycle_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError("expected a whole number >= 1")
    return value


if __name__ == "__main__":
    sys.exit(main())
