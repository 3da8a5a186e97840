"""What happened, as values. Every state change emits one or more of these inside its transaction.

Consumers (the audit chain now, the outbox of notifications later) turn them into rows in the same
transaction, so a change without its audit entry cannot exist.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class Event:
    circle_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    entity: ClassVar[str]
    id_field: ClassVar[str]

    @property
    def action(self) -> str:
        name = type(self).__name__
        return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")

    @property
    def entity_id(self) -> str:
        return str(getattr(self, self.id_field))

    def details(self) -> dict[str, Any]:
        """The event's own fields as plain JSON values (the audit hash is computed over them)."""
        skip = {"circle_id", "actor_id"}
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name not in skip}


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (uuid.UUID, date)):
        return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
    return value


@dataclass(frozen=True, kw_only=True)
class UserRegistered(Event):
    entity = "user"
    id_field = "user_id"
    user_id: uuid.UUID
    phone: str
    full_name: str


@dataclass(frozen=True, kw_only=True)
class UserRenamed(Event):
    entity = "user"
    id_field = "user_id"
    user_id: uuid.UUID
    full_name: str


@dataclass(frozen=True, kw_only=True)
class LanguageChosen(Event):
    entity = "user"
    id_field = "user_id"
    user_id: uuid.UUID
    language: str


@dataclass(frozen=True, kw_only=True)
class IdentityLinked(Event):
    entity = "user"
    id_field = "user_id"
    user_id: uuid.UUID
    channel: str
    address: str


@dataclass(frozen=True, kw_only=True)
class CircleCreated(Event):
    entity = "circle"
    id_field = "circle_id"
    name: str
    amount_per_cycle: int
    currency: str
    total_members: int
    frequency: str
    every_days: int | None
    first_due_date: date
    timezone: str
    payout_order: str
    join_code: str
    order_commitment: str | None  # DRAWN_AT_START: sha256 of the seed revealed at the start
    language: str = "en"  # of its group messages (circles created before languages have none logged)


@dataclass(frozen=True, kw_only=True)
class ChatLinked(Event):
    entity = "circle"
    id_field = "circle_id"
    channel: str
    chat_address: str


@dataclass(frozen=True, kw_only=True)
class _MembershipEvent(Event):
    entity = "membership"
    id_field = "user_id"
    user_id: uuid.UUID


class MemberJoined(_MembershipEvent):
    pass


class MemberLeft(_MembershipEvent):
    pass


class MemberRemoved(_MembershipEvent):
    pass


class OrganizerAdded(_MembershipEvent):
    pass


class OrganizerSteppedDown(_MembershipEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class PaymentInstructionsSet(Event):
    entity = "circle"
    id_field = "circle_id"
    payment_instructions: str | None  # None: cleared


@dataclass(frozen=True, kw_only=True)
class PayoutOrderSet(Event):
    entity = "circle"
    id_field = "circle_id"
    order: list[uuid.UUID]


@dataclass(frozen=True, kw_only=True)
class CircleStarted(Event):
    entity = "circle"
    id_field = "circle_id"
    total_members: int
    payout_order: str
    order: list[uuid.UUID]  # empty for RANDOM: decided cycle by cycle
    order_seed: str | None  # DRAWN_AT_START: revealed so anyone can re-derive the order


@dataclass(frozen=True, kw_only=True)
class CycleOpened(Event):
    entity = "cycle"
    id_field = "cycle_id"
    cycle_id: uuid.UUID
    cycle_number: int
    due_date: date
    eligible_ids: list[uuid.UUID]
    seed_commitment: str
    beacon_round: int | None = None  # the public random number the draw will mix in (core/fairness.py)


@dataclass(frozen=True, kw_only=True)
class _PaymentEvent(Event):
    entity = "contribution"
    id_field = "contribution_id"
    contribution_id: uuid.UUID
    user_id: uuid.UUID
    cycle_number: int
    amount: int  # the claim this event is about
    # The row after the change, so replaying the log rebuilds it: the claim's version, what is
    # confirmed so far this cycle (all claims together) and what the cycle asks of each member.
    version: int
    confirmed_amount: int
    amount_due: int


class PaymentMarked(_PaymentEvent):
    pass


class PaymentConfirmed(_PaymentEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class PaymentRejected(_PaymentEvent):
    reason: str | None = None  # one of REJECT_REASONS (core/contributions.py); None: not given
    received: int | None = None  # "amount short": what the organizer did receive, if they know


@dataclass(frozen=True, kw_only=True)
class DrawCompleted(Event):
    entity = "draw"
    id_field = "draw_id"
    draw_id: uuid.UUID
    cycle_number: int
    winner_id: uuid.UUID
    eligible_ids: list[uuid.UUID]
    seed_commitment: str
    seed: str
    unpaid_ids: list[uuid.UUID]  # non-empty only when an organizer drew despite unpaid members
    # The beacon round's value mixed into the key; all None for a cycle without a round, and for a
    # draw made without the beacon (`without_beacon`: it could not be reached).
    beacon_round: int | None = None
    beacon_randomness: str | None = None
    beacon_signature: str | None = None
    without_beacon: bool = False


@dataclass(frozen=True, kw_only=True)
class PayoutRecorded(Event):
    entity = "payout"
    id_field = "payout_id"
    payout_id: uuid.UUID
    cycle_number: int
    receiver_id: uuid.UUID
    amount: int


@dataclass(frozen=True, kw_only=True)
class PayoutAcknowledged(Event):
    entity = "payout"
    id_field = "payout_id"
    payout_id: uuid.UUID
    cycle_number: int
    receiver_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CircleCompleted(Event):
    entity = "circle"
    id_field = "circle_id"
    cycles: int
    total_paid_out: int


@dataclass(frozen=True, kw_only=True)
class CircleCancelled(Event):
    entity = "circle"
    id_field = "circle_id"
    previous_status: str


@dataclass(frozen=True, kw_only=True)
class ChatMoved(Event):
    """A group chat changed its address (a Telegram group upgraded to a supergroup)."""

    entity = "circle"
    id_field = "circle_id"
    channel: str
    old_address: str
    new_address: str


@dataclass(frozen=True, kw_only=True)
class RemindersChanged(Event):
    entity = "circle"
    id_field = "circle_id"
    reminder_days: list[int]
    reminder_hour: int
    overdue_reminders: int
    auto_draw: bool
    draw_hour: int


@dataclass(frozen=True, kw_only=True)
class TimezoneChanged(Event):
    entity = "circle"
    id_field = "circle_id"
    timezone: str
    previous: str


@dataclass(frozen=True, kw_only=True)
class CircleLanguageChanged(Event):
    entity = "circle"
    id_field = "circle_id"
    language: str
    previous: str


# --- stewardship: members decide for a circle whose organizers stopped acting (core/stewardship.py)
@dataclass(frozen=True, kw_only=True)
class _VoteEvent(Event):
    entity = "vote"
    id_field = "vote_id"
    vote_id: uuid.UUID
    kind: str  # "ELECT" (user_id becomes the organizer) or "END" (the circle ends)
    user_id: uuid.UUID | None  # the proposed organizer; None for END
    yes: int
    no: int
    members: int  # all current members: more than half of them must vote yes


@dataclass(frozen=True, kw_only=True)
class VoteStarted(_VoteEvent):
    needed: int
    expires_at: datetime
    organizers_last_acted: date | None  # in the circle's calendar; None: no organizer ever acted, or there is none


@dataclass(frozen=True, kw_only=True)
class BallotCast(Event):
    entity = "vote"
    id_field = "vote_id"
    vote_id: uuid.UUID
    user_id: uuid.UUID
    in_favour: bool


@dataclass(frozen=True, kw_only=True)
class VoteCarried(_VoteEvent):
    # ELECT: the organizers who hadn't acted since the vote started, now plain members; END: the
    # circle is CANCELLED (previous_status says from what).
    demoted_ids: list[uuid.UUID]
    previous_status: str


class VoteFailed(_VoteEvent):
    pass


class VoteExpired(_VoteEvent):
    pass


# --- identity: accounts presenting a member's number wait for a confirmation; numbers change in place
@dataclass(frozen=True, kw_only=True)
class IdentityClaimed(Event):
    """A new account presented the number of a member who uses another account: it waits."""

    entity = "user"
    id_field = "user_id"
    user_id: uuid.UUID  # the member whose number it is
    claim_id: uuid.UUID
    channel: str
    address: str


@dataclass(frozen=True, kw_only=True)
class IdentityClaimDecided(Event):
    """The member (from their other account) or an organizer of their circle answered a claim; the
    actor is who answered. Approved: an IdentityLinked follows in the same change."""

    entity = "user"
    id_field = "user_id"
    user_id: uuid.UUID
    claim_id: uuid.UUID
    channel: str
    address: str
    approved: bool


@dataclass(frozen=True, kw_only=True)
class PhoneChanged(Event):
    """A member confirmed their new number from their own account: same user, circles and roles."""

    entity = "user"
    id_field = "user_id"
    user_id: uuid.UUID
    phone: str
    previous: str
    replaced_user_id: uuid.UUID | None  # a user in no circle who had the new number, removed
