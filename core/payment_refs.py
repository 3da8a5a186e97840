"""Short, stable references to payments, for channels without buttons (WhatsApp: "CONFIRM K7P2Q").

A list position changes as payments come and go, so "CONFIRM 2" could decide someone other than the
person the organizer saw. A reference is derived from the payment's id and the version of its claim
instead: it needs no storage, reads well aloud (no 0/O, 1/I/L), and changes when the payment is
claimed again (after a rejection, or a top-up), so an old code cannot decide a different amount —
it is recognised as an earlier version and refused. Five characters give 28 million codes; should two
current payments of one circle ever share one, the code is refused as ambiguous rather than guessed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from core.guards import current_cycle
from core.models import Contribution, ContributionStatus, User
from core.uow import UnitOfWork

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 5


# Each new version shifts the code by this step (prime, so coprime with 31**5: versions of one payment
# never share a code). Version 1 is the id alone: the codes sent before versions existed.
STEP = 15_485_863


def payment_ref(contribution_id: uuid.UUID | str, version: int = 1) -> str:
    number = uuid.UUID(str(contribution_id)).int + (version - 1) * STEP
    code = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        code.append(ALPHABET[digit])
    return "".join(code)


def looks_like_ref(text: str) -> bool:
    text = text.strip().upper()
    return len(text) == LENGTH and all(c in ALPHABET for c in text)


@dataclass(frozen=True)
class CurrentPayment:
    ref: str
    contribution_id: uuid.UUID
    user_id: uuid.UUID
    full_name: str
    amount: int
    status: ContributionStatus
    version: int


async def current_payments(uow: UnitOfWork, circle_id: uuid.UUID) -> list[CurrentPayment]:
    """The payments of the circle's current cycle, in the order they were first marked."""
    async with uow:
        cycle = await current_cycle(uow.session, circle_id)
        rows = (await uow.session.execute(
            select(Contribution, User.full_name).join(User, User.id == Contribution.user_id)
            .where(Contribution.cycle_id == cycle.id).order_by(Contribution.created_at, Contribution.id))).all()
    return [CurrentPayment(payment_ref(c.id, c.version), c.id, c.user_id, name, c.amount, c.status, c.version)
            for c, name in rows]


def by_ref(payments: list[CurrentPayment], text: str) -> list[CurrentPayment]:
    """Every current payment with this reference (normally one; none when it is another cycle's)."""
    wanted = text.strip().upper()
    return [p for p in payments if p.ref == wanted]


def changed_since(payments: list[CurrentPayment], text: str) -> list[CurrentPayment]:
    """The current payments an older code (an earlier claim's) belongs to: the organizer saw a claim
    that has since been replaced, so nothing is decided and they are shown the current one."""
    wanted = text.strip().upper()
    return [p for p in payments if any(payment_ref(p.contribution_id, v) == wanted for v in range(1, p.version))]
