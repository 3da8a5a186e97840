"""Delivering outbox messages on Telegram: the wording of each kind, and which failures are final."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from core.models import ContributionStatus
from core.money import format_amount
from core.outbox import DeliveryFailed, Due
from handlers.formats import day, names
from handlers.telegram import texts
from handlers.telegram.draws import ACK, fair_button
from handlers.telegram.paying import paid_markup
from handlers.telegram.payments import decision_buttons


def _money(p: dict[str, Any], key: str = "amount_per_cycle") -> str:
    return format_amount(p[key], p["currency"])


PAYING = ("cycle_opened", "reminder", "overdue", "nudge_reminder", "nudge_overdue")  # carry "I've paid"


def render(kind: str, p: dict[str, Any], circle_id: Any = None) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text (and buttons) for an outbox message in a Telegram chat about circle `circle_id`."""
    circle = SimpleNamespace(name=p["circle"], currency=p.get("currency"), amount_per_cycle=p.get("amount_per_cycle"))
    if kind == "payment_marked":
        text = texts.payment_marked(p["user"], circle, p["amount"], p["cycle_number"])
        return text, decision_buttons(p["contribution_id"])
    if kind == "payout_recorded":
        button = InlineKeyboardButton("🙏 I received it", callback_data=f"{ACK}{p['payout_id']}")
        return (texts.payout_recorded(circle, p["receiver"], p["amount"], p["cycle_number"]),
                InlineKeyboardMarkup([[button]]))
    if kind in ("draw_completed", "auto_draw"):
        return plain_text(kind, p, circle), fair_button(p["draw_id"])
    if kind in PAYING and circle_id is not None:
        return plain_text(kind, p, circle), paid_markup(circle_id, p["amount_per_cycle"], p["currency"])
    return plain_text(kind, p, circle), None


def plain_text(kind: str, p: dict[str, Any], circle: Any) -> str:
    if kind in ("payment_confirmed", "payment_rejected"):
        status = ContributionStatus.CONFIRMED if kind == "payment_confirmed" else ContributionStatus.REJECTED
        return texts.payment_decided(p["user"], circle, p["amount"], status, p["actor"])
    simple = {
        "member_joined": "👋 {user} joined “{circle}”.",
        "member_left": texts.LEFT,
        "member_removed": texts.REMOVED,
        "circle_started": texts.STARTED,
        "circle_cancelled": texts.CANCELLED,
        "payout_acknowledged": texts.RECEIVED,
        "organizer_added": texts.ORGANIZER_ADDED,
        "organizer_stepped_down": texts.STEPPED_DOWN,
        "draw_completed": texts.DRAW_ANNOUNCED,
        "auto_draw": texts.AUTO_DRAW_ANNOUNCED,
        "cycle_opened": "🔔 Cycle {cycle_number} of “{circle}” is open: {money} due {due_day}.\n"
                        f"{texts.PAY_HINT} {{eligible}} member(s) can receive this pot.",
        "circle_completed": "🏁 “{circle}” is complete: every member received the pot once. "
                            "{total} was handed over in all. Thank you all!",
        "nudge_organizer": "“{circle}”: payments wait for your confirmation (cycle {cycle_number}): {pending_names}. "
                           "Tap Confirm or Reject in the group.",
    }
    values = dict(p, money=_money(p) if "currency" in p else "", eligible=len(p.get("eligible_ids", [])),
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
        return (f"⏰ “{p['circle']}”: {_money(p)} for cycle {p['cycle_number']} {_when(p)}.\n"
                f"Not paid yet: {names(p['unpaid'])}. {texts.PAY_HINT}") + _order_and_how_to_pay(p)
    if kind in ("nudge_reminder", "nudge_overdue"):
        return (f"Hi {p['member']}! Your {_money(p)} for “{p['circle']}” (cycle {p['cycle_number']}) "
                f"{_when(p)}. {texts.PAY_HINT}") + _order_and_how_to_pay(p)
    raise ValueError(f"no Telegram wording for outbox kind {kind!r}")


def _order_and_how_to_pay(p: dict[str, Any]) -> str:
    """Lines a call to pay carries when the payload has them: the payout order, how to pay."""
    lines = []
    if p.get("order_names"):
        how = " (the order they joined)" if p.get("join_order") else ""
        lines.append(f"Payout order{how}: {texts.order_names(p['order_names'])}")
    if p.get("payment_instructions"):
        lines.append(texts.HOW_TO_PAY_LINE.format(instructions=p["payment_instructions"]))
    return "".join("\n" + line for line in lines)


def _when(p: dict[str, Any]) -> str:
    """'is due Sat 5 Dec (in 3 days)': the date itself, since a reminder may be read days later."""
    days_left, due = p["days_left"], day(p["due_date"], p.get("today", p["due_date"]))
    if days_left > 1:
        return f"is due {due} (in {days_left} days)"
    if days_left == 1:
        return f"is due tomorrow, {due}"
    if days_left == 0:
        return f"is due today, {due}"
    return f"was due {due} ({-days_left} day{'s' if days_left < -1 else ''} ago)"


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def __call__(self, message: Due) -> None:
        try:
            text, markup = render(message.kind, message.payload, message.circle_id)
            await self.bot.send_message(int(message.address), text, reply_markup=markup)
        except RetryAfter as error:
            raise DeliveryFailed(str(error), retry_after=_seconds(error.retry_after)) from error
        except (Forbidden, BadRequest) as error:  # blocked by the user, kicked, chat gone: retrying won't help
            raise DeliveryFailed(str(error), permanent=True) from error
        except TelegramError as error:  # network trouble, timeouts, Telegram's 5xx
            raise DeliveryFailed(str(error)) from error


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
