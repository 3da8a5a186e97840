"""VOTE on WhatsApp: members decide for a circle whose organizers stopped acting (core/stewardship.py).

VOTE shows the open vote or the choices; VOTE <name> or VOTE END proposes; VOTE YES / VOTE NO votes.
`talk` is the commands module's Conversation (the current message, its sender and their circle).
"""

from __future__ import annotations

from core.models import Role, VoteKind
from core.organizers import members_in_join_order
from core.schedule import local_date
from core.stewardship import Vote, cast_ballot, needed, open_vote, start_vote, vote_choices
from handlers.i18n import _
from handlers.parsing import member_named
from handlers.telegram import texts as shared
from handlers.whatsapp import keywords, texts
from handlers.whatsapp.texts import say


async def cmd_vote(talk) -> list[str]:
    circle = await talk.circle()
    word = keywords.english(talk.args) or talk.args.strip().upper()
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
    # TRANSLATORS: an example first name, for a circle with no member to name yet
    example = next((m.full_name.split()[0] for m in members if m.role != Role.ORGANIZER), _("Tom"))
    rule = shared.VOTE_RULE.format(needed=needed(len(members)), members=len(members))
    return [say(texts.VOTE_CHOICES, absent=shared.absent_line(circle.name, since, today), example=example, rule=rule)]


async def _start(talk, circle_id, kind: VoteKind, candidate=None) -> Vote:
    return await start_vote(talk.change(), actor=talk.user.id, circle_id=circle_id, kind=kind, candidate=candidate,
                            absent_days=talk.absent_days)


def _ballot(vote: Vote, talk) -> str:
    return texts.words(shared.vote_text(vote, local_date(talk.now(), vote.circle.timezone), say(texts.VOTE_REPLY)))
