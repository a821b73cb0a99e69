"""Bot API semantics over raw HTTP: encodings, Telegram-shaped failures, getUpdates."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from tests.tgemu.conftest import TOKEN, FakeClock
from tgemu import BotApiEmulator, EmulatorClient

ANNA = 42


async def call(api: httpx.AsyncClient, method: str, **params: Any) -> httpx.Response:
    """Post the way python-telegram-bot does: non-strings as JSON text, strings raw."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return await api.post(f"/{method}", data=form)


def failure(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return response.status_code, body["description"]


async def test_wrong_token_is_unauthorized(emulator: BotApiEmulator) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(f"{emulator.base_url}/bot123:wrong/getMe")
    assert failure(response) == (401, "Unauthorized")


async def test_unknown_method_and_case_insensitive_names(api: httpx.AsyncClient) -> None:
    assert failure(await api.get("/noSuchMethod")) == (404, "Not Found: method not found")
    response = await api.get("/GETME")
    assert response.json()["result"]["username"] == "bekey_test_bot"


async def test_form_values_are_decoded_by_parameter_type(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    response = await call(
        api, "sendMessage", chat_id=ANNA, text="123", protect_content=True, parse_mode="HTML"
    )
    message = response.json()["result"]
    assert message["text"] == "123"
    assert message["chat"]["id"] == ANNA
    assert message["has_protected_content"] is True
    for text in ("true", "[1, 2]", '{"a": 1}', "null"):
        sent = await call(api, "sendMessage", chat_id=ANNA, text=text)
        assert sent.json()["result"]["text"] == text


async def test_json_body_and_query_string_work(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    by_json = await api.post(
        "/sendMessage", json={"chat_id": ANNA, "text": "json", "reply_markup": markup}
    )
    assert by_json.json()["result"]["reply_markup"] == markup
    by_query = await api.get("/sendMessage", params={"chat_id": str(ANNA), "text": "query"})
    assert by_query.json()["result"]["text"] == "query"


async def test_message_ids_are_shared_per_chat(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "one")
    await control.send_text(7, "other chat")
    sent = await call(api, "sendMessage", chat_id=ANNA, text="two")
    await control.send_text(ANNA, "three")
    assert sent.json()["result"]["message_id"] == 2
    assert [m.message_id for m in await control.messages(ANNA)] == [1, 2, 3]
    assert [m.message_id for m in await control.messages(7)] == [1]


async def test_chat_must_exist_and_not_block(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    response = await call(api, "sendMessage", chat_id=ANNA, text="hej")
    assert failure(response) == (400, "Bad Request: chat not found")
    await control.send_text(ANNA, "/start")
    await control.set_blocked(ANNA, True)
    response = await call(api, "sendMessage", chat_id=ANNA, text="hej")
    assert failure(response) == (403, "Forbidden: bot was blocked by the user")
    await control.set_blocked(ANNA, False)
    assert (await call(api, "sendMessage", chat_id=ANNA, text="hej")).status_code == 200


async def test_text_limits(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    for empty in ("", "   "):
        response = await call(api, "sendMessage", chat_id=ANNA, text=empty)
        assert failure(response) == (400, "Bad Request: message text is empty")
    assert (await call(api, "sendMessage", chat_id=ANNA, text="x" * 4096)).status_code == 200
    response = await call(api, "sendMessage", chat_id=ANNA, text="x" * 4097)
    assert failure(response) == (400, "Bad Request: message is too long")
    escaped = "&amp;" * 4096
    ok = await call(api, "sendMessage", chat_id=ANNA, text=escaped, parse_mode="HTML")
    assert len(ok.json()["result"]["text"]) == 4096


async def test_caption_limit(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    response = await api.post(
        "/sendDocument",
        data={"chat_id": str(ANNA), "caption": "c" * 1025},
        files={"document": ("staff.csv", b"a,b\n", "text/csv")},
    )
    assert failure(response) == (400, "Bad Request: message caption is too long")


async def test_a_web_page_cannot_reach_the_emulator(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    """A browser's request (it names its page) and one addressed by a rebound DNS name are
    refused: no web page plays the emulator's users or its bot."""
    await control.send_text(ANNA, "hej")
    from_a_page = await api.post(
        "/sendMessage", json={"chat_id": ANNA, "text": "x"}, headers={"Origin": "http://evil"}
    )
    rebound = await api.post(
        "/sendMessage", json={"chat_id": ANNA, "text": "x"}, headers={"Host": "evil.example"}
    )
    assert failure(from_a_page) == (403, "Forbidden: local programs only")
    assert failure(rebound) == (403, "Forbidden: local programs only")
    assert len(await control.messages(ANNA)) == 1  # only Anna's own "hej"


async def test_callback_data_is_limited_to_64_bytes(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    for data in ("ø" * 33, "", "x" * 65):
        markup = {"inline_keyboard": [[{"text": "b", "callback_data": data}]]}
        response = await call(api, "sendMessage", chat_id=ANNA, text="t", reply_markup=markup)
        assert failure(response) == (400, "Bad Request: BUTTON_DATA_INVALID")
    markup = {"inline_keyboard": [[{"text": "b", "callback_data": "ø" * 32}]]}
    response = await call(api, "sendMessage", chat_id=ANNA, text="t", reply_markup=markup)
    assert response.status_code == 200


async def test_an_inline_keyboard_holds_at_most_a_hundred_buttons(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    for count, status in ((100, 200), (101, 400)):
        rows = [[{"text": str(n), "callback_data": str(n)}] for n in range(count)]
        markup = {"inline_keyboard": rows}
        response = await call(api, "sendMessage", chat_id=ANNA, text="t", reply_markup=markup)
        assert response.status_code == status, count
    assert failure(response) == (400, "Bad Request: reply markup is too long")


async def test_refused_html_names_the_reason(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    response = await call(api, "sendMessage", chat_id=ANNA, text="Hej <navn>", parse_mode="HTML")
    assert failure(response) == (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "navn" at byte offset 4',
    )
    plain = await call(api, "sendMessage", chat_id=ANNA, text="Hej <navn> & co")
    assert plain.json()["result"]["text"] == "Hej <navn> & co"


async def test_edit_failures(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    sent = await call(
        api, "sendMessage", chat_id=ANNA, text="<b>a</b>", parse_mode="HTML", reply_markup=markup
    )
    message_id = sent.json()["result"]["message_id"]
    same = await call(
        api,
        "editMessageText",
        chat_id=ANNA,
        message_id=message_id,
        text="<b>a</b>",
        parse_mode="HTML",
        reply_markup=markup,
    )
    status, description = failure(same)
    assert status == 400
    assert description.startswith("Bad Request: message is not modified: specified new message")
    same_markup = await call(
        api, "editMessageReplyMarkup", chat_id=ANNA, message_id=message_id, reply_markup=markup
    )
    assert failure(same_markup)[1].startswith("Bad Request: message is not modified")
    missing = await call(api, "editMessageText", chat_id=ANNA, message_id=99, text="x")
    assert failure(missing) == (400, "Bad Request: message to edit not found")
    users = await call(api, "editMessageText", chat_id=ANNA, message_id=1, text="x")
    assert failure(users) == (400, "Bad Request: message can't be edited")
    unbold = await call(
        api, "editMessageText", chat_id=ANNA, message_id=message_id, text="a", reply_markup=markup
    )
    assert unbold.status_code == 200
    dropped = await call(api, "editMessageText", chat_id=ANNA, message_id=message_id, text="a")
    assert "reply_markup" not in dropped.json()["result"]


async def test_callback_answers_once(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    sent = await call(api, "sendMessage", chat_id=ANNA, text="?", reply_markup=markup)
    _, query_id = await control.press(ANNA, sent.json()["result"]["message_id"], text="Ja")
    long = await call(api, "answerCallbackQuery", callback_query_id=query_id, text="x" * 201)
    assert failure(long) == (400, "Bad Request: MESSAGE_TOO_LONG")
    first = await call(
        api, "answerCallbackQuery", callback_query_id=query_id, text="Tak", show_alert=True
    )
    assert first.json() == {"ok": True, "result": True}
    assert await control.callback_answer(query_id) == {
        "callback_query_id": query_id,
        "answered": True,
        "text": "Tak",
        "show_alert": True,
        "url": None,
        "cache_time": None,
    }
    expected = (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert failure(await call(api, "answerCallbackQuery", callback_query_id=query_id)) == expected
    assert failure(await call(api, "answerCallbackQuery", callback_query_id="nope")) == expected


async def test_delete_failures_follow_the_clock(
    api: httpx.AsyncClient, control: EmulatorClient, clock: FakeClock
) -> None:
    await control.send_text(ANNA, "hej")
    for _ in range(2):
        await call(api, "sendMessage", chat_id=ANNA, text="x")
    missing = await call(api, "deleteMessage", chat_id=ANNA, message_id=99)
    assert failure(missing) == (400, "Bad Request: message to delete not found")
    assert (await call(api, "deleteMessage", chat_id=ANNA, message_id=2)).json()["result"] is True
    clock.advance(48 * 3600 + 1)
    old = await call(api, "deleteMessage", chat_id=ANNA, message_id=3)
    assert failure(old) == (400, "Bad Request: message can't be deleted for everyone")
    assert [m.message_id for m in await control.messages(ANNA)] == [1, 3]


async def test_flood_limit_per_chat(
    emulator: BotApiEmulator, api: httpx.AsyncClient, control: EmulatorClient, clock: FakeClock
) -> None:
    await control.send_text(ANNA, "hej")
    await control.send_text(7, "hej")
    emulator.flood_limit_per_chat = 2
    for _ in range(2):
        assert (await call(api, "sendMessage", chat_id=ANNA, text="x")).status_code == 200
    flooded = await call(api, "sendMessage", chat_id=ANNA, text="x")
    assert failure(flooded) == (429, "Too Many Requests: retry after 1")
    assert flooded.json()["parameters"] == {"retry_after": 1}
    assert (await call(api, "sendMessage", chat_id=7, text="x")).status_code == 200
    clock.advance(1.0)
    assert (await call(api, "sendMessage", chat_id=ANNA, text="x")).status_code == 200
    await control.set_flood_limit(None)
    for _ in range(5):
        assert (await call(api, "sendMessage", chat_id=ANNA, text="x")).status_code == 200


async def test_get_updates_confirms_by_offset(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    first = await control.send_text(ANNA, "a")
    second = await control.send_text(ANNA, "b")
    updates = (await call(api, "getUpdates")).json()["result"]
    assert [u["update_id"] for u in updates] == [first, second]
    limited = (await call(api, "getUpdates", limit=1)).json()["result"]
    assert [u["update_id"] for u in limited] == [first]
    again = (await call(api, "getUpdates", offset=second)).json()["result"]
    assert [u["update_id"] for u in again] == [second]
    assert [u["update_id"] for u in await control.pending_updates()] == [second]
    assert (await call(api, "getUpdates", offset=second + 1)).json()["result"] == []
    assert await control.pending_updates() == []


async def test_long_poll_wakes_at_once(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(call(api, "getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    update_id = await control.send_text(ANNA, "wake up")
    updates = (await poll).json()["result"]
    assert [u["update_id"] for u in updates] == [update_id]
    assert time.monotonic() - started < 1.0
    started = time.monotonic()
    empty = await call(api, "getUpdates", offset=update_id + 1, timeout=1)
    assert empty.json()["result"] == []
    assert 0.9 < time.monotonic() - started < 2.0


async def test_newer_get_updates_ends_the_older_with_conflict(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    older = asyncio.create_task(call(api, "getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    newer = asyncio.create_task(call(api, "getUpdates", timeout=5))
    status, description = failure(await older)
    assert status == 409
    assert description.startswith("Conflict: terminated by other getUpdates request")
    await control.send_text(ANNA, "hej")
    assert len((await newer).json()["result"]) == 1


async def test_drop_pending_updates_and_allowed_updates(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "a")
    kept = await call(api, "deleteWebhook")
    assert kept.json()["result"] is True
    assert len(await control.pending_updates()) == 1
    await call(api, "deleteWebhook", drop_pending_updates=True)
    assert await control.pending_updates() == []
    assert (await call(api, "getWebhookInfo")).json()["result"]["url"] == ""
    await control.send_text(ANNA, "b")
    only_queries = await call(api, "getUpdates", allowed_updates=["callback_query"])
    assert only_queries.json()["result"] == []


async def test_call_log_records_decoded_params_without_file_bytes(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    await call(api, "sendMessage", chat_id=ANNA, text="x", disable_notification=True)
    await call(api, "sendMessage", chat_id=ANNA, text="")
    await api.post(
        "/sendDocument",
        data={"chat_id": str(ANNA)},
        files={"document": ("a.csv", b"secret,bytes\n", "text/csv")},
    )
    calls = await control.calls()
    assert [c["method"] for c in calls] == ["sendMessage", "sendMessage", "sendDocument"]
    assert calls[0]["params"] == {"chat_id": ANNA, "text": "x", "disable_notification": True}
    assert calls[0]["ok"] is True
    assert (calls[1]["ok"], calls[1]["error_code"]) == (False, 400)
    assert calls[1]["description"] == "Bad Request: message text is empty"
    assert calls[2]["params"]["document"] == {
        "file_name": "a.csv",
        "mime_type": "text/csv",
        "size": 13,
    }
    await control.clear_calls()
    assert await control.calls() == []


async def test_file_download_needs_the_token(
    emulator: BotApiEmulator, api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_document(ANNA, "staff.csv", b"navn\nAnna\n")
    update = (await call(api, "getUpdates")).json()["result"][0]
    file_id = update["message"]["document"]["file_id"]
    path = (await call(api, "getFile", file_id=file_id)).json()["result"]["file_path"]
    async with httpx.AsyncClient(base_url=emulator.base_url, trust_env=False) as client:
        good = await client.get(f"/file/bot{TOKEN}/{path}")
        bad = await client.get(f"/file/bot1:x/{path}")
    assert good.content == b"navn\nAnna\n"
    assert bad.status_code == 401
