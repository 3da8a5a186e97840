"""When a circle's organizers stop acting, its members decide: a new organizer, or the end of the circle.

A circle is without an active organizer when no member with the organizer role has acted in it (an
entry of the circle's audit chain with them as actor) for `absent_days`, or when it has no organizer.
Then any member may start a vote; every member votes once (a ballot is final), and a vote carries
with more than half of all current members voting yes, not of those who voted. A vote that can no
longer carry fails at once, and one still open after VOTE_DAYS expires (the scheduler closes it).
One vote is open per circle at a time. Each step is one transaction under the circle row lock, with
its audit entry; the outcome is announced to everyone (core/notifications.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.circles import end_circle
from core.errors import (
    AlreadyOrganizer,
    AlreadyVoted,
    NoOpenVote,
    OrganizerActive,
    VoteAlreadyOpen,
    VoteClosed,
)
from core.events import BallotCast, VoteCarried, VoteExpired, VoteFailed, VoteStarted
from core.guards import lock_circle, membership_of, require_member, require_running
from core.models import (
    AuditEntry,
    Circle,
    CircleStatus,
    CircleVote,
    Membership,
    Role,
    User,
    VoteBallot,
    VoteKind,
    VoteStatus,
)
from core.schedule import local_date
from core.uow import UnitOfWork

VOTE_DAYS = 7  # long enough for a family to hear of it and answer; short enough not to block another vote

_ORGANIZERS = select(Membership.user_id).where(Membership.circle_id == bindparam("circle_id"),
                                               Membership.role == Role.ORGANIZER)
# Bounded per circle by ix_audit_log_circle_actor: one index range per organizer.
_LAST_ACTED = select(func.max(AuditEntry.created_at)).where(
    AuditEntry.circle_id == bindparam("circle_id"), AuditEntry.actor_id.in_(_ORGANIZERS.scalar_subquery()))


@dataclass(frozen=True)
class Absence:
    """No organizer has acted for the allowed days; `last_acted` None: none ever did, or there is none."""

    last_acted: datetime | None


@dataclass(frozen=True)
class Vote:
    """A vote as members see it: what it decides, and how far it is."""

    id: uuid.UUID
    circle: Circle
    kind: VoteKind
    candidate: str | None  # the proposed organizer's name (ELECT)
    started_by: str
    status: VoteStatus
    expires_on: date  # the last day it is open, in the circle's calendar
    yes: int
    no: int
    members: int

    @property
    def needed(self) -> int:
        return needed(self.members)


def needed(members: int) -> int:
    """Yes votes that carry a vote: more than half of all members."""
    return members // 2 + 1


async def organizer_absence(uow: UnitOfWork, circle_id: uuid.UUID, *, absent_days: int) -> Absence | None:
    """None while an organizer has acted in the circle within `absent_days`."""
    async with uow:
        return await _absence(uow.session, circle_id, uow.now(), absent_days)


async def _absence(session: AsyncSession, circle_id: uuid.UUID, now: datetime, absent_days: int) -> Absence | None:
    last = await session.scalar(_LAST_ACTED, {"circle_id": circle_id})
    if last is not None and now - last < timedelta(days=absent_days):
        return None
    return Absence(last)


async def vote_choices(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, absent_days: int) -> Absence:
    """Before a member proposes anything: the same refusals start_vote gives (a non-member, an
    ended circle, an organizer still active), so the choices are offered only where they work."""
    async with uow:
        circle = await uow.session.get(Circle, circle_id)
        await require_member(uow.session, circle_id, actor)
        require_running(circle)
        absence = await _absence(uow.session, circle_id, uow.now(), absent_days)
        if absence is None:
            await _refuse_while_active(uow, circle, absent_days)
        return absence


async def start_vote(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, kind: VoteKind,
                     candidate: uuid.UUID | None = None, absent_days: int) -> Vote:
    """A member proposes `candidate` as organizer (ELECT) or to end the circle (END); proposing is
    voting yes. Refused while an organizer is active, or while another vote is open."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_member(uow.session, circle_id, actor)
        require_running(circle)
        now = uow.now()
        current = await _open(uow.session, circle_id)
        if current is not None and current.expires_at > now:
            raise VoteAlreadyOpen(circle_id=str(circle_id))
        absence = await _absence(uow.session, circle_id, now, absent_days)
        if absence is None:
            await _refuse_while_active(uow, circle, absent_days)
        if current is not None:  # expired, not yet closed by the scheduler
            await _close(uow, current, VoteStatus.EXPIRED, actor)
        if kind == VoteKind.ELECT:
            membership = await require_member(uow.session, circle_id, candidate)  # names them if not
            if membership.role == Role.ORGANIZER:
                raise AlreadyOrganizer()
        else:
            candidate = None
        vote = CircleVote(id=uuid.uuid4(), circle_id=circle_id, kind=kind, candidate_id=candidate, started_by=actor,
                          status=VoteStatus.OPEN, started_at=now, expires_at=now + timedelta(days=VOTE_DAYS))
        uow.session.add(vote)
        uow.session.add(VoteBallot(vote_id=vote.id, user_id=actor, in_favour=True, cast_at=now))
        await uow.session.flush()
        yes, no, members = await _counts(uow.session, vote)
        uow.emit(VoteStarted(circle_id=circle_id, actor_id=actor, vote_id=vote.id, kind=kind.value, user_id=candidate,
                             yes=yes, no=no, members=members, needed=needed(members), expires_at=vote.expires_at,
                             organizers_last_acted=absence.last_acted and local_date(absence.last_acted,
                                                                                     circle.timezone)))
        uow.emit(BallotCast(circle_id=circle_id, actor_id=actor, vote_id=vote.id, user_id=actor, in_favour=True))
        await _settle(uow, circle, vote, actor)
        view = await _view(uow.session, circle, vote)
        await uow.commit()
        return view


async def _refuse_while_active(uow: UnitOfWork, circle: Circle, absent_days: int) -> None:
    last = await uow.session.scalar(_LAST_ACTED, {"circle_id": circle.id})
    organizers = list((await uow.session.execute(_ORGANIZERS, {"circle_id": circle.id})).scalars())
    acted = local_date(last, circle.timezone)
    raise OrganizerActive(circle_id=str(circle.id), user_ids=[str(u) for u in organizers], acted=acted.isoformat(),
                          from_date=(acted + timedelta(days=absent_days)).isoformat(), days=absent_days,
                          today=local_date(uow.now(), circle.timezone).isoformat())


async def cast_ballot(uow: UnitOfWork, *, actor: uuid.UUID, circle_id: uuid.UUID, in_favour: bool,
                      vote_id: uuid.UUID | None = None) -> Vote:
    """A member's yes or no on the circle's open vote (on `vote_id`, when a button names the vote it
    was posted with). A ballot is final: a second one, the same or not, is refused and changes nothing."""
    async with uow:
        circle = await lock_circle(uow.session, circle_id)
        await require_member(uow.session, circle_id, actor)
        require_running(circle)
        vote = await (_open(uow.session, circle_id) if vote_id is None else uow.session.get(
            CircleVote, vote_id, populate_existing=True))
        if vote is None or vote.circle_id != circle_id:
            raise NoOpenVote()
        if vote.status != VoteStatus.OPEN or vote.expires_at <= uow.now():
            raise VoteClosed(status=(vote.status if vote.status != VoteStatus.OPEN else VoteStatus.EXPIRED).value)
        earlier = await uow.session.get(VoteBallot, (vote.id, actor))
        if earlier is not None:
            raise AlreadyVoted(ballot="yes" if earlier.in_favour else "no")
        uow.session.add(VoteBallot(vote_id=vote.id, user_id=actor, in_favour=in_favour, cast_at=uow.now()))
        await uow.session.flush()
        uow.emit(BallotCast(circle_id=circle_id, actor_id=actor, vote_id=vote.id, user_id=actor, in_favour=in_favour))
        await _settle(uow, circle, vote, actor)
        view = await _view(uow.session, circle, vote)
        await uow.commit()
        return view


async def circle_of_vote(uow: UnitOfWork, vote_id: uuid.UUID) -> uuid.UUID:
    """The circle a ballot button's vote belongs to (the button may be in a private chat)."""
    async with uow:
        circle_id = await uow.session.scalar(select(CircleVote.circle_id).where(CircleVote.id == vote_id))
    if circle_id is None:
        raise NoOpenVote()
    return circle_id


async def open_vote(uow: UnitOfWork, circle_id: uuid.UUID) -> Vote | None:
    """The circle's vote still open, if any, with its tally so far."""
    async with uow:
        vote = await _open(uow.session, circle_id)
        if vote is None or vote.expires_at <= uow.now():
            return None
        return await _view(uow.session, await uow.session.get(Circle, circle_id), vote)


async def expire_votes(new_uow: Callable[[], UnitOfWork]) -> int:
    """The scheduler's sweep: close votes past their time, each in its own transaction (safe to run twice)."""
    async with new_uow() as uow:
        due = list((await uow.session.execute(select(CircleVote.id, CircleVote.circle_id).where(
            CircleVote.status == VoteStatus.OPEN, CircleVote.expires_at <= uow.now()))).all())
    expired = 0
    for vote_id, circle_id in due:
        async with new_uow() as uow:
            await lock_circle(uow.session, circle_id)
            vote = await uow.session.get(CircleVote, vote_id, populate_existing=True)
            if vote.status == VoteStatus.OPEN and vote.expires_at <= uow.now():
                await _close(uow, vote, VoteStatus.EXPIRED, None)
                await uow.commit()
                expired += 1
    return expired


async def _open(session: AsyncSession, circle_id: uuid.UUID) -> CircleVote | None:
    return (await session.execute(select(CircleVote).where(
        CircleVote.circle_id == circle_id, CircleVote.status == VoteStatus.OPEN)
        .execution_options(populate_existing=True))).scalar_one_or_none()


async def _counts(session: AsyncSession, vote: CircleVote) -> tuple[int, int, int]:
    """Yes and no ballots of current members (one who left no longer counts), and how many members there are."""
    ballots = (await session.execute(
        select(VoteBallot.in_favour, func.count()).join(Membership, and_(
            Membership.circle_id == vote.circle_id, Membership.user_id == VoteBallot.user_id))
        .where(VoteBallot.vote_id == vote.id).group_by(VoteBallot.in_favour))).all()
    tally = dict(ballots)
    members = await session.scalar(select(func.count()).where(Membership.circle_id == vote.circle_id))
    return tally.get(True, 0), tally.get(False, 0), members


async def _settle(uow: UnitOfWork, circle: Circle, vote: CircleVote, actor: uuid.UUID) -> None:
    """Carry the vote once more than half of all members said yes; fail it once that can no longer happen."""
    yes, no, members = await _counts(uow.session, vote)
    candidate = await membership_of(uow.session, circle.id, vote.candidate_id)
    if yes >= needed(members) and (vote.kind == VoteKind.END or candidate is not None):
        await _carry(uow, circle, vote, actor, candidate, (yes, no, members))
    elif members - no < needed(members) or (vote.kind == VoteKind.ELECT and candidate is None):
        await _close(uow, vote, VoteStatus.FAILED, actor)


async def _carry(uow: UnitOfWork, circle: Circle, vote: CircleVote, actor: uuid.UUID,
                 candidate: Membership | None, tally: tuple[int, int, int]) -> None:
    previous, demoted = circle.status, []
    if vote.kind == VoteKind.ELECT:
        # Organizers who came back while the vote was open keep the role; the others become plain
        # members: the family chose who runs the circle now, and an abandoned account (a lost phone,
        # a recycled number) should not keep the power to confirm, draw or cancel.
        acted_since = exists().where(AuditEntry.circle_id == circle.id, AuditEntry.actor_id == Membership.user_id,
                                     AuditEntry.created_at >= vote.started_at)
        absent = list((await uow.session.execute(select(Membership).where(
            Membership.circle_id == circle.id, Membership.role == Role.ORGANIZER, ~acted_since))).scalars())
        for membership in absent:
            membership.role = Role.MEMBER
            demoted.append(membership.user_id)
        candidate.role = Role.ORGANIZER
    else:
        await end_circle(uow, circle, CircleStatus.CANCELLED)
    vote.status, vote.closed_at = VoteStatus.CARRIED, uow.now()
    await uow.session.flush()
    yes, no, members = tally
    uow.emit(VoteCarried(circle_id=circle.id, actor_id=actor, vote_id=vote.id, kind=vote.kind.value,
                         user_id=vote.candidate_id, yes=yes, no=no, members=members, demoted_ids=demoted,
                         previous_status=previous.value))


async def _close(uow: UnitOfWork, vote: CircleVote, status: VoteStatus, actor: uuid.UUID | None) -> None:
    yes, no, members = await _counts(uow.session, vote)
    vote.status, vote.closed_at = status, uow.now()
    await uow.session.flush()  # before another vote of the circle may open (one open vote per circle)
    event = VoteFailed if status == VoteStatus.FAILED else VoteExpired
    uow.emit(event(circle_id=vote.circle_id, actor_id=actor, vote_id=vote.id, kind=vote.kind.value,
                   user_id=vote.candidate_id, yes=yes, no=no, members=members))


async def _view(session: AsyncSession, circle: Circle, vote: CircleVote) -> Vote:
    yes, no, members = await _counts(session, vote)
    names = dict((await session.execute(select(User.id, User.full_name).where(
        User.id.in_([u for u in (vote.candidate_id, vote.started_by) if u is not None])))).all())
    return Vote(vote.id, circle, vote.kind, names.get(vote.candidate_id), names[vote.started_by], vote.status,
                local_date(vote.expires_at, circle.timezone), yes, no, members)
