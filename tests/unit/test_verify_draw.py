"""The standalone checker families run (core/verify_draw.py) agrees with the bot's draw (core/fairness.py),
catches a wrong seed or a wrong announced result, and runs with nothing but Python's standard library."""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import fairness, verify_draw

CHECKER = Path(verify_draw.__file__)
seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)
id_sets = st.lists(st.uuids().map(str), min_size=1, max_size=40, unique=True)
circles = st.uuids().map(str)


@settings(max_examples=300)
@given(seed=seeds, circle=circles, cycle=st.integers(1, 400), ids=id_sets, randomness=st.none() | seeds)
def test_the_checker_picks_the_same_winner_as_the_bot(seed, circle, cycle, ids, randomness):
    assert verify_draw.commitment(seed) == fairness.commitment(seed)
    assert verify_draw.draw_message(circle, cycle, ids) == fairness.draw_message(circle, cycle, ids)
    assert verify_draw.draw_key(seed, randomness) == fairness.draw_key(seed, randomness)
    assert verify_draw.pick_winner(seed, circle, cycle, ids, randomness) == fairness.pick_winner(
        seed, circle, cycle, ids, randomness)


@settings(max_examples=100)
@given(signature=st.binary(min_size=48, max_size=96).map(bytes.hex), round_number=st.integers(1, 2**40))
def test_the_checker_reads_the_beacon_as_the_bot_does(signature, round_number):
    value = fairness.BeaconValue(round_number, verify_draw.beacon_randomness(signature), signature)
    assert value.randomness == hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    published = verify_draw.round_time(round_number)
    assert published == time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(fairness.beacon_round_time(round_number)))


@settings(max_examples=60)
@given(seed=seeds, circle=circles, ids=id_sets)
def test_the_checker_draws_the_same_payout_order_as_the_bot(seed, circle, ids):
    assert verify_draw.draw_order(seed, circle, ids) == fairness.draw_order(seed, circle, ids)


def test_the_checker_imports_only_the_standard_library_and_reads_as_python_3_8():
    tree = ast.parse(CHECKER.read_text(), feature_version=(3, 8))
    nodes = list(ast.walk(tree))
    roots = {alias.name.split(".")[0] for node in nodes if isinstance(node, ast.Import) for alias in node.names}
    roots |= {node.module.split(".")[0] for node in nodes if isinstance(node, ast.ImportFrom) and node.module}
    assert roots and roots <= set(sys.stdlib_module_names) | {"__future__"}, roots - set(sys.stdlib_module_names)


SIGNATURE = hashlib.sha384(b"a made-up 48-byte signature").hexdigest()
BEACON = {"chain": fairness.BEACON_CHAIN, "round": 34264816, "published": "2026-11-25T09:10:12Z",
          "randomness": hashlib.sha256(bytes.fromhex(SIGNATURE)).hexdigest(), "signature": SIGNATURE}


OTHER_SIGNATURE = hashlib.sha384(b"another").hexdigest()
OTHER_RANDOMNESS = hashlib.sha256(bytes.fromhex(OTHER_SIGNATURE)).hexdigest()  # a consistent pair, not BEACON's


def draw_file(tmp_path: Path, changes=None, beacon: dict | None = None) -> Path:
    circle, ids = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(7)]
    randomness = beacon["randomness"] if beacon else None
    seed = fairness.new_seed()
    # With a beacon, a seed whose winner changes without it or with another beacon value: otherwise
    # a tampered file would name the same winner one time in seven, and the tampering tests would
    # pass by luck or fail by chance.
    while randomness and fairness.pick_winner(seed, circle, 3, ids, randomness) in {
            fairness.pick_winner(seed, circle, 3, ids, other) for other in (None, OTHER_RANDOMNESS)}:
        seed = fairness.new_seed()
    data = {"format": "rosca-draw-proof-v1", "kind": "draw", "circle": circle, "cycle": 3, "eligible": ids,
            "winner": fairness.pick_winner(seed, circle, 3, ids, randomness), "commitment": fairness.commitment(seed),
            "seed": seed, "names": {i: f"Member {n}" for n, i in enumerate(ids)}, "beacon": beacon}
    path = tmp_path / "draw-3.json"
    path.write_text(json.dumps({**data, **(changes(data) if callable(changes) else changes or {})}))
    return path


def run_alone(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """As a family would: a copy of the one file, elsewhere, with no site-packages and no environment."""
    alone = tmp_path / "alone"
    alone.mkdir(exist_ok=True)
    shutil.copy(CHECKER, alone / "verify_draw.py")
    return subprocess.run([sys.executable, "-I", "-S", "verify_draw.py", *args], cwd=alone, capture_output=True,
                          text=True, timeout=30)


def test_a_published_draw_checks_out_alone(tmp_path):
    done = run_alone(tmp_path, str(draw_file(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert "seed matches commitment: yes" in done.stdout and "OK: the seed matches" in done.stdout
    assert "receives the pot" in done.stdout and "Member " in done.stdout


def test_a_wrong_seed_is_caught(tmp_path):
    done = run_alone(tmp_path, str(draw_file(tmp_path, {"seed": fairness.new_seed()})))
    assert done.returncode == 1 and "NOT OK" in done.stdout and "seed matches commitment: NO" in done.stdout


def test_a_wrong_winner_is_caught(tmp_path):
    def someone_else(data):
        return {"winner": next(i for i in data["eligible"] if i != data["winner"])}

    done = run_alone(tmp_path, str(draw_file(tmp_path, someone_else)))
    assert done.returncode == 1 and "expected winner: DIFFERS" in done.stdout and "NOT OK" in done.stdout


def test_a_drawn_payout_order_checks_out_and_a_swapped_one_is_caught(tmp_path):
    seed, circle = fairness.new_seed(), str(uuid.uuid4())
    members = [str(uuid.uuid4()) for _ in range(6)]
    order = fairness.draw_order(seed, circle, members)
    base = {"kind": "order", "circle": circle, "members": members, "commitment": fairness.commitment(seed),
            "seed": seed}
    good, swapped = tmp_path / "order.json", tmp_path / "swapped.json"
    good.write_text(json.dumps({**base, "order": order}))
    swapped.write_text(json.dumps({**base, "order": [order[1], order[0], *order[2:]]}))
    assert run_alone(tmp_path, str(good)).returncode == 0
    assert run_alone(tmp_path, str(swapped)).returncode == 1


@pytest.mark.parametrize("content", ["not json", "[]", '{"kind": "draw", "circle": "x"}', '{"kind": "other"}'])
def test_something_else_than_a_draw_file_is_refused_plainly(tmp_path, content):
    path = tmp_path / "file.json"
    path.write_text(content)
    done = run_alone(tmp_path, str(path))
    assert done.returncode == 2 and "Can't check that" in done.stderr and "Traceback" not in done.stderr


def test_a_draw_not_revealed_yet_says_so(tmp_path):
    done = run_alone(tmp_path, str(draw_file(tmp_path, {"seed": None, "winner": None})))
    assert done.returncode == 2 and "revealed at the draw" in done.stdout


def test_python_m_core_verify_is_the_same_checker():
    from core import verify

    assert verify.main is verify_draw.main


@pytest.mark.parametrize("n", [1, 2, 3, 7, 200, 2**255 + 1, 2**256 - 1])
@pytest.mark.parametrize("seed", ["00" * 32, "ff" * 32, bytes(range(32)).hex()])
def test_the_checker_skips_the_same_biased_blocks(seed, n):
    # Near n = 2**255 about half the blocks are skipped: a checker using a plain `%` would disagree here.
    assert verify_draw.draw_index(seed, b"m", n) == fairness.draw_index(seed, b"m", n)


def test_a_beacon_draw_checks_out_and_names_the_round_to_compare(tmp_path):
    done = run_alone(tmp_path, str(draw_file(tmp_path, beacon=BEACON)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "drand quicknet round 34264816, published 2026-11-25 09:10:12 UTC" in done.stdout
    assert "randomness matches signature: yes" in done.stdout and "OK: the seed matches" in done.stdout
    assert f"https://api.drand.sh/{fairness.BEACON_CHAIN}/public/34264816" in done.stdout


@pytest.mark.parametrize("tamper", [
    {"randomness": hashlib.sha256(b"another number").hexdigest()},  # not drand's: caught by the signature
    {"signature": OTHER_SIGNATURE, "randomness": OTHER_RANDOMNESS},  # consistent, but not the one drawn with
    {"randomness": None, "signature": None},  # passed off as drawn without it
])
def test_a_tampered_beacon_is_caught(tmp_path, tamper):
    path = draw_file(tmp_path, beacon=BEACON)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "beacon": {**BEACON, **tamper}}))
    done = run_alone(tmp_path, str(path))
    assert done.returncode == 1 and "NOT OK" in done.stdout, done.stdout


def test_a_draw_made_without_the_beacon_checks_out_and_says_so(tmp_path):
    done = run_alone(tmp_path, str(draw_file(tmp_path, beacon={**BEACON, "randomness": None, "signature": None})))
    assert done.returncode == 0 and "made WITHOUT the public random number" in done.stdout, done.stdout


def test_the_typed_out_form_takes_the_round_and_its_signature(tmp_path):
    data = json.loads(draw_file(tmp_path, beacon=BEACON).read_text())
    args = ["draw", "--circle", data["circle"], "--cycle", "3", "--eligible", ",".join(data["eligible"]),
            "--commitment", data["commitment"], "--seed", data["seed"], "--expect-winner", data["winner"]]
    assert run_alone(tmp_path, *args, "--round", "34264816", "--signature", SIGNATURE).returncode == 0
    assert run_alone(tmp_path, *args).returncode == 1  # without the beacon: another winner
    assert run_alone(tmp_path, *args, "--round", "34264816").returncode == 2
