"""Does a circle's record hold? Its chain, the fingerprints members hold, and its tables against its log.

The hash chain (core/audit.py) shows the log was not edited in place; the fingerprints members keep
show it was not cut back or rewritten wholesale. But the bot reads its tables, not the log, so a
payout's amount or a draw's winner changed in a table would go unnoticed. Here the log is replayed
from its first entry, each action through its rule in RULES, into the rows the tables should hold,
and the two are compared field by field: every disagreement, every row the log never mentions and
every logged row that is gone is named.

A rule gets the rebuilt state and one entry, and changes the state as the action changed the
tables. Only the fields a rule sets are compared, so a rule may leave out what the log cannot know
(a circle's reminder settings before they were first changed). A new event needs a rule here, or a
place in NO_TABLE_CHANGE (tests/integration/test_record_check.py checks every event has one).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.models import AuditEntry, Circle, Contribution, Cycle, Draw, Membership, Payout, User
from core.uow import UnitOfWork

Row = dict[str, Any]
State = dict[str, dict[str, Row]]  # table → row key (its id; a membership's user id) → field → value
TABLES = ("circles", "memberships", "cycles", "contributions", "draws", "payouts")
CIRCLE_SETTINGS = ("name", "amount_per_cycle", "currency", "total_members", "frequency", "every_days",
                   "first_due_date", "timezone", "payout_order", "join_code", "order_commitment")
REMINDER_SETTINGS = ("reminder_days", "reminder_hour", "overdue_reminders", "auto_draw", "draw_hour")


@dataclass(frozen=True)
class Disagreement:
    table: str
    key: str  # the row's id (a membership's: its user id)
    field: str | None  # None: the whole row is in one place only
    logged: Any  # what the log says; for a whole row, the row or None
    stored: Any  # what the table holds; for a whole row, the row or None
    cycle: int | None = None  # the row's cycle, to name it
    user: str | None = None  # the user id the row is about, to name it


@dataclass(frozen=True)
class UnknownAction:
    seq: int
    action: str  # no rule here replays it: the log holds something this code never writes


@dataclass
class Findings:
    entries: int
    head: audit.Head
    broken: audit.BrokenLink | None = None
    heads: list[audit.HeadMismatch] = field(default_factory=list)
    unknown: list[UnknownAction] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not (self.broken or self.heads or self.unknown or self.disagreements)


async def current_head(uow: UnitOfWork, circle_id: uuid.UUID) -> audit.Head:
    """The circle's entry count and fingerprint now: the record check its messages (and statements) carry."""
    async with uow:
        return await audit.head(uow.session, circle_id)


async def check_circle(session: AsyncSession, circle_id: uuid.UUID, held: Sequence[str] = ()) -> Findings:
    """Everything that can be checked about one circle's record: its chain, each fingerprint in
    `held` (what members were shown; raises audit.MalformedFingerprint) and its tables against its log."""
    found = Findings(await audit.chain_length(session, circle_id), await audit.head(session, circle_id),
                     await audit.verify_chain(session, circle_id))
    for fingerprint in held:
        if mismatch := await audit.check_head(session, circle_id, fingerprint):
            found.heads.append(mismatch)
    logged, found.unknown = await replay(session, circle_id)
    found.disagreements = compare(logged, await tables(session, circle_id))
    return found


async def replay(session: AsyncSession, circle_id: uuid.UUID) -> tuple[State, list[UnknownAction]]:
    """The rows the circle's tables should hold, according to its log."""
    state: State = {table: {} for table in TABLES}
    unknown = []
    entries = await session.stream_scalars(select(AuditEntry).where(AuditEntry.circle_id == circle_id)
                                           .order_by(AuditEntry.seq))
    async for entry in entries:
        rule = RULES.get(entry.action)
        if rule is None:
            unknown.append(UnknownAction(entry.seq, entry.action))
        else:
            rule(state, entry)
    return state, unknown


def compare(logged: State, stored: State) -> list[Disagreement]:
    """Row by row, the fields the log knows; rows on one side only as whole rows."""
    found = []
    for table in TABLES:
        mine, theirs = logged[table], stored[table]
        for key in sorted(mine.keys() | theirs.keys()):
            log_row, table_row = mine.get(key), theirs.get(key)
            some = log_row or table_row
            about = dict(cycle=some.get("cycle", some.get("cycle_number")), user=some.get("user_id"))
            if log_row is None or table_row is None:
                found.append(Disagreement(table, key, None, log_row, table_row, **about))
                continue
            found += [Disagreement(table, key, name, value, table_row.get(name), **about)
                      for name, value in log_row.items() if table_row.get(name) != value]
    return found


async def tables(session: AsyncSession, circle_id: uuid.UUID) -> State:
    """The circle's rows as they are, in the shape `replay` builds."""
    state: State = {table: {} for table in TABLES}
    circle = await session.get(Circle, circle_id)
    if circle is not None:
        state["circles"][str(circle.id)] = _plain({name: getattr(circle, name) for name in (
            *CIRCLE_SETTINGS, *REMINDER_SETTINGS, "owner_id", "status", "order_seed", "payment_instructions",
            "language")})
    for m in await session.scalars(select(Membership).where(Membership.circle_id == circle_id)):
        state["memberships"][str(m.user_id)] = _plain(dict(user_id=m.user_id, role=m.role,
                                                           payout_position=m.payout_position))
    for c in await session.scalars(select(Cycle).where(Cycle.circle_id == circle_id)):
        state["cycles"][str(c.id)] = _plain(dict(cycle_number=c.cycle_number, status=c.status, due_date=c.due_date,
                                                 eligible_ids=sorted(map(str, c.eligible_ids)),
                                                 seed_commitment=c.seed_commitment, seed=c.seed,
                                                 beacon_round=c.beacon_round))
    of_circle = Cycle.circle_id == circle_id
    for c, number in await session.execute(select(Contribution, Cycle.cycle_number).join(Cycle).where(of_circle)):
        state["contributions"][str(c.id)] = _plain(dict(cycle=number, user_id=c.user_id, amount=c.amount,
                                                        version=c.version, confirmed_amount=c.confirmed_amount,
                                                        status=c.status, marked_by=c.marked_by,
                                                        decided_by=c.decided_by))
    for d, number in await session.execute(select(Draw, Cycle.cycle_number).join(Cycle).where(of_circle)):
        state["draws"][str(d.id)] = _plain(dict(cycle=number, winner_id=d.winner_id, drawn_by=d.drawn_by,
                                                unpaid_ids=sorted(map(str, d.unpaid_ids)),
                                                beacon_randomness=d.beacon_randomness,
                                                beacon_signature=d.beacon_signature))
    for p, number in await session.execute(select(Payout, Cycle.cycle_number).join(Cycle).where(of_circle)):
        state["payouts"][str(p.id)] = _plain(dict(cycle=number, receiver_id=p.receiver_id, amount=p.amount,
                                                  recorded_by=p.recorded_by,
                                                  acknowledged=p.acknowledged_at is not None))
    return state


async def names(session: AsyncSession, values: set[Any]) -> dict[str, str]:
    """The names of the users whose ids are among `values` (findings' values), for a report people read."""
    ids = set()
    for value in values:
        try:
            ids.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    rows = await session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
    return {str(user_id): name for user_id, name in rows}


@dataclass(frozen=True)
class CircleRecord:
    id: uuid.UUID
    join_code: str | None  # None: the circle's row is gone, only its log remains
    name: str | None
    status: str | None
    entries: int


async def circle_records(session: AsyncSession) -> list[CircleRecord]:
    """Every circle with its log's length, oldest first; also logs whose circle row is gone."""
    entries = (select(AuditEntry.circle_id, func.count().label("entries")).where(AuditEntry.circle_id.is_not(None))
               .group_by(AuditEntry.circle_id).subquery())
    rows = await session.execute(select(Circle.id, Circle.join_code, Circle.name, Circle.status, entries.c.entries)
                                 .outerjoin(entries, entries.c.circle_id == Circle.id)
                                 .order_by(Circle.created_at, Circle.id))
    records = [CircleRecord(c_id, code, name, str(status), count or 0) for c_id, code, name, status, count in rows]
    known = {r.id for r in records}
    orphans = await session.execute(select(entries.c.circle_id, entries.c.entries))
    return records + [CircleRecord(c_id, None, None, None, n) for c_id, n in orphans if c_id not in known]


async def find_circle(session: AsyncSession, text: str) -> CircleRecord | None:
    """The circle `text` names, by id or join code, even if only its log remains; None if none does."""
    try:
        circle_id = uuid.UUID(text)
        where = Circle.id == circle_id
    except ValueError:
        if not text.strip().isalnum():  # no join code has anything else (nor can a NUL byte reach the query)
            return None
        circle_id, where = None, Circle.join_code == text.strip().upper()
    circle = (await session.execute(select(Circle).where(where))).scalar_one_or_none()
    if circle is not None:
        return CircleRecord(circle.id, circle.join_code, circle.name, str(circle.status),
                            await audit.chain_length(session, circle.id))
    count = await audit.chain_length(session, circle_id) if circle_id is not None else 0
    return CircleRecord(circle_id, None, None, None, count) if count else None


def _plain(row: Row) -> Row:
    """Table values as the log writes them: ids and dates as text, enums by value."""
    def plain(value: Any) -> Any:
        if isinstance(value, uuid.UUID | date):
            return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
        return value.value if isinstance(value, Enum) else value
    return {name: plain(value) for name, value in row.items()}


# --- The rules: how each action changed the tables.

def _actor(entry: AuditEntry) -> str | None:
    return None if entry.actor_id is None else str(entry.actor_id)


def _circle(state: State, entry: AuditEntry) -> Row:
    return state["circles"].setdefault(str(entry.circle_id), {})


def _cycle(state: State, number: int) -> Row:
    """A cycle's row by number (its id is only in the entry that opened it)."""
    return next((row for row in state["cycles"].values() if row["cycle_number"] == number), {})


def _circle_created(state: State, entry: AuditEntry) -> None:
    _circle(state, entry).update({name: entry.details[name] for name in CIRCLE_SETTINGS},
                                 owner_id=_actor(entry), status="FORMING", payment_instructions=None,
                                 language=entry.details.get("language", "en"))  # logged since languages came


def _member_joined(state: State, entry: AuditEntry) -> None:
    # The creator joins as the circle's first organizer; everyone else as a member.
    owner = _circle(state, entry).get("owner_id") == entry.entity_id
    state["memberships"][entry.entity_id] = dict(user_id=entry.entity_id, role="ORGANIZER" if owner else "MEMBER",
                                                 payout_position=None)


def _member_gone(state: State, entry: AuditEntry) -> None:
    state["memberships"].pop(entry.entity_id, None)


def _role(role: str) -> Callable[[State, AuditEntry], None]:
    def rule(state: State, entry: AuditEntry) -> None:
        state["memberships"].setdefault(entry.entity_id, {"user_id": entry.entity_id})["role"] = role
    return rule


def _positions(state: State, order: list[str]) -> None:
    """Positions 1..n in `order`, everyone else none (core/circles._assign_positions)."""
    for user_id, row in state["memberships"].items():
        row["payout_position"] = order.index(user_id) + 1 if user_id in order else None


def _payout_order_set(state: State, entry: AuditEntry) -> None:
    _positions(state, entry.details["order"])


def _circle_started(state: State, entry: AuditEntry) -> None:
    d = entry.details
    _circle(state, entry).update(status="ACTIVE", total_members=d["total_members"])
    if d.get("order_seed"):
        _circle(state, entry)["order_seed"] = d["order_seed"]
    if d.get("order"):
        _positions(state, d["order"])


def _settings(*names: str) -> Callable[[State, AuditEntry], None]:
    """A rule copying the entry's `names` onto the circle's row."""
    def rule(state: State, entry: AuditEntry) -> None:
        _circle(state, entry).update({n: entry.details[n] for n in names})
    return rule


def _circle_status(status: str) -> Callable[[State, AuditEntry], None]:
    def rule(state: State, entry: AuditEntry) -> None:
        _circle(state, entry)["status"] = status
    return rule


def _cycle_opened(state: State, entry: AuditEntry) -> None:
    d = entry.details
    state["cycles"][entry.entity_id] = dict(cycle_number=d["cycle_number"], status="OPEN", due_date=d["due_date"],
                                            eligible_ids=sorted(d["eligible_ids"]),
                                            seed_commitment=d["seed_commitment"],
                                            beacon_round=d.get("beacon_round"))


def _payment(status: str) -> Callable[[State, AuditEntry], None]:
    """Marked (again), confirmed or rejected: the payment's claim, version and confirmed total as of
    this entry. A confirmation short of the amount due leaves it PARTIAL until a top-up completes it."""
    def rule(state: State, entry: AuditEntry) -> None:
        d = entry.details
        row = state["contributions"].setdefault(entry.entity_id, {})
        if "version" in d:
            version, confirmed, due = d["version"], d["confirmed_amount"], d["amount_due"]
        else:  # written before payments had versions (migration 0011 numbered them by their marks)
            version = row.get("version", 0) + (status == "PENDING")
            due = _circle(state, entry).get("amount_per_cycle")
            confirmed = d["amount"] if status == "CONFIRMED" else row.get("confirmed_amount", 0)
        short = status == "CONFIRMED" and due is not None and confirmed < due
        row.update(cycle=d["cycle_number"], user_id=d["user_id"], amount=d["amount"],
                   status="PARTIAL" if short else status, version=version, confirmed_amount=confirmed)
        if status == "PENDING":
            row.update(marked_by=_actor(entry), decided_by=None)
        else:
            row["decided_by"] = _actor(entry)
    return rule


def _draw_completed(state: State, entry: AuditEntry) -> None:
    d = entry.details
    state["draws"][entry.entity_id] = dict(cycle=d["cycle_number"], winner_id=d["winner_id"], drawn_by=_actor(entry),
                                           unpaid_ids=sorted(d["unpaid_ids"]),
                                           beacon_randomness=d.get("beacon_randomness"),
                                           beacon_signature=d.get("beacon_signature"))
    _cycle(state, d["cycle_number"]).update(status="DRAWN", seed=d["seed"])


def _payout_recorded(state: State, entry: AuditEntry) -> None:
    d = entry.details
    state["payouts"][entry.entity_id] = dict(cycle=d["cycle_number"], receiver_id=d["receiver_id"],
                                             amount=d["amount"], recorded_by=_actor(entry), acknowledged=False)
    _cycle(state, d["cycle_number"])["status"] = "PAID_OUT"


def _payout_acknowledged(state: State, entry: AuditEntry) -> None:
    state["payouts"].setdefault(entry.entity_id, {})["acknowledged"] = True


def _vote_carried(state: State, entry: AuditEntry) -> None:
    """ELECT: the candidate becomes an organizer and the absent ones plain members; END: cancelled."""
    d = entry.details
    if d["kind"] == "END":
        _circle(state, entry)["status"] = "CANCELLED"
        return
    for user_id in d["demoted_ids"]:
        state["memberships"].setdefault(user_id, {"user_id": user_id})["role"] = "MEMBER"
    state["memberships"].setdefault(d["user_id"], {"user_id": d["user_id"]})["role"] = "ORGANIZER"


# Events that change no table compared here (a chat link lives in circle_chats: not money or turns;
# a vote's own rows are its proposal and ballots, which change nothing until it carries).
NO_TABLE_CHANGE = frozenset({"chat_linked", "chat_moved", "vote_started", "ballot_cast", "vote_failed",
                             "vote_expired"})

RULES: dict[str, Callable[[State, AuditEntry], None]] = {
    "circle_created": _circle_created,
    "member_joined": _member_joined,
    "member_left": _member_gone,
    "member_removed": _member_gone,
    "organizer_added": _role("ORGANIZER"),
    "organizer_stepped_down": _role("MEMBER"),
    "payout_order_set": _payout_order_set,
    "circle_started": _circle_started,
    "payment_instructions_set": _settings("payment_instructions"),
    "timezone_changed": _settings("timezone"),
    "circle_language_changed": _settings("language"),
    "reminders_changed": _settings(*REMINDER_SETTINGS),
    "cycle_opened": _cycle_opened,
    "payment_marked": _payment("PENDING"),
    "payment_confirmed": _payment("CONFIRMED"),
    "payment_rejected": _payment("REJECTED"),
    "draw_completed": _draw_completed,
    "payout_recorded": _payout_recorded,
    "payout_acknowledged": _payout_acknowledged,
    "circle_completed": _circle_status("COMPLETED"),
    "circle_cancelled": _circle_status("CANCELLED"),
    "vote_carried": _vote_carried,
    **{action: lambda state, entry: None for action in NO_TABLE_CHANGE},
}
