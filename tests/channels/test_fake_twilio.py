"""The fake Twilio API is only useful if the real `twilio` client cannot tell it from Twilio; these prove it can't."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.channels.fake_twilio import FakeTwilio, incoming, sign, status_callback

AMINA = "whatsapp:+254700000001"
BARAKA = "whatsapp:+254700000002"
WEBHOOK = "https://rosca.example.org/whatsapp/incoming"


@pytest.fixture
async def make_client(fake_twilio: FakeTwilio) -> AsyncIterator[Callable[..., Client]]:
    """Real async clients pointed at the fake; their aiohttp sessions are closed afterwards."""
    clients: list[Client] = []

    def make(token: str = FakeTwilio.AUTH_TOKEN, account_sid: str | None = None, **http_options: int) -> Client:
        client = Client(FakeTwilio.ACCOUNT_SID, token, account_sid=account_sid,
                        http_client=AsyncTwilioHttpClient(**http_options))
        client.api.base_url = fake_twilio.base_url
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.http_client.close()


@pytest.fixture
async def client(make_client: Callable[..., Client]) -> Client:
    """Async, because AsyncTwilioHttpClient opens its aiohttp session at once and that needs a running loop."""
    return make_client()


async def test_the_async_client_sends_a_whatsapp_message(client: Client, fake_twilio: FakeTwilio) -> None:
    message = await client.messages.create_async(to=AMINA, from_=FakeTwilio.FROM, body="hi",
                                                 status_callback="https://rosca.example.org/whatsapp/status")

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.to, message.from_, message.body, message.status) == (AMINA, FakeTwilio.FROM, "hi", "queued")
    assert message.account_sid == FakeTwilio.ACCOUNT_SID
    assert isinstance(message.date_created, datetime) and message.date_created.tzinfo is not None
    assert fake_twilio.sent == [{"sid": message.sid, "to": AMINA, "from_": FakeTwilio.FROM, "body": "hi",
                                 "content_sid": None, "content_variables": None, "messaging_service_sid": None,
                                 "media_url": [],
                                 "status_callback": "https://rosca.example.org/whatsapp/status"}]
    assert [(c.method, c.path, c.failed_with) for c in fake_twilio.calls] == [
        ("POST", f"/2010-04-01/Accounts/{FakeTwilio.ACCOUNT_SID}/Messages.json", None)]


async def test_messages_are_told_apart_by_recipient(client: Client, fake_twilio: FakeTwilio) -> None:
    for to, body in [(AMINA, "one"), (BARAKA, "two"), (AMINA, "three")]:
        await client.messages.create_async(to=to, from_=FakeTwilio.FROM, body=body)

    assert fake_twilio.bodies_to(AMINA) == ["one", "three"]
    assert [m["body"] for m in fake_twilio.messages_to(BARAKA)] == ["two"]
    fake_twilio.clear()
    assert fake_twilio.sent == [] and fake_twilio.calls == []


async def test_a_content_template_is_recorded_with_its_variables(client: Client, fake_twilio: FakeTwilio) -> None:
    await client.messages.create_async(to=AMINA, from_=FakeTwilio.FROM, content_sid="HX" + "a" * 32,
                                       content_variables=json.dumps({"1": "Amina", "2": "KES 500"}))

    [sent] = fake_twilio.messages_to(AMINA)
    assert sent["content_sid"] == "HX" + "a" * 32
    assert sent["content_variables"] == {"1": "Amina", "2": "KES 500"}


async def test_a_media_message_is_recorded_with_its_url(client: Client, fake_twilio: FakeTwilio) -> None:
    url = "https://rosca.example.org/statements/t/statement.pdf"
    message = await client.messages.create_async(to=AMINA, from_=FakeTwilio.FROM, body="The statement",
                                                 media_url=[url])
    await client.messages.create_async(to=AMINA, from_=FakeTwilio.FROM, media_url=[url])  # a file needs no body

    assert message.num_media == "1"
    assert [(m["body"], m["media_url"]) for m in fake_twilio.messages_to(AMINA)] == [("The statement", [url]),
                                                                                     ("", [url])]


async def test_a_messaging_service_may_stand_in_for_the_sender(client: Client, fake_twilio: FakeTwilio) -> None:
    message = await client.messages.create_async(to=AMINA, messaging_service_sid="MG" + "b" * 32, body="hi")

    assert (message.status, message.from_, message.messaging_service_sid) == ("accepted", None, "MG" + "b" * 32)
    assert fake_twilio.sent[0]["from_"] is None


async def test_a_wrong_auth_token_is_refused(make_client: Callable[..., Client], fake_twilio: FakeTwilio) -> None:
    with pytest.raises(TwilioRestException) as error:
        await make_client(token="0" * 32).messages.create_async(to=AMINA, from_=FakeTwilio.FROM, body="hi")

    assert (error.value.status, error.value.code) == (401, 20003)
    assert error.value.msg == "Unable to create record: Authenticate"
    assert fake_twilio.sent == [] and fake_twilio.calls[0].failed_with == 401


async def test_another_accounts_messages_are_not_found(make_client: Callable[..., Client]) -> None:
    with pytest.raises(TwilioRestException) as error:
        await make_client(account_sid="AC" + "c" * 32).messages.create_async(to=AMINA, from_=FakeTwilio.FROM,
                                                                            body="hi")

    assert (error.value.status, error.value.code) == (404, 20404)


@pytest.mark.parametrize(("fields", "code"), [
    ({"to": ""}, 21604),
    ({"from_": None}, 21603),
    ({"body": None}, 21602),
    ({"body": "x" * 1601}, 21617),
    ({"content_sid": "HX" + "a" * 32, "content_variables": "{not json"}, 21656),
])
async def test_invalid_messages_are_rejected(client: Client, fake_twilio: FakeTwilio, fields: dict,
                                             code: int) -> None:
    message = {"to": AMINA, "from_": FakeTwilio.FROM, "body": "hi"} | fields
    with pytest.raises(TwilioRestException) as error:
        await client.messages.create_async(**{k: v for k, v in message.items() if v is not None})

    assert (error.value.status, error.value.code) == (400, code)
    assert fake_twilio.sent == []


@pytest.mark.parametrize(("fault", "code", "message"), [
    ({}, 20500, "Internal Server Error"),
    ({"status": 429}, 20429, "Too Many Requests"),
    ({"status": 503, "code": 20503, "message": "Service Unavailable"}, 20503, "Service Unavailable"),
])
async def test_injected_faults_reach_the_client_once_and_without_retry(client: Client, fake_twilio: FakeTwilio,
                                                                       fault: dict, code: int, message: str) -> None:
    fake_twilio.fail_next(**fault)
    with pytest.raises(TwilioRestException) as error:
        await client.messages.create_async(to=AMINA, from_=FakeTwilio.FROM, body="hi")
    await client.messages.create_async(to=AMINA, from_=FakeTwilio.FROM, body="again")

    status = fault.get("status", 500)
    assert (error.value.status, error.value.code, error.value.msg) == (status, code,
                                                                       f"Unable to create record: {message}")
    assert [c.failed_with for c in fake_twilio.calls] == [status, None]
    assert fake_twilio.bodies_to(AMINA) == ["again"]


async def test_a_client_with_max_retries_retries_server_errors_but_not_429(make_client: Callable[..., Client],
                                                                         fake_twilio: FakeTwilio) -> None:
    """aiohttp_retry counts attempts, not retries, and retries POSTs too: a 5xx after Twilio queued the
    message would send it twice."""
    client = make_client(max_retries=3)
    fake_twilio.fail_next(500, times=2)
    message = await client.messages.create_async(to=AMINA, from_=FakeTwilio.FROM, body="hi")
    fake_twilio.fail_next(429)
    with pytest.raises(TwilioRestException) as error:
        await client.messages.create_async(to=AMINA, from_=FakeTwilio.FROM, body="later")

    assert [c.failed_with for c in fake_twilio.calls] == [500, 500, None, 429]
    assert [m["sid"] for m in fake_twilio.sent] == [message.sid]
    assert error.value.status == 429


async def test_closing_the_http_client_closes_its_aiohttp_session(client: Client) -> None:
    await client.messages.create_async(to=AMINA, from_=FakeTwilio.FROM, body="hi")
    await client.http_client.close()

    assert client.http_client.session.closed


async def test_the_sync_client_works_off_the_event_loop(fake_twilio: FakeTwilio) -> None:
    client = Client(FakeTwilio.ACCOUNT_SID, FakeTwilio.AUTH_TOKEN)
    client.api.base_url = fake_twilio.base_url
    message = await asyncio.to_thread(client.messages.create, to=AMINA, from_=FakeTwilio.FROM, body="sync")
    client.http_client.session.close()

    assert message.sid == fake_twilio.sent[0]["sid"]
    assert fake_twilio.bodies_to(AMINA) == ["sync"]


def test_a_signature_validates_only_for_the_same_url_and_params() -> None:
    params = incoming(AMINA, "JOIN 4821", profile_name="Amina")
    signature = sign(WEBHOOK, params, FakeTwilio.AUTH_TOKEN)
    validator = RequestValidator(FakeTwilio.AUTH_TOKEN)

    assert validator.validate(WEBHOOK, params, signature)
    assert validator.validate("https://rosca.example.org:443/whatsapp/incoming", params, signature)
    assert not validator.validate(WEBHOOK, params | {"Body": "JOIN 4822"}, signature)
    assert not validator.validate(WEBHOOK + "?x=1", params, signature)
    assert not validator.validate("https://rosca.example.org/whatsapp/status", params, signature)
    assert not RequestValidator("f" * 32).validate(WEBHOOK, params, signature)


def test_an_incoming_whatsapp_message_looks_like_twilios() -> None:
    params = incoming("+254700000001", "hello", profile_name="Amina", message_sid="SM" + "d" * 32)

    assert params == {"MessageSid": "SM" + "d" * 32, "SmsMessageSid": "SM" + "d" * 32, "SmsSid": "SM" + "d" * 32,
                      "AccountSid": FakeTwilio.ACCOUNT_SID, "From": AMINA, "To": FakeTwilio.FROM, "Body": "hello",
                      "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "WaId": "254700000001",
                      "MessageType": "text", "ApiVersion": "2010-04-01", "ProfileName": "Amina"}
    assert "MessagingServiceSid" not in params


def test_an_incoming_message_lists_its_media_and_gets_a_fresh_sid() -> None:
    receipt = ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", "image/jpeg")
    first, second = incoming(AMINA, "", media=[receipt]), incoming(AMINA, "")

    assert (first["NumMedia"], first["MediaUrl0"], first["MediaContentType0"]) == ("1", *receipt)
    assert first["MessageType"] == "image" and "ProfileName" not in first
    assert first["MessageSid"].startswith("SM") and first["MessageSid"] != second["MessageSid"]


def test_a_status_callback_looks_like_twilios() -> None:
    delivered = status_callback("SM" + "e" * 32, "delivered", to=AMINA)
    failed = status_callback("SM" + "e" * 32, "undelivered", error_code="63016", to="+254700000001")

    assert delivered == {"MessageSid": "SM" + "e" * 32, "SmsSid": "SM" + "e" * 32, "MessageStatus": "delivered",
                         "SmsStatus": "delivered", "To": AMINA, "From": FakeTwilio.FROM,
                         "AccountSid": FakeTwilio.ACCOUNT_SID, "ChannelPrefix": "whatsapp",
                         "ApiVersion": "2010-04-01"}
    assert (failed["ErrorCode"], failed["To"]) == ("63016", AMINA)
