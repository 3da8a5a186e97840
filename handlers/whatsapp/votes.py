"""VOTE on WhatsApp: members decide for a circle whose organizers stopped acting (core/stewardship.py).

VOTE shows the open vote or the choices; VOTE <name> or VOTE END proposes; VOTE YES / VOTE NO votes.
`talk` is the commands module's Conversation (the current message, its sender and their circle).
"""

from __future__ import annotations

from core.models import Role, VoteKind
from core.organizers import members_in_join_order
from core.schedule import local_date
from core.stewardship import Vote, cast_ballot, needed, open_vote, start_vote, vote_choices
from handlers.parsing import member_named
from handlers.telegram import texts as shared
from handlers.whatsapp import texts


async def cmd_vote(talk) -> list[str]:
    circle = await talk.circle()
    word = talk.args.strip().upper()
    if word in ("YES", "NO"):
        vote = await cast_ballot(talk.change(), actor=talk.user.id, circle_id=circle.id, in_favour=word == "YES")
        return [_ballot(vote, talk)]
    if word == "END":
        return [_ballot(await _start(talk, circle.id, VoteKind.END), talk)]
    members = await members_in_join_order(talk.new_uow(), circle.id)
    if talk.args:
        member = member_named(talk.args, members)
        if member is None:
            return [texts.WHO.format(name=talk.args[:40])]
        return [_ballot(await _start(talk, circle.id, VoteKind.ELECT, member.user_id), talk)]
    vote = await open_vote(talk.new_uow(), circle.id)
    if vote is not None:
        return [_ballot(vote, talk)]
    absence = await vote_choices(talk.new_uow(), actor=talk.user.id, circle_id=circle.id,
                                 absent_days=talk.absent_days)
    today = local_date(talk.now(), circle.timezone)
    since = absence.last_acted and local_date(absence.last_acted, circle.timezone)
    example = next((m.full_name.split()[0] for m in members if m.role != Role.ORGANIZER), "Tom")
    return [texts.VOTE_CHOICES.format(absent=shared.absent_line(circle.name, since, today), example=example,
                                      needed=needed(len(members)), members=len(members))]


async def _start(talk, circle_id, kind: VoteKind, candidate=None) -> Vote:
    return await start_vote(talk.change(), actor=talk.user.id, circle_id=circle_id, kind=kind, candidate=candidate,
                            absent_days=talk.absent_days)


def _ballot(vote: Vote, talk) -> str:
    return texts.words(shared.vote_text(vote, local_date(talk.now(), vote.circle.timezone), texts.VOTE_REPLY))
