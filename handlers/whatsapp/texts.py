"""WhatsApp wording: Telegram's messages with commands as plain words, plus what differs here."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from core.errors import CoreError
from core.proofs import Proof
from handlers.guide import Standing
from handlers.telegram import texts as telegram_texts

WORDS = {"newcircle": "NEW", "mycircles": "MY CIRCLES", "cancelcircle": "CANCEL", "start": "HELP",
         "howtopay": "HOW TO PAY", "stepdown": "STEP DOWN"}
MAX_BODY = 1000

HELP = """Hi! I keep your family savings circle honest. Send one of these (any case, slash optional):
• NEW — set up a circle (I'll ask a few questions)
• JOIN <code> — join a circle with its join code
• PAID [amount] — tell the organizers you paid this cycle
• SUMMARY · HISTORY · VERIFY [cycle] · MY CIRCLES
• RECEIVED — confirm you received the pot
Organizers: CONFIRM <code> · REJECT <code> · DRAW [anyway] · PAYOUT · BEGIN · CANCEL · TIMEZONE <city>
Organizer tools: ORGANIZER <name> · STEP DOWN · HOW TO PAY <text> · PAID FOR <name> · ORDER
No organizer acting for a while? VOTE — choose a new organizer (VOTE <name>) or end the circle (VOTE END)
In several circles? CIRCLE <code> chooses which one you mean."""
UNKNOWN = "Sorry, I didn't understand that. Send HELP to see your choices."
DID_YOU_MEAN = "I don't know “{word}”. Did you mean {suggestion}? Send HELP to see what you can do."
# HELP: where the person stands, then a short numbered menu of the next steps (reply a number or the word).
HOW = {"join": "send JOIN with the circle's code", "paid": "send PAID", "summary": "send SUMMARY", "draw": "send DRAW",
       "payout": "send PAYOUT", "begin": "send BEGIN", "confirm": "send CONFIRM to see them"}
MENU_ITEMS = {"JOIN": "join a circle with its code", "NEW": "set up a circle", "PAID": "I've paid {amount}",
              "SUMMARY": "where everyone stands", "DRAW": "draw who receives the pot",
              "PAYOUT": "the pot was handed over", "BEGIN": "start now with the members so far",
              "HISTORY": "every cycle so far", "MY CIRCLES": "your circles", "HELP ALL": "every command"}
MENU_PROMPT = "Reply with a number or the word."
NO_CIRCLE_HELP = "Hi! I keep your family savings circle honest. You're not in a circle yet."
NO_MENU = "Send HELP to see your choices, then reply with a number."
JOIN_HINT = "Send JOIN {code} to take a seat."
NO_TEXT = "I can only read text messages. Send HELP to see what I can do."
DATABASE_AWAY = telegram_texts.DATABASE_AWAY
UNSTORABLE = telegram_texts.UNSTORABLE
TOO_LONG = "That message is too long for me. Send HELP to see what I can do."
NO_CIRCLE = "You're not in a circle yet. Send JOIN <code> with the code your organizer gave you, or NEW to set one up."
WHICH_CIRCLE = "You're in several circles: {choices}. Send CIRCLE <code> to choose one."
CHOSEN = "OK, now talking about “{name}”."
NO_SUCH_CODE = "No circle has the join code “{code}”. Check it with your organizer."
JOIN_USAGE = "Send JOIN followed by the circle's join code, e.g. JOIN K7P2QX."
JOINED = "👋 You joined “{name}” ({seats}/{total}). Join code for others: {code}."
PENDING_LIST = ("Payments waiting for a decision:\n{lines}\nReply CONFIRM {ref} or REJECT {ref} (each payment's code); "
                "say why after a REJECT: SHORT [what arrived], NOT RECEIVED or OTHER.")
PAYMENT_MARKED = ("💸 {user} says they paid {money} for cycle {cycle_number} of “{circle}”. "
                  "Organizers: reply CONFIRM {ref} or REJECT {ref}.")
PENDING_LINE = "{ref} — {name}, {money}"
PENDING_MORE = "…and {count} more after these."
PENDING_LIST_ROOM = 1400  # of WhatsApp's 1600 characters, for the lines
NOT_A_POSITION = ("Please use the payment's code, not a number: e.g. {command} K7P2Q. "
                  "Send {command} alone to see the codes.")
NO_SUCH_REF = "No payment of this cycle has the code {ref}. Send {command} alone to see the codes."
SEVERAL = "Several payments match “{name}”. Send {command} alone to see each payment's code."
NOTHING_PENDING = "No payments are waiting for a decision."
WHO = "I couldn't tell which member you mean by “{name}”."
ACK_NONE = "There's no pot recorded for you to confirm."
PAY_HINT = "Reply PAID once you've paid."
HOW_TO_JOIN = ("Members join by sending JOIN {code} to this WhatsApp number, or on Telegram by sending "
               "/join {code} to the bot in a private chat.")
ORGANIZER_USAGE = "Who should become an organizer? Send ORGANIZER followed by their name, e.g. ORGANIZER Tom."
PAID_FOR_USAGE = ("Whose payment? Send PAID FOR followed by their name (and the amount if it differs), "
                  "e.g. PAID FOR Tom.")
PAID_FOR = "✅ Recorded {member}'s payment of {amount} (confirmed)."
ORDER_LIST = ("Members of “{circle}” in the order they joined:\n{lines}\nPayout order now: {current}\n"
              "Send ORDER with the numbers of who receives first, second…, e.g. ORDER 3 1 2. "
              "Members you leave out follow in the order they joined.")
ORDER_NUMBERS = "Use the members' numbers from 1 to {count}, e.g. ORDER 3 1 2. Send ORDER to see them."
ORDER_TWICE = "Each member can appear only once in the order. Send ORDER to see the numbers."


FAIR_HINT = "Reply FAIR to see how this draw was fair."
VERIFY_USAGE = "Send VERIFY for the latest draw, VERIFY <cycle number>, or VERIFY ORDER."
CHECK_ON_WHATSAPP = "Check it yourself with Python 3: download {checker} and run\npython3 verify_draw.py {file}"
LIMIT = 1600  # WhatsApp's limit for one message
# Where the web app (bot/proofs.py) serves draw files and the checker: WhatsApp needs a link for a file.
PROOFS_PATH, CHECKER_PATH = "/proofs", "/verify_draw.py"


def proof_url(public_url: str, commitment: str) -> str:
    return f"{public_url}{PROOFS_PATH}/{commitment}.json"


def fair_details(proof: Proof, public_url: str | None, record_check: str | None = None) -> str:
    """FAIR and VERIFY: why the draw was fair, its values, and links to its file and the checker
    (the file itself is on the web: a WhatsApp message can't carry one without a public link)."""
    how = CHECK_ON_WHATSAPP.format(checker=public_url + CHECKER_PATH, file=proof_url(public_url, proof.commitment)
                                   ) if public_url else ""
    return telegram_texts.fair_details(proof, how_to_check=how, limit=LIMIT, record_check=record_check)


def words(text: str) -> str:
    """'/paid' → 'PAID', '/mycircles' → 'MY CIRCLES': WhatsApp has no slash commands."""
    return re.sub(r"(?<![\w/])/([a-z]+)", lambda m: WORDS.get(m.group(1), m.group(1).upper()), text)


def refusal(error: CoreError, names: Mapping[str, str] | None = None, standing: Standing | None = None,
            action: str | None = None, *, actor: uuid.UUID | None = None) -> str:
    return words(telegram_texts.refusal(error, names, standing, action, actor=actor, join_hint=JOIN_HINT))


def menu(lead: str, items: list[str], amount: str = "") -> str:
    """`lead`, then `1. PAID — I've paid KES 500` … and how to answer."""
    lines = [f"{n}. {item} — {MENU_ITEMS[item].format(amount=amount)}" for n, item in enumerate(items, start=1)]
    return "\n".join([lead, *lines, MENU_PROMPT])


SETUP_REPLY_NUMBER = "(Reply with a number, or type your answer.)"
SETUP_CANCEL_HINT = "Send CANCEL to stop."
SETUP_WHICH_FIELD = "Which answer do you want to change?"
SETUP_ALREADY_DONE = "That circle is already created. Send MY CIRCLES to see it."


# --- stewardship: members vote when no organizer acts (handlers/whatsapp/votes.py)
VOTE_REPLY = "Reply VOTE YES or VOTE NO."
VOTE_CHOICES = ("{absent} Members can decide together: send VOTE and a member's name to propose them as "
                "organizer (e.g. VOTE {example}), or VOTE END to propose ending the circle. "
                + telegram_texts.VOTE_RULE + " Proposing counts as your yes.")

# --- payments: partial payments and stale decisions ---------------------------------------------------
PAYMENT_CHANGED = ("⚠️ That code is for an earlier version of {name}'s payment, so nothing was decided. "
                   "It's now {money}: reply {command} {ref} to decide it as it is now.")

# --- identity: claims on a member's number, names for those whose profile shows none -----------------
ASK_NAME = ("Welcome! What name should your circle see? Reply with your name (I never show your number to "
            "others).")
NAME_AGAIN = "I couldn't read that as a name. What name should your circle see? Reply with your name."
NAMED = "Thanks, {name}! That's the name your circle sees."
CLAIM_REPLY = "Reply YES {ref} if it's you, or NO {ref} if not."
CLAIM_REPLY_ORGANIZER = "Reply YES {ref} if it is {member}, or NO {ref} if not."
NO_CLAIMS = "Nothing is waiting for your yes or no."
WHICH_CLAIM = "Several new accounts wait for an answer:\n{lines}\nReply YES <code> or NO <code>."
CLAIM_LINE = "{ref} — {member}, on a new {app} account"

# --- beacon: the public random number a draw mixes in (core/fairness.py) ---
BEACON_UNREACHABLE = ("I can't reach the public random number this draw uses right now. Try again in a few "
                      "minutes, or send {command} to draw without it: then the secret number alone decides, "
                      "and the draw will say so.")
