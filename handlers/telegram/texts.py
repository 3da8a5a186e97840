"""Everything the Telegram bot says, in one place: refusals by error key, and the messages it posts."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from babel.lists import format_list

from core.errors import CoreError
from core.history import CycleRecord, MyCircle
from core.models import Circle, CircleStatus, ContributionStatus, CycleStatus, PayoutOrder, Role
from core.proofs import Proof
from core.reminders import ReminderSettings
from core.schedule import local_date
from core.stewardship import VOTE_DAYS, Vote, needed
from core.summary import CircleSummary
from handlers import i18n
from handlers.formats import day
from handlers.formats import names as name_list
from handlers.guide import BEGIN, DRAW, JOIN, PAID, PAYOUT, SUMMARY, Standing
from handlers.i18n import N_, _, ngettext

MAX_ECHO = 40  # how much of what someone typed we quote back in a refusal

ERRORS: Mapping[str, N_] = {
    "invalid_amount": N_("I couldn't read “{text}” as an amount. Try something like 50, 50.50 or 1,000."),
    "currency_mismatch": N_("This circle uses {expected}, not {given}."),
    "unknown_currency": N_("“{code}” isn't a currency code I know. Use a 3-letter code like USD, KES or EUR."),
    "invalid_phone": N_("That phone number doesn't look valid."),
    "invalid_timezone": N_("I don't know the time zone “{name}”."),
    "invalid_schedule": N_("I couldn't read that schedule. Use weekly, every 2 weeks, monthly or every N days, "
                           "and dates like 2026-12-01."),
    "invalid_circle_settings": N_("That setting doesn't work ({field}). Please check it and try again."),
    "unknown_user": N_("I don't know you yet. Open a private chat with me and send /start to register."),
    # Who may act: refusal() adds who can, and what happens next, when the circle is known.
    "not_member": N_("Only members of this circle can do that."),
    "not_organizer": N_("Only an organizer of this circle can do that."),
    "not_receiver": N_("Only {names} can confirm receiving this pot: it was handed to them."),
    "circle_not_found": N_("There's no savings circle here yet. Anyone here can start one with /newcircle."),
    "circle_not_forming": N_("This circle has already started, so its members can't change now. "
                             "Ask its organizers about the next circle."),
    "circle_not_active": N_("{why}"),
    "circle_full": N_("Sorry, this circle is full ({total_members} members). Ask its organizers about the next one."),
    "already_member": N_("You're already in this circle."),
    "organizer_cannot_leave": N_("An organizer can't leave or be removed while the circle runs. To stop it for "
                                 "everyone, an organizer sends /cancelcircle (I ask before anything changes)."),
    "not_enough_members": N_("A circle needs at least {need} members to start; it has {have}. "
                             "Others join by tapping Join on the circle's post."),
    "invalid_payout_order": N_("That payout order doesn't work here. Use random, drawn or fixed."),
    "contribution_not_found": N_("I couldn't find that payment in the current cycle."),
    "already_paid": N_("That payment is already recorded ({status_word})."),
    "already_decided": N_("Already {status_word} by {by}."),
    "invalid_reject_reason": N_("I don't know that reason. Tap one of the buttons."),
    "unpaid_members": N_("Not everyone is confirmed yet: {names}. Confirm their payments first, "
                         "or send /draw anyway to draw now and record who hadn't paid."),
    "already_drawn": N_("The draw for cycle {cycle_number} has already happened. /summary shows who receives the pot."),
    "not_drawn_yet": N_("The pot is handed over after this cycle's draw, and there's no draw yet."),
    "pending_payments": N_("Some payments still wait for a decision: {names}. Confirm or reject them first."),
    "already_acknowledged": N_("Already confirmed as received. Thank you!"),
    "nothing_to_pay_out": N_("No confirmed payments this cycle, so there's no pot to hand over."),
    "chat_has_active_circle": N_("This chat already has a running circle (see /summary). A new one can start here "
                                 "once it is complete, or after its organizers cancel it."),
    "already_organizer": N_("They're already an organizer."),
    "circle_has_group": N_("That circle already lives in another Telegram group: a circle has one group per app."),
    "due_date_in_past": N_("{due_date} has already passed (today is {today}). Choose a later date."),
    "last_organizer": N_("You're the only organizer, so you can't step down yet. Make someone else an organizer "
                         "first (/organizer @name), then send /stepdown."),
    "instructions_too_long": N_("That's {length} characters; payment instructions can be at most {limit}. "
                                "Please shorten them."),
    "stale_button": N_("This button is out of date. Send the command again to start over."),
}
NOT_RUNNING = {  # circle_not_active, by the circle's status
    "FORMING": N_("This circle hasn't started yet: it starts when every seat is taken, or when an organizer "
                  "starts it early."),
    "COMPLETED": N_("This circle is complete: every member received the pot."),
    "CANCELLED": N_("This circle was cancelled."),
}
NOT_RUNNING_NOW = N_("This circle isn't running right now.")
# A payment's (or a vote's) status, inside a sentence: "That payment is already recorded ({status_word})."
STATUS_WORDS = {"PENDING": N_("waiting for confirmation"), "CONFIRMED": N_("confirmed"), "REJECTED": N_("rejected")}
RECORDED = N_("recorded")  # a status word for any other status
DATABASE_AWAY = N_("I can't reach my records right now. Nothing was changed; please try again in a moment.")
DATABASE_AWAY_AFTER_CHANGE = N_("That went through, but then I lost touch with my records before I could finish "
                                "my answer. Send /summary in a moment to see where things stand.")
APOLOGY = N_("Sorry, something went wrong on my side. Nothing was changed; please try again in a moment.")


def refusal(error: CoreError, names: Mapping[str, str] | None = None, standing: Standing | None = None,
            action: str | None = None, *, actor: uuid.UUID | None = None, join_hint: str = "") -> str:
    """The refusal in plain words; with the circle's `standing`, a "who may act" refusal also names
    who can, and what happens next for the `action` (the command or button tried)."""
    context: dict[str, Any] = {k: (str(v)[:MAX_ECHO] if isinstance(v, str) else v) for k, v in error.context.items()}
    context.setdefault("status_word", str(STATUS_WORDS.get(str(context.get("status")), RECORDED)))
    context["why"] = str(NOT_RUNNING.get(str(context.get("status")), NOT_RUNNING_NOW))
    for key in ("owed", "amount"):  # amounts in the context come with their currency
        if key in context and "currency" in context:
            context[f"{key}_money"] = i18n.money(context[key], context["currency"])
    if error.key == "due_date_in_past":
        today = context["today"]
        context.update(due_date=day(context["due_date"], today), today=day(today, today))
    if error.key == "organizer_active":
        today = context["today"]
        context.update(acted=day(context["acted"], today), from_date=day(context["from_date"], today))
    # TRANSLATORS: stands in for a member whose name is unknown, in a list of names.
    someone = _("someone")
    if context.get("ballot") in BALLOTS:  # already_voted: "yes" or "no"
        context["ballot"] = str(BALLOTS[context["ballot"]])
    context["names"] = name_list([(names or {}).get(u, someone) for u in error.context.get("user_ids", [])])
    if "minutes" in context:  # a flood limit: when they can try again
        context["wait"] = wait_words(context["minutes"])
    if standing is not None and error.key == "not_organizer":
        return only_organizers(standing, action)
    if standing is not None and error.key == "not_member":
        other = error.context.get("user_id")
        if other and actor is not None and other != str(actor):
            # TRANSLATORS: stands in for an unknown name in "{name} isn't a member of “{circle}”."
            name = (names or {}).get(other, _("They"))
            return NOT_A_MEMBER.format(name=name, circle=standing.circle.name)
        return only_members(standing, join_hint or JOIN_HINT)
    if error.key == "not_receiver" and not context["names"]:
        return str(NOT_RECEIVER_UNKNOWN)
    try:
        return ERRORS[error.key].format_map(_Blank(context))
    except KeyError:
        return _("I can't do that right now.")


# Only organizers may …, by the command (or button) tried; and what happens next without them.
# {organizers} names them: "Alice (organizer)", "Alice or Bob (organizers)", "an organizer" (organizer_list).
ORGANIZER_ACTIONS = {
    # TRANSLATORS: {organizers} is who organizes the circle, e.g. "Alice (organizer)" or "Alice or Bob (organizers)".
    "draw": N_("Only {organizers} can draw."),
    "confirm": N_("Only {organizers} can confirm payments."),
    "reject": N_("Only {organizers} can reject payments."),
    "payout": N_("Only {organizers} can record handing over the pot."),
    "begin": N_("Only {organizers} can start the circle early."),
    "cancelcircle": N_("Only {organizers} can cancel the circle."),
    "remove": N_("Only {organizers} can remove members."),
    "reminders": N_("Only {organizers} can change the reminders."),
    "autodraw": N_("Only {organizers} can change the automatic draw."),
    "paid": N_("Only {organizers} can record a payment for someone else."),
    "timezone": N_("Only {organizers} can change the time zone."),
    "join": N_("Only {organizers} can bring the circle into this group."),
    "organizer": N_("Only {organizers} can make someone an organizer."),
    "howtopay": N_("Only {organizers} can change how to pay."),
    "order": N_("Only {organizers} can set the payout order."),
    "language": N_("Only {organizers} can choose the circle's language. Your own private chat with me can "
                   "have its own: send /language there."),
}
ONLY_ORGANIZERS = N_("Only {organizers} can do that.")
WHAT_NEXT = {
    "confirm": N_("They see every payment and confirm it once the money has arrived."),
    "payout": N_("They record it once the pot is in the receiver's hands."),
    "begin": N_("The circle starts by itself when all {total} seats are taken."),
    "cancelcircle": N_("Talk to them if the circle should stop."),
    "remove": N_("Talk to them if someone should leave the circle."),
    "reminders": N_("Talk to them if you'd like a change."),
}
WHAT_NEXT |= {"reject": WHAT_NEXT["confirm"], "autodraw": WHAT_NEXT["reminders"]}
# TRANSLATORS: {when} is a day and time, e.g. "Sat 5 Dec at 18:00".
AUTO_DRAW_WHEN = N_("It happens automatically on {when} once everyone is confirmed.")
ORGANIZER_DRAWS = N_("They draw once everyone is confirmed.")
JOIN_HINT = N_("Tap Join (or send /join) to take a seat.")
NOT_A_MEMBER = N_("{name} isn't a member of “{circle}”.")
NOT_RECEIVER_UNKNOWN = N_("Only the person who received the pot can confirm receiving it.")


def organizers(standing: Standing) -> str:
    """'Alice (organizer)', 'Alice or Bob (organizers)', 'Alice, Bob or Carol (organizers)'."""
    return organizer_list(standing.organizers)


def organizer_list(everyone: list[str]) -> str:
    """Who organizes, to be put in a sentence: at most three names, then "another organizer"."""
    # TRANSLATORS: in a list of organizers' names, standing for those not named ("Alice, Bob, Carol or another
    # organizer").
    names = everyone[:3] + ([_("another organizer")] if len(everyone) > 3 else [])
    if not names:
        # TRANSLATORS: who can act, when no organizer's name is known ("Only an organizer can draw.").
        return _("an organizer")
    if i18n.current() == i18n.DEFAULT or len(names) == 1:
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    else:
        listed = format_list(names, style="or", locale=i18n.locale(i18n.current()))
    # TRANSLATORS: {names} is one or more organizers' names joined with "or" ("Alice", "Alice or Bob").
    return ngettext("{names} (organizer)", "{names} (organizers)", len(everyone), names=listed)


def only_organizers(standing: Standing, action: str | None) -> str:
    only = ORGANIZER_ACTIONS.get(action or "", ONLY_ORGANIZERS).format(organizers=organizers(standing))
    if action == "draw":
        automatic = standing.circle.auto_draw and standing.due_date and not standing.drawn
        then = AUTO_DRAW_WHEN.format(when=_draw_time(standing)) if automatic else str(ORGANIZER_DRAWS)
        return f"{only} {then}"
    if action in WHAT_NEXT and (action != "begin" or standing.forming):
        return f"{only} {WHAT_NEXT[action].format(total=standing.circle.total_members)}"
    return only


def only_members(standing: Standing, join_hint: str) -> str:
    only = _("Only members of “{circle}” can do that.", circle=standing.circle.name)
    if standing.forming and standing.seats < standing.circle.total_members:
        return f"{only} {join_hint.format(code=standing.circle.join_code)}"
    if standing.forming:
        # TRANSLATORS: {organizers} is who organizes the circle, e.g. "Alice (organizer)".
        then = _("It's full; ask {organizers} about the next circle.", organizers=organizers(standing))
        return f"{only} {then}"
    if not standing.ended:
        then = _("It has started, so new members wait for the next circle: ask {organizers}.",
                 organizers=organizers(standing))
        return f"{only} {then}"
    return only


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def money(circle: Circle, minor: int) -> str:
    return i18n.money(minor, circle.currency)


# How often members pay, after an amount: "KES 500 monthly".
FREQUENCIES = {"weekly": N_("weekly"), "biweekly": N_("every 2 weeks"), "monthly": N_("monthly")}


def every_days(days: int) -> str:
    # TRANSLATORS: how often members pay, after an amount ("KES 500 every 10 days"). English says "days" even for 1.
    return ngettext("every {n} days", "every {n} days", days)


def frequency(circle: Circle) -> str:
    if circle.frequency in FREQUENCIES:
        return str(FREQUENCIES[circle.frequency])
    return every_days(circle.every_days or 0)


# TRANSLATORS: how the payout order is decided, after "payout order:".
ORDER_NAMES = {PayoutOrder.RANDOM: N_("a fair draw each cycle"),
               PayoutOrder.DRAWN_AT_START: N_("drawn once at the start"),
               PayoutOrder.FIXED: N_("set by the organizer")}


def circle_created(circle: Circle, organizer: str, now: datetime) -> str:
    lines = [
        _("🎉 New savings circle “{circle}” by {organizer}", circle=circle.name, organizer=organizer),
        # TRANSLATORS: {amount} is an amount with its currency, {frequency} how often ("weekly", "every 10 days").
        _("• {amount} {frequency}, first due {date}", amount=money(circle, circle.amount_per_cycle),
          frequency=frequency(circle), date=day(circle.first_due_date, local_date(now, circle.timezone))),
        # TRANSLATORS: {order} is how the payout order is decided, e.g. "a fair draw each cycle".
        ngettext("• {n} member; payout order: {order}", "• {n} members; payout order: {order}",
                 circle.total_members, order=str(ORDER_NAMES[circle.payout_order])),
    ]
    if circle.payout_order == PayoutOrder.FIXED:
        lines.append(str(ORDER_HINT))
    lines.append(_("Tap Join below to take a seat (or send /join; join code {code}).", code=circle.join_code))
    return "\n".join(lines)


def joined(name: str, circle: Circle, seats_taken: int) -> str:
    return _("👋 {name} joined “{circle}” ({taken}/{total}).", name=name, circle=circle.name, taken=seats_taken,
             total=circle.total_members)


def payment_marked(name: str, circle: Circle, amount: int, cycle_number: int) -> str:
    return _("💸 {name} says they paid {amount} for cycle {cycle_number}.\n"
             "Organizers: confirm or reject below (or reply /confirm or /reject).",
             name=name, amount=money(circle, amount), cycle_number=cycle_number)


def payment_decided(name: str, circle: Circle, amount: int, status: ContributionStatus, by: str,
                    short: int = 0) -> str:
    if status in (ContributionStatus.CONFIRMED, ContributionStatus.PARTIAL):
        still = STILL_SHORT.format(short=money(circle, short)) if short else ""
        return _("✅ {name}'s payment of {amount} was confirmed by {by}.", name=name, amount=money(circle, amount),
                 by=by) + still
    return _("❌ {name}'s payment of {amount} was rejected by {by}. {name}, you can send /paid again.",
             name=name, amount=money(circle, amount), by=by)


def draw_done(cycle_number: int, winner: str, unpaid: list[str], *, without_beacon: bool = False) -> str:
    lines = [_("🎲 Cycle {cycle_number} draw: {winner} receives the pot!", cycle_number=cycle_number, winner=winner)]
    if unpaid:
        lines.append(_("Drawn before everyone was confirmed; not confirmed: {names}.", names=name_list(unpaid)))
    if without_beacon:
        lines.append(str(DRAWN_WITHOUT_BEACON))
    return "\n".join(lines)


# Outbox announcements of a draw (placeholders are the payload's keys); the fair button goes under them.
DRAW_ANNOUNCED = N_("🎲 Cycle {cycle_number} draw by {actor}: {winner} receives the pot!")
AUTO_DRAW_ANNOUNCED = N_("🎲 Everyone paid, so I drew cycle {cycle_number} of “{circle}”: {winner} receives the pot!\n"
                         "Organizers: tap “Pot handed over” once it's handed over.")
FAIR_BUTTON = N_("🤔 How is this fair?")
HANDED_OVER_BUTTON = N_("🤝 Pot handed over")
# Telegram's short pop-up answers to a tapped button.
TOAST_DRAWN, TOAST_HANDED_OVER, TOAST_THANKS = "🎲", "🤝", N_("Thank you!")
TOAST_CANCELLED, TOAST_DONE, TOAST_SAVED = N_("Cancelled."), N_("Done."), N_("Saved.")
TOAST_DECIDED = {True: N_("Confirmed ✅"), False: N_("Rejected ❌")}  # confirmed?
NOT_YOURS_OR_OLD = N_("This button isn't for you or is out of date.")
STILL_A_MEMBER = N_("{name} left this chat but is still a member of “{circle}”. "
                    "Organizers: talk to them, or /remove them if the circle hasn't started.")
NEW_MESSAGES_ONLY = N_("I only act on new messages. Please send the command again.")
# TRANSLATORS: put before the reminder settings, which follow right after the space.
SETTINGS_UPDATED = N_("Updated. ")
FILE_BUTTON = N_("📄 The draw file")
CHECKER_BUTTON = N_("🐍 Get the checker")
CHECKER_CAPTION = N_("The checker: one small Python file, nothing else needed. Run it with a draw file, as shown.")
FAIR_WHY = {
    ("draw", True): N_("Before anyone paid this cycle, I locked in a secret number and showed everyone its "
                       "fingerprint. At the draw I revealed the number: it matches the fingerprint, and together with "
                       "the list of members it alone decided who receives the pot, so nobody, not even the organizer, "
                       "could choose."),
    ("draw", False): N_("Before anyone paid this cycle, I locked in a secret number and its fingerprint is below. "
                        "At the draw I will reveal the number, and together with the list of members it alone will "
                        "decide who receives the pot, so nobody, not even the organizer, can choose."),
    ("order", True): N_("When the circle was created, I locked in a secret number and showed everyone its fingerprint. "
                        "When the circle started I revealed the number: it matches, and with the list of members it "
                        "alone decided the payout order, so nobody, not even the organizer, could choose it."),
    ("order", False): N_("When the circle was created, I locked in a secret number and its fingerprint is below. "
                         "When the circle starts I will reveal it, and with the list of members it alone will decide "
                         "the payout order, so nobody, not even the organizer, can choose it."),
}
CHECK_ON_TELEGRAM = N_("Check it yourself: get the checker and the draw file below, then run\n"
                       "python3 verify_draw.py {file}")
VERIFY_USAGE = N_("Send /verify, /verify N with a cycle number, or /verify order.")
NOT_DRAWN_ORDER = N_("This circle's payout order isn't drawn by lot, so there's nothing to check. "
                     "Send /verify N for a cycle.")
FAIR_GONE = N_("That draw isn't one I can show here.")


def fit_names(names: list[str], budget: int) -> str:
    """As many names as fit in `budget` characters, then how many more: a list that fits any circle size."""
    def listed(shown: list[str], more: int) -> str:
        # TRANSLATORS: after a list of names cut short ("Alice, Tom, and 12 more").
        return ", ".join([*shown, ngettext("and {n} more", "and {n} more", more)] if more else shown)

    shown: list[str] = []
    for name in names:
        candidate = [*shown, name]
        if len(listed(candidate, len(names) - len(candidate))) > budget:
            break
        shown = candidate
    return listed(shown, len(names) - len(shown))


MAX_NAMES_SHOWN = 1200  # characters of names in the details: the draw file lists everyone


def fair_details(proof: Proof, *, how_to_check: str, limit: int, why: bool = True,
                 record_check: str | None = None) -> str:
    """The explanation (when `why`) and the published values, within `limit` characters at any size,
    then the circle's record check as of now."""
    if proof.kind == "draw":
        header = _("🔍 Cycle {cycle_number} of “{circle}”", cycle_number=proof.cycle_number, circle=proof.circle_name)
        count, label = len(proof.member_ids), N_("Could receive the pot ({count}): {names}")
        people = sorted(proof.name(u) for u in proof.member_ids)
        result = (_("Winner: {name}", name=proof.name(proof.result[0])) if proof.result
                  else _("Winner: drawn later"))
    else:
        header = _("🔍 Payout order of “{circle}”, drawn by lot", circle=proof.circle_name)
        if proof.result:
            count, label = len(proof.result), N_("Order ({count}): {names}")
            people = [f"{n}. {proof.name(u)}" for n, u in enumerate(proof.result, start=1)]
        else:
            count, label = len(proof.member_ids), N_("Members so far ({count}): {names}")
            people = sorted(proof.name(u) for u in proof.member_ids)
        result = ""
    if proof.revealed:
        seed = _("Secret number (seed): {seed}", seed=proof.seed)
    elif proof.kind == "draw":
        seed = _("Secret number (seed): revealed at the draw")
    else:
        seed = _("Secret number (seed): revealed when the circle starts")
    nameless = label.format(count=count, names="")  # measured without the names, which then fill what is left
    lines = [fair_why(proof) + "\n"] if why else []
    lines += [header, nameless, _("Fingerprint (commitment): {commitment}", commitment=proof.commitment), seed,
              *beacon_lines(proof), result, str(how_to_check) if proof.revealed else "",
              (RECORD_CHECK_WHY if why else RECORD_CHECK).format(fingerprint=record_check) if record_check else ""]
    lines = [line for line in lines if line]
    budget = min(limit - len("\n".join(lines)) - 1, MAX_NAMES_SHOWN)
    index = lines.index(nameless)
    lines[index] = label.format(count=count, names=fit_names(people, budget))
    return "\n".join(lines)


def payout_recorded(circle: Circle, receiver: str, amount: int, cycle_number: int) -> str:
    return _("🤝 The cycle {cycle_number} pot of {amount} was handed to {receiver}.\n"
             "{receiver}, please tap below once you have it.",
             cycle_number=cycle_number, amount=money(circle, amount), receiver=receiver)


# The summary's lines of who paid how, each followed by a list of names.
PAYMENT_LINES = ((N_("Confirmed: {names}"), ContributionStatus.CONFIRMED),
                 (N_("Waiting for confirmation: {names}"), ContributionStatus.PENDING),
                 (N_("Paid in part: {names}"), ContributionStatus.PARTIAL),
                 (N_("Rejected: {names}"), ContributionStatus.REJECTED),
                 (N_("Not paid: {names}"), None))
# TRANSLATORS: a circle's status, after its name and amount in the summary and the history.
CIRCLE_STATUS = {CircleStatus.FORMING: N_("forming"), CircleStatus.ACTIVE: N_("active"),
                 CircleStatus.COMPLETED: N_("completed"), CircleStatus.CANCELLED: N_("cancelled")}


def summary(board: CircleSummary, now: datetime) -> str:
    c = board.circle
    today = local_date(now, c.timezone)
    # TRANSLATORS: {amount} is an amount with its currency, {frequency} how often, {status} e.g. "active".
    lines = [_("📋 “{circle}” — {amount} {frequency}, {status}", circle=c.name, amount=money(c, c.amount_per_cycle),
               frequency=frequency(c), status=str(CIRCLE_STATUS[c.status]))]
    if board.cycle is None:
        lines.append(_("Members: {seats}/{total}. Join code: {code}", seats=len(board.members), total=c.total_members,
                       code=c.join_code))
    else:
        cycle = dict(cycle_number=board.cycle.cycle_number, total=c.total_members,
                     date=day(board.cycle.due_date, today))
        if board.cycle.status != CycleStatus.OPEN:
            lines.append(_("Cycle {cycle_number}/{total}, due {date} (drawn)", **cycle))
        else:
            lines.append(_("Cycle {cycle_number}/{total}, due {date} (open)", **cycle))
        for title, status in PAYMENT_LINES:
            people = board.with_payment(status)
            if people:
                lines.append(title.format(names=name_list([_short(c, m.full_name, m.short) for m in people])))
        lines.append(_("Collected: {confirmed} of {expected}", confirmed=money(c, board.confirmed_this_cycle),
                       expected=money(c, board.expected_this_cycle)))
    received = [_("{name} (cycle {cycle_number})", name=m.full_name, cycle_number=m.received_in_cycle)
                for m in board.members if m.received_in_cycle]
    lines.append(_("Received the pot: {names}", names=name_list(received)) if received
                 else _("Received the pot: nobody yet"))
    if board.next_due_date:
        lines.append(_("Next due date after this one: {date}", date=day(board.next_due_date, today)))
    lines.append(_("Paid out so far: {amount}", amount=money(c, board.paid_out_total)))
    return "\n".join(lines)


HISTORY_BUDGET = 1200  # characters of cycle lines: the latest cycles that fit; earlier ones counted in one line


def history(circle: Circle, records: list[CycleRecord], now: datetime) -> str:
    today = local_date(now, circle.timezone)
    lines: list[str] = []
    for r in reversed(records):
        if r.winner_name and r.payout_amount is not None:
            outcome = _("{winner} won, received {amount}", winner=r.winner_name,
                        amount=money(circle, r.payout_amount)) + (" ✔" if r.acknowledged else "")
        elif r.winner_name:
            outcome = _("{winner} won", winner=r.winner_name)
        else:
            outcome = _("not drawn yet")
        if r.short:
            outcome = SHORT_IN_HISTORY.format(outcome=outcome,
                                              names=name_list([_short(circle, n, s) for n, s in r.short]))
        # TRANSLATORS: {outcome} is e.g. "Alice won, received KES 5,000" or "not drawn yet".
        line = _("Cycle {cycle_number} (due {date}): {outcome}", cycle_number=r.cycle_number,
                 date=day(r.due_date, today), outcome=outcome)
        if sum(map(len, lines)) + len(line) > HISTORY_BUDGET:
            break
        lines.insert(0, line)
    earlier = records[:len(records) - len(lines)]
    if earlier:
        paid = sum(r.payout_amount is not None for r in earlier)
        lines.insert(0, ngettext("Cycles 1–{cycles}: {n} pot handed over, {received} confirmed received.",
                                 "Cycles 1–{cycles}: {n} pots handed over, {received} confirmed received.", paid,
                                 cycles=len(earlier), received=sum(r.acknowledged for r in earlier)))
    if not records:
        lines.append(_("No cycles yet: the circle starts when it is full or when an organizer sends /begin."))
    header = _("📜 History of “{circle}” ({status})", circle=circle.name, status=str(CIRCLE_STATUS[circle.status]))
    return "\n".join([header, *lines])


def forming_line(c: Circle) -> str:
    """'• Family Fund: forming (KES 500 monthly)', in the lists of someone's circles."""
    return _("• {circle}: forming ({amount} {frequency})", circle=c.name, amount=money(c, c.amount_per_cycle),
             frequency=frequency(c))


NO_CIRCLES = N_("You're not in any circle yet. Ask your organizer for the group, then send /join there.")


def my_circles(items: list[MyCircle], now: datetime) -> str:
    if not items:
        return str(NO_CIRCLES)
    lines = [_("Your circles:")]
    for m in items:
        c = m.circle
        if m.cycle_number is None:
            lines.append(forming_line(c))
            continue
        words = dict(circle=c.name, cycle_number=m.cycle_number, amount=money(c, c.amount_per_cycle),
                     date=day(m.due_date, local_date(now, c.timezone)), status=_payment_words(m))
        if m.received_in_cycle:
            # TRANSLATORS: {status} is where their payment stands, e.g. "not paid yet" or "confirmed".
            lines.append(_("• {circle}: cycle {cycle_number}, {amount} due {date} — {status}; you received the pot "
                           "in cycle {received}", received=m.received_in_cycle, **words))
        else:
            # TRANSLATORS: {status} is where their payment stands, e.g. "not paid yet" or "confirmed".
            lines.append(_("• {circle}: cycle {cycle_number}, {amount} due {date} — {status}", **words))
    return "\n".join(lines)


REGISTER_FIRST = N_("{name}, I need to know your phone number first (it's how the circle recognises you). "
                    "Tap below, then share your contact with me.")
ASK_CONTACT = N_("Welcome! To take part in savings circles, share your phone number with the button below. "
                 "I only use it to recognise you across your circles.")
NOT_YOUR_CONTACT = N_("Please share your own contact with the button below, not someone else's.")
REGISTERED = N_("Thanks {name}, you're registered as {phone}.")
WELCOME_BACK = N_("Hi {name}! You're registered as {phone}. Send /mycircles to see your circles, /help for more.")
PRIVATE_HINT = N_("Send /mycircles to see your circles, or /help for what I can do.")
NO_SUCH_CYCLE = N_("There's no cycle {number} in this circle yet.")
GROUP_ONLY = N_("That works in the group chat of your circle.")
PRIVATE_ONLY = N_("Let's do that in a private chat with me.")
CANCEL_ASK = N_("Cancel “{name}” for everyone? This can't be undone.")
# Shared by direct replies and outbox announcements: placeholders are the outbox payload's keys.
CANCELLED = N_("The circle “{circle}” was cancelled by {actor}. Its history stays available with /history.")
LEFT = N_("{user} left “{circle}”.")
REMOVED = N_("{user} was removed from “{circle}” by {actor}.")
STARTED = N_("🚀 {actor} started “{circle}” with {total_members} members.")
JOIN_USAGE = N_("In a private chat, send /join with the circle's join code, e.g. /join K7P2QX.")
REMOVE_USAGE = N_("Who should I remove? Reply /remove to their message, or send /remove @username.")
WHO_USAGE = N_("Whose payment? Reply to the payment message, or name them: /{command} @username.")
RECEIVED = N_("🙏 {receiver} confirmed receiving the cycle {cycle_number} pot.")


def reminder_settings(circle: Circle, s: ReminderSettings) -> str:
    def days(d: int) -> str:
        # TRANSLATORS: when a reminder is sent, in a list ("3 days before, 1 day before, on the due date").
        return _("on the due date") if d == 0 else ngettext("{n} day before", "{n} days before", d)

    before = ", ".join(days(d) for d in s.reminder_days) or _("no reminders before the due date")
    # TRANSLATORS: English says "day(s)" for any number.
    overdue = (ngettext("then daily for {n} day(s) while unpaid", "then daily for {n} day(s) while unpaid",
                        s.overdue_reminders) if s.overdue_reminders else _("no overdue reminders"))
    draw = (_("Automatic draw from {time} on the due date once everyone is confirmed.", time=_clock(s.draw_hour))
            if s.auto_draw else _("Draws only by an organizer's /draw."))
    # TRANSLATORS: {before} lists when reminders come ("3 days before, on the due date"), {overdue} says what
    # happens after the due date ("then daily for 2 day(s) while unpaid"); {time} is e.g. 09:00.
    settings = _("⏰ “{circle}” reminders at {time} ({timezone}): {before}; {overdue}.", circle=circle.name,
                 time=_clock(s.reminder_hour), timezone=circle.timezone, before=before, overdue=overdue)
    change = _("Organizers change this with e.g. /reminders 3,1,0 at 9 · /reminders overdue 2 · /reminders off · "
               "/autodraw off · /autodraw on at 18")
    return f"{settings} {draw}\n{change}"


# --- private decisions and the status card (issue 10, point 2) ---
PAYMENT_TO_DECIDE = N_("💸 {user} says they paid {money} for cycle {cycle_number} of “{circle}”.\n"
                       "Did it arrive? Confirm or reject below.")
WHY_REJECT = N_("Why can't you confirm it? {user} will be told.")
HOW_SHORT = N_("How much did arrive? Reply to this message with the amount (e.g. 300), or tap “Don't know”.")
YOU_CONFIRMED = N_("✅ You confirmed it. {user} has been told.")
YOU_REJECTED = N_("❌ You rejected it ({why}). {user} has been told.")
REASONS = {"short": N_("Amount short"), "not_received": N_("Not received"), "other": N_("Other")}
YOUR_PAYMENT_CONFIRMED = N_("✅ {actor} confirmed your {money} for cycle {cycle_number} of “{circle}”.")
# TRANSLATORS: {why} is empty or one of the reasons below, which start with a colon (": it hasn't arrived").
YOUR_PAYMENT_REJECTED = N_("❌ {actor} couldn't confirm your payment of {money} for cycle {cycle_number} "
                           "of “{circle}”{why}.")
# TRANSLATORS: why a payment was rejected, put right after "…for cycle 3 of “Savings”" in the sentence above.
REJECTED_WHY = {"short": N_(": the amount was short"), "not_received": N_(": it hasn't arrived"), "other": ""}
# TRANSLATORS: why a payment was rejected, put right after "…for cycle 3 of “Savings”"; {short} and {received} are
# amounts.
REJECTED_SHORT_BY = N_(": {short} short ({received} arrived)")
REJECTED_NEXT = {"short": N_("Pay the rest, then send /paid again."),
                 "not_received": N_("Check the payment with {actor}, then send /paid again."),
                 "other": N_("Ask {actor} what's missing, then send /paid again.")}
ALL_PAID = N_("🎉 Everyone in “{circle}” is confirmed for cycle {cycle_number}. "
              "Next: the draw, to see who receives the pot.")
# TRANSLATORS: added after the sentence above, hence the leading space; {draw_hour:02d} is an hour such as 18.
ALL_PAID_AUTO = N_(" I'll draw automatically at {draw_hour:02d}:00 on the due date, or an organizer can draw now.")
# TRANSLATORS: added after the sentence above, hence the leading space.
ALL_PAID_MANUAL = N_(" Send /draw when you're ready.")
PIN_HELP = N_("📌 I keep this circle's status card up to date above. To pin it for everyone, make me an admin "
              "with “Pin messages” allowed.")


# /help: a few lines on where this person stands, and buttons for the next steps.
HELP_BUTTONS = {
    # TRANSLATORS: buttons under the help message; keep them short. {amount} is an amount with its currency.
    "join": N_("➕ Join"), "paid": N_("💸 I've paid {amount}"), "summary": N_("📋 Status"), "draw": N_("🎲 Draw"),
    "payout": N_("🤝 Pot handed over"), "begin": N_("🚀 Start now"), "history": N_("📜 History"),
    "register": N_("📱 Register with the bot"), "all": N_("📖 All commands"),
}
HELP_PAID_FOR = N_("💸 I've paid {amount} · {circle}")
HELP_NO_CIRCLE = N_("There's no savings circle in this chat yet.\n"
                    "Anyone here can start one: send /newcircle and I'll ask a few questions.")
STALE_BUTTON = N_("This button is out of date.")
UNKNOWN_COMMAND = N_("I don't know /{command}. Did you mean /{suggestion}?")
UNKNOWN_COMMAND_ELSEWHERE = N_("I don't know /{command}. Did you mean /{suggestion}? It works in {where}.")
NO_SUCH_COMMAND = N_("I don't know /{command}. Send /help to see what you can do here.")
# TRANSLATORS: where a command works, after "It works in".
WHERE = {"group": N_("your circle's group chat"), "private": N_("a private chat with me")}


# How a person takes each step on Telegram; WhatsApp says it with words (handlers/whatsapp/texts.py).
# TRANSLATORS: how to take a step, put into sentences such as "{how} to take a seat." or "pay, then {how}.".
HOW = {"join": N_("tap Join"), "paid": N_("tap “I've paid”"), "summary": N_("tap Status"), "draw": N_("tap Draw"),
       "payout": N_("tap “Pot handed over”"), "begin": N_("tap Start now"),
       "confirm": N_("Confirm or Reject them on each payment's post")}


def help_card(s: Standing, *, name: str, registered: bool = True, how: Mapping[str, str] = HOW) -> str:
    c = s.circle
    organizer = s.role == Role.ORGANIZER
    how = {step: str(words) for step, words in how.items()}  # this channel's way of taking each step
    if s.ended:
        if c.status == CircleStatus.COMPLETED:
            return _("📋 “{circle}” is complete: every member received the pot.\n"
                     "Anyone here can start a new circle with /newcircle.", circle=c.name)
        return _("📋 “{circle}” was cancelled.\nAnyone here can start a new circle with /newcircle.", circle=c.name)
    if s.forming:
        # TRANSLATORS: {amount} is an amount with its currency, {frequency} how often ("weekly").
        lines = [ngettext("📋 “{circle}”: {amount} {frequency}, {seats} of {n} seat taken.",
                          "📋 “{circle}”: {amount} {frequency}, {seats} of {n} seats taken.", c.total_members,
                          circle=c.name, amount=money(c, c.amount_per_cycle), frequency=frequency(c), seats=s.seats)]
    else:
        lines = [_("📋 “{circle}”: cycle {cycle_number} of {total}, {amount} due {date}.", circle=c.name,
                   cycle_number=s.cycle_number, total=c.total_members, amount=money(c, c.amount_per_cycle),
                   date=day(s.due_date, s.today))]
    if not registered:
        lines.append(_("{name}, to take part, register with me first: tap Register, then share your phone number.",
                       name=name))
    elif s.role is None:
        if s.forming and JOIN in s.steps():
            # TRANSLATORS: {how} is how to join on this app, e.g. "tap Join" or "send JOIN with the circle's code";
            # the first letter is capitalized by the code.
            lines.append(_capital(_("{how} to take a seat.", how=how[JOIN])))
        else:
            # TRANSLATORS: {how} is how to see the circle's status on this app, e.g. "tap Status" or "send SUMMARY".
            lines.append(_("It's for its members; {how} to follow along.", how=how[SUMMARY]))
    elif s.forming:
        if BEGIN in s.steps():
            # TRANSLATORS: {how} is how to start the circle on this app, e.g. "tap Start now" or "send BEGIN".
            lines.append(ngettext("You're in. It starts when all {n} seat is taken, or {how} to begin with the "
                                  "members it has.",
                                  "You're in. It starts when all {n} seats are taken, or {how} to begin with the "
                                  "members it has.", c.total_members, how=how[BEGIN]))
        else:
            lines.append(ngettext("You're in. It starts when all {n} seat is taken.",
                                  "You're in. It starts when all {n} seats are taken.", c.total_members))
    elif s.drawn:
        pot = _("🎲 {winner} receives this cycle's pot.", winner=s.winner)
        if organizer:
            # TRANSLATORS: {how} is how to record the handover on this app, e.g. "tap “Pot handed over”" or
            # "send PAYOUT"; the first letter is capitalized by the code.
            then = _capital(_("{how} once {winner} has it.", how=how[PAYOUT], winner=s.winner))
        else:
            # TRANSLATORS: {organizers} is who organizes the circle, e.g. "Alice (organizer)" or "an organizer".
            then = _("{organizers} will hand it over.", organizers=organizers(s))
        lines.append(f"{pot} {then}")
    else:
        lines.append(_my_payment(s, how))
        lines += _next_for_organizer(s, how) if organizer else _next_for_member(s)
    return "\n".join(lines)


def _clock(hour: int) -> str:
    return f"{hour:02d}:00"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _my_payment(s: Standing, how: Mapping[str, str]) -> str:
    if s.my_short and s.my_payment != ContributionStatus.PENDING:
        # TRANSLATORS: {how} is how to say you paid on this app, e.g. "tap “I've paid”" or "send PAID".
        return _("Your payment is short by {short}: pay the rest, then {how}.", short=money(s.circle, s.my_short),
                 how=how[PAID])
    if s.my_payment == ContributionStatus.REJECTED:
        # TRANSLATORS: {how} is how to say you paid on this app, e.g. "tap “I've paid”" or "send PAID".
        return _("Your payment was rejected: pay, then {how}.", how=how[PAID])
    if s.my_payment == ContributionStatus.PENDING:
        return _("Your payment waits for an organizer to confirm it.")
    if s.my_payment == ContributionStatus.CONFIRMED:
        return _("Your payment is confirmed ({confirmed} of {seats} so far).", confirmed=s.confirmed, seats=s.seats)
    # TRANSLATORS: {how} is how to say you paid on this app, e.g. "tap “I've paid”" or "send PAID".
    return _("You haven't paid yet: pay, then {how}.", how=how[PAID])


def _draw_time(s: Standing) -> str:
    # TRANSLATORS: when an automatic draw happens: a day, then a time ("Sat 5 Dec at 18:00").
    return _("{date} at {time}", date=day(s.due_date, s.today), time=_clock(s.circle.draw_hour))


def _next_for_organizer(s: Standing, how: Mapping[str, str]) -> list[str]:
    if s.pending:
        # TRANSLATORS: {how} is how to decide payments on this app, e.g. "Confirm or Reject them on each payment's
        # post" or "send CONFIRM to see them".
        return [ngettext("{n} payment waits for your decision: {how}.", "{n} payments wait for your decision: {how}.",
                         s.pending, how=how["confirm"])]
    if s.everyone_confirmed:
        if s.circle.auto_draw:
            # TRANSLATORS: {how} is how to draw on this app ("tap Draw", "send DRAW"); {when} e.g. "Sat 5 Dec at 18:00".
            return [_("Everyone is confirmed: {how}, or I draw by myself on {when}.", how=how[DRAW],
                      when=_draw_time(s))]
        # TRANSLATORS: {how} is how to draw on this app, e.g. "tap Draw" or "send DRAW".
        return [_("Everyone is confirmed: {how}.", how=how[DRAW])]
    return []


def _next_for_member(s: Standing) -> list[str]:
    if not s.everyone_confirmed:
        return []
    if s.circle.auto_draw:
        # TRANSLATORS: {when} is a day and time, e.g. "Sat 5 Dec at 18:00".
        return [_("Everyone is confirmed: the draw happens on {when}.", when=_draw_time(s))]
    # TRANSLATORS: {organizers} is who organizes the circle, e.g. "Alice (organizer)" or "an organizer".
    return [_("Everyone is confirmed: {organizers} draws next.", organizers=organizers(s))]


def help_private(name: str, mine: list[MyCircle], now: datetime) -> str:
    if not mine:
        return _("Hi {name}! You're not in a circle yet.\n"
                 "To join one, tap Join on its post in your family's group (or send /join CODE here).\n"
                 "To start one, add me to your family's group and send /newcircle there.", name=name)
    lines = [_("Hi {name}! Your circles:", name=name)]
    for m in mine[:3]:
        c = m.circle
        if m.cycle_number is None:
            lines.append(forming_line(c))
        else:
            # TRANSLATORS: {status} is where their payment stands, e.g. "not paid yet" or "confirmed".
            lines.append(_("• {circle}: {amount} due {date} — {status}", circle=c.name,
                           amount=money(c, c.amount_per_cycle), date=day(m.due_date, local_date(now, c.timezone)),
                           status=_payment_words(m)))
    if len(mine) > 3:
        lines.append(ngettext("…and {n} more: /mycircles lists them all.", "…and {n} more: /mycircles lists them all.",
                              len(mine) - 3))
    return "\n".join(lines)


# --- circle setup (handlers/telegram/setup.py; the questions themselves are in handlers/circle_setup.py)
SETUP_USAGE = N_("To set up a circle in one line:\n/newcircle NAME | AMOUNT [CURRENCY] | MEMBERS | FREQUENCY | "
                 "FIRST_DUE_DATE [| ORDER]\ne.g. /newcircle Family Fund | 50 USD | 5 | monthly | 5 Dec\n"
                 "FREQUENCY: weekly, every 2 weeks, monthly or every N days. ORDER: random (default), drawn or fixed.\n"
                 "Or send /newcircle alone and I'll ask one question at a time.")
SETUP_IN_PRIVATE = N_("{name}, let's set up the circle in a private chat, one question at a time. Tap below.")
SETUP_IN_PRIVATE_BUTTON = N_("Set it up in private chat")
SETUP_WITHOUT_GROUP = N_("Let's set up a circle here. It has no group chat: members join by sending me /join "
                         "with its join code. (To run it in a group, add me to the group and send /newcircle there.)")
SETUP_LINK_OLD = N_("That setup link is no longer current. Send /newcircle in your group to start again.")
SETUP_STALE_BUTTON = N_("That question was already answered.")
SETUP_WHICH_FIELD = N_("Which answer do you want to change?")
SETUP_BACK = N_("↩️ Back to the review")
SETUP_POSTED = N_("✅ Done! I posted “{name}” in your group. Members join there.")
SETUP_NOT_POSTED = N_("✅ “{name}” is created, but I couldn't post in the group. Check that I'm still a member there; "
                      "people can also join by sending me /join {code} in a private chat.")
SETUP_NO_GROUP_DONE = N_("Share the join code {code}: people send me /join {code} in a private chat to take a seat.")
TIMEZONE_NOW = N_("🕰 “{circle}” follows {zone} ({name}): due dates, reminders and draws go by its clock.\n"
                  "Organizers change it with /timezone and a city or zone, e.g. /timezone Nairobi or "
                  "/timezone America/New_York.")
TIMEZONE_SET = N_("🕰 {actor} set “{circle}” to {zone} ({name}). Due dates, reminders and draws now go by its clock.")
TIMEZONE_UNKNOWN = N_("I don't know the time zone “{text}”. Send a city as time zones name it, e.g. /timezone Nairobi, "
                      "/timezone New York, or a zone such as /timezone Africa/Lagos.")


# The next step as a button (issue 10): joining from the announcement, "I've paid" wherever a payment is due.
JOIN_BUTTON = N_("🙋 Join")
PAY_HINT = N_("Tap “I've paid” below once you've paid.")
JOINED_TOAST = N_("You're in “{circle}”! 👋")
BROUGHT_HERE = N_("🏠 {actor} brought “{circle}” into this group: {money} {frequency}, {members} of {total} seats "
                  "taken. Members here follow it in this chat; tap Join below to take a seat.")
JOINED_SEE_GROUP = N_("You're in “{circle}”. See you in the group!")
JOINED_HERE = N_("You're in “{circle}”. I'll tell you here when each cycle opens, and you can pay from here.")


def paid_button(amount: str) -> str:
    # TRANSLATORS: a button label, keep it short; {amount} is an amount with its currency.
    return _("I've paid {amount}", amount=amount)


PAID_TOAST = N_("Noted — the organizers will confirm.")
PAID_NOTED = N_("💸 Noted: you paid {money} for “{circle}” (cycle {cycle_number}). The organizers will confirm it.")
PAID_WHICH = N_("Which circle did you pay? Tap it:")
PAID_NO_CIRCLE = N_("You're not in a running circle right now. Send /mycircles to see your circles, "
                    "or /join CODE with the code your organizer gave you.")
RECEIVED_NONE = N_("There's no pot waiting for you to confirm. Send /mycircles to see your circles.")
RECEIVED_PRIVATE = N_("🙏 Thank you! Recorded that you received the cycle {cycle_number} pot of “{circle}”.")


# --- organizer tools (co-organizers, how to pay, paying for someone, the fixed order) ---------------
ORGANIZER_USAGE = N_("Who should become an organizer too? Tap their name (or reply /organizer to their message, "
                     "or send /organizer @username).")
ORGANIZER_ADDED = N_("⭐ {actor} made {user} an organizer of “{circle}”.")
STEPPED_DOWN = N_("{user} stepped down as an organizer of “{circle}”.")
ORGANIZERS_NOW = N_("Organizers now: {names}.")
HOWTOPAY_SHOW = N_("💳 How to pay into “{circle}”: {instructions}")
HOWTOPAY_NONE = N_("“{circle}” has no payment instructions yet. An organizer sets them like this:\n"
                   "/howtopay M-Pesa 0712 345 678, Alice Njeri")
HOWTOPAY_HINT = N_("Organizers change them with /howtopay followed by the new text, or remove them with /howtopay off.")
HOWTOPAY_SET = N_("💳 {actor} set how to pay into “{circle}”: {payment_instructions}")
HOWTOPAY_CLEARED = N_("{actor} removed the payment instructions of “{circle}”.")
HOW_TO_PAY_LINE = N_("How to pay: {instructions}")
PAID_FOR = N_("✅ {actor} recorded {user}'s payment of {amount} for cycle {cycle_number} (confirmed).")
PAID_FOR_REFUSED = N_("Only {organizers} can record a payment for {member}. "
                      "If you paid yourself, send /paid on its own.")
NOT_IN_CIRCLE = N_("I couldn't find {who} among the members of “{circle}”.")
ORDER_NOT_FIXED = N_("“{circle}” doesn't use a fixed order ({order}), so there's no order to set. "
                     "The order is chosen when the circle is created.")
ORDER_SAVED = N_("✅ {actor} saved the payout order of “{circle}”:\n{lines}")
ORDER_SET = N_("🔢 {actor} set the payout order of “{circle}”: {order}")
ORDER_HINT = N_("Organizer: choose who receives first, second… with /order before the circle starts "
                "(otherwise: the order people join).")
MAX_ORDER_BUTTONS = 40  # Telegram allows about 100 buttons; more names appear as these are placed
MAX_ORDER_NAMES = 20  # in an announcement: enough to read, short enough for WhatsApp at 200 members


def order_names(names: list[str]) -> str:
    """'1. Alice, 2. Tom, …': numbered, cut after MAX_ORDER_NAMES."""
    shown = ", ".join(f"{n}. {name}" for n, name in enumerate(names[:MAX_ORDER_NAMES], start=1))
    more = len(names) - MAX_ORDER_NAMES
    # TRANSLATORS: after a numbered list of names cut short ("1. Alice, 2. Tom … and 12 more").
    return shown + (" " + ngettext("… and {n} more", "… and {n} more", more) if more > 0 else "")


def order_draft(circle: Circle, placed: list[str], remaining: list[str]) -> str:
    lines = [_("🔢 Payout order of “{circle}”: tap who receives the pot first, then second, and so on.",
               circle=circle.name)]
    lines += [f"{n}. {name}" for n, name in enumerate(placed, start=1)][-MAX_ORDER_BUTTONS:]
    if remaining and placed:
        lines.append(_("Not placed yet: {names} (if you save now, they follow in the order they joined).",
                       names=name_list(remaining, most=MAX_ORDER_BUTTONS)))
    elif remaining:
        lines.append(_("Not placed yet: {names}.", names=name_list(remaining, most=MAX_ORDER_BUTTONS)))
    else:
        lines.append(_("Everyone is placed. Tap Save."))
    return "\n".join(lines)


def order_lines(names: list[str]) -> str:
    more = len(names) - MAX_ORDER_BUTTONS
    lines = [f"{n}. {name}" for n, name in enumerate(names[:MAX_ORDER_BUTTONS], start=1)]
    if more > 0:
        lines.append(ngettext("… and {n} more, in the order they joined", "… and {n} more, in the order they joined",
                              more))
    return "\n".join(lines)


# --- audit: the record check, the audit log's head members keep, so a rewritten record shows later.
RECORD_CHECK = N_("Record check: {fingerprint}")
RECORD_CHECK_WHY = N_("Record check: {fingerprint} (keep this message: with it, anyone can later confirm "
                      "that the circle's record wasn't changed)")

# --- statements: the circle's record as files, /statement (handlers/telegram/statement.py)
# TRANSLATORS: the caption of the PDF of a circle's whole record; {fingerprint} as in "Record check: {fingerprint}".
STATEMENT_CAPTION = N_("Statement of “{circle}”\nRecord check: {fingerprint}")
# TRANSLATORS: the caption of the spreadsheet (CSV file) of every payment of a circle.
SPREADSHEET_CAPTION = N_("Every payment of “{circle}”, as a spreadsheet\nRecord check: {fingerprint}")
SPREADSHEET_BUTTON = N_("📊 Spreadsheet (CSV)")
STATEMENT_WHICH = N_("Which circle's statement? Tap it:")


# --- stewardship: members vote when no organizer acts (core/stewardship.py, handlers/telegram/votes.py)
ERRORS |= {
    "organizer_active": N_("An organizer of this circle ({names}) acted on {acted}, so they still run it. Members can "
                           "vote for a new organizer or to end the circle once no organizer has acted for {days} days "
                           "(from {from_date}); until then, talk to {names}."),
    "vote_already_open": N_("A vote is already open in this circle. Send /vote to see it and vote."),
    "no_open_vote": N_("There's no vote open in this circle. Send /vote to see your choices."),
    "vote_closed": N_("That vote is over: {status_word}. Send /vote to see where things stand."),
    "already_voted": N_("You already voted {ballot}. Each member votes once, and a vote can't be changed."),
}
STATUS_WORDS |= {"CARRIED": N_("it carried"), "FAILED": N_("it didn't carry"), "EXPIRED": N_("its time ran out")}
VOTE_TAP = N_("Tap Yes or No below.")
VOTE_YES, VOTE_NO, VOTE_END_BUTTON, VOTE_BUTTON = N_("👍 Yes"), N_("👎 No"), N_("🛑 End the circle"), N_("🗳 Vote")
# TRANSLATORS: {ballot} is "yes" or "no" (BALLOTS).
VOTE_COUNTED = N_("Counted: {ballot}.")
# TRANSLATORS: a member's vote, in a sentence: "You already voted yes.", "Counted: no."
BALLOTS = {"yes": N_("yes"), "no": N_("no")}
# TRANSLATORS: what a vote decides, after "proposes to" / "The vote to".
VOTE_WHAT = {"ELECT": N_("make {user} the organizer of “{circle}”"),
             "END": N_("end “{circle}” (it shows as cancelled; its history stays)")}
VOTE_RULE = N_("It carries when {needed} of all {members} members vote yes.")
# TRANSLATORS: {what} is what the vote decides ("make Tom the organizer of “Savings”"), {absent} a sentence such
# as "no organizer has acted in “Savings” since Wed 25 Nov.", {until} a date.
VOTE_STARTED = N_("🗳 {actor} proposes to {what}: {absent} It carries when {needed} of all {members} members vote yes. "
                  "Open until {until}. Tap Yes or No below.")
VOTE_CARRIED = {"ELECT": N_("⭐ The members chose {user} as organizer of “{circle}” ({yes} of {members} voted yes)."),
                "END": N_("🛑 The members ended “{circle}” ({yes} of {members} voted yes). Its history stays "
                          "available with /history.")}
VOTE_FAILED = N_("The vote to {what} didn't carry: {no} of {members} members voted no.")
VOTE_EXPIRED = N_("The vote to {what} ran out of time with {yes} yes of the {needed} it needed. "
                  "Any member can start another with /vote.")
# TRANSLATORS: said at the start of a sentence (the code capitalizes its first letter) or after a colon.
VOTE_NOBODY_SINCE = {True: N_("no organizer has acted in “{circle}” since {since}."),
                     False: N_("“{circle}” has no organizer.")}
# TRANSLATORS: {absent} is a sentence such as "No organizer has acted in “Savings” since Wed 25 Nov."
VOTE_CHOICES = N_("{absent} Members can decide together: tap a member to propose them as organizer, or propose "
                  "ending the circle. It carries when {needed} of all {members} members vote yes. Proposing counts "
                  "as your yes.")
VOTE_OUTCOMES = {"CARRIED": N_("✅ Carried."), "FAILED": N_("❌ Didn't carry."), "EXPIRED": N_("⌛ Ran out of time.")}
ORGANIZER_ABSENT = N_("{absent} Members can vote for a new organizer or to end the circle: send /vote.")


def absent_line(circle: str, since: date | str | None, today: date | str, *, start: bool = True) -> str:
    """'No organizer has acted in “Savings” since Wed 25 Nov.' (`start`: as a sentence's start)."""
    text = VOTE_NOBODY_SINCE[since is not None].format(circle=circle, since=since and day(since, today))
    return _capital(text) if start else text


def vote_text(vote: Vote, today: date, how: str = VOTE_TAP) -> str:
    """A vote as it stands (core/stewardship.Vote): what it decides, the tally, and what's next."""
    what = VOTE_WHAT[vote.kind.value].format(user=vote.candidate, circle=vote.circle.name)
    # TRANSLATORS: {what} is what the vote decides, e.g. "make Tom the organizer of “Savings”".
    lines = [_("🗳 {actor} proposes to {what}.", actor=vote.started_by, what=what),
             _("Yes: {yes} · No: {no}", yes=vote.yes, no=vote.no) + " · "
             + VOTE_RULE.format(needed=vote.needed, members=vote.members)]
    if vote.status.value == "OPEN":
        open_until = _("Open until {date}; every member votes once.", date=day(vote.expires_on, today))
        lines.append(f"{open_until} {how}")
    else:
        lines.append(str(VOTE_OUTCOMES[vote.status.value]))
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
        if not p.get("demoted"):
            return text
        # TRANSLATORS: {demoted} is a list of names.
        demoted = ngettext("{demoted} hadn't acted since the vote began, so they stay members but are no longer "
                           "organizers.", "{demoted} hadn't acted since the vote began, so they stay members but are "
                           "no longer organizers.", len(p["demoted"]), demoted=name_list(p["demoted"]))
        return f"{text} {demoted}"
    return (VOTE_FAILED if kind == "vote_failed" else VOTE_EXPIRED).format_map(
        dict(p, what=what, needed=needed(p["members"])))


# --- edges: input the database can't keep (a NUL byte, say), refused before anything happens ---------
UNSTORABLE = N_("Part of that message is a hidden character I can't store. Nothing was changed; "
                "please type it again.")


# --- edges: flood limits (core/limits.py) ----------------------------------------------------------
ERRORS |= {
    "too_many_circles": N_("You've set up {limit} circles in the last 24 hours, the most I allow one person, "
                           "so nobody can flood the app. You can set up another {wait}."),
    "too_many_seat_changes": N_("You've joined or left this circle {limit} times in the last hour, and each time "
                                "every member gets a message, so let's pause here. You can try again {wait}."),
}


def wait_words(minutes: int) -> str:
    """'in 1 minute', 'in 60 minutes', 'in about 3 hours'."""
    # TRANSLATORS: when someone can try again, at the end of a sentence ("You can try again in 5 minutes.").
    if minutes <= 90:
        return ngettext("in {n} minute", "in {n} minutes", minutes)
    # TRANSLATORS: when someone can try again, at the end of a sentence ("You can try again in about 3 hours.").
    return ngettext("in about {n} hour", "in about {n} hours", round(minutes / 60))


# --- payments: partial payments and stale decisions ----------------------------------------------------
ERRORS |= {
    "more_than_owed": N_("That's more than is left to pay this cycle ({owed_money}). "
                         "Send the amount you paid, up to {owed_money}."),
    "payment_changed": N_("That payment changed since that message: it's now {amount_money} "
                          "({status_word}). Nothing was decided."),
}
STATUS_WORDS |= {"PARTIAL": N_("paid in part")}
NOT_PAID_YET = N_("not paid yet")
# TRANSLATORS: how much of a payment made in part is missing, after a name or a status; {short} is an amount.
SHORT_BY = N_("short by {short}")
# TRANSLATORS: added after a sentence about a payment, hence the leading space; {short} is an amount.
STILL_SHORT = N_(" Still short by {short}.")
# TRANSLATORS: a cycle's outcome in the history ("Alice won, received KES 5,000"), then who paid in part.
SHORT_IN_HISTORY = N_("{outcome}; paid in part: {names}")
TOP_UP = N_("A top-up: {confirmed} of {due} was confirmed before.")
YOUR_PAYMENT_SHORT = N_("That makes {confirmed} of {due}: {short} is still to pay. Pay the rest, then tap below.")
PAYMENT_CHANGED = N_("⚠️ This payment changed since you saw it (it's now {money}), so nothing was decided. "
                     "Confirm or reject it as it is now.")
PAYMENT_CHANGED_TOAST = N_("That payment changed — nothing was decided.")
PAYMENT_CHANGED_DECIDED = N_("⚠️ That payment changed since this message: it's now {money}, already {status_word}. "
                             "Nothing was decided.")


def _short(circle: Circle, name: str, short: int) -> str:
    """'Tom (short by KES 499)': a member who paid in part, wherever members are listed."""
    return _("{name} (short by {short})", name=name, short=money(circle, short)) if short else name


def _payment_words(m: MyCircle) -> str:
    """'not paid yet', 'confirmed', 'short by KES 499, waiting for confirmation' (a top-up waits)…"""
    words = str(STATUS_WORDS.get(m.my_payment.value if m.my_payment else "", NOT_PAID_YET))
    if not m.short:
        return words
    if m.my_payment == ContributionStatus.PARTIAL:
        return SHORT_BY.format(short=money(m.circle, m.short))
    # TRANSLATORS: where a payment made in part stands, e.g. "short by KES 499, waiting for confirmation".
    return _("short by {short}, {status}", short=money(m.circle, m.short), status=words)


# TRANSLATORS: put inside a reminder, right after when a payment is due ("…is due today ({money} of it is still
# to pay)."), hence the leading space; {money} is an amount.
NUDGE_LEFT = N_(" ({money} of it is still to pay)")


def still_short(circle: Circle, confirmed: int) -> str:
    """' Still short by KES 499.' after recording part of a payment; '' when it is whole."""
    short = circle.amount_per_cycle - confirmed
    return STILL_SHORT.format(short=money(circle, short)) if 0 < short < circle.amount_per_cycle else ""


# --- identity: claims on a member's number, number changes, names people can't see ------------------
ERRORS |= {
    "phone_taken": N_("That number already belongs to a member of a circle, so I can't move your account to it. "
                      "If it's really yours now, {names} can help: they organize that member's circle."),
    "claim_not_found": N_("That was already answered."),
    "not_claim_decider": N_("Only the member themselves, or an organizer of their circle, can answer that."),
    "ambiguous_handle": N_("Two members use @{handle}. Reply to a message of the one you mean instead."),
}
CLAIM_WAITING = N_("This number already belongs to a member. I've asked them, on the account they use with me, to "
                   "confirm that this new account is theirs; if they can't, an organizer of their circle can. "
                   "Until then, this account can't act in any circle.")
CLAIM_QUESTION = N_("Someone on a new {app} account says they have your number +…{phone_end}. Is that you?")
CLAIM_FOR_ORGANIZER = N_("Someone on a new {app} account says they are {member} (number +…{phone_end}). I've asked "
                         "{member} on the account they use with me. If they can't answer (a lost phone, say), check "
                         "with {member} by a call or in person before you answer. Until then, that account can't act "
                         "in your circle.")
CLAIM_YES, CLAIM_NO = N_("Yes, that's me"), N_("No, not me")
CLAIM_YES_ORGANIZER, CLAIM_NO_ORGANIZER = N_("Yes, it's {member}"), N_("No")
CLAIM_APPROVED = N_("✅ Confirmed: this {app} account is now {member}'s. Send /help to see your circles.")
CLAIM_DENIED = N_("This account was not linked: the member whose number this is wasn't confirmed to be you. If you "
                  "think that's a mistake, talk to the organizer of your circle.")
CLAIM_LINKED_YOURS = N_("✅ Done: the new {app} account is yours too now.")
CLAIM_LINKED = N_("✅ Done: {member}'s new {app} account is linked.")
CLAIM_REFUSED = N_("Noted: the new {app} account was not linked to {member}.")
NUMBER_CHANGE_ASK = N_("Change your number from +…{old_end} to {new}? Your circles and roles stay as they are.")
NUMBER_CHANGE_YES, NUMBER_CHANGE_NO = N_("Yes, change my number"), N_("No, keep +…{old_end}")
NUMBER_CHANGED = N_("✅ Your number is now {phone}. Your circles and roles are unchanged.")
NUMBER_KEPT = N_("OK, your number stays {phone}.")
PHONE_CHANGED = N_("📱 {member} has a new phone number (ending in {phone_end}); they confirmed it from the account "
                   "they use with me.")
APPS = {"TELEGRAM": "Telegram", "WHATSAPP": "WhatsApp"}
PLACEHOLDER_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"


def member_placeholder(app: str, address: str) -> str:
    """A name for someone whose profile shows none: never their number. Three letters from their
    account tell two such members apart and say nothing about them."""
    digest = hashlib.sha256(address.encode()).digest()
    letters = "".join(PLACEHOLDER_LETTERS[b % len(PLACEHOLDER_LETTERS)] for b in digest[:3])
    # TRANSLATORS: a name for someone whose profile shows none, seen by their circle: {app} is Telegram or
    # WhatsApp, {letters} three capital letters that tell two such members apart.
    return _("{app} member {letters}", app=app, letters=letters)


# --- beacon: the public random number a draw mixes in (core/fairness.py) ---
BEACON_UNREACHABLE = N_("I can't reach the public random number this draw uses right now. Try again in a few "
                        "minutes (send /draw again), or draw without it: then the secret number alone decides, "
                        "and the draw will say so.")
DRAW_WITHOUT_BEACON_BUTTON = N_("🎲 Draw without it")
DRAWN_WITHOUT_BEACON = N_("Drawn without the public random number (it couldn't be reached).")
FAIR_WHY_BEACON = {
    True: N_("Before anyone paid this cycle, I locked in a secret number and showed everyone its fingerprint, and "
             "named a public random number that didn't exist yet: the one the drand beacon published seconds later. "
             "At the draw I revealed the number: it matches the fingerprint, and with the public number and the list "
             "of members it alone decided who receives the pot, so nobody, not even the organizer, could choose, "
             "and not even whoever runs me could know the result when the cycle opened."),
    False: N_("Before anyone paid this cycle, I locked in a secret number (its fingerprint is below) and named a "
              "public random number that didn't exist yet: the one the drand beacon published seconds later. At the "
              "draw I will reveal the number, and with the public number and the list of members it alone will decide "
              "who receives the pot, so nobody, not even the organizer, can choose, and not even whoever runs me "
              "could know the result when the cycle opened."),
}
FAIR_WHY_WITHOUT_BEACON = (
    N_("Before anyone paid this cycle, I locked in a secret number and showed everyone its fingerprint. At the draw "
       "I revealed the number: it matches the fingerprint, and with the list of members it alone decided who "
       "receives the pot, so nobody, not even the organizer, could choose. The public random number I had named "
       "couldn't be reached at the draw, so this draw was made without it: whoever runs me could have known the "
       "result before the draw."))


def fair_why(proof: Proof) -> str:
    if proof.kind != "draw" or proof.beacon_round is None:
        return str(FAIR_WHY[proof.kind, proof.revealed])
    return str(FAIR_WHY_WITHOUT_BEACON if proof.without_beacon else FAIR_WHY_BEACON[proof.revealed])


def beacon_lines(proof: Proof) -> list[str]:
    """The draw's public random number: which drand round, when published, and its value once used."""
    if proof.beacon_round is None:
        return []
    published = proof.beacon_published.strftime("%Y-%m-%d %H:%M:%S UTC")
    # TRANSLATORS: "drand quicknet" is the name of the public source; {published} is a UTC date and time.
    lines = [_("Public random number: drand quicknet round {round}, published {published}",
               round=proof.beacon_round, published=published)]
    if proof.beacon is not None:
        lines.append(_("Its value (randomness): {value}", value=proof.beacon.randomness))
    elif proof.without_beacon:
        lines.append(_("Not used: it couldn't be reached at the draw."))
    return lines
