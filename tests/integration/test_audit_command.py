"""`python -m bot audit` as an operator runs it, in a subprocess: the circles listed, a circle by id or
join code, a record check a member holds, and one plain line per problem; exit 0, 1 or 2."""

from __future__ import annotations

import re

from tests.integration.test_entry_point import run_bot
from tests.integration.test_tamper_cases import CASES, story


def audit(database: str, tmp_path, *args: str):
    return run_bot("audit", *args, database_url=database, cwd=tmp_path)


def case(name: str):
    return next(c for c in CASES if c.name == name)


async def test_circles_are_listed_and_an_untouched_one_is_intact(clean_database, new_uow, tmp_path):
    s = await story(new_uow)
    code = s.join_code
    listed = audit(clean_database, tmp_path)
    assert listed.returncode == 0, listed.stderr
    entries = int(s.held.split("-")[0])
    assert listed.stdout.splitlines() == ["code     status     entries  name",
                                          f"{code:<8} ACTIVE     {entries:>7}  Family Fund"]
    for circle in (code.lower(), str(s.circle_id)):
        done = audit(clean_database, tmp_path, circle, "--head", s.held)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.splitlines() == [
            f"circle “Family Fund” ({code}, ACTIVE): {entries} entries, record check {s.held}",
            "intact: the chain holds and the tables match the log"]


async def test_a_cut_back_log_is_named_with_what_it_lost(clean_database, new_uow, tmp_path):
    s = await story(new_uow)
    await case("delete the newest five entries").tamper(new_uow, s)
    done = audit(clean_database, tmp_path, str(s.circle_id), "--head", s.held)
    assert done.returncode == 1
    count = int(s.held.split("-")[0])
    lines = done.stdout.splitlines()
    assert lines[1] == (f"record check {s.held}: entry {count} is gone, the log ends at entry {count - 5} "
                        "(newest entries deleted)")
    assert any(re.fullmatch(r"payouts \S+ \(cycle 1\): acknowledged is True in the table but False in the log",
                            line) for line in lines), lines
    assert any(line.endswith(": in the table but not in the log") and line.startswith("contributions ")
               for line in lines), lines
    assert lines[-1] == f"TAMPERING FOUND: {len(lines) - 2} problems"


async def test_a_changed_table_is_named_row_field_and_both_values(clean_database, new_uow, tmp_path):
    s = await story(new_uow)
    await case("change a payout's amount").tamper(new_uow, s)
    await case("change a draw's winner").tamper(new_uow, s)
    done = audit(clean_database, tmp_path, str(s.circle_id))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert f"payouts {s.payout_id} (cycle 1): amount is 1 in the table but 15000 in the log" in lines, lines
    winner = next(line for line in lines if line.startswith(f"draws {s.draw_id}"))
    assert re.fullmatch(rf"draws {s.draw_id} \(cycle 1\): winner_id is .+ \([0-9a-f]{{8}}\) in the table "
                        rf"but .+ \({str(s.winner)[:8]}\) in the log", winner), winner
    assert lines[-1] == "TAMPERING FOUND: 2 problems"


async def test_a_rewritten_and_rehashed_record_is_caught_only_by_the_record_check_members_hold(
        clean_database, new_uow, tmp_path):
    s = await story(new_uow)
    await case("edit a draw's winner in its entry and its table, and re-hash the rest").tamper(new_uow, s)
    assert audit(clean_database, tmp_path, str(s.circle_id)).returncode == 0  # consistent, relinked: looks intact
    done = audit(clean_database, tmp_path, str(s.circle_id), "--head", s.held)
    assert done.returncode == 1
    count = s.held.split("-")[0]
    assert re.fullmatch(rf"record check {s.held}: entry {count} now gives {count}(-[0-9A-Z]{{4}}){{3}}, so it or an "
                        r"entry before it was changed and the later hashes recomputed", done.stdout.splitlines()[1])


async def test_bad_input_is_one_line_and_exit_code_2(clean_database, new_uow, tmp_path):
    s = await story(new_uow)
    for args, said in [
        (("not-a-uuid",), "rosca-bot: no circle has the id or join code “not-a-uuid” (run `audit` alone to list them)"),
        (("3f1c2d4e-0000-4000-8000-000000000000",), "rosca-bot: no circle has the id or join code "
                                                    "“3f1c2d4e-0000-4000-8000-000000000000” (run `audit` alone to "
                                                    "list them)"),
        (("AB\x01C",), "rosca-bot: no circle has the id or join code “AB\x01C” (run `audit` alone to list them)"),
        ((str(s.circle_id), "--head", "42-nonsense"), "rosca-bot: “42-nonsense” is not a record check "
                                                      "(they look like 42-7KQ2-M9XA-B3CD)"),
    ]:
        done = audit(clean_database, tmp_path, *args)
        assert done.returncode == 2 and done.stdout == "", done.stdout
        assert done.stderr.strip().splitlines()[-1] == said and "Traceback" not in done.stderr, done.stderr


async def test_the_user_records_chain_is_checked_too(clean_database, new_uow, tmp_path):
    await story(new_uow)
    done = audit(clean_database, tmp_path, "users")
    assert done.returncode == 0, done.stderr
    title, verdict = done.stdout.splitlines()
    assert re.fullmatch(r"user records: 3 entries, record check 3(-[0-9A-Z]{4}){3}", title), title
    assert verdict == "intact: the chain holds"
