"""The fake Bot API is only useful if the real PTB cannot tell it from Telegram; these prove it can't."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, EndPointNotFound, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.channels.fake_telegram import FakeTelegram
from tests.channels.updates import (
    Person,
    as_update,
    bot_removed,
    callback,
    chat_migrated,
    contact,
    edited_group_text,
    group_text,
    member_left,
    private_text,
)

ALICE = Person(id=1001, first_name="Alice", username="alice")
BOB = Person(id=1002, first_name="Bob", last_name="Banda")
FAMILY = -1001234567890
DONE_BUTTON = {"inline_keyboard": [[{"text": "Done", "callback_data": "done"}]]}


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done")]])
    await update.effective_message.reply_text(" ".join(context.args), reply_markup=keyboard)


async def on_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("Noted")
    await query.edit_message_text(f"Done by {query.from_user.first_name}")


def build_app(tg: FakeTelegram, token: str = FakeTelegram.TOKEN) -> Application:
    app = ApplicationBuilder().token(token).base_url(tg.base_url).base_file_url(tg.base_file_url).build()
    app.add_handler(CommandHandler("echo", echo))
    app.add_handler(CallbackQueryHandler(on_done, pattern="^done$"))
    return app


@pytest.fixture
async def app(fake_telegram: FakeTelegram) -> AsyncIterator[Application]:
    application = build_app(fake_telegram)
    await application.initialize()
    yield application
    await application.shutdown()


def methods(tg: FakeTelegram) -> list[str]:
    return [call.method for call in tg.calls]


async def test_initialize_asks_who_the_bot_is(app: Application, fake_telegram: FakeTelegram) -> None:
    assert methods(fake_telegram) == ["getMe"]
    assert (app.bot.id, app.bot.username) == (FakeTelegram.BOT_ID, FakeTelegram.BOT_USERNAME)


async def test_command_reply_carries_text_and_decoded_keyboard(app: Application, fake_telegram: FakeTelegram) -> None:
    await app.process_update(as_update(private_text(ALICE, "/echo hello family"), app.bot))

    [call] = [c for c in fake_telegram.calls if c.method == "sendMessage"]
    assert call.params["chat_id"] == ALICE.id
    assert call.params["text"] == "hello family"
    assert call.params["reply_markup"] == DONE_BUTTON
    assert fake_telegram.texts_to(ALICE.id) == ["hello family"]
    assert fake_telegram.last_to(ALICE.id)["chat"] == {"id": ALICE.id, "type": "private"}


async def test_button_press_is_answered_and_edits_the_message(app: Application, fake_telegram: FakeTelegram) -> None:
    await app.process_update(as_update(group_text(ALICE, FAMILY, "/echo pay 50"), app.bot))
    question = fake_telegram.last_to(FAMILY)
    assert question["chat"]["type"] == "supergroup"

    await app.process_update(as_update(callback(ALICE, question, "done"), app.bot))

    [answer] = fake_telegram.callback_answers
    assert answer["text"] == "Noted"
    edited = fake_telegram.last_to(FAMILY)
    assert edited["edited"] is True
    assert (edited["message_id"], edited["text"]) == (question["message_id"], "Done by Alice")
    assert edited["reply_markup"] is None  # Telegram drops a keyboard the edit does not repeat
    assert fake_telegram.texts_to(FAMILY) == ["pay 50", "Done by Alice"]


async def test_polling_delivers_queued_update_and_confirms_it(app: Application, fake_telegram: FakeTelegram) -> None:
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    update = private_text(ALICE, "/echo polled")
    fake_telegram.queue_update(update)

    deadline = time.monotonic() + 5
    while not fake_telegram.sent and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    stopping = time.monotonic()
    await app.updater.stop()
    await app.stop()

    assert time.monotonic() - stopping < 1.5
    assert fake_telegram.texts_to(ALICE.id) == ["polled"]
    offsets = [c.params.get("offset") for c in fake_telegram.calls if c.method == "getUpdates"]
    assert offsets[-1] == update["update_id"] + 1
    assert (await app.bot.get_webhook_info()).pending_update_count == 0


async def test_rate_limit_raises_retry_after(
    app: Application, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake_telegram.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(RetryAfter) as raised:
        await app.bot.send_message(ALICE.id, "first")
    await app.bot.send_message(ALICE.id, "second")

    assert raised.value.retry_after == timedelta(seconds=7)
    assert [c.failed_with for c in fake_telegram.calls if c.method == "sendMessage"] == [429, None]
    assert fake_telegram.texts_to(ALICE.id) == ["second"]


async def test_server_error_raises_plain_network_error(app: Application, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", status=500, times=2)

    for _ in range(2):
        with pytest.raises(NetworkError, match="^Internal Server Error$") as raised:
            await app.bot.send_message(ALICE.id, "lost")
        assert type(raised.value) is NetworkError

    assert fake_telegram.sent == []


async def test_slow_answer_raises_timed_out(app: Application, fake_telegram: FakeTelegram) -> None:
    fake_telegram.delay_next("sendMessage", 0.5)

    with pytest.raises(TimedOut):
        await app.bot.send_message(ALICE.id, "slow", read_timeout=0.1)
    await app.bot.send_message(ALICE.id, "fast", read_timeout=0.1)

    assert fake_telegram.texts_to(ALICE.id) == ["slow", "fast"]  # a timeout does not mean "not sent"


async def test_wrong_token_is_rejected_on_initialize(fake_telegram: FakeTelegram) -> None:
    app = build_app(fake_telegram, token="654321:wrong")
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await app.initialize()
    await app.bot.shutdown()

    assert [c.failed_with for c in fake_telegram.calls] == [401]


async def test_unknown_method_is_not_found(app: Application) -> None:
    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": ALICE.id})


async def test_identical_edit_is_refused_like_telegram(app: Application, fake_telegram: FakeTelegram) -> None:
    message = await app.bot.send_message(FAMILY, "Round 1")

    with pytest.raises(BadRequest, match="^Message is not modified"):
        await message.edit_text("Round 1")
    with pytest.raises(BadRequest, match="^Message to edit not found$"):
        await app.bot.edit_message_text("Round 2", chat_id=FAMILY, message_id=message.message_id + 1)


async def test_html_is_shown_as_the_user_reads_it(app: Application, fake_telegram: FakeTelegram) -> None:
    message = await app.bot.send_message(ALICE.id, "<b>Paid</b> &amp; confirmed", parse_mode="HTML")
    for unescaped in ("line<br>break", "Bob <3"):
        with pytest.raises(BadRequest, match="^Can't parse entities: unsupported start tag"):
            await app.bot.send_message(ALICE.id, unescaped, parse_mode="HTML")

    assert message.text == "Paid & confirmed"
    assert fake_telegram.texts_to(ALICE.id) == ["Paid & confirmed"]


async def test_commands_round_trip_per_scope(app: Application) -> None:
    await app.bot.set_my_commands([BotCommand("join", "Join a circle")])

    assert await app.bot.get_my_commands() == (BotCommand("join", "Join a circle"),)
    assert await app.bot.get_my_commands(language_code="fr") == ()
    await app.bot.delete_my_commands()
    assert await app.bot.get_my_commands() == ()


async def test_get_chat_deserializes(app: Application) -> None:
    chat = await app.bot.get_chat(FAMILY)
    assert (chat.id, chat.type) == (FAMILY, "supergroup")


async def _ignore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None: ...


@pytest.mark.parametrize(("build", "handler", "detail"), [
    (lambda: contact(ALICE, "+255700000001", ALICE.id), MessageHandler(filters.CONTACT, _ignore),
     lambda u: (u.message.contact.user_id, u.message.contact.phone_number) == (ALICE.id, "+255700000001")),
    (lambda: contact(ALICE, "+255700000002", None, first_name="Gran"), MessageHandler(filters.CONTACT, _ignore),
     lambda u: (u.message.contact.user_id, u.message.contact.first_name) == (None, "Gran")),
    (lambda: edited_group_text(group_text(ALICE, FAMILY, "/echo typo"), "/echo fixed"),
     MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.COMMAND, _ignore),
     lambda u: u.edited_message.text == "/echo fixed" and u.edited_message.edit_date is not None),
    (lambda: chat_migrated(ALICE, -4001, FAMILY), MessageHandler(filters.StatusUpdate.MIGRATE, _ignore),
     lambda u: (u.message.chat.id, u.message.chat.type, u.message.migrate_to_chat_id) == (-4001, "group", FAMILY)),
    (lambda: bot_removed(ALICE, FAMILY), ChatMemberHandler(_ignore, ChatMemberHandler.MY_CHAT_MEMBER),
     lambda u: (u.my_chat_member.new_chat_member.status, u.my_chat_member.new_chat_member.user.id)
     == ("kicked", FakeTelegram.BOT_ID)),
    (lambda: member_left(ALICE, FAMILY, BOB), MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, _ignore),
     lambda u: u.message.left_chat_member.last_name == "Banda"),
], ids=["own-contact", "vcard", "edited", "migrated", "bot-removed", "member-left"])
async def test_builders_make_updates_ptb_routes(app: Application, build, handler: BaseHandler, detail) -> None:
    update = as_update(build(), app.bot)
    assert handler.check_update(update)
    assert detail(update)


@pytest.mark.parametrize("encoding", ["json", "form", "multipart", "query"])
async def test_parameters_decode_the_same_from_every_encoding(fake_telegram: FakeTelegram, encoding: str) -> None:
    fields = {"chat_id": str(ALICE.id), "text": "[not json]", "reply_markup": json.dumps(DONE_BUTTON),
              "disable_notification": "true"}
    request = {"json": {"json": {**fields, "reply_markup": DONE_BUTTON, "chat_id": ALICE.id}},
               "form": {"data": fields},
               "multipart": {"data": fields, "files": {"document": ("a.txt", b"hi")}},
               "query": {"params": fields}}[encoding]
    async with httpx.AsyncClient(base_url=fake_telegram.base_url + FakeTelegram.TOKEN) as client:
        response = await client.post("/sendMessage", **request)

    assert response.json()["ok"] is True
    params = fake_telegram.calls[-1].params
    assert {k: params[k] for k in fields} == {"chat_id": ALICE.id, "text": "[not json]",
                                               "reply_markup": DONE_BUTTON, "disable_notification": True}


async def test_errors_have_telegram_bodies(fake_telegram: FakeTelegram) -> None:
    async with httpx.AsyncClient() as client:
        wrong_token = await client.post(f"{fake_telegram.base_url}1:nope/getMe")
        unknown = await client.get(f"{fake_telegram.base_url}{FakeTelegram.TOKEN}/noSuchMethod")

    assert (wrong_token.status_code, wrong_token.json()) == (
        401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert (unknown.status_code, unknown.json()) == (
        404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
