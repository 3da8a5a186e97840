"""The persisted shape of circles: tables, keys and the constraints that back the rules.

The rules live in the use-case modules; the constraints here are the last line of defence so that
even a buggy caller or a race cannot store a second draw for a cycle or a second payment per member.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CircleStatus(enum.StrEnum):
    FORMING = "FORMING"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class CycleStatus(enum.StrEnum):
    OPEN = "OPEN"
    DRAWN = "DRAWN"
    PAID_OUT = "PAID_OUT"


class ContributionStatus(enum.StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"  # the whole amount of the cycle arrived
    REJECTED = "REJECTED"
    PARTIAL = "PARTIAL"  # what was confirmed so far falls short of the cycle's amount: a top-up is due


# A member in one of these (None: nothing marked) still has something to pay this cycle.
STILL_OWING = (None, ContributionStatus.REJECTED, ContributionStatus.PARTIAL)


def short_by(amount_due: int, confirmed: int | None) -> int:
    """What a member who paid in part still owes this cycle; 0 when they paid nothing confirmed yet
    (they are unpaid, not short) or everything."""
    return amount_due - confirmed if confirmed and confirmed < amount_due else 0


class Role(enum.StrEnum):
    ORGANIZER = "ORGANIZER"
    MEMBER = "MEMBER"


class PayoutOrder(enum.StrEnum):
    RANDOM = "RANDOM"  # a fresh committed draw each cycle
    DRAWN_AT_START = "DRAWN_AT_START"  # the whole order drawn once, when the circle starts
    FIXED = "FIXED"  # the organizer sets the order before the start


class Channel(enum.StrEnum):
    TELEGRAM = "TELEGRAM"
    WHATSAPP = "WHATSAPP"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as text with a CHECK, not a PostgreSQL ENUM type: adding a state later is then a
    # one-line constraint change instead of an ALTER TYPE dance in migrations.
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=20,
                values_callable=lambda e: [m.value for m in e])


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=text("now()"))


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(r"phone ~ '^\+[1-9][0-9]{6,14}$'", name="phone_e164"),
                      CheckConstraint("length(full_name) between 1 and 128", name="full_name_length"))

    id: Mapped[uuid.UUID] = _uuid_pk()
    phone: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(Text, nullable=False)
    # The language of their private messages, once known: chosen, or their Telegram app's, or guessed
    # from their phone's country (WhatsApp has no language setting). None: not known yet.
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()


class ChannelIdentity(Base):
    """How a user is reached on one app: a Telegram user id or a WhatsApp address."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), nullable=False)
    address: Mapped[str] = mapped_column(String(128), nullable=False)
    # The public handle people type (a Telegram @username); it can change, so it is not the key.
    handle: Mapped[str | None] = mapped_column(String(64))
    # When they last wrote to us (WhatsApp lets a business answer freely for 24 hours after that).
    last_inbound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created()


class IdentityClaim(Base):
    """An account that presented a phone number, waiting for someone to confirm it (then deleted; the
    audit log keeps the decision). Two kinds, told apart by whether the account is already the user's:
    - a claim: a new account presents the phone of `user_id`, who already uses another account (a
      recycled SIM must not become that member); their other account or an organizer of their circle
      confirms;
    - a number change: the user's own account presents another `phone` (a new SIM); that same account
      confirms, and the user keeps their id, circles and roles.
    """

    __tablename__ = "identity_claims"
    __table_args__ = (UniqueConstraint("channel", "address"),
                      CheckConstraint(r"phone ~ '^\+[1-9][0-9]{6,14}$'", name="phone_e164"))

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), nullable=False)
    address: Mapped[str] = mapped_column(String(128), nullable=False)
    handle: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(16), nullable=False)  # as the account's app verified it
    created_at: Mapped[datetime] = _created()


class Circle(Base):
    __tablename__ = "circles"
    __table_args__ = (
        CheckConstraint("amount_per_cycle > 0", name="amount_positive"),
        CheckConstraint("total_members between 2 and 200", name="total_members_range"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_iso"),
        CheckConstraint("length(name) between 1 and 64", name="name_length"),
        CheckConstraint(
            "(frequency = 'every_n_days') = (every_days is not null) "
            "and (every_days is null or every_days between 1 and 366)", name="every_days_matches"),
        CheckConstraint("frequency in ('weekly', 'biweekly', 'monthly', 'every_n_days')",
                        name="frequency_known"),
        CheckConstraint("(payout_order = 'DRAWN_AT_START') = (order_commitment is not null)",
                        name="order_commitment_iff_drawn"),
        CheckConstraint("reminder_hour between 0 and 23 and draw_hour between 0 and 23", name="hours_valid"),
        CheckConstraint("overdue_reminders between 0 and 14", name="overdue_reminders_range"),
        CheckConstraint("cardinality(reminder_days) <= 7 and 0 <= all(reminder_days) and 30 >= all(reminder_days)",
                        name="reminder_days_range"),
        CheckConstraint("length(payment_instructions) between 1 and 300", name="payment_instructions_length"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(Text, nullable=False)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    amount_per_cycle: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    total_members: Mapped[int] = mapped_column(Integer, nullable=False)
    frequency: Mapped[str] = mapped_column(String(16), nullable=False)
    every_days: Mapped[int | None] = mapped_column(Integer)
    first_due_date: Mapped[date] = mapped_column(Date, nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    payout_order: Mapped[PayoutOrder] = mapped_column(_enum(PayoutOrder, "payout_order"), nullable=False)
    join_code: Mapped[str] = mapped_column(String(12), unique=True, nullable=False)
    status: Mapped[CircleStatus] = mapped_column(_enum(CircleStatus, "circle_status"), nullable=False)
    # Reminders and automatic draws, in the circle's timezone (see core/reminders.py).
    reminder_days: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False, server_default=text("'{3,0}'"))
    overdue_reminders: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("3"))
    reminder_hour: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("9"))
    auto_draw: Mapped[bool] = mapped_column(nullable=False, server_default=text("true"))
    draw_hour: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("18"))
    # DRAWN_AT_START only: the seed is committed to at creation and revealed when the circle starts,
    # so the organizer cannot re-roll the order by choosing when to start.
    order_commitment: Mapped[str | None] = mapped_column(String(64))
    order_seed: Mapped[str | None] = mapped_column(String(64))
    # How to pay, in the organizer's words ("M-Pesa 0712 345 678, Alice Njeri"); shown with every call to pay.
    payment_instructions: Mapped[str | None] = mapped_column(Text)
    # The language of its group messages and status card: the organizer's at setup, then theirs to change.
    language: Mapped[str] = mapped_column(String(16), nullable=False, server_default=text("'en'"))
    created_at: Mapped[datetime] = _created()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CircleChat(Base):
    """A group chat a circle lives in. One active circle per chat; ended ones stay as history."""

    __tablename__ = "circle_chats"
    __table_args__ = (
        UniqueConstraint("circle_id", "channel"),
        Index("uq_circle_chats_active_chat", "channel", "chat_address", unique=True,
              postgresql_where=text("active")),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    circle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), nullable=False)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), nullable=False)
    chat_address: Mapped[str] = mapped_column(String(128), nullable=False)
    active: Mapped[bool] = mapped_column(nullable=False, server_default=text("true"))
    created_at: Mapped[datetime] = _created()


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("circle_id", "user_id"),
        UniqueConstraint("circle_id", "payout_position"),
        CheckConstraint("payout_position is null or payout_position >= 1", name="position_positive"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    circle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), nullable=False)
    payout_position: Mapped[int | None] = mapped_column(Integer)
    # Joined from a private chat (by code): the circle's Telegram group, if it has one, may not include
    # them, so its announcements reach them privately too (core/notifications.py).
    hears_privately: Mapped[bool] = mapped_column(nullable=False, server_default=text("false"))
    joined_at: Mapped[datetime] = _created()


def in_payout_order(members: list[Any]) -> list[Any]:
    """Members (anything with a payout_position), given in join order: those with a position by it,
    then the rest as they joined. The one rule for who receives when in a `fixed` circle."""
    placed = sorted((m for m in members if m.payout_position), key=lambda m: m.payout_position)
    return placed + [m for m in members if not m.payout_position]


class Cycle(Base):
    __tablename__ = "cycles"
    __table_args__ = (
        UniqueConstraint("circle_id", "cycle_number"),
        CheckConstraint("cycle_number >= 1", name="number_positive"),
        CheckConstraint("seed_commitment ~ '^[0-9a-f]{64}$'", name="commitment_hex"),
        CheckConstraint("cardinality(eligible_ids) >= 1", name="someone_eligible"),
        # At most one cycle of a circle is not yet paid out: the "current" one.
        Index("uq_cycles_one_current", "circle_id", unique=True, postgresql_where=text("status <> 'PAID_OUT'")),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    circle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), nullable=False)
    cycle_number: Mapped[int] = mapped_column(Integer, nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[CycleStatus] = mapped_column(_enum(CycleStatus, "cycle_status"), nullable=False)
    # The draw's committed inputs, fixed when the cycle opens (see core/fairness.py).
    eligible_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), nullable=False)
    seed_commitment: Mapped[str] = mapped_column(String(64), nullable=False)
    seed: Mapped[str] = mapped_column(String(64), nullable=False)  # secret until the draw reveals it
    opened_at: Mapped[datetime] = _created()
    # The public beacon round the draw mixes in, fixed at opening; None for cycles opened before the beacon.
    beacon_round: Mapped[int | None] = mapped_column(BigInteger)


class Contribution(Base):
    """A member's payment for one cycle. `amount` is their latest claim (what an organizer decides on);
    `confirmed_amount` the sum of the claims confirmed so far. A short payment stays PARTIAL until a
    top-up (a new claim on the same row) brings `confirmed_amount` to the circle's amount. `version`
    counts the claims, so a decision made on an older one is refused (core/contributions.py)."""

    __tablename__ = "contributions"
    __table_args__ = (
        UniqueConstraint("cycle_id", "user_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("confirmed_amount >= 0", name="confirmed_amount_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    confirmed_amount: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))
    status: Mapped[ContributionStatus] = mapped_column(_enum(ContributionStatus, "contribution_status"),
                                                      nullable=False)
    marked_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created()
    # Loaded only where asked for (a decision's reply names the payer); never lazily behind an await.
    payer: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise", viewonly=True)


class Draw(Base):
    __tablename__ = "draws"

    id: Mapped[uuid.UUID] = _uuid_pk()
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), unique=True,
                                                nullable=False)
    winner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    drawn_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))  # None: the scheduler
    # Members not confirmed when an organizer chose to draw anyway; empty for a normal draw.
    unpaid_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), nullable=False,
                                                        server_default=text("'{}'"))
    created_at: Mapped[datetime] = _created()
    # The beacon round's value the draw used; None when drawn without it (its cycle has no round, or
    # the beacon could not be reached: see core/draws.py).
    beacon_randomness: Mapped[str | None] = mapped_column(String(64))
    beacon_signature: Mapped[str | None] = mapped_column(Text)


class Payout(Base):
    __tablename__ = "payouts"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), unique=True,
                                                nullable=False)
    receiver_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created()


class AuditEntry(Base):
    """One link of a circle's tamper-evident chain (circle_id NULL: the chain of user records)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("circle_id", "seq", postgresql_nulls_not_distinct=True),
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("hash ~ '^[0-9a-f]{64}$'", name="hash_hex"),
        # When an organizer last acted in a circle (core/stewardship.py): one short index range per organizer.
        Index("ix_audit_log_circle_actor", "circle_id", "actor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    # No foreign key on purpose: the log must outlive and never block deletion of what it describes.
    circle_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    entity: Mapped[str] = mapped_column(String(32), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(48), nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class ProcessedDelivery(Base):
    """Incoming updates, so a redelivered one (webhook retry, restart) has one effect. A Telegram update
    is recorded with its `payload` when it arrives (core/inbox.receive) and is handled later; the
    change it asks for sets `handled_at` in its own transaction (core/inbox.claim), exactly once."""

    __tablename__ = "processed_deliveries"
    __table_args__ = (Index("ix_processed_deliveries_unhandled", "received_at",
                            postgresql_where=text("handled_at is null")),)

    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = _created()
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Conversation(Base):
    """Where a multi-step chat flow stands (guided setup, a pending join), kept across restarts and
    shared by every running instance."""

    __tablename__ = "conversations"

    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), primary_key=True)
    chat_address: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_address: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class OutboxStatus(enum.StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class OutboxMessage(Base):
    """A message the bot owes someone, written in the transaction that made it due; the dispatcher
    claims it, delivers it (retrying) and marks it, so a crash loses nothing and repeats at most the
    message in flight (core/outbox.py)."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        Index("ix_outbox_pending_chat", "channel", "address", "id", postgresql_where=text("status = 'PENDING'")),
        # A circle's status card requests and deliveries in a chat (core/outbox.want_status_card).
        Index("ix_outbox_status_cards", "circle_id", "channel", "address", "id",
              postgresql_where=text("kind = 'status_card'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), nullable=False)
    address: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    # Set for messages that must exist once whoever plans them (a reminder: circle, cycle, kind, member).
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    circle_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "outbox_status"), nullable=False,
                                                 server_default=text("'PENDING'"))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # Set while a dispatcher sends it (a lease: others leave it alone until then; core/outbox.claim_head).
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    # The provider's id for the sent message (a Twilio MessageSid), to match delivery callbacks.
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- stewardship: members decide for a circle whose organizers stopped acting (core/stewardship.py)
class VoteKind(enum.StrEnum):
    ELECT = "ELECT"  # make a member the organizer
    END = "END"  # end the circle


class VoteStatus(enum.StrEnum):
    OPEN = "OPEN"
    CARRIED = "CARRIED"
    FAILED = "FAILED"  # too many voted no for it to carry
    EXPIRED = "EXPIRED"  # not enough votes in time


class CircleVote(Base):
    __tablename__ = "circle_votes"
    __table_args__ = (
        CheckConstraint("(kind = 'ELECT') = (candidate_id is not null)", name="candidate_iff_elect"),
        # One open vote per circle: two at once could contradict each other.
        Index("uq_circle_votes_one_open", "circle_id", unique=True, postgresql_where=text("status = 'OPEN'")),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    circle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[VoteKind] = mapped_column(_enum(VoteKind, "vote_kind"), nullable=False)
    candidate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    started_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    status: Mapped[VoteStatus] = mapped_column(_enum(VoteStatus, "vote_status"), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VoteBallot(Base):
    """One member's yes or no; the key makes it one ballot per member, however many taps."""

    __tablename__ = "vote_ballots"

    vote_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circle_votes.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    in_favour: Mapped[bool] = mapped_column(nullable=False)
    cast_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
