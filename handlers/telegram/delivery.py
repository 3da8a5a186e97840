"""Delivering outbox messages on Telegram: the wording of each kind, and which failures are final."""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from core.money import format_amount
from core.outbox import DeliveryFailed, Due


def _money(p: dict[str, Any], key: str = "amount_per_cycle") -> str:
    return format_amount(p[key], p["currency"])


def _names(names: list[str] | None) -> str:
    return ", ".join(names or [])


def render(kind: str, p: dict[str, Any]) -> str:
    if kind == "cycle_opened":
        return (f"🔔 Cycle {p['cycle_number']} of “{p['circle']}” is open: {_money(p)} due {p['due_date']}.\n"
                f"Pay, then send /paid. {p['eligible']} member(s) can receive this pot.\n"
                f"Draw commitment (the seed's SHA-256, fixed now): {p['seed_commitment']}")
    if kind == "circle_completed":
        return (f"🏁 “{p['circle']}” is complete: every member received the pot once. "
                f"{_money(p, 'total_paid_out')} was handed over in all. Thank you all!")
    if kind == "auto_draw":
        return (f"🎲 Everyone paid, so I drew cycle {p['cycle_number']} of “{p['circle']}”: {p['winner']} receives "
                f"the pot!\nSeed revealed: {p['seed']}\nCommitment posted at the cycle's start: "
                f"{p['seed_commitment']}\nSend /verify to check it. Organizers: /payout once it's handed over.")
    if kind in ("reminder", "overdue"):
        when = _when(p["days_left"])
        return (f"⏰ “{p['circle']}”: {_money(p)} for cycle {p['cycle_number']} {when}.\n"
                f"Not paid yet: {_names(p['unpaid'])}. Send /paid once you've paid.")
    if kind in ("nudge_reminder", "nudge_overdue"):
        return (f"Hi {p['member']}! Your {_money(p)} for “{p['circle']}” (cycle {p['cycle_number']}) "
                f"{_when(p['days_left'])}. Send /paid in the group once you've paid.")
    if kind == "nudge_organizer":
        return (f"“{p['circle']}”: payments wait for your confirmation (cycle {p['cycle_number']}): "
                f"{_names(p['pending'])}. Tap Confirm or Reject in the group.")
    raise ValueError(f"no Telegram wording for outbox kind {kind!r}")


def _when(days_left: int) -> str:
    if days_left > 1:
        return f"is due in {days_left} days"
    if days_left == 1:
        return "is due tomorrow"
    if days_left == 0:
        return "is due today"
    return f"was due {-days_left} day{'s' if days_left < -1 else ''} ago"


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def __call__(self, message: Due) -> None:
        try:
            await self.bot.send_message(int(message.address), render(message.kind, message.payload))
        except RetryAfter as error:
            raise DeliveryFailed(str(error), retry_after=_seconds(error.retry_after)) from error
        except (Forbidden, BadRequest) as error:  # blocked by the user, kicked, chat gone: retrying won't help
            raise DeliveryFailed(str(error), permanent=True) from error
        except TelegramError as error:  # network trouble, timeouts, Telegram's 5xx
            raise DeliveryFailed(str(error)) from error


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
