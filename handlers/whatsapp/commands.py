"""WhatsApp: one incoming message in, the replies out. Plain words, any case, slash optional.

WhatsApp has no group chats for bots, so each member talks to the bot privately and the circle is a
"virtual group": announcements reach every member through the outbox (core/notifications.py).
"""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot import metrics
from core import errors
from core.circles import cancel_circle, circle_by_code, join_circle, leave_circle, member_count, start_circle
from core.contributions import confirm_contribution, mark_paid, reject_contribution
from core.conversations import load_state, save_state
from core.draws import BeaconFetch, fetch_and_draw
from core.guards import require_running
from core.history import circle_history, my_circles, names_of
from core.models import Channel, Circle, CircleStatus, ContributionStatus, User, short_by
from core.money import parse_amount
from core.outbox import Attachment
from core.payment_refs import CurrentPayment, by_ref, changed_since, current_payments, looks_like_ref
from core.payouts import acknowledge_payout, record_payout
from core.proofs import proof_of_draw, requested_proof
from core.record_check import current_head
from core.schedule import local_date
from core.stewardship import organizer_absence
from core.summary import circle_summary
from core.uow import UnitOfWork
from handlers import i18n, parsing
from handlers.guide import standing
from handlers.i18n import _
from handlers.parsing import verify_argument
from handlers.telegram import texts as shared
from handlers.whatsapp import identity, keywords, language, organizer, setup, statement, texts, votes
from handlers.whatsapp.keywords import keyword
from handlers.whatsapp.texts import say

WA = Channel.WHATSAPP


@dataclass(frozen=True)
class Message:
    sender: str  # whatsapp:+E164
    body: str
    profile_name: str | None = None
    media: int = 0


@dataclass
class Conversation:
    new_uow: Callable[[], UnitOfWork]
    message: Message
    user: User
    absent_days: int  # Settings.organizer_absent_days: when members may vote (core/stewardship.py)
    args: str = ""
    public_url: str | None = None  # where the web app serves draw files (bot/proofs.py)
    beacon: BeaconFetch | None = None  # the public random number draws mix in (bot/beacon.py)
    # The signed web address of a circle's statement file, PDF or CSV (bot/statement_links.py); None
    # without a public URL.
    statement_link: Callable[[uuid.UUID, str], str] | None = None

    def change(self) -> UnitOfWork:
        """A unit of work whose announcements skip this chat: it gets our direct reply."""
        uow = self.new_uow()
        uow.origin = (WA, self.message.sender)
        return uow

    def now(self) -> datetime:
        return self.new_uow().now()

    async def state(self) -> dict:
        return await load_state(self.new_uow(), WA, self.message.sender, self.message.sender) or {}

    async def remember(self, **changes) -> None:
        state = {**await self.state(), **changes}
        await save_state(self.new_uow(), WA, self.message.sender, self.message.sender, state)

    async def circle(self, *, finished: bool = False) -> Circle:
        """The circle this person means: the one they chose or joined last (even once it ended:
        its receiver may still confirm the last pot), else their only running one. `finished`
        (STATEMENT: a finished circle's record is still wanted): in no running circle, their only one."""
        everything = [m.circle for m in await my_circles(self.new_uow(), self.user.id, include_ended=True)]
        chosen = (await self.state()).get("circle")
        for circle in everything:
            if str(circle.id) == chosen:
                return circle
        mine = [c for c in everything if c.status in (CircleStatus.FORMING, CircleStatus.ACTIVE)]
        if finished and not mine:
            mine = everything
            if len(mine) > 1:  # CIRCLE <code> chooses only a running circle; STATEMENT <code> names any
                raise _Reply(say(texts.WHICH_FINISHED, choices=", ".join(f"{c.name} ({c.join_code})" for c in mine)))
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise _Reply(say(texts.NO_CIRCLE))
        raise _Reply(say(texts.WHICH_CIRCLE, choices=", ".join(f"{c.name} ({c.join_code})" for c in mine)))


class _Reply(Exception):
    """A short answer that ends the command (not a refusal from core)."""


async def handle(new_uow: Callable[[], UnitOfWork], message: Message, *, absent_days: int,
                 public_url: str | None = None, beacon: BeaconFetch | None = None,
                 statement_link: Callable[[uuid.UUID, str], str] | None = None) -> list[str | Attachment]:
    """The replies to one message, in the sender's language: theirs once known, until then their
    number's country's (the replies are worded here, before they wait in the outbox). A reply is a
    text, or an Attachment: a text with a file's address."""
    with i18n.speaking(language.guessed(message.sender)):
        return await _handle(new_uow, message, absent_days=absent_days, public_url=public_url, beacon=beacon,
                             statement_link=statement_link)


async def _handle(new_uow: Callable[[], UnitOfWork], message: Message, *, absent_days: int,
                  public_url: str | None = None, beacon: BeaconFetch | None = None,
                  statement_link: Callable[[uuid.UUID, str], str] | None = None) -> list[str | Attachment]:
    body = message.body.strip()
    if len(body) > texts.MAX_BODY:
        return [say(texts.TOO_LONG)]
    if not body:
        return [say(texts.NO_TEXT if message.media else texts.UNKNOWN)]
    if not parsing.storable(body):
        return [str(texts.UNSTORABLE)]
    user = await identity.sender(new_uow, message)
    if not isinstance(user, User):  # a claim on their number waits, or we asked their name
        return user
    if user.language:
        i18n.speak(user.language)
    talk = Conversation(new_uow, message, user, absent_days, public_url=public_url, beacon=beacon,
                        statement_link=statement_link)
    command = ""
    try:
        state = await talk.state()
        if state.get("step") == identity.NAMING and _command(body)[0] not in COMMANDS:
            if (named := await identity.take_name(talk, body)) is None:
                return [str(texts.NAME_AGAIN)]
            then = state.get("then")  # what they first sent, answered now that they have a name
            again = replace(message, body=then)
            return [named, *(await _handle(new_uow, again, absent_days=absent_days, public_url=public_url,
                                          beacon=beacon, statement_link=statement_link) if then else [])]
        if state.get("step") == identity.NAMING:  # a command instead of a name: they keep the neutral one
            await talk.remember(step=None, then=None)
        elif state.get("step"):
            return await setup.answer(talk, body)
        command, talk.args = _command(body)
        if command.isascii() and command.isdigit():  # a choice from the menu HELP showed
            command, talk.args = _chosen(state.get("menu") or [], int(command))
        action = COMMANDS.get(command)
        return [_unknown(command)] if action is None else list(await action(talk))
    except _Reply as reply:
        return [str(reply)]
    except errors.CoreError as error:
        metrics.count_error("whatsapp", metrics.REFUSAL)
        return [await _refusal(talk, error, command)]


def _chosen(menu: list[str], number: int) -> tuple[str, str]:
    if not 1 <= number <= len(menu):
        raise _Reply(say(texts.NO_MENU))
    command, _space, args = menu[number - 1].partition(" ")
    return command, args


def _unknown(word: str) -> str:
    """A word close to a command ("SUMARY", "PAYED") gets the command, as the person's language says it
    (English commands are close too); anything else the general reply. Other languages' keywords are
    not suggested: "PAYED" should not get French's PAYE."""
    if word in MEANT:
        return say(texts.DID_YOU_MEAN, word=word[:20], suggestion=keyword(MEANT[word]))
    spoken = {keyword(english).upper(): english for english in COMMANDS}
    close = difflib.get_close_matches(word, [*spoken, *COMMANDS], n=1, cutoff=0.6)
    suggestion = keyword(spoken.get(close[0], close[0])) if close else None
    return say(texts.DID_YOU_MEAN, word=word[:20], suggestion=suggestion) if close else say(texts.UNKNOWN)


async def _refusal(talk: Conversation, error: errors.CoreError, command: str) -> str:
    """As on Telegram: one who may not act is told who can, and what happens next."""
    ids = [*error.context.get("user_ids", []), *([error.context["user_id"]] if "user_id" in error.context else [])]
    names = {str(k): v for k, v in (await names_of(talk.new_uow(), ids)).items()} if ids else {}
    where = None
    if error.key in ("not_organizer", "not_member"):
        try:
            circle_id = error.context.get("circle_id") or str((await talk.circle()).id)
            where = await standing(talk.new_uow(), uuid.UUID(circle_id), talk.user.id)
        except (_Reply, errors.CoreError):
            pass
    action = ACTIONS.get(command, command.lower())
    refusal = texts.refusal(error, names, where, action, actor=talk.user.id)
    if error.key == "not_organizer" and where is not None and where.role is not None and not where.ended:
        absence = await organizer_absence(talk.new_uow(), where.circle.id, absent_days=talk.absent_days)
        if absence is not None:  # the way out: a vote
            since = absence.last_acted and local_date(absence.last_acted, where.circle.timezone)
            absent = shared.absent_line(where.circle.name, since, where.today)
            return f"{refusal} {texts.words(shared.ORGANIZER_ABSENT.format(absent=absent))}"
    return refusal


def _command(body: str) -> tuple[str, str]:
    """The English command (a key of COMMANDS, or the first word in capitals) and its arguments: the
    keywords of every language we speak are understood (handlers/whatsapp/keywords.py)."""
    return keywords.parse(body)


async def cmd_help(talk: Conversation) -> list[str]:
    """Where the person stands and a numbered menu of next steps; HELP ALL (or COMMANDS): every command."""
    if talk.args.upper() in ("ALL", "COMMANDS") or keywords.english(talk.args) == "COMMANDS":
        return await cmd_commands(talk)
    try:
        circle = await talk.circle()
    except _Reply as reply:
        alone = str(reply) == say(texts.NO_CIRCLE)
        items = ["JOIN", "NEW", "HELP ALL"] if alone else ["MY CIRCLES", "HELP ALL"]
        await talk.remember(menu=items)
        return [texts.menu(str(texts.NO_CIRCLE_HELP) if alone else str(reply), items)]
    where = await standing(talk.new_uow(), circle.id, talk.user.id)
    items = [step.upper() for step in where.steps()] + ["HELP ALL"]
    await talk.remember(menu=items)
    lead = shared.help_card(where, name=talk.user.full_name, how=texts.HOW)
    owed = shared.money(circle, where.my_short or circle.amount_per_cycle)  # a top-up: what is left
    return [texts.words(texts.menu(lead, items, amount=owed))]


async def cmd_commands(talk: Conversation) -> list[str]:
    return [texts.help_all()]


async def cmd_join(talk: Conversation) -> list[str]:
    if not talk.args:
        return [say(texts.JOIN_USAGE)]
    code = talk.args.split()[0]
    try:
        circle = await circle_by_code(talk.new_uow(), code)
    except errors.CircleNotFound:
        return [texts.NO_SUCH_CODE.format(code=code[:12])]
    await join_circle(talk.change(), actor=talk.user.id, circle_id=circle.id)
    await talk.remember(circle=str(circle.id))
    seats = await member_count(talk.new_uow(), circle.id)
    return [texts.JOINED.format(name=circle.name, seats=seats, total=circle.total_members, code=circle.join_code)]


async def cmd_circle(talk: Conversation) -> list[str]:
    circle = await circle_by_code(talk.new_uow(), talk.args.split()[0] if talk.args else "-")
    require_running(circle)
    await talk.remember(circle=str(circle.id))
    return [texts.CHOSEN.format(name=circle.name)]


async def cmd_paid(talk: Conversation) -> list[str]:
    circle = await talk.circle()
    if talk.args.upper().split()[:1] == ["FOR"]:  # PAID, then FOR: as PAID FOR
        talk.args = talk.args.split(maxsplit=1)[1] if len(talk.args.split()) > 1 else ""
        return await cmd_paid_for(talk)
    return await _paid(talk, circle)


async def cmd_paid_for(talk: Conversation) -> list[str]:
    """PAID FOR <name> [amount]: an organizer records a member's payment; naming oneself, an ordinary PAID."""
    circle = await talk.circle()
    return await organizer.paid_for(talk, circle) or await _paid(talk, circle)


async def _paid(talk: Conversation, circle: Circle) -> list[str]:
    amount = parse_amount(talk.args, circle.currency) if talk.args else None
    paid = await mark_paid(talk.change(), actor=talk.user.id, circle_id=circle.id, amount=amount)
    return [_("💸 Noted: you paid {money}. The organizers will confirm it.", money=shared.money(circle, paid.amount))]


async def cmd_confirm(talk: Conversation) -> list[str]:
    return await _decide(talk, confirm=True)


async def cmd_reject(talk: Conversation) -> list[str]:
    return await _decide(talk, confirm=False)


async def _decide(talk: Conversation, *, confirm: bool) -> list[str]:
    """CONFIRM alone lists what waits, each with its code; CONFIRM K7P2Q (or a name) decides that payment.
    A code never changes, unlike a list position, so the organizer decides the payment they saw."""
    circle = await talk.circle()
    payments = await current_payments(talk.new_uow(), circle.id)
    waiting = [p for p in payments if p.status == ContributionStatus.PENDING]
    if not talk.args:
        if not waiting:
            return [str(texts.NOTHING_PENDING)]
        return [_waiting_list(circle, waiting)]
    text, command = talk.args.strip(), "CONFIRM" if confirm else "REJECT"
    why: dict = {}
    if not confirm:  # REJECT K7P2Q SHORT 300 · NOT RECEIVED · OTHER: the payer is told why
        text, why["reason"], why["received"] = parsing.reject_reason(_english_reason(text), circle.currency)
    if changed := changed_since(payments, text):  # the code of an earlier claim: show the current one
        return [_changed(circle, changed[0], command)]
    matches = by_ref(payments, text) or _by_name(text, waiting) or _by_name(text, payments)
    if len(matches) != 1:
        return [_not_found(text, command, matches)]
    # The claim just read (the one its code was made for): core refuses it if it was replaced meanwhile.
    decide = confirm_contribution if confirm else reject_contribution
    try:
        decided = await decide(talk.change(), actor=talk.user.id, contribution_id=matches[0].contribution_id,
                               circle_id=circle.id, version=matches[0].version, **why)
    except errors.PaymentChanged:  # claimed again between our read and the decision
        payments = await current_payments(talk.new_uow(), circle.id)
        return [_changed(circle, next(p for p in payments if p.contribution_id == matches[0].contribution_id),
                         command)]
    return [shared.payment_decided(matches[0].full_name, circle, decided.amount, decided.status,
                                   talk.user.full_name, short_by(circle.amount_per_cycle, decided.confirmed_amount))]


def _english_reason(text: str) -> str:
    """'K7P2Q PUNGUFU 300' → 'K7P2Q SHORT 300': a reason typed in another language we speak, in the
    English words handlers/parsing.py reads (REJECT's reasons are keywords too)."""
    said, known = text.split(), keywords.known()
    for at in range(1, len(said)):
        for n in (2, 1):
            english = keywords.english(" ".join(said[at:at + n]), known)
            if english in REASONS and (english == "SHORT" or at + n == len(said)):
                if " ".join(said[at:at + n]).upper() == english:
                    return text  # already English: left exactly as typed
                return " ".join([*said[:at], english, *said[at + n:]])
    return text


def _changed(circle: Circle, now: CurrentPayment, command: str) -> str:
    money = shared.money(circle, now.amount)
    if now.status == ContributionStatus.PENDING:
        return texts.PAYMENT_CHANGED.format(money=money, name=now.full_name, command=keyword(command), ref=now.ref)
    return texts.words(shared.PAYMENT_CHANGED_DECIDED.format(money=money,
                                                             status_word=str(shared.STATUS_WORDS[now.status.value])))


def _waiting_list(circle: Circle, waiting: list[CurrentPayment]) -> str:
    """The oldest first, as many as fit in one WhatsApp message; deciding them brings up the rest."""
    lines: list[str] = []
    for p in waiting:
        line = texts.PENDING_LINE.format(ref=p.ref, name=p.full_name, money=shared.money(circle, p.amount))
        if sum(len(x) + 1 for x in lines) + len(line) > texts.PENDING_LIST_ROOM:
            lines.append(texts.PENDING_MORE.format(count=len(waiting) - len(lines)))
            break
        lines.append(line)
    return say(texts.PENDING_LIST, lines="\n".join(lines), ref=waiting[0].ref)


def _by_name(text: str, payments: list[CurrentPayment]) -> list[CurrentPayment]:
    """By the full name, else by its start, ignoring case; several matches are ambiguous."""
    wanted = text.strip().lower()
    return [p for p in payments if p.full_name.lower() == wanted] or [
        p for p in payments if p.full_name.lower().startswith(wanted)]


def _not_found(text: str, command: str, matches: list[CurrentPayment]) -> str:
    if matches:
        return texts.SEVERAL.format(name=text[:40], command=keyword(command))
    if text.isascii() and text.isdigit():  # list positions were used once; they shift, codes don't
        return texts.NOT_A_POSITION.format(command=keyword(command))
    if looks_like_ref(text):
        return texts.NO_SUCH_REF.format(ref=text.upper(), command=keyword(command))
    return texts.WHO.format(name=text[:40])


async def cmd_draw(talk: Conversation) -> list[str]:
    circle = await talk.circle()
    known = keywords.known()
    said = {keywords.english(word, known) or word.upper() for word in talk.args.split()}
    override = bool({"ANYWAY", "NOW", "FORCE"} & said)
    try:
        draw = await fetch_and_draw(talk.change, talk.beacon, actor=talk.user.id, circle_id=circle.id,
                                    override=override, without_beacon="WITHOUT" in said)
    except errors.BeaconUnavailable:
        again = ["DRAW", "ANYWAY", "WITHOUT"] if override else ["DRAW", "WITHOUT"]
        return [texts.BEACON_UNREACHABLE.format(command=" ".join(keyword(word) for word in again))]
    proof = await proof_of_draw(talk.new_uow(), draw.id)
    unpaid = await names_of(talk.new_uow(), draw.unpaid_ids) if draw.unpaid_ids else {}
    done = shared.draw_done(proof.cycle_number, proof.name(draw.winner_id), [unpaid[u] for u in draw.unpaid_ids],
                            without_beacon=proof.without_beacon)
    return [f"{texts.words(done)}\n{say(texts.FAIR_HINT)}"]


async def cmd_payout(talk: Conversation) -> list[str]:
    circle = await talk.circle()
    payout = await record_payout(talk.change(), actor=talk.user.id, circle_id=circle.id)
    receiver = (await names_of(talk.new_uow(), [payout.receiver_id]))[payout.receiver_id]
    return [_("🤝 Recorded: the pot of {money} was handed to {receiver}.", money=shared.money(circle, payout.amount),
              receiver=receiver)]


async def cmd_received(talk: Conversation) -> list[str]:
    circle = await talk.circle()
    _circle, records = await circle_history(talk.new_uow(), circle.id)
    mine = [r for r in records if r.winner_id == talk.user.id and r.payout_amount is not None]
    if not mine:
        return [str(texts.ACK_NONE)]
    await acknowledge_payout(talk.change(), actor=talk.user.id, payout_id=mine[-1].payout_id)
    return [_("🙏 Thank you! Recorded that you received the cycle {cycle_number} pot.",
              cycle_number=mine[-1].cycle_number)]


async def cmd_summary(talk: Conversation) -> list[str]:
    return [texts.words(shared.summary(await circle_summary(talk.new_uow(), (await talk.circle()).id), talk.now()))]


async def cmd_history(talk: Conversation) -> list[str]:
    circle, records = await circle_history(talk.new_uow(), (await talk.circle()).id)
    return [texts.words(shared.history(circle, records, talk.now()))]


async def cmd_verify(talk: Conversation) -> list[str]:
    """VERIFY [N | ORDER], and FAIR: why a draw was fair, with its values and a link to its file."""
    circle = await talk.circle()
    wanted = verify_argument("order" if keywords.english(talk.args) == "ORDER" else talk.args)
    if wanted == "?":
        return [say(texts.VERIFY_USAGE)]
    proof = await requested_proof(talk.new_uow(), circle.id, wanted)
    if proof is None:
        return [texts.words(str(shared.NOT_DRAWN_ORDER)) if wanted == "order" else
                shared.NO_SUCH_CYCLE.format(number=wanted or 1)]
    head = await current_head(talk.new_uow(), circle.id)
    return [texts.fair_details(proof, talk.public_url, head.fingerprint)]


async def cmd_my_circles(talk: Conversation) -> list[str]:
    return [texts.words(shared.my_circles(await my_circles(talk.new_uow(), talk.user.id), talk.now()))]


async def cmd_begin(talk: Conversation) -> list[str]:
    started = await start_circle(talk.change(), actor=talk.user.id, circle_id=(await talk.circle()).id)
    return [_("🚀 “{name}” started with {total} members.", name=started.name, total=started.total_members)]


async def cmd_leave(talk: Conversation) -> list[str]:
    circle = await talk.circle()
    await leave_circle(talk.change(), actor=talk.user.id, circle_id=circle.id)
    return [_("You left “{name}”.", name=circle.name)]


async def cmd_cancel(talk: Conversation) -> list[str]:
    circle = await talk.circle()
    if talk.args.upper() != circle.join_code:
        # TRANSLATORS: {CANCEL} is the WhatsApp keyword CANCEL; {code} the circle's join code
        return [_("To cancel “{name}” for everyone, send {CANCEL} {code}. This can't be undone.", name=circle.name,
                  CANCEL=keyword("CANCEL"), code=circle.join_code)]
    await cancel_circle(talk.change(), actor=talk.user.id, circle_id=circle.id)
    return [_("“{name}” was cancelled.", name=circle.name)]


COMMANDS: dict[str, Callable[[Conversation], Awaitable[Sequence[str | Attachment]]]] = {
    "HELP": cmd_help, "COMMANDS": cmd_commands, "START": cmd_help, "HI": cmd_help, "HELLO": cmd_help, "MENU": cmd_help,
    "HELP ALL": cmd_commands,
    "NEW": setup.start, "JOIN": cmd_join, "CIRCLE": cmd_circle, "PAID": cmd_paid, "PAID FOR": cmd_paid_for,
    "CONFIRM": cmd_confirm,
    "REJECT": cmd_reject, "DRAW": cmd_draw, "PAYOUT": cmd_payout, "RECEIVED": cmd_received,
    "SUMMARY": cmd_summary, "HISTORY": cmd_history, "VERIFY": cmd_verify, "FAIR": cmd_verify,
    "MY CIRCLES": cmd_my_circles, "BEGIN": cmd_begin, "LEAVE": cmd_leave, "CANCEL": cmd_cancel,
    "TIMEZONE": setup.cmd_timezone,
    "ORGANIZER": organizer.cmd_organizer, "STEP DOWN": organizer.cmd_step_down, "STEPDOWN": organizer.cmd_step_down,
    "HOW TO PAY": organizer.cmd_how_to_pay, "HOWTOPAY": organizer.cmd_how_to_pay, "ORDER": organizer.cmd_order,
    "VOTE": votes.cmd_vote,
    "YES": identity.cmd_yes, "NO": identity.cmd_no,
    "LANGUAGE": language.cmd_language,
    "STATEMENT": statement.cmd_statement,
}
REASONS = ("SHORT", "NOT RECEIVED", "OTHER")  # why a payment is rejected (REJECT <code> SHORT 300)
MEANT = {"PAY": "PAID", "PAYMENT": "PAID"}  # where spelling alone would point elsewhere (PAY → PAYOUT)
# The Telegram command a word is, where the names differ (for refusals).
ACTIONS = {"CANCEL": "cancelcircle", "PAID FOR": "paid", "HELP ALL": "help"}
