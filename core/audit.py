"""The tamper-evident audit log: one hash chain per circle (and one for user records).

Each entry's hash covers its own content and the previous entry's hash, so editing, deleting or
reordering any past entry breaks every later link; `verify_chain` names the first broken one.

Whoever can write the database can also delete the newest entries, or edit one and recompute every
later hash (the algorithm is public, no key is needed). So the head of the chain also leaves the
database: its short fingerprint (shown to members as their "record check") travels in messages they
receive and keep, and `check_head` tells whether the chain still leads to what a member holds.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from core.events import Event
from core.guards import ensure_circle_locked
from core.models import AuditEntry


def entry_hash(*, prev_hash: str | None, circle_id: uuid.UUID | None, seq: int, actor_id: uuid.UUID | None,
               entity: str, entity_id: str, action: str, details: dict[str, Any], created_at: datetime) -> str:
    """SHA-256 of a canonical JSON form: sorted keys, no spaces, UTC microsecond timestamps."""
    payload = {
        "prev": prev_hash,
        "circle": str(circle_id) if circle_id else None,
        "seq": seq,
        "actor": str(actor_id) if actor_id else None,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "details": details,
        "at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _head(which: ColumnElement[bool]) -> Select:
    return select(AuditEntry.seq, AuditEntry.hash).where(which).order_by(AuditEntry.seq.desc()).limit(1)


# Built once: every change runs one (building a statement costs more than running it).
_CIRCLE_HEAD, _USERS_HEAD = _head(AuditEntry.circle_id == bindparam("circle_id")), _head(AuditEntry.circle_id.is_(None))


async def record(session: AsyncSession, event: Event, now: datetime) -> AuditEntry:
    """Append the event to its circle's chain, inside the caller's transaction."""
    # Writers to one chain line up instead of forking it (the unique (circle_id, seq) constraint would
    # reject the loser anyway): a circle's chain behind the circle row lock, which every change to a
    # circle takes first anyway; the users' chain behind a transaction-scoped advisory lock.
    if event.circle_id is None:
        await session.execute(text("select pg_advisory_xact_lock(hashtext('audit:users'))"))
    else:
        await ensure_circle_locked(session, event.circle_id)
    head = _USERS_HEAD if event.circle_id is None else _CIRCLE_HEAD
    last = (await session.execute(head, {"circle_id": event.circle_id})).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, None)
    fields = dict(circle_id=event.circle_id, seq=seq, actor_id=event.actor_id, entity=event.entity,
                  entity_id=event.entity_id, action=event.action, details=event.details(),
                  created_at=now.astimezone(UTC))
    entry = AuditEntry(**fields, prev_hash=prev_hash, hash=entry_hash(prev_hash=prev_hash, **fields))
    session.add(entry)
    await session.flush()
    return entry


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    entry_id: int
    reason: str  # "hash_mismatch", "prev_hash_mismatch" or "missing_entry"


async def verify_chain(session: AsyncSession, circle_id: uuid.UUID | None) -> BrokenLink | None:
    """Recompute a chain from its first entry; None when intact, else the first broken link."""
    where = AuditEntry.circle_id.is_(None) if circle_id is None else AuditEntry.circle_id == circle_id
    rows = await session.stream_scalars(select(AuditEntry).where(where).order_by(AuditEntry.seq))
    prev_hash: str | None = None
    expected_seq = 1
    async for e in rows:
        if e.seq != expected_seq:
            return BrokenLink(expected_seq, e.id, "missing_entry")
        if e.prev_hash != prev_hash:
            return BrokenLink(e.seq, e.id, "prev_hash_mismatch")
        recomputed = entry_hash(prev_hash=e.prev_hash, circle_id=e.circle_id, seq=e.seq, actor_id=e.actor_id,
                                entity=e.entity, entity_id=e.entity_id, action=e.action, details=e.details,
                                created_at=e.created_at)
        if recomputed != e.hash:
            return BrokenLink(e.seq, e.id, "hash_mismatch")
        prev_hash, expected_seq = e.hash, e.seq + 1
    return None


async def chain_length(session: AsyncSession, circle_id: uuid.UUID | None) -> int:
    where = AuditEntry.circle_id.is_(None) if circle_id is None else AuditEntry.circle_id == circle_id
    return (await session.execute(select(func.count()).where(where))).scalar_one()


# --- The head's fingerprint, in a form people can keep and copy (members see it as a "record check").
# "42-7KQ2-M9XA-B3CD": the entry count, then the first 60 bits of that entry's hash in Crockford's
# base32 (digits and capitals without I, L, O, U, so nothing is misread). 60 bits because the check
# must resist grinding: forging a rewritten chain whose entry 42 shows the same 12 characters takes
# about 2^60 hash computations, years on a GPU; 8 characters (40 bits) would take minutes.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})  # what Crockford's base32 reads them as
_CODE_LENGTH = 12


def fingerprint(seq: int, hash_hex: str) -> str:
    """The fingerprint of the chain ending at entry `seq`, whose hash is `hash_hex`."""
    bits = int(hash_hex[:15], 16)  # 15 hex digits: 60 bits, 12 base32 characters
    code = "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(55, -1, -5))
    return f"{seq}-{code[:4]}-{code[4:8]}-{code[8:]}"


class MalformedFingerprint(ValueError):
    pass


def parse_fingerprint(text: str) -> tuple[int, str]:
    """(entry count, the fingerprint written as `fingerprint` writes it) from one as a person may
    copy it: any case, spaces or dashes inside, O for 0, I or L for 1. Raises MalformedFingerprint."""
    parts = re.fullmatch(r"\s*([0-9]+)[\s-]+(.*)", text)
    code = "".join(parts[2].upper().translate(_READ_AS).replace("-", "").split()) if parts else ""
    if not parts or int(parts[1]) < 1 or len(code) != _CODE_LENGTH or set(code) - set(_ALPHABET):
        raise MalformedFingerprint(text)
    return int(parts[1]), f"{int(parts[1])}-{code[:4]}-{code[4:8]}-{code[8:]}"


@dataclass(frozen=True)
class Head:
    count: int  # entries in the chain (the seq of its newest)
    fingerprint: str | None  # None for an empty chain


async def head(db: AsyncSession | AsyncConnection, circle_id: uuid.UUID | None) -> Head:
    """The chain's head and its fingerprint, for messages and statements that carry it."""
    last = (await db.execute(_USERS_HEAD if circle_id is None else _CIRCLE_HEAD, {"circle_id": circle_id})).first()
    return Head(0, None) if last is None else Head(last.seq, fingerprint(last.seq, last.hash))


@dataclass(frozen=True)
class HeadMismatch:
    held: str  # the fingerprint a member holds
    count: int  # how many entries the chain has now
    found: str | None  # the fingerprint of the held entry now; None when it is gone (truncated)


async def check_head(session: AsyncSession, circle_id: uuid.UUID | None, held: str) -> HeadMismatch | None:
    """Does the chain still lead to the fingerprint a member holds? None when it does. Otherwise
    the entries were cut back below it (`found` None), or the entry it names, or one before it, was
    changed and the hashes recomputed. Raises MalformedFingerprint."""
    seq, held = parse_fingerprint(held)
    where = AuditEntry.circle_id.is_(None) if circle_id is None else AuditEntry.circle_id == circle_id
    stored = await session.scalar(select(AuditEntry.hash).where(where, AuditEntry.seq == seq))
    found = None if stored is None else fingerprint(seq, stored)
    return None if found == held else HeadMismatch(held, (await head(session, circle_id)).count, found)
