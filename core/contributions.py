"""Payments of the current cycle: a member marks, an organizer confirms or rejects."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from core.errors import (
    AlreadyDecided,
    AlreadyPaid,
    CircleNotActive,
    ContributionNotFound,
    InvalidAmount,
    InvalidRejectReason,
    MoreThanOwed,
    NotMember,
    NotOrganizer,
    PaymentChanged,
)
from core.events import PaymentConfirmed, PaymentMarked, PaymentRejected
from core.guards import current_cycle, lock_circle, lock_circle_of_payment, require_member, require_status
from core.models import (
    Circle,
    CircleStatus,
    Contribution,
    ContributionStatus,
    Cycle,
    CycleStatus,
    Membership,
    Role,
    User,
)
from core.money import MAX_AMOUNT_MINOR
from core.uow import UnitOfWork


async def mark_paid(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, amount: int | None = None,
                    member: uuid.UUID | None = None) -> Contribution:
    """A member says they paid this cycle: by default what they still owe (the circle's amount, or
    the rest of a short payment — a top-up). More than they owe is refused: the pot is exactly what
    the members owe, and a typo (5000 for 500) never reaches it.

    With `member`, an organizer records a payment on that member's behalf; it is confirmed at once,
    since the organizer is the one who would confirm it.
    """
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        payer = actor if member is None else member
        if payer != actor and (await require_member(uow.session, circle_id, actor)).role != Role.ORGANIZER:
            raise NotOrganizer(circle_id=str(circle_id))
        membership, cycle, contribution = await _payment_of(uow, circle_id, payer)
        if membership is None:
            raise NotMember(circle_id=str(circle_id), user_id=str(payer))
        require_status(circle, CircleStatus.ACTIVE)
        if amount is not None and not 0 < amount <= MAX_AMOUNT_MINOR:
            raise InvalidAmount(text=str(amount), reason="not_positive" if amount <= 0 else "too_large")
        if cycle is None:
            raise CircleNotActive(status="no_open_cycle")
        on_behalf = payer != actor
        owed = circle.amount_per_cycle - (contribution.confirmed_amount if contribution else 0)
        if contribution is not None and (owed <= 0 or (contribution.status == ContributionStatus.PENDING
                                                       and not on_behalf)):
            raise AlreadyPaid(status=contribution.status.value)
        if amount is not None and amount > owed:
            raise MoreThanOwed(owed=owed, currency=circle.currency)
        if contribution is None:
            contribution = Contribution(id=uuid.uuid4(), cycle_id=cycle.id, user_id=payer, confirmed_amount=0,
                                        version=0, created_at=uow.now())
            uow.session.add(contribution)
        if contribution.status != ContributionStatus.PENDING:  # new, a top-up, or again after a rejection
            contribution.amount, contribution.marked_by = amount or owed, actor
            contribution.status, contribution.version = ContributionStatus.PENDING, contribution.version + 1
            contribution.decided_by = contribution.decided_at = None
            await uow.session.flush()
            uow.emit(PaymentMarked(**_facts(circle, cycle, contribution), actor_id=actor))
        if on_behalf:
            if amount is not None and amount != contribution.amount:  # what the organizer received wins
                contribution.amount, contribution.version = amount, contribution.version + 1
            _decide(uow, circle, cycle, contribution, actor, ContributionStatus.CONFIRMED)
        await uow.commit()
        return contribution


async def confirm_contribution(uow: UnitOfWork, *, actor: uuid.UUID, contribution_id: uuid.UUID,
                               circle_id: uuid.UUID | None = None, version: int | None = None) -> Contribution:
    """`circle_id`, when given, must be the payment's circle (a button pressed in one group chat
    must not act on another group's payment, whatever its callback data says). `version`, when
    given, must be the claim the organizer saw (a button or code carries it): after a rejection and
    a new claim on the same payment, an old Confirm is refused with PaymentChanged. A short payment
    confirmed becomes PARTIAL. The payment comes back with its `payer` loaded, for the reply."""
    return await _decide_by_id(uow, actor, contribution_id, ContributionStatus.CONFIRMED, circle_id, version)


REJECT_REASONS = ("short", "not_received", "other")


async def reject_contribution(uow: UnitOfWork, *, actor: uuid.UUID, contribution_id: uuid.UUID,
                              circle_id: uuid.UUID | None = None, reason: str | None = None,
                              received: int | None = None, version: int | None = None) -> Contribution:
    """The member can mark the payment again afterwards (same row, back to PENDING as a new version,
    so a decision still showing this claim no longer applies). The reason
    (one of REJECT_REASONS) and, for "short", the amount that did arrive go into the event, so the
    payer is told why and the audit keeps it."""
    if reason is not None and reason not in REJECT_REASONS:
        raise InvalidRejectReason(reason=reason[:20])
    if received is not None and (reason != "short" or not 0 <= received <= MAX_AMOUNT_MINOR):
        raise InvalidAmount(text=str(received), reason="not_positive" if received < 0 else "too_large")
    return await _decide_by_id(uow, actor, contribution_id, ContributionStatus.REJECTED, circle_id, version,
                               {"reason": reason, "received": received})


async def pending_contribution_of(uow: UnitOfWork, *, circle_id: uuid.UUID, member: uuid.UUID) -> Contribution:
    """The member's payment in the current cycle, for '/confirm @member' style commands."""
    async with uow:
        cycle = await current_cycle(uow.session, circle_id)
        contribution = await _contribution(uow, cycle.id, member)
        if contribution is None:
            raise ContributionNotFound()
        return contribution


async def _decide_by_id(uow: UnitOfWork, actor: uuid.UUID, contribution_id: uuid.UUID,
                        decision: ContributionStatus, expected_circle: uuid.UUID | None, version: int | None,
                        why: dict[str, Any] | None = None) -> Contribution:
    async with uow:
        circle = await lock_circle_of_payment(uow.session, contribution_id)  # serializes concurrent taps
        if circle is None or (expected_circle is not None and circle.id != expected_circle):
            raise ContributionNotFound()
        # Read after the lock, so a decision a concurrent tap just committed is seen.
        contribution, cycle, role = (await uow.session.execute(
            _DECISION, {"contribution_id": contribution_id, "circle_id": circle.id, "actor": actor})).one()
        if role != Role.ORGANIZER:
            raise NotOrganizer(circle_id=str(circle.id))
        require_status(circle, CircleStatus.ACTIVE)
        if version is not None and version != contribution.version:
            raise PaymentChanged(contribution_id=str(contribution.id), version=contribution.version,
                                 amount=contribution.amount, currency=circle.currency,
                                 status=contribution.status.value, name=contribution.payer.full_name,
                                 circle=circle.name, cycle_number=cycle.cycle_number)
        if contribution.status != ContributionStatus.PENDING:
            by = await uow.session.scalar(select(User.full_name).where(User.id == contribution.decided_by))
            raise AlreadyDecided(status=contribution.status.value, by=by or "an organizer")
        if why and why.get("received") is not None and why["received"] >= contribution.amount:
            raise InvalidAmount(text=str(why["received"]), reason="too_large")
        _decide(uow, circle, cycle, contribution, actor, decision, why)
        await uow.commit()
        return contribution


def _decide(uow: UnitOfWork, circle: Circle, cycle: Cycle, contribution: Contribution, actor: uuid.UUID,
            decision: ContributionStatus, why: dict[str, Any] | None = None) -> None:
    if decision == ContributionStatus.CONFIRMED:
        contribution.confirmed_amount += contribution.amount
        if contribution.confirmed_amount < circle.amount_per_cycle:
            decision = ContributionStatus.PARTIAL
    contribution.status, contribution.decided_by, contribution.decided_at = decision, actor, uow.now()
    event = PaymentRejected if decision == ContributionStatus.REJECTED else PaymentConfirmed
    uow.emit(event(**_facts(circle, cycle, contribution), actor_id=actor, **(why or {})))


def _facts(circle: Circle, cycle: Cycle, contribution: Contribution) -> dict[str, Any]:
    """What every payment event carries: the claim, and the row's totals after the change."""
    return {"circle_id": circle.id, "contribution_id": contribution.id, "user_id": contribution.user_id,
            "cycle_number": cycle.cycle_number, "amount": contribution.amount, "version": contribution.version,
            "confirmed_amount": contribution.confirmed_amount, "amount_due": circle.amount_per_cycle}


# Built once, with bind parameters (every payment and decision runs one; building costs more than running).
# The payment and its cycle, the payer's name for the reply, and the role of who decides.
_DECISION = (
    select(Contribution, Cycle, select(Membership.role).where(
        Membership.circle_id == bindparam("circle_id"), Membership.user_id == bindparam("actor")).scalar_subquery())
    .join(Cycle, Cycle.id == Contribution.cycle_id).join(Contribution.payer).options(contains_eager(Contribution.payer))
    .where(Contribution.id == bindparam("contribution_id")).execution_options(populate_existing=True))
# A member, the open cycle and their payment in it; Nones for what does not exist.
_PAYMENT_OF = (
    select(Membership, Cycle, Contribution)
    .outerjoin(Cycle, (Cycle.circle_id == Membership.circle_id) & (Cycle.status != CycleStatus.PAID_OUT))
    .outerjoin(Contribution, (Contribution.cycle_id == Cycle.id) & (Contribution.user_id == Membership.user_id))
    .where(Membership.circle_id == bindparam("circle_id"), Membership.user_id == bindparam("user_id"))
    .execution_options(populate_existing=True))


async def _payment_of(uow: UnitOfWork, circle_id: uuid.UUID, user_id: uuid.UUID,
                      ) -> tuple[Membership | None, Cycle | None, Contribution | None]:
    """Read after the circle lock, so what a concurrent tap just committed is seen."""
    row = (await uow.session.execute(_PAYMENT_OF, {"circle_id": circle_id, "user_id": user_id})).first()
    return (None, None, None) if row is None else tuple(row)


async def _contribution(uow: UnitOfWork, cycle_id: uuid.UUID, user_id: uuid.UUID) -> Contribution | None:
    return (await uow.session.execute(
        select(Contribution).where(Contribution.cycle_id == cycle_id, Contribution.user_id == user_id)
        .execution_options(populate_existing=True))).scalar_one_or_none()
