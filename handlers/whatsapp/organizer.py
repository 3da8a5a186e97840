"""Organizer tools on WhatsApp: ORGANIZER <name>, STEP DOWN, HOW TO PAY, PAID FOR <name>, ORDER [numbers]
(the keywords in English: handlers/whatsapp/keywords.py translates them).

`talk` is the commands module's Conversation (the current message, its sender and their circle).
"""

from __future__ import annotations

from core.circles import add_organizer, set_payout_order
from core.contributions import mark_paid
from core.errors import InvalidPayoutOrder, NotOrganizer
from core.models import Circle, PayoutOrder
from core.money import parse_amount
from core.organizers import (
    Person,
    members_in_join_order,
    organizer_names,
    saved_order,
    set_payment_instructions,
    step_down,
)
from handlers.parsing import member_named
from handlers.telegram import texts as shared
from handlers.whatsapp import texts
from handlers.whatsapp.texts import say

MAX_BODY = 1600


async def cmd_organizer(talk) -> list[str]:
    circle = await talk.circle()
    member = member_named(talk.args, await members_in_join_order(talk.new_uow(), circle.id))
    if member is None:
        return [say(texts.ORGANIZER_USAGE) if not talk.args else texts.WHO.format(name=talk.args[:40])]
    await add_organizer(talk.change(), actor=talk.user.id, circle_id=circle.id, user_id=member.user_id)
    return [shared.ORGANIZER_ADDED.format(actor=talk.user.full_name, user=member.full_name, circle=circle.name)]


async def cmd_step_down(talk) -> list[str]:
    circle = await talk.circle()
    await step_down(talk.change(), actor=talk.user.id, circle_id=circle.id)
    names = ", ".join(await organizer_names(talk.new_uow(), circle.id))
    return [" ".join([shared.STEPPED_DOWN.format(user=talk.user.full_name, circle=circle.name),
                      shared.ORGANIZERS_NOW.format(names=names)])]


async def cmd_how_to_pay(talk) -> list[str]:
    circle = await talk.circle()
    if not talk.args:
        if not circle.payment_instructions:
            return [texts.words(shared.HOWTOPAY_NONE.format(circle=circle.name))]
        return ["\n".join([shared.HOWTOPAY_SHOW.format(circle=circle.name, instructions=circle.payment_instructions),
                           texts.words(str(shared.HOWTOPAY_HINT))])]
    cleared = talk.args.strip().lower() in ("off", "none", "clear", "remove")  # English only, as typed
    changed = await set_payment_instructions(talk.change(), actor=talk.user.id, circle_id=circle.id,
                                             text=None if cleared else talk.args)
    reply = shared.HOWTOPAY_CLEARED if cleared else shared.HOWTOPAY_SET
    return [reply.format(actor=talk.user.full_name, circle=circle.name,
                         payment_instructions=changed.payment_instructions)]


async def paid_for(talk, circle: Circle) -> list[str] | None:
    """PAID FOR <name> [amount] (`talk.args`: what follows PAID FOR): an organizer records (and so confirms)
    a member's payment. None: the sender named themselves, an ordinary PAID (of the amount left in `talk.args`)."""
    words = talk.args.split()
    amount = None
    if len(words) > 1 and any(ch.isdigit() for ch in words[-1]):
        amount, words, talk.args = parse_amount(words[-1], circle.currency), words[:-1], words[-1]
    member = member_named(" ".join(words), await members_in_join_order(talk.new_uow(), circle.id))
    if member is None:
        return [texts.WHO.format(name=" ".join(words)[:40]) if words else say(texts.PAID_FOR_USAGE)]
    if member.user_id == talk.user.id:
        talk.args = talk.args if amount is not None else ""
        return None
    try:
        paid = await mark_paid(talk.change(), actor=talk.user.id, circle_id=circle.id, amount=amount,
                               member=member.user_id)
    except NotOrganizer:
        names = shared.organizer_list(await organizer_names(talk.new_uow(), circle.id))
        return [texts.words(shared.PAID_FOR_REFUSED.format(organizers=names, member=member.full_name))]
    return [texts.PAID_FOR.format(member=member.full_name, amount=shared.money(circle, paid.amount))
            + shared.still_short(circle, paid.confirmed_amount)]


async def cmd_order(talk) -> list[str]:
    """ORDER: the members, numbered in join order. ORDER 3 1 2: member 3 receives first, then 1, then 2."""
    circle = await talk.circle()
    members = await members_in_join_order(talk.new_uow(), circle.id)
    if not talk.args:
        if circle.payout_order != PayoutOrder.FIXED:
            return [shared.ORDER_NOT_FIXED.format(circle=circle.name,
                                                  order=str(shared.ORDER_NAMES[circle.payout_order]))]
        current = [p.full_name for p in await saved_order(talk.new_uow(), circle.id)]
        listing = say(texts.ORDER_LIST, circle=circle.name, lines=_numbered(members),
                      current=shared.order_names(current))
        return _chunks(listing)
    numbers = talk.args.replace(",", " ").split()
    if not all(n.isascii() and n.isdigit() and 1 <= int(n) <= len(members) for n in numbers):
        return [say(texts.ORDER_NUMBERS, count=len(members))]
    try:
        await set_payout_order(talk.change(), actor=talk.user.id, circle_id=circle.id,
                               order=[members[int(n) - 1].user_id for n in numbers])
    except InvalidPayoutOrder as error:
        if error.context.get("reason") == "duplicate":
            return [say(texts.ORDER_TWICE)]
        return [shared.ORDER_NOT_FIXED.format(circle=circle.name, order=str(shared.ORDER_NAMES[circle.payout_order]))]
    order = [p.full_name for p in await saved_order(talk.new_uow(), circle.id)]
    return _chunks(shared.ORDER_SAVED.format(actor=talk.user.full_name, circle=circle.name,
                                             lines=shared.order_lines(order)))


def _numbered(members: list[Person]) -> str:
    return "\n".join(f"{n}. {m.full_name}" for n, m in enumerate(members, start=1))


def _chunks(text: str) -> list[str]:
    """Whole lines, in as few messages as WhatsApp's limit allows (a 200-member list takes a few)."""
    messages, current = [], ""
    for line in text.split("\n"):
        if current and len(current) + 1 + len(line) > MAX_BODY:
            messages.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:MAX_BODY]
    return messages + [current]
