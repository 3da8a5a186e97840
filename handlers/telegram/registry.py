"""The one list of Telegram commands: it registers the handlers, the menus (set_my_commands) and /help,
and the README's command reference is checked against it, so none of them can drift."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import i18n
from handlers.i18n import N_, _
from handlers.telegram import (
    draws,
    guidance,
    housekeeping,
    identity,
    info,
    language,
    membership,
    organizer,
    paying,
    payments,
    reminders,
    setup,
    statement,
    texts,
    votes,
)
from handlers.telegram.common import is_group
from handlers.telegram.errors import on_error

GROUP, PRIVATE = "group", "private"


@dataclass(frozen=True)
class Command:
    name: str
    where: tuple[str, ...]
    who: str  # "anyone", "member", "organizer" — for the docs; core enforces it
    description: N_  # translated where it is shown: /help, the menus
    callback: Callable[..., Awaitable[None]]
    usage: str = ""


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A few lines for this person and this circle, with buttons; "All commands" shows help_text."""
    text, markup = await guidance.card(update, context)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def on_help_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query.data == guidance.ALL:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(help_text(group=is_group(update)))
        return
    await guidance.on_step(update, context, {c.name: c.callback for c in COMMANDS})


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command no handler took: a typo gets the closest command ("Did you mean /summary?", with its
    button when help offers one); one addressed to another bot in the group is none of our business."""
    word = update.effective_message.text[1:].split(maxsplit=1)[0] if len(update.effective_message.text) > 1 else ""
    command, _, addressee = word.partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return
    command = command.lower()[:texts.MAX_ECHO]
    close = difflib.get_close_matches(command, [c.name for c in COMMANDS], n=1, cutoff=0.6)
    match = next((c for c in COMMANDS if close and c.name == close[0]), None)
    markup = await guidance.shortcut(update, context, match.name) if match else None
    await update.effective_message.reply_text(suggestion(command, match, group=is_group(update)), reply_markup=markup)


def suggestion(command: str, match: Command | None, *, group: bool) -> str:
    """The closest command by spelling; one that works in the other kind of chat says where."""
    if match is None:
        return texts.NO_SUCH_COMMAND.format(command=command)
    if (GROUP if group else PRIVATE) in match.where:
        return texts.UNKNOWN_COMMAND.format(command=command, suggestion=match.name)
    where = str(texts.WHERE[match.where[0]])
    return texts.UNKNOWN_COMMAND_ELSEWHERE.format(command=command, suggestion=match.name, where=where)


COMMANDS = [
    Command("newcircle", (GROUP, PRIVATE), "anyone",
            # TRANSLATORS: each command's description follows it in Telegram's menus and in /help ("/leave —
            # leave the circle (before it starts)"), so it starts in lower case; keep each under 256 characters.
            N_("set up a savings circle (I ask the questions in a private chat)"), setup.cmd_newcircle,
            "[NAME | AMOUNT [CURRENCY] | MEMBERS | FREQUENCY | FIRST_DUE_DATE [| ORDER]]"),
    Command("join", (GROUP, PRIVATE), "anyone",
            N_("join this group's circle, or one by its join code (an organizer's code brings that circle into the "
               "group)"),
            membership.cmd_join, "[CODE]"),
    Command("leave", (GROUP,), "member", N_("leave the circle (before it starts)"), membership.cmd_leave),
    Command("paid", (GROUP, PRIVATE), "member", N_("tell the organizers you paid this cycle"), payments.cmd_paid,
            "[AMOUNT]"),
    Command("confirm", (GROUP,), "organizer", N_("confirm a payment (reply to it, or name the member)"),
            payments.cmd_confirm, "[@member]"),
    Command("reject", (GROUP,), "organizer", N_("reject a payment (reply to it, or name the member)"),
            payments.cmd_reject, "[@member]"),
    Command("draw", (GROUP,), "organizer", N_("draw who receives this cycle's pot"), draws.cmd_draw, "[anyway]"),
    Command("payout", (GROUP,), "organizer", N_("record that the pot was handed over"), draws.cmd_payout),
    Command("received", (GROUP, PRIVATE), "member", N_("confirm you received the pot"), paying.cmd_received),
    Command("summary", (GROUP,), "anyone", N_("who paid, who is pending, who received, totals"), info.cmd_summary),
    Command("verify", (GROUP,), "anyone", N_("show a draw's commitment, seed and how to check it"), draws.cmd_verify,
            "[CYCLE]"),
    Command("history", (GROUP,), "anyone", N_("every cycle so far: winners and payouts"), info.cmd_history),
    Command("statement", (GROUP, PRIVATE), "member",
            N_("the circle's record as a PDF to keep; a spreadsheet on request"), statement.cmd_statement),
    Command("remove", (GROUP,), "organizer", N_("remove a member (before the circle starts)"), membership.cmd_remove,
            "@member"),
    Command("reminders", (GROUP,), "anyone", N_("see when reminders go out; organizers change them"),
            reminders.cmd_reminders,
            "[DAYS at HOUR | overdue N | off]"),
    Command("autodraw", (GROUP,), "organizer", N_("turn the automatic draw on or off, or set its hour"),
            reminders.cmd_autodraw, "[on | off] [at HOUR]"),
    Command("timezone", (GROUP,), "anyone", N_("see the circle's time zone; organizers change it"),
            setup.cmd_timezone, "[CITY or ZONE]"),
    Command("begin", (GROUP,), "organizer", N_("start the circle now with the members it has"), membership.cmd_begin),
    Command("organizer", (GROUP,), "organizer", N_("make a member an organizer too (reply to them, or name them)"),
            organizer.cmd_organizer, "@member"),
    Command("stepdown", (GROUP,), "organizer", N_("stop being an organizer (while another one remains)"),
            organizer.cmd_stepdown),
    Command("howtopay", (GROUP,), "anyone", N_("how to pay into the circle; organizers set it"), organizer.cmd_howtopay,
            "[TEXT | off]"),
    Command("order", (GROUP,), "organizer", N_("tap who receives first, second… (fixed order, before the start)"),
            organizer.cmd_order),
    Command("cancelcircle", (GROUP,), "organizer", N_("cancel the circle"), membership.cmd_cancelcircle),
    Command("vote", (GROUP,), "member",
            N_("when no organizer has acted for a while: vote for a new organizer or to end the circle"),
            votes.cmd_vote, "[@member | end | yes | no]"),
    Command("start", (PRIVATE,), "anyone", N_("register with your phone number"), identity.cmd_start),
    Command("mycircles", (PRIVATE,), "member", N_("your circles: what you owe next and when"), info.cmd_mycircles),
    Command("help", (GROUP, PRIVATE), "anyone", N_("what you can do next, with buttons"), cmd_help),
    Command("language", (GROUP, PRIVATE), "anyone",
            N_("the language I speak with you; in a group, the circle's (organizers choose it)"),
            language.cmd_language),
]


def help_text(*, group: bool) -> str:
    where = GROUP if group else PRIVATE
    lines = [_("Here's what I can do:") if group else _("Here's what I can do in a private chat (more in your group):")]
    for c in COMMANDS:
        if where in c.where:
            command = f"/{c.name}{' ' + c.usage if c.usage else ''}"
            if c.who in ("anyone", "member"):
                # TRANSLATORS: a line of /help: {command} is a command and how to type it ("/paid [AMOUNT]").
                lines.append(_("{command} — {description}", command=command, description=str(c.description)))
            else:
                # TRANSLATORS: a line of /help, for a command only organizers may use ("/draw [anyway]").
                lines.append(_("{command} — {description} (organizers)", command=command,
                               description=str(c.description)))
    return "\n".join(lines)


async def publish_menus(bot: Bot) -> None:
    """Show each chat type only the commands that work there, described in each language we speak:
    Telegram shows a person the menu of their app's language (English when we don't speak it)."""
    for where, scope in ((GROUP, BotCommandScopeAllGroupChats()), (PRIVATE, BotCommandScopeAllPrivateChats())):
        for code in i18n.supported():
            with i18n.speaking(code):
                menu = [BotCommand(c.name, str(c.description)) for c in COMMANDS if where in c.where]
            await bot.set_my_commands(menu, scope=scope, language_code=None if code == i18n.DEFAULT else code)


CHAT_TYPES = {GROUP: filters.ChatType.GROUPS, PRIVATE: filters.ChatType.PRIVATE}
NEW_MESSAGE = filters.UpdateType.MESSAGE  # edits never act: one message, one effect
LAST = 1  # the handler group after the commands' (0): python-telegram-bot runs it even after an error


def install(application: Application) -> None:
    """Wire every handler onto a python-telegram-bot Application."""
    application.add_handler(TypeHandler(Update, housekeeping.refuse_unstorable), group=-2)
    application.add_handler(TypeHandler(Update, housekeeping.drop_duplicates), group=-1)
    application.add_handler(TypeHandler(Update, housekeeping.finish_update), group=LAST)
    for c in COMMANDS:
        where = CHAT_TYPES[c.where[0]] if len(c.where) == 1 else filters.ALL
        application.add_handler(CommandHandler(c.name, c.callback, filters=where & NEW_MESSAGE))
        if len(c.where) == 1:
            elsewhere = filters.ChatType.PRIVATE if c.where[0] == GROUP else filters.ChatType.GROUPS
            application.add_handler(CommandHandler(c.name, housekeeping.on_wrong_place,
                                                   filters=elsewhere & NEW_MESSAGE))
    application.add_handler(MessageHandler(filters.CONTACT & filters.ChatType.PRIVATE & NEW_MESSAGE,
                                           identity.on_contact))
    for pattern, callback in ((r"^pay:(ok|no):", payments.on_decision_button), (r"^ack:", draws.on_ack_button),
                              (r"^pay:(rs|rn|ro|rq|bk):", payments.on_private_decision),
                              (r"^draw:", draws.on_draw_button), (r"^payout:", draws.on_payout_button),
                              (r"^drawnb:", draws.on_draw_without_beacon_button),
                              (r"^fair:", draws.on_fair_button),
                              (r"^cancel:", membership.on_cancel_button), (r"^new:", setup.on_setup_button),
                              (r"^help:", on_help_button),
                              (r"^paid:", paying.on_paid_button), (r"^join:", membership.on_join_button),
                              (r"^ord:", organizer.on_order_button), (r"^org:", organizer.on_organizer_button),
                              (r"^vote:", votes.on_vote_button),
                              (r"^claim:", identity.on_claim_button),
                              (r"^lang:", language.on_language_button),
                              (r"^stmt:", statement.on_statement_button),
                              (r"", housekeeping.on_stale_button)):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, housekeeping.on_migrate))
    application.add_handler(MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, housekeeping.on_member_left))
    application.add_handler(ChatMemberHandler(housekeeping.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.Regex(r"^/"),
                                           housekeeping.on_edited_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.REPLY & filters.ChatType.PRIVATE
                                           & NEW_MESSAGE, payments.on_short_amount))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & NEW_MESSAGE, setup.on_setup_answer))
    # Last: only a command no handler above took (a typo, or one for another bot) reaches it.
    application.add_handler(MessageHandler(filters.COMMAND & NEW_MESSAGE, on_unknown_command))
    application.add_error_handler(on_error)
