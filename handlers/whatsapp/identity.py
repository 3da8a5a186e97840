"""Who writes on WhatsApp: the sender's number is their identity, vouched for by WhatsApp.

A number that is a member's who uses another account waits for a confirmation (core/identity_claims.py):
meanwhile the sender is nobody, and the member answers YES or NO (organizers too). One whose profile
shows no name is asked for one first, and is never named by their number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.conversations import save_state
from core.errors import InvalidCircleSettings
from core.identity_claims import claims_to_answer, decide_claim, present_phone
from core.models import Channel, User
from core.payment_refs import payment_ref
from core.uow import UnitOfWork
from core.users import first_usable_name, rename_user, user_by_identity
from handlers import i18n
from handlers.telegram import texts as shared
from handlers.whatsapp import texts
from handlers.whatsapp.texts import say

WA = Channel.WHATSAPP
NAMING = "your_name"  # the conversation step while we wait for their name
MOST_DIGITS = 4  # a "name" with more digits is a phone number: it would show their number to others


async def sender(new_uow: Callable[[], UnitOfWork], message: Any) -> User | list[str]:
    """The member writing, or the replies for one who isn't one yet: a claim waits, or we ask their
    name (the message they sent is kept, and answered once they have told us)."""
    user = await user_by_identity(new_uow(), WA, message.sender)
    if user is not None:
        return user
    placeholder = shared.member_placeholder("WhatsApp", message.sender)
    name = first_usable_name(None if _number_like(message.profile_name or "") else message.profile_name, placeholder)
    presented = await present_phone(new_uow(), channel=WA, address=message.sender, full_name=name,
                                    phone=message.sender.removeprefix("whatsapp:"), language=i18n.current())
    if presented.user is None:
        return [str(shared.CLAIM_WAITING)]
    if name == placeholder:
        await save_state(new_uow(), WA, message.sender, message.sender, {"step": NAMING, "then": message.body})
        return [str(texts.ASK_NAME)]
    return presented.user


async def take_name(talk, body: str) -> str | None:
    """Their answer to ASK_NAME, stored; None (and nothing stored) when it isn't a name."""
    if _number_like(body):
        return None
    try:
        talk.user = await rename_user(talk.new_uow(), user_id=talk.user.id, full_name=body)
    except InvalidCircleSettings:
        return None
    await talk.remember(step=None, then=None)
    return texts.NAMED.format(name=talk.user.full_name)


def _number_like(name: str) -> bool:
    return sum(ch.isdigit() for ch in name) > MOST_DIGITS


async def cmd_yes(talk) -> list[str]:
    return await _answer(talk, approve=True)


async def cmd_no(talk) -> list[str]:
    return await _answer(talk, approve=False)


async def _answer(talk, *, approve: bool) -> list[str]:
    """YES / NO [code]: the member's answer to a claim on their number, or an organizer's."""
    waiting = await claims_to_answer(talk.new_uow(), talk.user.id)
    if not waiting:
        return [str(texts.NO_CLAIMS)]
    code = talk.args.strip().upper()
    chosen = [c for c in waiting if payment_ref(c.claim_id) == code] if code else waiting
    if len(chosen) != 1:
        lines = "\n".join(texts.CLAIM_LINE.format(ref=payment_ref(c.claim_id), member=c.member,
                                                  app=str(shared.APPS[c.channel])) for c in waiting)
        return [say(texts.WHICH_CLAIM, lines=lines)]
    decision = await decide_claim(talk.new_uow(), claim_id=chosen[0].claim_id, approve=approve,
                                  by=(WA, talk.message.sender))
    words = {"member": decision.user.full_name, "app": str(shared.APPS[decision.channel])}
    if not decision.approved:
        return [shared.CLAIM_REFUSED.format_map(words)]
    linked = shared.CLAIM_LINKED_YOURS if decision.by.id == decision.user.id else shared.CLAIM_LINKED
    return [linked.format_map(words)]


def notice(kind: str, p: dict[str, Any]) -> str:
    """An outbox message about a claim or a number change (core/identity_notices.py)."""
    words = p | {"app": str(shared.APPS.get(p.get("app", ""), ""))}
    if kind == "identity_claim":
        return " ".join([shared.CLAIM_QUESTION.format_map(words),
                         say(texts.CLAIM_REPLY, ref=payment_ref(p["claim_id"]))])
    if kind == "identity_claim_organizer":
        return " ".join([shared.CLAIM_FOR_ORGANIZER.format_map(words),
                         say(texts.CLAIM_REPLY_ORGANIZER, ref=payment_ref(p["claim_id"]), member=p["member"])])
    if kind == "identity_claim_decided":
        return texts.words((shared.CLAIM_APPROVED if p["approved"] else shared.CLAIM_DENIED).format_map(words))
    return shared.PHONE_CHANGED.format_map(words)
