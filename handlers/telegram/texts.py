"""Everything the Telegram bot says, in one place: refusals by error key, and the messages it posts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.errors import CoreError
from core.history import CycleRecord, MyCircle
from core.models import Circle, ContributionStatus, CycleStatus, PayoutOrder
from core.money import format_amount
from core.reminders import ReminderSettings
from core.schedule import local_date
from core.summary import CircleSummary
from handlers.formats import day
from handlers.formats import names as name_list

MAX_ECHO = 40  # how much of what someone typed we quote back in a refusal

ERRORS: Mapping[str, str] = {
    "invalid_amount": "I couldn't read “{text}” as an amount. Try something like 50, 50.50 or 1,000.",
    "currency_mismatch": "This circle uses {expected}, not {given}.",
    "unknown_currency": "“{code}” isn't a currency code I know. Use a 3-letter code like USD, KES or EUR.",
    "invalid_phone": "That phone number doesn't look valid.",
    "invalid_timezone": "I don't know the time zone “{name}”.",
    "invalid_schedule": "I couldn't read that schedule. Use weekly, every 2 weeks, monthly or every N days, "
                        "and dates like 2026-12-01.",
    "invalid_circle_settings": "That setting doesn't work ({field}). Please check it and try again.",
    "unknown_user": "I don't know you yet. Open a private chat with me and send /start.",
    "not_member": "Only members of this circle can do that. Send /join to join it.",
    "not_organizer": "Only an organizer of this circle can do that.",
    "not_receiver": "Only the person who received the pot can confirm receiving it.",
    "circle_not_found": "There's no savings circle here yet. An organizer can start one with /newcircle.",
    "circle_not_forming": "This circle has already started, so its members can't change now.",
    "circle_not_active": "This circle isn't running right now.",
    "circle_full": "Sorry, this circle is full ({total_members} members).",
    "already_member": "You're already in this circle.",
    "organizer_cannot_leave": "An organizer can't leave or be removed. To stop the circle, use /cancelcircle.",
    "not_enough_members": "A circle needs at least {need} members to start; it has {have}.",
    "invalid_payout_order": "That payout order doesn't work here. Use random, drawn or fixed.",
    "contribution_not_found": "I couldn't find that payment in the current cycle.",
    "already_paid": "That payment is already recorded ({status_word}).",
    "already_decided": "Already handled: that payment was {status_word}.",
    "unpaid_members": "Not everyone is confirmed yet: {names}. Confirm their payments first, "
                      "or send /draw anyway to draw now and record who hadn't paid.",
    "already_drawn": "The draw for cycle {cycle_number} has already happened.",
    "not_drawn_yet": "There's no draw yet this cycle. Use /draw first.",
    "pending_payments": "Some payments still wait for a decision: {names}. Confirm or reject them first.",
    "already_acknowledged": "Already confirmed as received. Thank you!",
    "nothing_to_pay_out": "No confirmed payments this cycle, so there's no pot to hand over.",
    "chat_has_active_circle": "This chat already has a running circle. Finish or cancel it first.",
    "already_organizer": "They're already an organizer.",
    "due_date_in_past": "{due_date} has already passed (today is {today}). Choose a later date.",
    "last_organizer": "You're the only organizer, so you can't step down yet. Make someone else an organizer "
                      "first (/organizer @name), then send /stepdown.",
    "instructions_too_long": "That's {length} characters; payment instructions can be at most {limit}. "
                             "Please shorten them.",
    "stale_button": "This button is out of date. Send the command again to start over.",
}
STATUS_WORDS = {"PENDING": "waiting for confirmation", "CONFIRMED": "confirmed", "REJECTED": "rejected"}
DATABASE_AWAY = "I can't reach my records right now. Nothing was changed; please try again in a moment."
DATABASE_AWAY_AFTER_CHANGE = ("That went through, but then I lost touch with my records before I could finish "
                              "my answer. Send /summary in a moment to see where things stand.")
APOLOGY = "Sorry, something went wrong on my side. Nothing was changed; please try again in a moment."


def refusal(error: CoreError, names: Mapping[str, str] | None = None) -> str:
    context: dict[str, Any] = {k: (str(v)[:MAX_ECHO] if isinstance(v, str) else v) for k, v in error.context.items()}
    context.setdefault("status_word", STATUS_WORDS.get(str(context.get("status")), "recorded"))
    if error.key == "due_date_in_past":
        today = context["today"]
        context.update(due_date=day(context["due_date"], today), today=day(today, today))
    context["names"] = name_list([(names or {}).get(u, "someone") for u in error.context.get("user_ids", [])])
    try:
        return ERRORS[error.key].format_map(_Blank(context))
    except KeyError:
        return "I can't do that right now."


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def money(circle: Circle, minor: int) -> str:
    return format_amount(minor, circle.currency)


def frequency(circle: Circle) -> str:
    return {"weekly": "weekly", "biweekly": "every 2 weeks", "monthly": "monthly"}.get(
        circle.frequency, f"every {circle.every_days} days")


ORDER_NAMES = {PayoutOrder.RANDOM: "a fair draw each cycle", PayoutOrder.DRAWN_AT_START: "drawn once at the start",
               PayoutOrder.FIXED: "set by the organizer"}


def circle_created(circle: Circle, organizer: str, now: datetime) -> str:
    return (f"🎉 New savings circle “{circle.name}” by {organizer}\n"
            f"• {money(circle, circle.amount_per_cycle)} {frequency(circle)}, first due "
            f"{day(circle.first_due_date, local_date(now, circle.timezone))}\n"
            f"• {circle.total_members} members; payout order: {ORDER_NAMES[circle.payout_order]}\n"
            + (ORDER_HINT + "\n" if circle.payout_order == PayoutOrder.FIXED else "") +
            f"Send /join to take a seat (join code {circle.join_code}).")


def joined(name: str, circle: Circle, seats_taken: int) -> str:
    return f"👋 {name} joined “{circle.name}” ({seats_taken}/{circle.total_members})."



def payment_marked(name: str, circle: Circle, amount: int, cycle_number: int) -> str:
    return (f"💸 {name} says they paid {money(circle, amount)} for cycle {cycle_number}.\n"
            "Organizers: confirm or reject below (or reply /confirm or /reject).")


def payment_decided(name: str, circle: Circle, amount: int, status: ContributionStatus, by: str) -> str:
    if status == ContributionStatus.CONFIRMED:
        return f"✅ {name}'s payment of {money(circle, amount)} was confirmed by {by}."
    return f"❌ {name}'s payment of {money(circle, amount)} was rejected by {by}. {name}, you can send /paid again."


def draw_done(circle: Circle, record: CycleRecord, names: Mapping[Any, str], unpaid: list[str]) -> str:
    lines = [f"🎲 Cycle {record.cycle_number} draw: {record.winner_name} receives the pot!",
             f"Seed revealed: {record.seed}",
             f"It matches the commitment posted when the cycle opened: {record.seed_commitment}",
             f"Eligible: {', '.join(names.get(u, str(u)) for u in record.eligible_ids)}",
             "Anyone can check it: send /verify for the exact command."]
    if unpaid:
        lines.append(f"Drawn before everyone was confirmed; not confirmed: {', '.join(unpaid)}.")
    return "\n".join(lines)


def verify_text(circle: Circle, record: CycleRecord, names: Mapping[Any, str]) -> str:
    eligible = ",".join(str(u) for u in record.eligible_ids)
    lines = [f"🔍 Cycle {record.cycle_number} of “{circle.name}”", f"Circle id: {circle.id}",
             f"Commitment: {record.seed_commitment}",
             "Eligible (sorted): " + "; ".join(f"{names.get(u, '?')} = {u}" for u in record.eligible_ids)]
    if record.seed is None:
        lines.append("The seed is revealed at the draw.")
    else:
        lines += [f"Seed: {record.seed}", f"Winner: {record.winner_name}",
                  "Check it yourself (Python 3.11+, from the bot's source folder):",
                  f"python -m core.verify draw --circle {circle.id} --cycle {record.cycle_number} "
                  f"--eligible {eligible} --commitment {record.seed_commitment} --seed {record.seed}"]
    return "\n".join(lines)


def payout_recorded(circle: Circle, receiver: str, amount: int, cycle_number: int) -> str:
    return (f"🤝 The cycle {cycle_number} pot of {money(circle, amount)} was handed to {receiver}.\n"
            f"{receiver}, please tap below once you have it.")


PAYMENT_LINES = (("Confirmed", ContributionStatus.CONFIRMED), ("Waiting for confirmation", ContributionStatus.PENDING),
                 ("Rejected", ContributionStatus.REJECTED), ("Not paid", None))


def summary(board: CircleSummary, now: datetime) -> str:
    c = board.circle
    today = local_date(now, c.timezone)
    lines = [f"📋 “{c.name}” — {money(c, c.amount_per_cycle)} {frequency(c)}, {c.status.value.lower()}"]
    if board.cycle is None:
        lines.append(f"Members: {len(board.members)}/{c.total_members}. Join code: {c.join_code}")
    else:
        lines.append(f"Cycle {board.cycle.cycle_number}/{c.total_members}, due {day(board.cycle.due_date, today)} "
                     f"({'drawn' if board.cycle.status != CycleStatus.OPEN else 'open'})")
        for title, status in PAYMENT_LINES:
            people = board.with_payment(status)
            if people:
                lines.append(f"{title}: {name_list([m.full_name for m in people])}")
        lines.append(f"Collected: {money(c, board.confirmed_this_cycle)} of {money(c, board.expected_this_cycle)}")
    received = [f"{m.full_name} (cycle {m.received_in_cycle})" for m in board.members if m.received_in_cycle]
    lines.append("Received the pot: " + (name_list(received) if received else "nobody yet"))
    if board.next_due_date:
        lines.append(f"Next due date after this one: {day(board.next_due_date, today)}")
    lines.append(f"Paid out so far: {money(c, board.paid_out_total)}")
    return "\n".join(lines)


HISTORY_BUDGET = 1200  # characters of cycle lines: the latest cycles that fit; earlier ones counted in one line


def history(circle: Circle, records: list[CycleRecord], now: datetime) -> str:
    today = local_date(now, circle.timezone)
    lines: list[str] = []
    for r in reversed(records):
        outcome = f"{r.winner_name} won" if r.winner_name else "not drawn yet"
        if r.payout_amount is not None:
            outcome += f", received {money(circle, r.payout_amount)}" + (" ✔" if r.acknowledged else "")
        line = f"Cycle {r.cycle_number} (due {day(r.due_date, today)}): {outcome}"
        if sum(map(len, lines)) + len(line) > HISTORY_BUDGET:
            break
        lines.insert(0, line)
    earlier = records[:len(records) - len(lines)]
    if earlier:
        paid = sum(r.payout_amount is not None for r in earlier)
        lines.insert(0, f"Cycles 1–{len(earlier)}: {paid} pot{'s' if paid != 1 else ''} handed over, "
                        f"{sum(r.acknowledged for r in earlier)} confirmed received.")
    if not records:
        lines.append("No cycles yet: the circle starts when it is full or when an organizer sends /begin.")
    return "\n".join([f"📜 History of “{circle.name}” ({circle.status.value.lower()})", *lines])


def my_circles(items: list[MyCircle], now: datetime) -> str:
    if not items:
        return "You're not in any circle yet. Ask your organizer for the group, then send /join there."
    lines = ["Your circles:"]
    for m in items:
        c = m.circle
        if m.cycle_number is None:
            lines.append(f"• {c.name}: forming ({money(c, c.amount_per_cycle)} {frequency(c)})")
            continue
        owed = STATUS_WORDS.get(m.my_payment.value if m.my_payment else "", "not paid yet")
        received = f"; you received the pot in cycle {m.received_in_cycle}" if m.received_in_cycle else ""
        due = day(m.due_date, local_date(now, c.timezone))
        lines.append(f"• {c.name}: cycle {m.cycle_number}, {money(c, c.amount_per_cycle)} due {due} — "
                     f"{owed}{received}")
    return "\n".join(lines)



REGISTER_FIRST = ("{name}, I need to know your phone number first (it's how the circle recognises you). "
                  "Tap below, then share your contact with me.")
ASK_CONTACT = ("Welcome! To take part in savings circles, share your phone number with the button below. "
               "I only use it to recognise you across your circles.")
NOT_YOUR_CONTACT = "Please share your own contact with the button below, not someone else's."
REGISTERED = "Thanks {name}, you're registered as {phone}."
WELCOME_BACK = "Hi {name}! You're registered as {phone}. Send /mycircles to see your circles, /help for more."
PRIVATE_HINT = "Send /mycircles to see your circles, or /help for what I can do."
NO_SUCH_CYCLE = "There's no cycle {number} in this circle yet."
GROUP_ONLY = "That works in the group chat of your circle."
PRIVATE_ONLY = "Let's do that in a private chat with me."
CANCEL_ASK = "Cancel “{name}” for everyone? This can't be undone."
# Shared by direct replies and outbox announcements: placeholders are the outbox payload's keys.
CANCELLED = "The circle “{circle}” was cancelled by {actor}. Its history stays available with /history."
LEFT = "{user} left “{circle}”."
REMOVED = "{user} was removed from “{circle}” by {actor}."
STARTED = "🚀 {actor} started “{circle}” with {total_members} members."
JOIN_USAGE = "In a private chat, send /join with the circle's join code, e.g. /join K7P2QX."
REMOVE_USAGE = "Who should I remove? Reply /remove to their message, or send /remove @username."
WHO_USAGE = "Whose payment? Reply to the payment message, or name them: /{command} @username."
RECEIVED = "🙏 {receiver} confirmed receiving the cycle {cycle_number} pot."


def reminder_settings(circle: Circle, s: ReminderSettings) -> str:
    def days(d: int) -> str:
        return "on the due date" if d == 0 else f"{d} day{'s' if d > 1 else ''} before"

    before = ", ".join(days(d) for d in s.reminder_days) or "no reminders before the due date"
    overdue = (f"then daily for {s.overdue_reminders} day(s) while unpaid" if s.overdue_reminders
               else "no overdue reminders")
    draw = (f"automatic draw from {s.draw_hour:02d}:00 on the due date once everyone is confirmed" if s.auto_draw
            else "draws only by an organizer's /draw")
    return (f"⏰ “{circle.name}” reminders at {s.reminder_hour:02d}:00 ({circle.timezone}): {before}; {overdue}. "
            f"{draw[0].upper() + draw[1:]}.\nOrganizers change this with e.g. /reminders 3,1,0 at 9 · "
            "/reminders overdue 2 · "
            "/reminders off · /autodraw off · /autodraw on at 18")


# --- organizer tools (co-organizers, how to pay, paying for someone, the fixed order) ---------------
ORGANIZER_USAGE = ("Who should become an organizer too? Tap their name (or reply /organizer to their message, "
                   "or send /organizer @username).")
ORGANIZER_ADDED = "⭐ {actor} made {user} an organizer of “{circle}”."
STEPPED_DOWN = "{user} stepped down as an organizer of “{circle}”."
ORGANIZERS_NOW = "Organizers now: {names}."
HOWTOPAY_SHOW = "💳 How to pay into “{circle}”: {instructions}"
HOWTOPAY_NONE = ("“{circle}” has no payment instructions yet. An organizer sets them like this:\n"
                 "/howtopay M-Pesa 0712 345 678, Alice Njeri")
HOWTOPAY_HINT = "Organizers change them with /howtopay followed by the new text, or remove them with /howtopay off."
HOWTOPAY_SET = "💳 {actor} set how to pay into “{circle}”: {payment_instructions}"
HOWTOPAY_CLEARED = "{actor} removed the payment instructions of “{circle}”."
HOW_TO_PAY_LINE = "How to pay: {instructions}"
PAID_FOR = "✅ {actor} recorded {user}'s payment of {amount} for cycle {cycle_number} (confirmed)."
PAID_FOR_REFUSED = ("Only an organizer ({organizers}) can record a payment for {member}. "
                    "If you paid yourself, send /paid on its own.")
NOT_IN_CIRCLE = "I couldn't find {who} among the members of “{circle}”."
ORDER_NOT_FIXED = ("“{circle}” doesn't use a fixed order ({order}), so there's no order to set. "
                   "The order is chosen when the circle is created.")
ORDER_SAVED = "✅ {actor} saved the payout order of “{circle}”:\n{lines}"
ORDER_SET = "🔢 {actor} set the payout order of “{circle}”: {order}"
ORDER_HINT = ("Organizer: choose who receives first, second… with /order before the circle starts "
              "(otherwise: the order people join).")
MAX_ORDER_BUTTONS = 40  # Telegram allows about 100 buttons; more names appear as these are placed
MAX_ORDER_NAMES = 20  # in an announcement: enough to read, short enough for WhatsApp at 200 members


def order_names(names: list[str]) -> str:
    """'1. Alice, 2. Tom, …': numbered, cut after MAX_ORDER_NAMES."""
    shown = ", ".join(f"{n}. {name}" for n, name in enumerate(names[:MAX_ORDER_NAMES], start=1))
    more = len(names) - MAX_ORDER_NAMES
    return shown + (f" … and {more} more" if more > 0 else "")


def order_draft(circle: Circle, placed: list[str], remaining: list[str]) -> str:
    lines = [f"🔢 Payout order of “{circle.name}”: tap who receives the pot first, then second, and so on."]
    lines += [f"{n}. {name}" for n, name in enumerate(placed, start=1)][-MAX_ORDER_BUTTONS:]
    if remaining:
        after = " (if you save now, they follow in the order they joined)." if placed else "."
        lines.append(f"Not placed yet: {name_list(remaining, most=MAX_ORDER_BUTTONS)}{after}")
    else:
        lines.append("Everyone is placed. Tap Save.")
    return "\n".join(lines)


def order_lines(names: list[str]) -> str:
    more = len(names) - MAX_ORDER_BUTTONS
    lines = [f"{n}. {name}" for n, name in enumerate(names[:MAX_ORDER_BUTTONS], start=1)]
    return "\n".join(lines + ([f"… and {more} more, in the order they joined"] if more > 0 else []))
