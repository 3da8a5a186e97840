"""The questions of a circle's setup and how each answer is read: the same on every channel."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.circles import CircleSettings
from core.models import PayoutOrder, User
from core.money import currency_for_region
from core.phones import phone_region, phone_timezone
from core.users import clean_name
from handlers import parsing

QUESTIONS = {
    "name": "Let's set up your circle. What should it be called?",
    "amount": "How much does each member pay per cycle? (e.g. 50, or 50 USD)",
    "members": "How many members will the circle have, you included? (2–200)",
    "frequency": "How often do members pay? Choose one, or type e.g. “every 10 days”.",
    "first_due": "When is the first payment due? (YYYY-MM-DD)",
    "order": "How is the payout order decided?",
}
STEPS = list(QUESTIONS)
CHOICES = {  # offered as buttons on Telegram, as numbered replies on WhatsApp
    "frequency": [("Weekly", "weekly"), ("Every 2 weeks", "biweekly"), ("Monthly", "monthly")],
    "order": [("Fair draw each cycle", "random"), ("Draw the order now", "drawn"), ("I'll set it", "fixed")],
}
def defaults_for(user: User) -> tuple[str, str]:
    return currency_for_region(phone_region(user.phone) or "") or "USD", phone_timezone(user.phone)


def parse_answer(step: str, text: str, currency: str) -> dict[str, Any]:
    """One answer parsed into JSON-safe values for the conversation state."""
    if step == "name":
        return {"name": clean_name(text, field="name", limit=64)}
    if step == "amount":
        amount, currency = parsing.parse_money(text, currency)
        return {"amount": amount, "currency": currency}
    if step == "members":
        return {"members": parsing.parse_member_count(text)}
    if step == "frequency":
        frequency, every = parsing.parse_frequency(text)
        return {"frequency": frequency, "every_days": every}
    if step == "first_due":
        return {"first_due": parsing.parse_due_date(text).isoformat()}
    return {"order": parsing.parse_order(text).value}


def circle_settings(state: dict[str, Any], timezone: str) -> CircleSettings:
    return CircleSettings(name=state["name"], amount_per_cycle=state["amount"], currency=state["currency"],
                          total_members=state["members"], frequency=state["frequency"],
                          every_days=state["every_days"], first_due_date=date.fromisoformat(state["first_due"]),
                          timezone=timezone, payout_order=PayoutOrder(state.get("order", "RANDOM")))
