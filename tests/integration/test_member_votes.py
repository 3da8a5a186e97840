"""Member votes over a real PostgreSQL: when they may start, how they count, and concurrent ballots and
proposals on separate connections having exactly one effect."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import record_check
from core.circles import add_organizer, leave_circle
from core.errors import AlreadyOrganizer, NotMember, OrganizerActive, VoteAlreadyOpen
from core.models import AuditEntry, CircleStatus, Membership, Role, VoteKind
from core.stewardship import cast_ballot, expire_votes, organizer_absence, start_vote
from tests.integration.builders import active_circle, forming_circle, user

DAYS = 14


async def replays_to_its_tables(new_uow, circle_id) -> bool:
    """The audit verifier rebuilds what the vote did (roles, status) from the log alone."""
    async with new_uow() as uow:
        found = await record_check.check_circle(uow.session, circle_id)
    assert found.disagreements == [] and found.unknown == [], found
    return found.intact


async def actions(new_uow, action: str) -> int:
    async with new_uow() as uow:
        return await uow.session.scalar(select(func.count()).where(AuditEntry.action == action))


async def role(new_uow, circle_id, user_id) -> Role:
    async with new_uow() as uow:
        return await uow.session.scalar(select(Membership.role).where(Membership.circle_id == circle_id,
                                                                      Membership.user_id == user_id))


async def test_absence_counts_any_organizer_acting(new_uow, clock):
    circle, (grace, tom, amina) = await forming_circle(new_uow, 3)
    clock.now += timedelta(days=10)
    await add_organizer(new_uow(), actor=grace, circle_id=circle.id, user_id=tom)  # Grace acts on day 10
    clock.now += timedelta(days=13)
    assert await organizer_absence(new_uow(), circle.id, absent_days=DAYS) is None
    with pytest.raises(OrganizerActive) as refused:
        await start_vote(new_uow(), actor=amina, circle_id=circle.id, kind=VoteKind.END, absent_days=DAYS)
    assert refused.value.context["days"] == DAYS
    clock.now += timedelta(days=1)  # 14 days since anyone with the role acted (Tom never did)
    absence = await organizer_absence(new_uow(), circle.id, absent_days=DAYS)
    assert absence is not None and absence.last_acted == clock.now - timedelta(days=14)


async def test_concurrent_ballots_carry_once_and_proposals_open_one_vote(new_uow, clock):
    circle, (organizer, candidate, *members) = await active_circle(new_uow, 7)
    clock.now += timedelta(days=DAYS)
    starts = await asyncio.gather(*(start_vote(new_uow(), actor=p, circle_id=circle.id, kind=VoteKind.ELECT,
                                               candidate=candidate, absent_days=DAYS) for p in members),
                                  return_exceptions=True)
    opened = [p for p, s in zip(members, starts, strict=True) if not isinstance(s, Exception)]
    assert len(opened) == 1 and all(isinstance(s, VoteAlreadyOpen) for s in starts if isinstance(s, Exception))
    others = [p for p in (candidate, *members) if p not in opened]  # everyone taps Yes twice, all at once
    await asyncio.gather(*(cast_ballot(new_uow(), actor=p, circle_id=circle.id, in_favour=True)
                           for p in others for _ in range(2)), return_exceptions=True)
    assert await actions(new_uow, "vote_carried") == 1
    async with new_uow() as uow:
        voters = list((await uow.session.execute(select(AuditEntry.actor_id).where(
            AuditEntry.action == "ballot_cast"))).scalars())
    assert len(voters) == len(set(voters)) == 4  # 4 of 7 carry it, once; later taps find it closed
    assert await role(new_uow, circle.id, candidate) == Role.ORGANIZER
    assert await role(new_uow, circle.id, organizer) == Role.MEMBER
    assert await replays_to_its_tables(new_uow, circle.id)


async def test_rules_of_who_may_vote_and_for_whom(new_uow, clock):
    circle, (grace, tom, amina, joseph) = await forming_circle(new_uow, 4, total=6)
    outsider = await user(new_uow)
    clock.now += timedelta(days=DAYS)
    with pytest.raises(NotMember):
        await start_vote(new_uow(), actor=outsider, circle_id=circle.id, kind=VoteKind.END, absent_days=DAYS)
    with pytest.raises(NotMember):
        await start_vote(new_uow(), actor=tom, circle_id=circle.id, kind=VoteKind.ELECT, candidate=outsider,
                         absent_days=DAYS)
    with pytest.raises(AlreadyOrganizer):
        await start_vote(new_uow(), actor=tom, circle_id=circle.id, kind=VoteKind.ELECT, candidate=grace,
                         absent_days=DAYS)
    await start_vote(new_uow(), actor=tom, circle_id=circle.id, kind=VoteKind.ELECT, candidate=amina,
                     absent_days=DAYS)
    with pytest.raises(NotMember):
        await cast_ballot(new_uow(), actor=outsider, circle_id=circle.id, in_favour=True)
    await leave_circle(new_uow(), actor=amina, circle_id=circle.id)  # the candidate left: it can't carry
    vote = await cast_ballot(new_uow(), actor=joseph, circle_id=circle.id, in_favour=True)
    assert vote.status == "FAILED" and await actions(new_uow, "vote_failed") == 1

    await start_vote(new_uow(), actor=tom, circle_id=circle.id, kind=VoteKind.END, absent_days=DAYS)
    clock.now += timedelta(days=7)
    assert await expire_votes(new_uow) == 1 and await expire_votes(new_uow) == 0  # safe to run twice
    await start_vote(new_uow(), actor=tom, circle_id=circle.id, kind=VoteKind.END, absent_days=DAYS)
    vote = await cast_ballot(new_uow(), actor=joseph, circle_id=circle.id, in_favour=True)  # 2 of 3: carried
    assert vote.status == "CARRIED" and vote.circle.status == CircleStatus.CANCELLED
    assert await replays_to_its_tables(new_uow, circle.id)
