"""WhatsApp wording: Telegram's messages with commands as plain words, plus what differs here.

A text that tells someone what to send names the keyword in a placeholder written in capitals ("Reply
{PAID} once you've paid."): `say()` fills it with the keyword of the language spoken
(handlers/whatsapp/keywords.py).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from core.errors import CoreError
from core.proofs import Proof
from handlers.guide import Standing
from handlers.i18n import N_
from handlers.telegram import texts as telegram_texts
from handlers.whatsapp.keywords import Filled, keyword

# The Telegram command a slash names → its WhatsApp keyword, where the words differ ('/paid' → PAID).
WORDS = {"newcircle": "NEW", "mycircles": "MY CIRCLES", "cancelcircle": "CANCEL", "start": "HELP",
         "howtopay": "HOW TO PAY", "stepdown": "STEP DOWN"}
MAX_BODY = 1000

# TRANSLATORS: the words in {CAPITALS} are WhatsApp keywords, filled in as you translated them ({anyway}: ANYWAY
# in small letters); <code>, <name>, [amount]… stand for what members type
HELP = N_("""Hi! I keep your family savings circle honest. Send one of these (any case, slash optional):
• {NEW} — set up a circle (I'll ask a few questions)
• {JOIN} <code> — join a circle with its join code
• {PAID} [amount] — tell the organizers you paid this cycle
• {SUMMARY} · {HISTORY} · {VERIFY} [cycle] · {MY_CIRCLES}
• {RECEIVED} — confirm you received the pot
Organizers: {CONFIRM} <code> · {REJECT} <code> · {DRAW} [{anyway}] · {PAYOUT} · {BEGIN} · {CANCEL} · {TIMEZONE} <city>
Organizer tools: {ORGANIZER} <name> · {STEP_DOWN} · {HOW_TO_PAY} <text> · {PAID_FOR} <name> · {ORDER}
No organizer acting for a while? {VOTE} — choose a new organizer ({VOTE} <name>) or end the circle ({VOTE} {END})
In several circles? {CIRCLE} <code> chooses which one you mean.""")
# TRANSLATORS: {HELP} is the WhatsApp keyword HELP, as you translated it
UNKNOWN = N_("Sorry, I didn't understand that. Send {HELP} to see your choices.")
# TRANSLATORS: {word} is what they sent; {suggestion} a WhatsApp keyword close to it
DID_YOU_MEAN = N_("I don't know “{word}”. Did you mean {suggestion}? Send {HELP} to see what you can do.")
# HELP: where the person stands, then a short numbered menu of the next steps (reply a number or the word).
# How a person takes each step on WhatsApp (Telegram taps): filled into the help card's sentences.
_HOW = {"join": N_("send {JOIN} with the circle's code"), "paid": N_("send {PAID}"),
        "summary": N_("send {SUMMARY}"), "draw": N_("send {DRAW}"), "payout": N_("send {PAYOUT}"),
        "begin": N_("send {BEGIN}"), "confirm": N_("send {CONFIRM} to see them")}


class _Said(Mapping[str, str]):
    """Texts by key, each said in the language spoken with its keywords filled."""

    def __init__(self, texts: Mapping[str, N_]) -> None:
        self._texts = texts

    def __getitem__(self, key: str) -> str:
        return say(self._texts[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


HOW: Mapping[str, str] = _Said(_HOW)
# A menu line: the keyword (the key, in English), then what it does.
MENU_ITEMS = {"JOIN": N_("join a circle with its code"), "NEW": N_("set up a circle"),
              # TRANSLATORS: a menu line after the keyword PAID; {amount} is what they owe, e.g. KES 500
              "PAID": N_("I've paid {amount}"),
              "SUMMARY": N_("where everyone stands"), "DRAW": N_("draw who receives the pot"),
              "PAYOUT": N_("the pot was handed over"), "BEGIN": N_("start now with the members so far"),
              "HISTORY": N_("every cycle so far"), "MY CIRCLES": N_("your circles"),
              "HELP ALL": N_("every command")}
# TRANSLATORS: after a numbered menu of WhatsApp keywords
MENU_PROMPT = N_("Reply with a number or the word.")
NO_CIRCLE_HELP = N_("Hi! I keep your family savings circle honest. You're not in a circle yet.")
NO_MENU = N_("Send {HELP} to see your choices, then reply with a number.")
# TRANSLATORS: {JOIN} is the WhatsApp keyword JOIN; {code} the circle's join code
JOIN_HINT = N_("Send {JOIN} {code} to take a seat.")
NO_TEXT = N_("I can only read text messages. Send {HELP} to see what I can do.")
DATABASE_AWAY = telegram_texts.DATABASE_AWAY
UNSTORABLE = telegram_texts.UNSTORABLE
TOO_LONG = N_("That message is too long for me. Send {HELP} to see what I can do.")
NO_CIRCLE = N_("You're not in a circle yet. Send {JOIN} <code> with the code your organizer gave you, or {NEW} to "
               "set one up.")
# TRANSLATORS: {choices} lists circles as "Name (CODE)"; {CIRCLE} is the WhatsApp keyword CIRCLE
WHICH_CIRCLE = N_("You're in several circles: {choices}. Send {CIRCLE} <code> to choose one.")
CHOSEN = N_("OK, now talking about “{name}”.")
NO_SUCH_CODE = N_("No circle has the join code “{code}”. Check it with your organizer.")
JOIN_USAGE = N_("Send {JOIN} followed by the circle's join code, e.g. {JOIN} K7P2QX.")
JOINED = N_("👋 You joined “{name}” ({seats}/{total}). Join code for others: {code}.")
# TRANSLATORS: {lines} is one payment a line; {ref} a payment's code; words in {CAPITALS} are WhatsApp keywords
PENDING_LIST = N_("Payments waiting for a decision:\n{lines}\nReply {CONFIRM} {ref} or {REJECT} {ref} (each payment's "
                  "code); say why after a {REJECT}: {SHORT} [what arrived], {NOT_RECEIVED} or {OTHER}.")
# TRANSLATORS: {ref} is the payment's code; {CONFIRM} and {REJECT} are WhatsApp keywords
PAYMENT_MARKED = N_("💸 {user} says they paid {money} for cycle {cycle_number} of “{circle}”. "
                    "Organizers: reply {CONFIRM} {ref} or {REJECT} {ref}.")
# TRANSLATORS: a line of the payments waiting: its code, who paid, how much
PENDING_LINE = N_("{ref} — {name}, {money}")
PENDING_MORE = N_("…and {count} more after these.")
PENDING_LIST_ROOM = 1400  # of WhatsApp's 1600 characters, for the lines
# TRANSLATORS: {command} is the WhatsApp keyword CONFIRM or REJECT
NOT_A_POSITION = N_("Please use the payment's code, not a number: e.g. {command} K7P2Q. "
                    "Send {command} alone to see the codes.")
# TRANSLATORS: {command} is the WhatsApp keyword CONFIRM or REJECT
NO_SUCH_REF = N_("No payment of this cycle has the code {ref}. Send {command} alone to see the codes.")
# TRANSLATORS: {command} is the WhatsApp keyword CONFIRM or REJECT
SEVERAL = N_("Several payments match “{name}”. Send {command} alone to see each payment's code.")
NOTHING_PENDING = N_("No payments are waiting for a decision.")
WHO = N_("I couldn't tell which member you mean by “{name}”.")
ACK_NONE = N_("There's no pot recorded for you to confirm.")
PAY_HINT = N_("Reply {PAID} once you've paid.")
HOW_TO_JOIN = N_("Members join by sending {JOIN} {code} to this WhatsApp number, or on Telegram by sending "
                 "/join {code} to the bot in a private chat.")
ORGANIZER_USAGE = N_("Who should become an organizer? Send {ORGANIZER} followed by their name, e.g. {ORGANIZER} Tom.")
PAID_FOR_USAGE = N_("Whose payment? Send {PAID_FOR} followed by their name (and the amount if it differs), "
                    "e.g. {PAID_FOR} Tom.")
PAID_FOR = N_("✅ Recorded {member}'s payment of {amount} (confirmed).")
# TRANSLATORS: {lines} numbers the members; {current} is the payout order as it stands; {ORDER} a WhatsApp keyword
ORDER_LIST = N_("Members of “{circle}” in the order they joined:\n{lines}\nPayout order now: {current}\n"
                "Send {ORDER} with the numbers of who receives first, second…, e.g. {ORDER} 3 1 2. "
                "Members you leave out follow in the order they joined.")
ORDER_NUMBERS = N_("Use the members' numbers from 1 to {count}, e.g. {ORDER} 3 1 2. Send {ORDER} to see them.")
ORDER_TWICE = N_("Each member can appear only once in the order. Send {ORDER} to see the numbers.")


FAIR_HINT = N_("Reply {FAIR} to see how this draw was fair.")
VERIFY_USAGE = N_("Send {VERIFY} for the latest draw, {VERIFY} <cycle number>, or {VERIFY} {ORDER}.")
# TRANSLATORS: {checker} and {file} are links; keep the command line as it is
CHECK_ON_WHATSAPP = N_("Check it yourself with Python 3: download {checker} and run\npython3 verify_draw.py {file}")
LIMIT = 1600  # WhatsApp's limit for one message
# Where the web app (bot/proofs.py) serves draw files and the checker: WhatsApp needs a link for a file.
PROOFS_PATH, CHECKER_PATH = "/proofs", "/verify_draw.py"


def say(text: N_ | str, /, **values: Any) -> str:
    """`text` in the language spoken, its {CAPITALS} placeholders filled with that language's keywords
    and the others from `values`."""
    return text.format_map(Filled(values))


def proof_url(public_url: str, commitment: str) -> str:
    return f"{public_url}{PROOFS_PATH}/{commitment}.json"


def fair_details(proof: Proof, public_url: str | None, record_check: str | None = None) -> str:
    """FAIR and VERIFY: why the draw was fair, its values, and links to its file and the checker
    (the file itself is on the web: a WhatsApp message can't carry one without a public link)."""
    how = CHECK_ON_WHATSAPP.format(checker=public_url + CHECKER_PATH, file=proof_url(public_url, proof.commitment)
                                   ) if public_url else ""
    return telegram_texts.fair_details(proof, how_to_check=how, limit=LIMIT, record_check=record_check)


def words(text: str) -> str:
    """'/paid' → 'PAID', '/mycircles' → 'MY CIRCLES' (in the language spoken): WhatsApp has no slash
    commands. A Telegram command WhatsApp has no keyword for is just capitalised."""
    return re.sub(r"(?<![\w/])/([a-z]+)", lambda m: keyword(WORDS.get(m.group(1), m.group(1).upper())), text)


def refusal(error: CoreError, names: Mapping[str, str] | None = None, standing: Standing | None = None,
            action: str | None = None, *, actor: uuid.UUID | None = None) -> str:
    # The join hint's keyword is filled now; its {code} is the circle's, filled by the refusal.
    join_hint = say(JOIN_HINT, code="{code}")
    return words(telegram_texts.refusal(error, names, standing, action, actor=actor, join_hint=join_hint))


def menu(lead: str, items: list[str], amount: str = "") -> str:
    """`lead`, then `1. PAID — I've paid KES 500` … and how to answer (`items`: English keywords)."""
    lines = [f"{n}. {keyword(item)} — {MENU_ITEMS[item].format(amount=amount)}"
             for n, item in enumerate(items, start=1)]
    return "\n".join([lead, *lines, str(MENU_PROMPT)])


# TRANSLATORS: a line of HELP ALL; {STATEMENT} is the WhatsApp keyword STATEMENT; keep CSV as it is
STATEMENT_HELP = N_("• {STATEMENT} — the circle's whole record as a PDF; {STATEMENT} CSV — every payment, for a "
                    "spreadsheet")
# TRANSLATORS: the last line of HELP ALL; {LANGUAGE} is the WhatsApp keyword LANGUAGE
LANGUAGE_HINT = N_("Another language? Send {LANGUAGE}.")


def help_all() -> str:
    """HELP ALL: every command, by its keyword in the language spoken, and how to change the language."""
    return "\n".join([say(HELP, anyway=keyword("ANYWAY").lower()), say(STATEMENT_HELP), say(LANGUAGE_HINT)])


SETUP_REPLY_NUMBER = N_("(Reply with a number, or type your answer.)")
SETUP_CANCEL_HINT = N_("Send {CANCEL} to stop.")
SETUP_WHICH_FIELD = N_("Which answer do you want to change?")
SETUP_ALREADY_DONE = N_("That circle is already created. Send {MY_CIRCLES} to see it.")


# --- stewardship: members vote when no organizer acts (handlers/whatsapp/votes.py)
VOTE_REPLY = N_("Reply {VOTE} {YES} or {VOTE} {NO}.")
# TRANSLATORS: {absent} says since when no organizer acted; {example} is a member's first name; {rule} says
# how many yes votes carry it; words in {CAPITALS} are WhatsApp keywords
VOTE_CHOICES = N_("{absent} Members can decide together: send {VOTE} and a member's name to propose them as "
                  "organizer (e.g. {VOTE} {example}), or {VOTE} {END} to propose ending the circle. {rule} "
                  "Proposing counts as your yes.")

# --- payments: partial payments and stale decisions ---------------------------------------------------
# TRANSLATORS: {command} is the WhatsApp keyword CONFIRM or REJECT; {ref} the payment's code
PAYMENT_CHANGED = N_("⚠️ That code is for an earlier version of {name}'s payment, so nothing was decided. "
                     "It's now {money}: reply {command} {ref} to decide it as it is now.")

# --- identity: claims on a member's number, names for those whose profile shows none -----------------
ASK_NAME = N_("Welcome! What name should your circle see? Reply with your name (I never show your number to "
              "others).")
NAME_AGAIN = N_("I couldn't read that as a name. What name should your circle see? Reply with your name.")
NAMED = N_("Thanks, {name}! That's the name your circle sees.")
# TRANSLATORS: {ref} is a code; {YES} and {NO} are WhatsApp keywords
CLAIM_REPLY = N_("Reply {YES} {ref} if it's you, or {NO} {ref} if not.")
# TRANSLATORS: {ref} is a code; {member} a member's name; {YES} and {NO} are WhatsApp keywords
CLAIM_REPLY_ORGANIZER = N_("Reply {YES} {ref} if it is {member}, or {NO} {ref} if not.")
NO_CLAIMS = N_("Nothing is waiting for your yes or no.")
# TRANSLATORS: {lines} lists the claims, one a line; {YES} and {NO} are WhatsApp keywords
WHICH_CLAIM = N_("Several new accounts wait for an answer:\n{lines}\nReply {YES} <code> or {NO} <code>.")
# TRANSLATORS: {app} is Telegram or WhatsApp
CLAIM_LINE = N_("{ref} — {member}, on a new {app} account")

# --- beacon: the public random number a draw mixes in (core/fairness.py) ---
# TRANSLATORS: {command} is the WhatsApp keywords DRAW WITHOUT (or DRAW ANYWAY WITHOUT)
BEACON_UNREACHABLE = N_("I can't reach the public random number this draw uses right now. Try again in a few "
                         "minutes, or send {command} to draw without it: then the secret number alone decides, "
                         "and the draw will say so.")

# --- statements: the circle's record as a PDF, every payment as a spreadsheet (handlers/whatsapp/statement.py)
# TRANSLATORS: sent with the statement's PDF; {fingerprint} is the record check (e.g. 42-K7P2-QX4M-ZT);
# {STATEMENT} is the WhatsApp keyword STATEMENT; keep CSV as it is
STATEMENT_PDF = N_("📄 The statement of “{circle}”, record check {fingerprint}. Send {STATEMENT} CSV for a "
                   "spreadsheet of every payment.")
# TRANSLATORS: {link} is a web address; the link stops working 24 hours after it was sent
STATEMENT_CSV = N_("📊 Every payment of “{circle}”, for a spreadsheet (CSV): {link}\nThe link works for 24 hours.")
STATEMENT_NO_ADDRESS = N_("Statements need the bot's web address, and whoever runs the bot hasn't set it "
                          "(PUBLIC_URL).")
# TRANSLATORS: {choices} lists circles as "Name (CODE)"; {STATEMENT} is the WhatsApp keyword STATEMENT
WHICH_FINISHED = N_("Your circles have ended: {choices}. Send {STATEMENT} <code> for the statement of one.")
