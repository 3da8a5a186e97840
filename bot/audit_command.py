"""`python -m bot audit [CIRCLE] [--head FINGERPRINT ...]`: the operator's check of a circle's record,
one plain line per problem. Exit 0: intact; 1: tampering found; 2: bad input (said in one line)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core import audit, record_check
from core.db import make_engine, make_sessionmaker

INTACT, TAMPERED, BAD_INPUT = 0, 1, 2
BROKEN = {"hash_mismatch": "entry {seq} (row id {row}) no longer matches its hash: it was edited",
          "prev_hash_mismatch": "entry {seq} (row id {row}) does not follow the entry before it",
          "missing_entry": "entry {seq} is missing (deleted)"}


class BadInput(Exception):
    """One line for the operator; the command exits with 2."""


def record_checks(held: Sequence[str]) -> list[str]:
    """The `--head` values, each as `audit.fingerprint` writes it; BadInput for one that isn't one."""
    try:
        return [audit.parse_fingerprint(fingerprint)[1] for fingerprint in held]
    except audit.MalformedFingerprint as error:
        raise BadInput(f"“{error}” is not a record check (they look like 42-7KQ2-M9XA-B3CD)") from None


def run(url: str, circle: str | None, held: Sequence[str]) -> int:
    """Print the report; return the exit code."""
    lines, code = asyncio.run(_check(url, circle, held))
    print("\n".join(lines))
    return code


async def _check(url: str, circle: str | None, held: Sequence[str]) -> tuple[list[str], int]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            if circle is None:
                return await _list(session), INTACT
            if circle == "users":
                return await _users(session, held)
            found = await record_check.find_circle(session, circle)
            if found is None:
                raise BadInput(f"no circle has the id or join code “{circle}” (run `audit` alone to list them)")
            return await _circle(session, found, held)
    finally:
        await engine.dispose()


async def _list(session: AsyncSession) -> list[str]:
    records = await record_check.circle_records(session)
    rows = [f"{r.join_code or '-':<8} {r.status or 'ROW GONE':<10} {r.entries:>7}  {r.name or r.id}" for r in records]
    return [f"{'code':<8} {'status':<10} {'entries':>7}  name", *rows] if rows else ["no circles yet"]


async def _users(session: AsyncSession, held: Sequence[str]) -> tuple[list[str], int]:
    """The chain of user records: no tables are rebuilt from it, but its links and heads are checked."""
    head = await audit.head(session, None)
    problems = _broken(await audit.verify_chain(session, None))
    for fingerprint in held:
        problems += _head_mismatch(await audit.check_head(session, None, fingerprint))
    return _report(f"user records: {await audit.chain_length(session, None)} entries", head, problems,
                   "intact: the chain holds")


async def _circle(session: AsyncSession, circle: record_check.CircleRecord,
                  held: Sequence[str]) -> tuple[list[str], int]:
    found = await record_check.check_circle(session, circle.id, held)
    values = {d.user for d in found.disagreements} | {
        v for d in found.disagreements if d.field for side in (d.logged, d.stored) for v in _items(side)}
    names = await record_check.names(session, values)
    title = (f"circle “{circle.name}” ({circle.join_code}, {circle.status})" if circle.join_code
             else f"circle {circle.id} (its row is gone)")
    problems = _broken(found.broken) + [line for m in found.heads for line in _head_mismatch(m)]
    problems += [f"entry {u.seq}: “{u.action}” is not something this bot records; its effect can't be checked"
                 for u in found.unknown]
    problems += [_disagreement(d, names) for d in found.disagreements]
    return _report(f"{title}: {found.entries} entries", found.head, problems)


def _report(title: str, head: audit.Head, problems: list[str],
            intact: str = "intact: the chain holds and the tables match the log") -> tuple[list[str], int]:
    if head.fingerprint:
        title += f", record check {head.fingerprint}"
    if not problems:
        return [title, intact], INTACT
    return [title, *problems, f"TAMPERING FOUND: {len(problems)} problem{'s' if len(problems) > 1 else ''}"], TAMPERED


def _broken(link: audit.BrokenLink | None) -> list[str]:
    return [] if link is None else ["chain broken: " + BROKEN[link.reason].format(seq=link.seq, row=link.entry_id)]


def _head_mismatch(mismatch: audit.HeadMismatch | None) -> list[str]:
    if mismatch is None:
        return []
    seq = int(mismatch.held.partition("-")[0])
    if mismatch.found is None:
        return [f"record check {mismatch.held}: entry {seq} is gone, the log ends at entry {mismatch.count} "
                "(newest entries deleted)"]
    return [f"record check {mismatch.held}: entry {seq} now gives {mismatch.found}, so it or an entry "
            "before it was changed and the later hashes recomputed"]


def _disagreement(d: record_check.Disagreement, names: dict[str, str]) -> str:
    about = ", ".join(x for x in (f"cycle {d.cycle}" if d.cycle else "", names.get(d.user or "", "")) if x)
    row = f"{d.table} {d.key}" + (f" ({about})" if about else "")
    if d.field is None:
        return f"{row}: in the log but not in the table" if d.stored is None else \
            f"{row}: in the table but not in the log"
    return f"{row}: {d.field} is {_shown(d.stored, names)} in the table but {_shown(d.logged, names)} in the log"


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _shown(value: Any, names: dict[str, str]) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v, names) for v in value) + "]"
    if isinstance(value, str) and value in names:
        return f"{names[value]} ({value[:8]})"
    return "none" if value is None else str(value)

