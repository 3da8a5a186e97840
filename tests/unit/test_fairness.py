"""The draw is reproducible from published values, uniform, and refuses a swapped seed."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import fairness, verify
from core.fairness import DrawProof

ROOT = Path(__file__).resolve().parents[2]
SEED = bytes(range(32)).hex()
CIRCLE = "6f1c2b9e-3d4a-4b5c-8d6e-7f8091a2b3c4"
IDS = [  # deliberately not in sorted order
    "c3b2a1f0-0000-4000-8000-000000000003",
    "0a1b2c3d-0000-4000-8000-000000000001",
    "9e8d7c6b-0000-4000-8000-000000000002",
    "5f4e3d2c-0000-4000-8000-000000000004",
    "ffeeddcc-0000-4000-8000-000000000005",
]

seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)
id_sets = st.lists(st.uuids().map(str), min_size=1, max_size=12, unique=True)


def reference_index(seed_hex: str, message: bytes, n: int) -> int:
    """The rule as written in the brief, kept apart from core so a pin cannot be self-confirming."""
    limit = (2**256 // n) * n
    for counter in range(1000):
        mac = hmac.new(bytes.fromhex(seed_hex), message + counter.to_bytes(4, "big"), hashlib.sha256)
        x = int.from_bytes(mac.digest(), "big")
        if x < limit:
            return x % n
    raise AssertionError("no acceptable block in 1000 tries")


# --- seed and commitment -----------------------------------------------------------------------
def test_new_seed_is_64_lowercase_hex_and_fresh():
    first, second = fairness.new_seed(), fairness.new_seed()
    assert len(first) == 64 and set(first) <= set("0123456789abcdef")
    assert first != second


def test_commitment_known_answer():
    assert fairness.commitment("00" * 32) == "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
    assert fairness.commitment(SEED) == hashlib.sha256(bytes(range(32))).hexdigest()


@pytest.mark.parametrize("bad", ["", "ab" * 31, "ab" * 33, "zz" * 32, "AB" * 32, " " + "ab" * 32, "ab " * 32])
def test_commitment_rejects_malformed_seed(bad):
    with pytest.raises(ValueError):
        fairness.commitment(bad)


def test_seed_matches():
    assert fairness.seed_matches(SEED, fairness.commitment(SEED))
    assert not fairness.seed_matches("00" * 32, fairness.commitment(SEED))
    with pytest.raises(ValueError):
        fairness.seed_matches(SEED, "not hex")


# --- message -------------------------------------------------------------------------------------
def test_draw_message_is_canonical_and_sorted():
    expected = f"rosca-draw-v1|{CIRCLE}|3|{','.join(sorted(IDS))}".encode()
    assert fairness.draw_message(CIRCLE, 3, IDS) == expected


@pytest.mark.parametrize(
    ("circle", "cycle", "ids"),
    [
        (CIRCLE, 1, []),
        (CIRCLE, 1, [IDS[0], IDS[0]]),
        (CIRCLE, 1, [IDS[0].upper()]),
        (CIRCLE, 1, ["alice"]),
        (CIRCLE.upper(), 1, IDS),
        (CIRCLE, 0, IDS),
        (CIRCLE, True, IDS),
    ],
)
def test_draw_message_rejects_bad_inputs(circle, cycle, ids):
    with pytest.raises(ValueError):
        fairness.draw_message(circle, cycle, ids)


# --- draw_index ----------------------------------------------------------------------------------
def test_known_winner_is_pinned_and_follows_from_the_rule():
    assert fairness.pick_winner(SEED, CIRCLE, 1, IDS) == "ffeeddcc-0000-4000-8000-000000000005"
    ordered = sorted(IDS)
    message = ("rosca-draw-v1|" + CIRCLE + "|1|" + ",".join(ordered)).encode()
    assert ordered[reference_index(SEED, message, len(ordered))] == "ffeeddcc-0000-4000-8000-000000000005"


def test_acceptance_bound_sits_at_the_last_whole_multiple():
    # 2**256 = 3k + 1, so exactly one value (2**256 - 1) must be thrown away for n = 3.
    assert fairness._accept(2**256 - 2, 3)
    assert not fairness._accept(2**256 - 1, 3)
    assert fairness._accept(2**256 - 1, 2)
    assert fairness._accept(2**256 - 1, 1)


def test_rejected_block_moves_on_to_the_next_counter():
    # For n just above 2**255 about half of all blocks are rejected; this seed's first one is.
    n, seed, message = 2**255 + 1, "00" * 32, b"m"
    first = int.from_bytes(hmac.new(bytes(32), message + bytes(4), hashlib.sha256).digest(), "big")
    assert first >= n, "precondition: the first block must be rejected"
    assert fairness.draw_index(seed, message, n) == reference_index(seed, message, n) != first % n


@pytest.mark.parametrize("n", [0, -1, 2**256 + 1, True, 2.0])
def test_draw_index_rejects_bad_n(n):
    with pytest.raises(ValueError):
        fairness.draw_index(SEED, b"m", n)


@given(seed=seeds, message=st.binary(max_size=64), n=st.integers(1, 10**6))
def test_draw_index_matches_reference(seed, message, n):
    assert fairness.draw_index(seed, message, n) == reference_index(seed, message, n)


def test_each_of_three_members_wins_about_a_third_of_the_time():
    # Deterministic but unrelated seeds, so the check never flakes; 6+ sigma either side.
    message = fairness.draw_message(CIRCLE, 1, IDS[:3])
    counts = Counter(
        fairness.draw_index(hashlib.sha256(i.to_bytes(4, "big")).hexdigest(), message, 3) for i in range(3000)
    )
    assert set(counts) == {0, 1, 2}
    assert all(0.28 <= count / 3000 <= 0.39 for count in counts.values())


# --- winners and orders --------------------------------------------------------------------------
@given(seed=seeds, ids=id_sets, cycle=st.integers(1, 60), data=st.data())
def test_winner_is_a_member_and_ignores_input_order(seed, ids, cycle, data):
    shuffled = data.draw(st.permutations(ids))
    winner = fairness.pick_winner(seed, CIRCLE, cycle, ids)
    assert winner in ids
    assert fairness.pick_winner(seed, CIRCLE, cycle, shuffled) == winner


@given(seed=seeds, ids=id_sets)
def test_draw_order_is_a_permutation_drawn_cycle_by_cycle(seed, ids):
    order = fairness.draw_order(seed, CIRCLE, ids)
    assert sorted(order) == sorted(ids)
    remaining = list(ids)
    for cycle_number, member_id in enumerate(order, start=1):
        assert member_id == fairness.pick_winner(seed, CIRCLE, cycle_number, remaining)
        remaining.remove(member_id)


def test_draw_order_known_answer():
    assert fairness.draw_order(SEED, CIRCLE, IDS) == [IDS[4], IDS[3], IDS[1], IDS[2], IDS[0]]


def test_draw_proof_verifies_and_refuses_a_swapped_seed():
    proof = DrawProof(CIRCLE, 1, tuple(IDS), fairness.commitment(SEED), SEED)
    assert proof.verify() == fairness.pick_winner(SEED, CIRCLE, 1, IDS)
    swapped = DrawProof(CIRCLE, 1, tuple(IDS), fairness.commitment(SEED), "00" * 32)
    with pytest.raises(ValueError, match="seed does not match commitment"):
        swapped.verify()


# --- verifier CLI --------------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.verify", *args], cwd=ROOT, capture_output=True, text=True, timeout=30
    )


def draw_args(**overrides: str) -> list[str]:
    values = {"circle": CIRCLE, "cycle": "1", "eligible": ",".join(IDS),
              "commitment": fairness.commitment(SEED), "seed": SEED, **overrides}
    return ["draw", *(part for name, value in values.items() for part in (f"--{name}", value))]


def test_cli_consistent_draw_prints_winner():
    result = run_cli(*draw_args())
    assert result.returncode == 0, result.stderr
    assert "seed matches commitment: yes" in result.stdout
    assert "winner: [4] ffeeddcc-0000-4000-8000-000000000005" in result.stdout


def test_cli_mismatched_seed_exits_1():
    result = run_cli(*draw_args(seed="00" * 32))
    assert result.returncode == 1
    assert "seed matches commitment: NO" in result.stdout
    assert "winner" not in result.stdout


def test_cli_bad_arguments_exit_2():
    result = run_cli(*draw_args(seed="not-a-seed"))
    assert result.returncode == 2
    assert "--seed" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["draw", "--circle", CIRCLE],
        draw_args(cycle="0"),
        draw_args(circle="circle-1"),
        draw_args(eligible=f"{IDS[0]},"),
        draw_args(eligible=f"{IDS[0]},{IDS[0].upper()}"),
        draw_args(commitment="ab" * 31),
        [*draw_args(), "--expect-winner", "nobody"],
    ],
)
def test_cli_argument_errors_exit_2(args):
    with pytest.raises(SystemExit) as exit_info:
        verify.main(args)
    assert exit_info.value.code == 2


def test_cli_expect_winner(capsys):
    assert verify.main([*draw_args(), "--expect-winner", IDS[4].upper()]) == 0
    assert verify.main([*draw_args(), "--expect-winner", IDS[0]]) == 1
    assert "DIFFERS" in capsys.readouterr().out


def test_cli_order_mode(capsys):
    args = ["order", "--circle", CIRCLE, "--members", ",".join(reversed(IDS)),
            "--commitment", fairness.commitment(SEED), "--seed", SEED.upper()]
    expected = fairness.draw_order(SEED, CIRCLE, IDS)
    assert verify.main([*args, "--expect-order", ",".join(expected)]) == 0
    assert f"cycle 1: {expected[0]}" in capsys.readouterr().out
    assert verify.main([*args, "--expect-order", ",".join(reversed(expected))]) == 1


def test_cli_accepts_ids_in_any_case_and_order():
    shuffled = ",".join(i.upper() for i in reversed(IDS))
    result = run_cli(*draw_args(eligible=shuffled))
    assert result.returncode == 0
    assert "ffeeddcc-0000-4000-8000-000000000005" in result.stdout


def test_the_beacon_round_is_the_first_published_after_the_margin():
    opened = datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC)
    round_number = fairness.beacon_round_after(opened)
    limit = opened.timestamp() + fairness.BEACON_MARGIN
    assert fairness.beacon_round_time(round_number - 1) <= limit < fairness.beacon_round_time(round_number)
    assert fairness.beacon_round_time(1) == fairness.BEACON_GENESIS


def test_the_draw_key_is_sha256_of_seed_and_randomness():
    randomness = "ab" * 32
    expected = hashlib.sha256(bytes(range(32)) + bytes.fromhex(randomness)).hexdigest()
    assert fairness.draw_key(SEED, randomness) == expected
    assert fairness.draw_key(SEED) == SEED  # without the beacon: the seed, as before
