"""Delivering outbox messages on Telegram: the wording of each kind, and which failures are final."""

from __future__ import annotations

import contextlib
import logging
from types import SimpleNamespace
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from core.models import short_by
from core.outbox import STATUS_CARD, DeliveryFailed, Due
from handlers.formats import day, names
from handlers.i18n import N_, _, money, ngettext
from handlers.telegram import card, identity, texts
from handlers.telegram.draws import ACK, DRAW, drawn_buttons
from handlers.telegram.paying import paid_markup
from handlers.telegram.payments import decision_buttons
from handlers.telegram.votes import ballot_buttons

log = logging.getLogger(__name__)


def _money(p: dict[str, Any], key: str = "amount_per_cycle") -> str:
    return money(p[key], p["currency"])


PAYING = ("cycle_opened", "reminder", "overdue", "nudge_reminder", "nudge_overdue")  # carry "I've paid"
VOTES = ("vote_started", "vote_carried", "vote_failed", "vote_expired")


def render(kind: str, p: dict[str, Any], circle_id: Any = None) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text (and buttons) for an outbox message in a Telegram chat about circle `circle_id`: a
    group's, or one person's private copy (`p["for"]`), whose buttons are the ones that person can use."""
    if kind in identity.NOTICES:  # about a person, not a circle
        return identity.notice(kind, p)
    circle = SimpleNamespace(name=p["circle"], currency=p.get("currency"), amount_per_cycle=p.get("amount_per_cycle"))
    if kind == "payment_marked":
        return plain_text(kind, p, circle), decision_buttons(p["contribution_id"], p.get("version", 1), p["currency"])
    if kind == "payment_confirmed" and _short(p) and circle_id is not None:  # a top-up is due: offer it
        return plain_text(kind, p, circle), paid_markup(circle_id, _short(p), p["currency"])
    if kind == "payout_recorded":
        text = texts.payout_recorded(circle, p["receiver"], p["amount"], p["cycle_number"])
        if p.get("for", p["receiver_id"]) != p["receiver_id"]:
            return text.split("\n")[0], None
        return text, InlineKeyboardMarkup([[InlineKeyboardButton(_("🙏 I received it"),
                                                                 callback_data=f"{ACK}{p['payout_id']}")]])
    if kind == "all_paid":
        return plain_text(kind, p, circle), InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("🎲 Draw now"), callback_data=f"{DRAW}{p['circle_id']}")]])
    if kind in ("draw_completed", "auto_draw"):
        return plain_text(kind, p, circle), drawn_buttons(p["draw_id"], circle_id)
    if kind == "vote_started":  # every member votes, wherever they hear of it
        return plain_text(kind, p, circle), ballot_buttons(p["vote_id"])
    if kind in (*PAYING, "payment_rejected") and circle_id is not None:
        owed = p.get("owed") or _short(p) or p["amount_per_cycle"]
        return plain_text(kind, p, circle), paid_markup(circle_id, owed, p["currency"])
    return plain_text(kind, p, circle), None


def plain_text(kind: str, p: dict[str, Any], circle: Any) -> str:
    if kind == "payment_marked":
        text = texts.PAYMENT_TO_DECIDE.format_map(p | {"money": _money(p, "amount")})
        if p.get("confirmed_amount"):  # a top-up of a payment confirmed in part
            text += "\n" + texts.TOP_UP.format(confirmed=_money(p, "confirmed_amount"), due=_money(p, "amount_due"))
        return text
    if kind == "payment_confirmed":
        text = texts.YOUR_PAYMENT_CONFIRMED.format_map(p | {"money": _money(p, "amount")})
        if _short(p):
            text += "\n" + texts.YOUR_PAYMENT_SHORT.format(confirmed=_money(p, "confirmed_amount"),
                                                          due=_money(p, "amount_due"),
                                                          short=_money(p | {"x": _short(p)}, "x"))
        return text
    if kind == "payment_rejected":
        return _rejected(p)
    if kind in VOTES:
        return texts.vote_announcement(kind, p)
    if kind == "all_paid":
        return texts.ALL_PAID.format_map(p) + (texts.ALL_PAID_AUTO.format_map(p) if p["auto_draw"]
                                               else str(texts.ALL_PAID_MANUAL))
    simple = {
        "member_joined": N_("👋 {user} joined “{circle}”."),
        "member_left": texts.LEFT,
        "member_removed": texts.REMOVED,
        "circle_started": texts.STARTED,
        "circle_cancelled": texts.CANCELLED,
        "payout_acknowledged": texts.RECEIVED,
        "organizer_added": texts.ORGANIZER_ADDED,
        "organizer_stepped_down": texts.STEPPED_DOWN,
        "draw_completed": texts.DRAW_ANNOUNCED,
        "auto_draw": texts.AUTO_DRAW_ANNOUNCED,
        # TRANSLATORS: {pay_hint} is "Tap “I've paid” below once you've paid."; {eligible} is the sentence
        # "3 members can receive this pot."
        "cycle_opened": N_("🔔 Cycle {cycle_number} of “{circle}” is open: {money} due {due_day}.\n"
                           "{pay_hint} {eligible}"),
        "circle_completed": N_("🏁 “{circle}” is complete: every member received the pot once. "
                               "{total} was handed over in all. Thank you all!"),
        # TRANSLATORS: {pending_names} is a list of members' names; Confirm and Reject are buttons' labels.
        "nudge_organizer": N_("“{circle}”: payments wait for your confirmation (cycle {cycle_number}): "
                              "{pending_names}. Tap Confirm or Reject on the payments I sent you."),
    }
    values = dict(p, money=_money(p) if "currency" in p else "", eligible=_eligible(len(p.get("eligible_ids", []))),
                  pay_hint=str(texts.PAY_HINT),
                  total=_money(p, "total_paid_out") if "total_paid_out" in p else "",
                  pending_names=names(p.get("pending")),
                  due_day=day(p["due_date"], p.get("today", p["due_date"])) if "due_date" in p else "")
    if kind in simple:
        return simple[kind].format_map(values) + _order_and_how_to_pay(p)
    if kind == "payment_instructions_set":
        return (texts.HOWTOPAY_SET if p["payment_instructions"] else texts.HOWTOPAY_CLEARED).format_map(values)
    if kind == "payout_order_set":
        return texts.ORDER_SET.format_map(dict(values, order=texts.order_names(p["order_names"])))
    if kind in ("reminder", "overdue"):
        short = p.get("short", {})
        # TRANSLATORS: {short_by} is "short by KES 200".
        unpaid = [_("{name} ({short_by})", name=n,
                    short_by=texts.SHORT_BY.format(short=_money(p | {"x": short[n]}, "x"))) if n in short else n
                  for n in p["unpaid"]]
        # TRANSLATORS: {when} is "is due Sat 5 Dec (in 3 days)" or "was due Sat 5 Dec (2 days ago)"; {unpaid} is a
        # list of members' names; {pay_hint} is "Tap “I've paid” below once you've paid."
        return _("⏰ “{circle}”: {money} for cycle {cycle_number} {when}.\nNot paid yet: {unpaid}. {pay_hint}",
                 circle=p["circle"], money=_money(p), cycle_number=p["cycle_number"], when=_when(p),
                 unpaid=names(unpaid), pay_hint=str(texts.PAY_HINT)) + _order_and_how_to_pay(p)
    if kind in ("nudge_reminder", "nudge_overdue"):
        owed = p.get("owed", p["amount_per_cycle"])
        left = texts.NUDGE_LEFT.format(money=_money(p | {"x": owed}, "x")) if owed < p["amount_per_cycle"] else ""
        # TRANSLATORS: {when} is "is due Sat 5 Dec (in 3 days)" or "was due Sat 5 Dec (2 days ago)"; {left} is
        # empty or " (KES 200 of it is still to pay)"; {pay_hint} is "Tap “I've paid” below once you've paid."
        return _("Hi {member}! Your {money} for “{circle}” (cycle {cycle_number}) {when}{left}. {pay_hint}",
                 member=p["member"], money=_money(p), circle=p["circle"], cycle_number=p["cycle_number"],
                 when=_when(p), left=left, pay_hint=str(texts.PAY_HINT)) + _order_and_how_to_pay(p)
    raise ValueError(f"no Telegram wording for outbox kind {kind!r}")


def _short(p: dict[str, Any]) -> int:
    """What is left to pay after a payment event, for payloads that carry the totals."""
    return short_by(p["amount_due"], p["confirmed_amount"]) if "amount_due" in p else 0


def _rejected(p: dict[str, Any]) -> str:
    reason = p.get("reason") or "other"
    why = str(texts.REJECTED_WHY[reason])
    if reason == "short" and p.get("received") is not None:
        why = texts.REJECTED_SHORT_BY.format(short=_money(p | {"x": p["amount"] - p["received"]}, "x"),
                                             received=_money(p, "received"))
    told = texts.YOUR_PAYMENT_REJECTED.format_map(p | {"money": _money(p, "amount"), "why": why})
    return told + " " + texts.REJECTED_NEXT[reason].format_map(p)


def _order_and_how_to_pay(p: dict[str, Any]) -> str:
    """Lines a call to pay carries when the payload has them: the payout order, how to pay."""
    lines = []
    if p.get("order_names"):
        order = texts.order_names(p["order_names"])
        # TRANSLATORS: {order} is the list of members' names in the order they receive the pot.
        lines.append(_("Payout order (the order they joined): {order}", order=order) if p.get("join_order")
                     else _("Payout order: {order}", order=order))
    if p.get("payment_instructions"):
        lines.append(texts.HOW_TO_PAY_LINE.format(instructions=p["payment_instructions"]))
    return "".join("\n" + line for line in lines)


def _eligible(n: int) -> str:
    return ngettext("{n} member can receive this pot.", "{n} members can receive this pot.", n)


def _when(p: dict[str, Any]) -> str:
    """'is due Sat 5 Dec (in 3 days)': the date itself, since a reminder may be read days later."""
    days_left, due = p["days_left"], day(p["due_date"], p.get("today", p["due_date"]))
    if days_left > 1:
        # TRANSLATORS: these complete "Your KES 500 for “Family” (cycle 2) …"; {due} is a date such as "Sat 5 Dec".
        return ngettext("is due {due} (in {n} day)", "is due {due} (in {n} days)", days_left, due=due)
    if days_left == 1:
        return _("is due tomorrow, {due}", due=due)
    if days_left == 0:
        return _("is due today, {due}", due=due)
    # TRANSLATORS: completes "Your KES 500 for “Family” (cycle 2) …"; {due} is a date such as "Sat 5 Dec".
    return ngettext("was due {due} ({n} day ago)", "was due {due} ({n} days ago)", -days_left, due=due)


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def __call__(self, message: Due) -> str | None:
        try:
            if message.kind == STATUS_CARD:
                return await self._card(int(message.address), message.payload)
            text, markup = render(message.kind, message.payload, message.circle_id)
            await self.bot.send_message(int(message.address), text, reply_markup=markup)
            return None
        except RetryAfter as error:
            raise DeliveryFailed(str(error), retry_after=_seconds(error.retry_after)) from error
        except (Forbidden, BadRequest) as error:  # blocked by the user, kicked, chat gone: retrying won't help
            raise DeliveryFailed(str(error), permanent=True) from error
        except TelegramError as error:  # network trouble, timeouts, Telegram's 5xx
            raise DeliveryFailed(str(error)) from error


    async def _card(self, chat: int, p: dict[str, Any]) -> str | None:
        """Edit the card in place; post (and pin) a new one when there is none yet or it was deleted.
        Returns the card's message id: the outbox keeps it, for the next edit."""
        if p.get("message_id") is None and p["status"] != "ACTIVE":
            return None  # a circle ended before it started (or its card is gone): nothing to show
        text = card.render(p)
        if p.get("message_id"):
            try:
                await self.bot.edit_message_text(text, chat_id=chat, message_id=int(p["message_id"]))
                return p["message_id"]
            except BadRequest as error:
                if "not modified" in error.message.lower():
                    return p["message_id"]
                if "not found" not in error.message.lower():
                    raise
        posted = await self.bot.send_message(chat, text)
        try:
            await self.bot.pin_chat_message(chat, posted.message_id, disable_notification=True)
        except TelegramError as error:  # no right to pin: say once how to allow it; the card works anyway
            log.info("could not pin the status card in %s: %s", chat, error)
            if p.get("message_id") is None:
                with contextlib.suppress(TelegramError):
                    await self.bot.send_message(chat, str(texts.PIN_HELP))
        return str(posted.message_id)


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
