"""Everything the Telegram bot says, in one place: refusals by error key, and the messages it posts."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from core.errors import CoreError
from core.history import CycleRecord, MyCircle
from core.models import Circle, CircleStatus, ContributionStatus, CycleStatus, PayoutOrder, Role
from core.money import format_amount
from core.proofs import Proof
from core.reminders import ReminderSettings
from core.schedule import local_date
from core.stewardship import VOTE_DAYS, Vote, needed
from core.summary import CircleSummary
from handlers.formats import day
from handlers.formats import names as name_list
from handlers.guide import BEGIN, DRAW, JOIN, PAID, PAYOUT, SUMMARY, Standing

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
    "unknown_user": "I don't know you yet. Open a private chat with me and send /start to register.",
    # Who may act: refusal() adds who can, and what happens next, when the circle is known.
    "not_member": "Only members of this circle can do that.",
    "not_organizer": "Only an organizer of this circle can do that.",
    "not_receiver": "Only {names} can confirm receiving this pot: it was handed to them.",
    "circle_not_found": "There's no savings circle here yet. Anyone here can start one with /newcircle.",
    "circle_not_forming": "This circle has already started, so its members can't change now. "
                          "Ask its organizers about the next circle.",
    "circle_not_active": "{why}",
    "circle_full": "Sorry, this circle is full ({total_members} members). Ask its organizers about the next one.",
    "already_member": "You're already in this circle.",
    "organizer_cannot_leave": "An organizer can't leave or be removed while the circle runs. To stop it for "
                              "everyone, an organizer sends /cancelcircle (I ask before anything changes).",
    "not_enough_members": "A circle needs at least {need} members to start; it has {have}. "
                          "Others join by tapping Join on the circle's post.",
    "invalid_payout_order": "That payout order doesn't work here. Use random, drawn or fixed.",
    "contribution_not_found": "I couldn't find that payment in the current cycle.",
    "already_paid": "That payment is already recorded ({status_word}).",
    "already_decided": "Already {status_word} by {by}.",
    "invalid_reject_reason": "I don't know that reason. Tap one of the buttons.",
    "unpaid_members": "Not everyone is confirmed yet: {names}. Confirm their payments first, "
                      "or send /draw anyway to draw now and record who hadn't paid.",
    "already_drawn": "The draw for cycle {cycle_number} has already happened. /summary shows who receives the pot.",
    "not_drawn_yet": "The pot is handed over after this cycle's draw, and there's no draw yet.",
    "pending_payments": "Some payments still wait for a decision: {names}. Confirm or reject them first.",
    "already_acknowledged": "Already confirmed as received. Thank you!",
    "nothing_to_pay_out": "No confirmed payments this cycle, so there's no pot to hand over.",
    "chat_has_active_circle": "This chat already has a running circle (see /summary). A new one can start here "
                              "once it is complete, or after its organizers cancel it.",
    "already_organizer": "They're already an organizer.",
    "circle_has_group": "That circle already lives in another Telegram group: a circle has one group per app.",
    "due_date_in_past": "{due_date} has already passed (today is {today}). Choose a later date.",
    "last_organizer": "You're the only organizer, so you can't step down yet. Make someone else an organizer "
                      "first (/organizer @name), then send /stepdown.",
    "instructions_too_long": "That's {length} characters; payment instructions can be at most {limit}. "
                             "Please shorten them.",
    "stale_button": "This button is out of date. Send the command again to start over.",
}
NOT_RUNNING = {  # circle_not_active, by the circle's status
    "FORMING": "This circle hasn't started yet: it starts when every seat is taken, or when an organizer "
               "starts it early.",
    "COMPLETED": "This circle is complete: every member received the pot.",
    "CANCELLED": "This circle was cancelled.",
}
STATUS_WORDS = {"PENDING": "waiting for confirmation", "CONFIRMED": "confirmed", "REJECTED": "rejected"}
DATABASE_AWAY = "I can't reach my records right now. Nothing was changed; please try again in a moment."
DATABASE_AWAY_AFTER_CHANGE = ("That went through, but then I lost touch with my records before I could finish "
                              "my answer. Send /summary in a moment to see where things stand.")
APOLOGY = "Sorry, something went wrong on my side. Nothing was changed; please try again in a moment."


def refusal(error: CoreError, names: Mapping[str, str] | None = None, standing: Standing | None = None,
            action: str | None = None, *, actor: uuid.UUID | None = None, join_hint: str = "") -> str:
    """The refusal in plain words; with the circle's `standing`, a "who may act" refusal also names
    who can, and what happens next for the `action` (the command or button tried)."""
    context: dict[str, Any] = {k: (str(v)[:MAX_ECHO] if isinstance(v, str) else v) for k, v in error.context.items()}
    context.setdefault("status_word", STATUS_WORDS.get(str(context.get("status")), "recorded"))
    context["why"] = NOT_RUNNING.get(str(context.get("status")), "This circle isn't running right now.")
    for key in ("owed", "amount"):  # amounts in the context come with their currency
        if key in context and "currency" in context:
            context[f"{key}_money"] = format_amount(context[key], context["currency"])
    if error.key == "due_date_in_past":
        today = context["today"]
        context.update(due_date=day(context["due_date"], today), today=day(today, today))
    if error.key == "organizer_active":
        today = context["today"]
        context.update(acted=day(context["acted"], today), from_date=day(context["from_date"], today))
    context["names"] = name_list([(names or {}).get(u, "someone") for u in error.context.get("user_ids", [])])
    if "minutes" in context:  # a flood limit: when they can try again
        context["wait"] = wait_words(context["minutes"])
    if standing is not None and error.key == "not_organizer":
        return only_organizers(standing, action)
    if standing is not None and error.key == "not_member":
        other = error.context.get("user_id")
        if other and actor is not None and other != str(actor):
            return NOT_A_MEMBER.format(name=(names or {}).get(other, "They"), circle=standing.circle.name)
        return only_members(standing, join_hint or JOIN_HINT)
    if error.key == "not_receiver" and not context["names"]:
        return NOT_RECEIVER_UNKNOWN
    try:
        return ERRORS[error.key].format_map(_Blank(context))
    except KeyError:
        return "I can't do that right now."


# Only organizers may …, by the command (or button) tried; and what happens next without them.
ORGANIZER_ACTIONS = {
    "draw": "can draw", "confirm": "can confirm payments", "reject": "can reject payments",
    "payout": "can record handing over the pot", "begin": "can start the circle early",
    "cancelcircle": "can cancel the circle", "remove": "can remove members",
    "reminders": "can change the reminders", "autodraw": "can change the automatic draw",
    "paid": "can record a payment for someone else", "timezone": "can change the time zone",
    "join": "can bring the circle into this group",
    "organizer": "can make someone an organizer",
    "howtopay": "can change how to pay", "order": "can set the payout order",
}
WHAT_NEXT = {
    "confirm": "They see every payment and confirm it once the money has arrived.",
    "payout": "They record it once the pot is in the receiver's hands.",
    "begin": "The circle starts by itself when all {total} seats are taken.",
    "cancelcircle": "Talk to them if the circle should stop.",
    "remove": "Talk to them if someone should leave the circle.",
    "reminders": "Talk to them if you'd like a change.",
}
WHAT_NEXT |= {"reject": WHAT_NEXT["confirm"], "autodraw": WHAT_NEXT["reminders"]}
_AUTO_DRAW = "it happens automatically on {when} once everyone is confirmed."
ORGANIZER_DRAWS = "They draw once everyone is confirmed."
JOIN_HINT = "Tap Join (or send /join) to take a seat."
NOT_A_MEMBER = "{name} isn't a member of “{circle}”."
NOT_RECEIVER_UNKNOWN = "Only the person who received the pot can confirm receiving it."


def organizers(standing: Standing) -> str:
    """'Alice (organizer)', 'Alice or Bob (organizers)', 'Alice, Bob or Carol (organizers)'."""
    return organizer_list(standing.organizers)


def organizer_list(everyone: list[str]) -> str:
    names = everyone[:3] + (["another organizer"] if len(everyone) > 3 else [])
    if not names:
        return "an organizer"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"{listed} (organizer{'s' if len(everyone) > 1 else ''})"


def only_organizers(standing: Standing, action: str | None) -> str:
    text = f"Only {organizers(standing)} {ORGANIZER_ACTIONS.get(action or '', 'can do that')}."
    if action == "draw":
        automatic = standing.circle.auto_draw and standing.due_date and not standing.drawn
        return f"{text} {_capital(_AUTO_DRAW.format(when=_draw_time(standing))) if automatic else ORGANIZER_DRAWS}"
    if action in WHAT_NEXT and (action != "begin" or standing.forming):
        return f"{text} {WHAT_NEXT[action].format(total=standing.circle.total_members)}"
    return text


def only_members(standing: Standing, join_hint: str) -> str:
    text = f"Only members of “{standing.circle.name}” can do that."
    if standing.forming and standing.seats < standing.circle.total_members:
        return f"{text} {join_hint.format(code=standing.circle.join_code)}"
    if standing.forming:
        return f"{text} It's full; ask {organizers(standing)} about the next circle."
    if not standing.ended:
        return f"{text} It has started, so new members wait for the next circle: ask {organizers(standing)}."
    return text


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
            f"Tap Join below to take a seat (or send /join; join code {circle.join_code}).")


def joined(name: str, circle: Circle, seats_taken: int) -> str:
    return f"👋 {name} joined “{circle.name}” ({seats_taken}/{circle.total_members})."



def payment_marked(name: str, circle: Circle, amount: int, cycle_number: int) -> str:
    return (f"💸 {name} says they paid {money(circle, amount)} for cycle {cycle_number}.\n"
            "Organizers: confirm or reject below (or reply /confirm or /reject).")


def payment_decided(name: str, circle: Circle, amount: int, status: ContributionStatus, by: str,
                    short: int = 0) -> str:
    if status in (ContributionStatus.CONFIRMED, ContributionStatus.PARTIAL):
        still = STILL_SHORT.format(short=money(circle, short)) if short else ""
        return f"✅ {name}'s payment of {money(circle, amount)} was confirmed by {by}.{still}"
    return f"❌ {name}'s payment of {money(circle, amount)} was rejected by {by}. {name}, you can send /paid again."


def draw_done(cycle_number: int, winner: str, unpaid: list[str], *, without_beacon: bool = False) -> str:
    text = f"🎲 Cycle {cycle_number} draw: {winner} receives the pot!"
    if unpaid:
        text += f"\nDrawn before everyone was confirmed; not confirmed: {name_list(unpaid)}."
    if without_beacon:
        text += "\n" + DRAWN_WITHOUT_BEACON
    return text


# Outbox announcements of a draw (placeholders are the payload's keys); the fair button goes under them.
DRAW_ANNOUNCED = "🎲 Cycle {cycle_number} draw by {actor}: {winner} receives the pot!"
AUTO_DRAW_ANNOUNCED = ("🎲 Everyone paid, so I drew cycle {cycle_number} of “{circle}”: {winner} receives the pot!\n"
                       "Organizers: tap “Pot handed over” once it's handed over.")
FAIR_BUTTON = "🤔 How is this fair?"
HANDED_OVER_BUTTON = "🤝 Pot handed over"
# Telegram's short pop-up answers to a tapped button.
TOAST_DRAWN, TOAST_HANDED_OVER, TOAST_THANKS = "🎲", "🤝", "Thank you!"
TOAST_CANCELLED, TOAST_DONE, TOAST_SAVED = "Cancelled.", "Done.", "Saved."
TOAST_DECIDED = {True: "Confirmed ✅", False: "Rejected ❌"}  # confirmed?
NOT_YOURS_OR_OLD = "This button isn't for you or is out of date."
STILL_A_MEMBER = ("{name} left this chat but is still a member of “{circle}”. "
                  "Organizers: talk to them, or /remove them if the circle hasn't started.")
NEW_MESSAGES_ONLY = "I only act on new messages. Please send the command again."
SETTINGS_UPDATED = "Updated. "
FILE_BUTTON = "📄 The draw file"
CHECKER_BUTTON = "🐍 Get the checker"
CHECKER_CAPTION = "The checker: one small Python file, nothing else needed. Run it with a draw file, as shown."
FAIR_WHY = {
    ("draw", True): "Before anyone paid this cycle, I locked in a secret number and showed everyone its fingerprint. "
                    "At the draw I revealed the number: it matches the fingerprint, and together with the list of "
                    "members it alone decided who receives the pot, so nobody, not even the organizer, could choose.",
    ("draw", False): "Before anyone paid this cycle, I locked in a secret number and its fingerprint is below. "
                     "At the draw I will reveal the number, and together with the list of members it alone will "
                     "decide who receives the pot, so nobody, not even the organizer, can choose.",
    ("order", True): "When the circle was created, I locked in a secret number and showed everyone its fingerprint. "
                     "When the circle started I revealed the number: it matches, and with the list of members it "
                     "alone decided the payout order, so nobody, not even the organizer, could choose it.",
    ("order", False): "When the circle was created, I locked in a secret number and its fingerprint is below. "
                      "When the circle starts I will reveal it, and with the list of members it alone will decide "
                      "the payout order, so nobody, not even the organizer, can choose it.",
}
CHECK_ON_TELEGRAM = ("Check it yourself: get the checker and the draw file below, then run\n"
                     "python3 verify_draw.py {file}")
VERIFY_USAGE = "Send /verify, /verify N with a cycle number, or /verify order."
NOT_DRAWN_ORDER = ("This circle's payout order isn't drawn by lot, so there's nothing to check. "
                   "Send /verify N for a cycle.")
FAIR_GONE = "That draw isn't one I can show here."


def fit_names(names: list[str], budget: int) -> str:
    """As many names as fit in `budget` characters, then how many more: a list that fits any circle size."""
    shown: list[str] = []
    for name in names:
        candidate = [*shown, name]
        more = len(names) - len(candidate)
        if len(", ".join(candidate) + (f", and {more} more" if more else "")) > budget:
            break
        shown = candidate
    more = len(names) - len(shown)
    return ", ".join(shown) + (f"{', ' if shown else ''}and {more} more" if more else "")


MAX_NAMES_SHOWN = 1200  # characters of names in the details: the draw file lists everyone


def fair_details(proof: Proof, *, how_to_check: str, limit: int, why: bool = True,
                 record_check: str | None = None) -> str:
    """The explanation (when `why`) and the published values, within `limit` characters at any size,
    then the circle's record check as of now."""
    if proof.kind == "draw":
        header = f"🔍 Cycle {proof.cycle_number} of “{proof.circle_name}”"
        label = f"Could receive the pot ({len(proof.member_ids)}): "
        people = sorted(proof.name(u) for u in proof.member_ids)
        result = f"Winner: {proof.name(proof.result[0])}" if proof.result else "Winner: drawn later"
    else:
        header = f"🔍 Payout order of “{proof.circle_name}”, drawn by lot"
        if proof.result:
            label = f"Order ({len(proof.result)}): "
            people = [f"{n}. {proof.name(u)}" for n, u in enumerate(proof.result, start=1)]
        else:
            label = f"Members so far ({len(proof.member_ids)}): "
            people = sorted(proof.name(u) for u in proof.member_ids)
        result = ""
    seed = f"Secret number (seed): {proof.seed}" if proof.revealed else "Secret number (seed): revealed " + (
        "at the draw" if proof.kind == "draw" else "when the circle starts")
    lines = [fair_why(proof) + "\n"] if why else []
    lines += [header, label, f"Fingerprint (commitment): {proof.commitment}", seed, *beacon_lines(proof), result,
              how_to_check if proof.revealed else "",
              (RECORD_CHECK_WHY if why else RECORD_CHECK).format(fingerprint=record_check) if record_check else ""]
    lines = [line for line in lines if line]
    budget = min(limit - len("\n".join(lines)) - 1, MAX_NAMES_SHOWN)
    index = lines.index(label)
    lines[index] = label + fit_names(people, budget)
    return "\n".join(lines)


def payout_recorded(circle: Circle, receiver: str, amount: int, cycle_number: int) -> str:
    return (f"🤝 The cycle {cycle_number} pot of {money(circle, amount)} was handed to {receiver}.\n"
            f"{receiver}, please tap below once you have it.")


PAYMENT_LINES = (("Confirmed", ContributionStatus.CONFIRMED), ("Waiting for confirmation", ContributionStatus.PENDING),
                 ("Paid in part", ContributionStatus.PARTIAL), ("Rejected", ContributionStatus.REJECTED),
                 ("Not paid", None))


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
                lines.append(f"{title}: {name_list([_short(c, m.full_name, m.short) for m in people])}")
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
        if r.short:
            outcome += "; " + SHORT_IN_HISTORY.format(names=name_list([_short(circle, n, s) for n, s in r.short]))
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
        owed = _payment_words(m)
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


# --- private decisions and the status card (issue 10, point 2) ---
PAYMENT_TO_DECIDE = ("💸 {user} says they paid {money} for cycle {cycle_number} of “{circle}”.\n"
                     "Did it arrive? Confirm or reject below.")
WHY_REJECT = "Why can't you confirm it? {user} will be told."
HOW_SHORT = "How much did arrive? Reply to this message with the amount (e.g. 300), or tap “Don't know”."
YOU_CONFIRMED = "✅ You confirmed it. {user} has been told."
YOU_REJECTED = "❌ You rejected it ({why}). {user} has been told."
REASONS = {"short": "Amount short", "not_received": "Not received", "other": "Other"}
YOUR_PAYMENT_CONFIRMED = "✅ {actor} confirmed your {money} for cycle {cycle_number} of “{circle}”."
YOUR_PAYMENT_REJECTED = ("❌ {actor} couldn't confirm your payment of {money} for cycle {cycle_number} "
                         "of “{circle}”{why}.")
REJECTED_WHY = {"short": ": the amount was short", "not_received": ": it hasn't arrived", "other": ""}
REJECTED_SHORT_BY = ": {short} short ({received} arrived)"
REJECTED_NEXT = {"short": "Pay the rest, then send /paid again.",
                 "not_received": "Check the payment with {actor}, then send /paid again.",
                 "other": "Ask {actor} what's missing, then send /paid again."}
ALL_PAID = ("🎉 Everyone in “{circle}” is confirmed for cycle {cycle_number}. "
            "Next: the draw, to see who receives the pot.")
ALL_PAID_AUTO = " I'll draw automatically at {draw_hour:02d}:00 on the due date, or an organizer can draw now."
ALL_PAID_MANUAL = " Send /draw when you're ready."
PIN_HELP = ("📌 I keep this circle's status card up to date above. To pin it for everyone, make me an admin "
            "with “Pin messages” allowed.")


# /help: a few lines on where this person stands, and buttons for the next steps.
HELP_BUTTONS = {
    "join": "➕ Join", "paid": "💸 I've paid {amount}", "summary": "📋 Status", "draw": "🎲 Draw",
    "payout": "🤝 Pot handed over", "begin": "🚀 Start now", "history": "📜 History",
    "register": "📱 Register with the bot", "all": "📖 All commands",
}
HELP_PAID_FOR = "💸 I've paid {amount} · {circle}"
HELP_NO_CIRCLE = ("There's no savings circle in this chat yet.\n"
                  "Anyone here can start one: send /newcircle and I'll ask a few questions.")
STALE_BUTTON = "This button is out of date."
UNKNOWN_COMMAND = "I don't know /{command}. Did you mean /{suggestion}?"
UNKNOWN_COMMAND_ELSEWHERE = "I don't know /{command}. Did you mean /{suggestion}? It works in {where}."
NO_SUCH_COMMAND = "I don't know /{command}. Send /help to see what you can do here."
WHERE = {"group": "your circle's group chat", "private": "a private chat with me"}


# How a person takes each step on Telegram; WhatsApp says it with words (handlers/whatsapp/texts.py).
HOW = {"join": "tap Join", "paid": "tap “I've paid”", "summary": "tap Status", "draw": "tap Draw",
       "payout": "tap “Pot handed over”", "begin": "tap Start now",
       "confirm": "Confirm or Reject them on each payment's post"}


def help_card(s: Standing, *, name: str, registered: bool = True, how: Mapping[str, str] = HOW) -> str:
    c = s.circle
    organizer = s.role == Role.ORGANIZER
    if s.ended:
        done = "is complete: every member received the pot" if c.status == CircleStatus.COMPLETED else "was cancelled"
        return f"📋 “{c.name}” {done}.\nAnyone here can start a new circle with /newcircle."
    if s.forming:
        lines = [f"📋 “{c.name}”: {money(c, c.amount_per_cycle)} {frequency(c)}, "
                 f"{s.seats} of {c.total_members} seats taken."]
    else:
        lines = [f"📋 “{c.name}”: cycle {s.cycle_number} of {c.total_members}, "
                 f"{money(c, c.amount_per_cycle)} due {day(s.due_date, s.today)}."]
    if not registered:
        lines.append(f"{name}, to take part, register with me first: tap Register, then share your phone number.")
    elif s.role is None:
        lines.append(_capital(how[JOIN]) + " to take a seat." if s.forming and JOIN in s.steps()
                     else f"It's for its members; {how[SUMMARY]} to follow along.")
    elif s.forming:
        lines.append(f"You're in. It starts when all {c.total_members} seats are taken"
                     + (f", or {how[BEGIN]} to begin with the members it has." if BEGIN in s.steps() else "."))
    elif s.drawn:
        lines.append(f"🎲 {s.winner} receives this cycle's pot."
                     + (f" {_capital(how[PAYOUT])} once {s.winner} has it." if organizer
                        else f" {organizers(s)} will hand it over."))
    else:
        lines.append(_my_payment(s, how))
        lines += _next_for_organizer(s, how) if organizer else _next_for_member(s)
    return "\n".join(lines)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _my_payment(s: Standing, how: Mapping[str, str]) -> str:
    if s.my_short and s.my_payment != ContributionStatus.PENDING:
        return f"Your payment is {SHORT_BY.format(short=money(s.circle, s.my_short))}: pay the rest, then {how[PAID]}."
    if s.my_payment == ContributionStatus.REJECTED:
        return f"Your payment was rejected: pay, then {how[PAID]}."
    if s.my_payment == ContributionStatus.PENDING:
        return "Your payment waits for an organizer to confirm it."
    if s.my_payment == ContributionStatus.CONFIRMED:
        return f"Your payment is confirmed ({s.confirmed} of {s.seats} so far)."
    return f"You haven't paid yet: pay, then {how[PAID]}."


def _draw_time(s: Standing) -> str:
    return f"{day(s.due_date, s.today)} at {s.circle.draw_hour:02d}:00"


def _next_for_organizer(s: Standing, how: Mapping[str, str]) -> list[str]:
    if s.pending:
        waiting = "1 payment waits" if s.pending == 1 else f"{s.pending} payments wait"
        return [f"{waiting} for your decision: {how['confirm']}."]
    if s.everyone_confirmed:
        auto = f", or I draw by myself on {_draw_time(s)}" if s.circle.auto_draw else ""
        return [f"Everyone is confirmed: {how[DRAW]}{auto}."]
    return []


def _next_for_member(s: Standing) -> list[str]:
    if not s.everyone_confirmed:
        return []
    if s.circle.auto_draw:
        return [f"Everyone is confirmed: the draw happens on {_draw_time(s)}."]
    return [f"Everyone is confirmed: {organizers(s)} draws next."]


def help_private(name: str, mine: list[MyCircle], now: datetime) -> str:
    if not mine:
        return (f"Hi {name}! You're not in a circle yet.\n"
                "To join one, tap Join on its post in your family's group (or send /join CODE here).\n"
                "To start one, add me to your family's group and send /newcircle there.")
    lines = [f"Hi {name}! Your circles:"]
    for m in mine[:3]:
        c = m.circle
        if m.cycle_number is None:
            lines.append(f"• {c.name}: forming ({money(c, c.amount_per_cycle)} {frequency(c)})")
        else:
            owed = _payment_words(m)
            due = day(m.due_date, local_date(now, c.timezone))
            lines.append(f"• {c.name}: {money(c, c.amount_per_cycle)} due {due} — {owed}")
    if len(mine) > 3:
        lines.append(f"…and {len(mine) - 3} more: /mycircles lists them all.")
    return "\n".join(lines)


# --- circle setup (handlers/telegram/setup.py; the questions themselves are in handlers/circle_setup.py)
SETUP_USAGE = ("To set up a circle in one line:\n/newcircle NAME | AMOUNT [CURRENCY] | MEMBERS | FREQUENCY | "
               "FIRST_DUE_DATE [| ORDER]\ne.g. /newcircle Family Fund | 50 USD | 5 | monthly | 5 Dec\n"
               "FREQUENCY: weekly, every 2 weeks, monthly or every N days. ORDER: random (default), drawn or fixed.\n"
               "Or send /newcircle alone and I'll ask one question at a time.")
SETUP_IN_PRIVATE = "{name}, let's set up the circle in a private chat, one question at a time. Tap below."
SETUP_IN_PRIVATE_BUTTON = "Set it up in private chat"
SETUP_WITHOUT_GROUP = ("Let's set up a circle here. It has no group chat: members join by sending me /join "
                       "with its join code. (To run it in a group, add me to the group and send /newcircle there.)")
SETUP_LINK_OLD = "That setup link is no longer current. Send /newcircle in your group to start again."
SETUP_STALE_BUTTON = "That question was already answered."
SETUP_WHICH_FIELD = "Which answer do you want to change?"
SETUP_BACK = "↩️ Back to the review"
SETUP_POSTED = "✅ Done! I posted “{name}” in your group. Members join there."
SETUP_NOT_POSTED = ("✅ “{name}” is created, but I couldn't post in the group. Check that I'm still a member there; "
                    "people can also join by sending me /join {code} in a private chat.")
SETUP_NO_GROUP_DONE = "Share the join code {code}: people send me /join {code} in a private chat to take a seat."
TIMEZONE_NOW = ("🕰 “{circle}” follows {zone} ({name}): due dates, reminders and draws go by its clock.\n"
                "Organizers change it with /timezone and a city or zone, e.g. /timezone Nairobi or "
                "/timezone America/New_York.")
TIMEZONE_SET = "🕰 {actor} set “{circle}” to {zone} ({name}). Due dates, reminders and draws now go by its clock."
TIMEZONE_UNKNOWN = ("I don't know the time zone “{text}”. Send a city as time zones name it, e.g. /timezone Nairobi, "
                    "/timezone New York, or a zone such as /timezone Africa/Lagos.")


# The next step as a button (issue 10): joining from the announcement, "I've paid" wherever a payment is due.
JOIN_BUTTON = "🙋 Join"
PAY_HINT = "Tap “I've paid” below once you've paid."
JOINED_TOAST = "You're in “{circle}”! 👋"
BROUGHT_HERE = ("🏠 {actor} brought “{circle}” into this group: {money} {frequency}, {members} of {total} seats "
                "taken. Members here follow it in this chat; tap Join below to take a seat.")
JOINED_SEE_GROUP = "You're in “{circle}”. See you in the group!"
JOINED_HERE = "You're in “{circle}”. I'll tell you here when each cycle opens, and you can pay from here."


def paid_button(amount: str) -> str:
    return f"I've paid {amount}"


PAID_TOAST = "Noted — the organizers will confirm."
PAID_NOTED = "💸 Noted: you paid {money} for “{circle}” (cycle {cycle_number}). The organizers will confirm it."
PAID_WHICH = "Which circle did you pay? Tap it:"
PAID_NO_CIRCLE = ("You're not in a running circle right now. Send /mycircles to see your circles, "
                  "or /join CODE with the code your organizer gave you.")
RECEIVED_NONE = "There's no pot waiting for you to confirm. Send /mycircles to see your circles."
RECEIVED_PRIVATE = "🙏 Thank you! Recorded that you received the cycle {cycle_number} pot of “{circle}”."


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
PAID_FOR_REFUSED = ("Only {organizers} can record a payment for {member}. "
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


# --- audit: the record check, the audit log's head members keep, so a rewritten record shows later.
RECORD_CHECK = "Record check: {fingerprint}"
RECORD_CHECK_WHY = ("Record check: {fingerprint} (keep this message: with it, anyone can later confirm "
                    "that the circle's record wasn't changed)")


# --- stewardship: members vote when no organizer acts (core/stewardship.py, handlers/telegram/votes.py)
ERRORS |= {
    "organizer_active": "An organizer of this circle ({names}) acted on {acted}, so they still run it. Members can "
                        "vote for a new organizer or to end the circle once no organizer has acted for {days} days "
                        "(from {from_date}); until then, talk to {names}.",
    "vote_already_open": "A vote is already open in this circle. Send /vote to see it and vote.",
    "no_open_vote": "There's no vote open in this circle. Send /vote to see your choices.",
    "vote_closed": "That vote is over: {status_word}. Send /vote to see where things stand.",
    "already_voted": "You already voted {ballot}. Each member votes once, and a vote can't be changed.",
}
STATUS_WORDS |= {"CARRIED": "it carried", "FAILED": "it didn't carry", "EXPIRED": "its time ran out"}
VOTE_TAP = "Tap Yes or No below."
VOTE_YES, VOTE_NO, VOTE_END_BUTTON, VOTE_BUTTON = "👍 Yes", "👎 No", "🛑 End the circle", "🗳 Vote"
VOTE_COUNTED = "Counted: {ballot}."
VOTE_WHAT = {"ELECT": "make {user} the organizer of “{circle}”", "END": "end “{circle}” (it shows as cancelled; "
                                                                       "its history stays)"}
VOTE_RULE = "It carries when {needed} of all {members} members vote yes."
VOTE_STARTED = "🗳 {actor} proposes to {what}: {absent} " + VOTE_RULE + " Open until {until}. " + VOTE_TAP
VOTE_CARRIED = {"ELECT": "⭐ The members chose {user} as organizer of “{circle}” ({yes} of {members} voted yes).",
                "END": "🛑 The members ended “{circle}” ({yes} of {members} voted yes). Its history stays "
                       "available with /history."}
VOTE_DEMOTED = " {demoted} hadn't acted since the vote began, so they stay members but are no longer organizers."
VOTE_FAILED = "The vote to {what} didn't carry: {no} of {members} members voted no."
VOTE_EXPIRED = ("The vote to {what} ran out of time with {yes} yes of the {needed} it needed. "
                "Any member can start another with /vote.")
VOTE_NOBODY_SINCE = {True: "no organizer has acted in “{circle}” since {since}.", False: "“{circle}” has no organizer."}
VOTE_CHOICES = ("{absent} Members can decide together: tap a member to propose them as organizer, or propose "
                "ending the circle. " + VOTE_RULE + " Proposing counts as your yes.")
ORGANIZER_ABSENT = "{absent} Members can vote for a new organizer or to end the circle: send /vote."


def absent_line(circle: str, since: date | str | None, today: date | str, *, start: bool = True) -> str:
    """'No organizer has acted in “Savings” since Wed 25 Nov.' (`start`: as a sentence's start)."""
    text = VOTE_NOBODY_SINCE[since is not None].format(circle=circle, since=since and day(since, today))
    return _capital(text) if start else text


def vote_text(vote: Vote, today: date, how: str = VOTE_TAP) -> str:
    """A vote as it stands (core/stewardship.Vote): what it decides, the tally, and what's next."""
    what = VOTE_WHAT[vote.kind.value].format(user=vote.candidate, circle=vote.circle.name)
    lines = [f"🗳 {vote.started_by} proposes to {what}.",
             f"Yes: {vote.yes} · No: {vote.no} · " + VOTE_RULE.format(needed=vote.needed, members=vote.members)]
    if vote.status.value == "OPEN":
        lines.append(f"Open until {day(vote.expires_on, today)}; every member votes once. {how}")
    else:
        lines.append({"CARRIED": "✅ Carried.", "FAILED": "❌ Didn't carry.", "EXPIRED": "⌛ Ran out of time."}[
            vote.status.value])
    return "\n".join(lines)


def vote_announcement(kind: str, p: Mapping[str, Any]) -> str:
    """The outbox's words for a vote starting or ending (its payload: core/events.py's vote events)."""
    what = VOTE_WHAT[p["kind"]].format_map(p)
    if kind == "vote_started":
        absent = absent_line(p["circle"], p["organizers_last_acted"], p["today"], start=False)
        until = day(date.fromisoformat(p["today"]) + timedelta(days=VOTE_DAYS), p["today"])
        return VOTE_STARTED.format_map(dict(p, what=what, absent=absent, until=until))
    if kind == "vote_carried":
        text = VOTE_CARRIED[p["kind"]].format_map(p)
        return text + (VOTE_DEMOTED.format(demoted=name_list(p["demoted"])) if p.get("demoted") else "")
    return (VOTE_FAILED if kind == "vote_failed" else VOTE_EXPIRED).format_map(
        dict(p, what=what, needed=needed(p["members"])))


# --- edges: input the database can't keep (a NUL byte, say), refused before anything happens ---------
UNSTORABLE = ("Part of that message is a hidden character I can't store. Nothing was changed; "
              "please type it again.")


# --- edges: flood limits (core/limits.py) ----------------------------------------------------------
ERRORS |= {
    "too_many_circles": "You've set up {limit} circles in the last 24 hours, the most I allow one person, "
                        "so nobody can flood the app. You can set up another {wait}.",
    "too_many_seat_changes": "You've joined or left this circle {limit} times in the last hour, and each time "
                             "every member gets a message, so let's pause here. You can try again {wait}.",
}


def wait_words(minutes: int) -> str:
    """'in 1 minute', 'in 60 minutes', 'in about 3 hours'."""
    if minutes <= 90:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"in about {hours} hour{'s' if hours != 1 else ''}"


# --- payments: partial payments and stale decisions ----------------------------------------------------
ERRORS |= {
    "more_than_owed": "That's more than is left to pay this cycle ({owed_money}). "
                      "Send the amount you paid, up to {owed_money}.",
    "payment_changed": "That payment changed since that message: it's now {amount_money} "
                       "({status_word}). Nothing was decided.",
}
STATUS_WORDS |= {"PARTIAL": "paid in part"}
SHORT_BY = "short by {short}"
STILL_SHORT = " Still short by {short}."
SHORT_IN_HISTORY = "paid in part: {names}"
TOP_UP = "A top-up: {confirmed} of {due} was confirmed before."
YOUR_PAYMENT_SHORT = "That makes {confirmed} of {due}: {short} is still to pay. Pay the rest, then tap below."
PAYMENT_CHANGED = ("⚠️ This payment changed since you saw it (it's now {money}), so nothing was decided. "
                   "Confirm or reject it as it is now.")
PAYMENT_CHANGED_TOAST = "That payment changed — nothing was decided."
PAYMENT_CHANGED_DECIDED = ("⚠️ That payment changed since this message: it's now {money}, already {status_word}. "
                           "Nothing was decided.")


def _short(circle: Circle, name: str, short: int) -> str:
    """'Tom (short by KES 499)': a member who paid in part, wherever members are listed."""
    return f"{name} ({SHORT_BY.format(short=money(circle, short))})" if short else name


def _payment_words(m: MyCircle) -> str:
    """'not paid yet', 'confirmed', 'short by KES 499, waiting for confirmation' (a top-up waits)…"""
    words = STATUS_WORDS.get(m.my_payment.value if m.my_payment else "", "not paid yet")
    if not m.short:
        return words
    short = SHORT_BY.format(short=money(m.circle, m.short))
    return short if m.my_payment == ContributionStatus.PARTIAL else f"{short}, {words}"


NUDGE_LEFT = " ({money} of it is still to pay)"


def still_short(circle: Circle, confirmed: int) -> str:
    """' Still short by KES 499.' after recording part of a payment; '' when it is whole."""
    short = circle.amount_per_cycle - confirmed
    return STILL_SHORT.format(short=money(circle, short)) if 0 < short < circle.amount_per_cycle else ""


# --- identity: claims on a member's number, number changes, names people can't see ------------------
ERRORS |= {
    "phone_taken": "That number already belongs to a member of a circle, so I can't move your account to it. "
                   "If it's really yours now, {names} can help: they organize that member's circle.",
    "claim_not_found": "That was already answered.",
    "not_claim_decider": "Only the member themselves, or an organizer of their circle, can answer that.",
    "ambiguous_handle": "Two members use @{handle}. Reply to a message of the one you mean instead.",
}
CLAIM_WAITING = ("This number already belongs to a member. I've asked them, on the account they use with me, to "
                 "confirm that this new account is theirs; if they can't, an organizer of their circle can. "
                 "Until then, this account can't act in any circle.")
CLAIM_QUESTION = "Someone on a new {app} account says they have your number +…{phone_end}. Is that you?"
CLAIM_FOR_ORGANIZER = ("Someone on a new {app} account says they are {member} (number +…{phone_end}). I've asked "
                       "{member} on the account they use with me. If they can't answer (a lost phone, say), check "
                       "with {member} by a call or in person before you answer. Until then, that account can't act "
                       "in your circle.")
CLAIM_YES, CLAIM_NO = "Yes, that's me", "No, not me"
CLAIM_YES_ORGANIZER, CLAIM_NO_ORGANIZER = "Yes, it's {member}", "No"
CLAIM_APPROVED = "✅ Confirmed: this {app} account is now {member}'s. Send /help to see your circles."
CLAIM_DENIED = ("This account was not linked: the member whose number this is wasn't confirmed to be you. If you "
                "think that's a mistake, talk to the organizer of your circle.")
CLAIM_LINKED_YOURS = "✅ Done: the new {app} account is yours too now."
CLAIM_LINKED = "✅ Done: {member}'s new {app} account is linked."
CLAIM_REFUSED = "Noted: the new {app} account was not linked to {member}."
NUMBER_CHANGE_ASK = "Change your number from +…{old_end} to {new}? Your circles and roles stay as they are."
NUMBER_CHANGE_YES, NUMBER_CHANGE_NO = "Yes, change my number", "No, keep +…{old_end}"
NUMBER_CHANGED = "✅ Your number is now {phone}. Your circles and roles are unchanged."
NUMBER_KEPT = "OK, your number stays {phone}."
PHONE_CHANGED = ("📱 {member} has a new phone number (ending in {phone_end}); they confirmed it from the account "
                 "they use with me.")
APPS = {"TELEGRAM": "Telegram", "WHATSAPP": "WhatsApp"}
PLACEHOLDER_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"


def member_placeholder(app: str, address: str) -> str:
    """A name for someone whose profile shows none: never their number. Three letters from their
    account tell two such members apart and say nothing about them."""
    digest = hashlib.sha256(address.encode()).digest()
    return f"{app} member {''.join(PLACEHOLDER_LETTERS[b % len(PLACEHOLDER_LETTERS)] for b in digest[:3])}"


# --- beacon: the public random number a draw mixes in (core/fairness.py) ---
BEACON_UNREACHABLE = ("I can't reach the public random number this draw uses right now. Try again in a few "
                      "minutes (send /draw again), or draw without it: then the secret number alone decides, "
                      "and the draw will say so.")
DRAW_WITHOUT_BEACON_BUTTON = "🎲 Draw without it"
DRAWN_WITHOUT_BEACON = "Drawn without the public random number (it couldn't be reached)."
FAIR_WHY_BEACON = {
    True: "Before anyone paid this cycle, I locked in a secret number and showed everyone its fingerprint, and "
          "named a public random number that didn't exist yet: the one the drand beacon published seconds later. "
          "At the draw I revealed the number: it matches the fingerprint, and with the public number and the list "
          "of members it alone decided who receives the pot, so nobody, not even the organizer, could choose, "
          "and not even whoever runs me could know the result when the cycle opened.",
    False: "Before anyone paid this cycle, I locked in a secret number (its fingerprint is below) and named a "
           "public random number that didn't exist yet: the one the drand beacon published seconds later. At the "
           "draw I will reveal the number, and with the public number and the list of members it alone will decide "
           "who receives the pot, so nobody, not even the organizer, can choose, and not even whoever runs me "
           "could know the result when the cycle opened.",
}
FAIR_WHY_WITHOUT_BEACON = (
    "Before anyone paid this cycle, I locked in a secret number and showed everyone its fingerprint. At the draw "
    "I revealed the number: it matches the fingerprint, and with the list of members it alone decided who "
    "receives the pot, so nobody, not even the organizer, could choose. The public random number I had named "
    "couldn't be reached at the draw, so this draw was made without it: whoever runs me could have known the "
    "result before the draw.")


def fair_why(proof: Proof) -> str:
    if proof.kind != "draw" or proof.beacon_round is None:
        return FAIR_WHY[proof.kind, proof.revealed]
    return FAIR_WHY_WITHOUT_BEACON if proof.without_beacon else FAIR_WHY_BEACON[proof.revealed]


def beacon_lines(proof: Proof) -> list[str]:
    """The draw's public random number: which drand round, when published, and its value once used."""
    if proof.beacon_round is None:
        return []
    published = proof.beacon_published.strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [f"Public random number: drand quicknet round {proof.beacon_round}, published {published}"]
    if proof.beacon is not None:
        lines.append(f"Its value (randomness): {proof.beacon.randomness}")
    elif proof.without_beacon:
        lines.append("Not used: it couldn't be reached at the draw.")
    return lines
