"""A CPR number typed by mistake is refused, deleted, and never stored, logged or forwarded.

Wherever a person can write one: a message, a file's caption, an edit of an earlier
message, a command's arguments, a name in a staff file. Every number here is made up
(test data, nobody's number).
"""

from __future__ import annotations

import io
import json
import logging
import re
import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.render.i18n import t
from state.cpr import normalise
from tests.e2e.conftest import SEND_NOW, begin_report
from tests.harness import Harness, Person, text_of
from tgemu.client import ChatMessage

FAKE_CPR = "010190-1234"  # test data, not a real person
REFUSED = t("da", "cpr.refused")
STAFF_FILE = "user_id,name,role,unit\n"


def database_text(path: str) -> str:
    """Every text value in every table of the database."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        values: list[str] = []
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608
                values.extend(str(v) for v in row)
        return "\n".join(values)
    finally:
        conn.close()


def file_and_wal(path: Path) -> bytes:
    """The bytes of the database file and of its write-ahead log (which must be there)."""
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0, "the WAL is there to be searched"
    return path.read_bytes() + wal.read_bytes()


def digits_of(spelling: str) -> str:
    """The ten digits of a CPR number however it was spelled."""
    return "".join(re.findall(r"\d", normalise(spelling)))[-10:]


def traces(digits: str) -> re.Pattern[str]:
    """The ten digits in order, together or with up to three other characters between any two."""
    return re.compile(r"\D{0,3}".join(digits))


def byte_traces(digits: str) -> re.Pattern[bytes]:
    """The ten digits in the bytes of a file, together or with separators (UTF-8) between."""
    return re.compile(rb"[^0-9]{0,9}".join(digit.encode() for digit in digits))


async def edit(bot: Harness, person: Person, message_id: int, text: str) -> list[ChatMessage]:
    """The person edits a message they sent; return the bot's new messages."""
    before = max(m.message_id for m in await person.messages())
    update_id = await bot.client.edit(person.telegram_id, message_id, text)
    await bot.handled(update_id)
    return [m for m in await person.bot_messages() if m.message_id > before]


async def send_file(
    bot: Harness, person: Person, name: str, content: bytes, caption: str | None = None
) -> list[ChatMessage]:
    """The person sends a file, with a caption if given; return the bot's new messages."""
    before = max((m.message_id for m in await person.messages()), default=0)
    update_id = await bot.client.send_document(
        person.telegram_id, name, content, caption, first_name=person.first_name
    )
    await bot.handled(update_id)
    return [m for m in await person.bot_messages() if m.message_id > before]


async def own_message(person: Person, text: str) -> int:
    """The id of the person's newest message with this text."""
    mine = [m for m in await person.messages() if not m.from_bot and m.text == text]
    assert mine, f"no message {text!r} from {person.first_name}"
    return mine[-1].message_id


def workbook(rows: list[list[str]]) -> bytes:
    """An Excel workbook with these rows on its first sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- messages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        FAKE_CPR,
        "borger 0101901234 svarer ikke",
        "010190 1234",
        "130190\n1123",
        "Borgeren 15.01.90-1125 svarer ikke",
        "150190\u200b-1125",
        "150190\u00ad1125",
        "150190\t1125",
        "150190\uff0d1125",
    ],
)
async def test_a_cpr_number_in_a_description_is_refused_and_leaves_no_trace(
    bot: Harness, unit: dict[str, Person], caplog: pytest.LogCaptureFixture, typed: str
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="handlers")
    anna = unit["anna"]
    await begin_report(anna, ["Nej"])

    replies = await anna.say(typed)

    assert [r.text for r in replies] == [REFUSED]
    digits = digits_of(typed)
    chat = await anna.messages()
    assert all(typed not in text_of(m) for m in chat), "the message is deleted from the chat"
    stored = await bot.services.triage.active(await bot.employee_record("ab1234"))
    assert stored is not None and stored.model.state == "describing"
    assert stored.model.description is None
    await anna.press(SEND_NOW)
    assert not traces(digits).search(await unit["per"].last_text())
    text = database_text(str(bot.services.settings.database_path))
    assert typed not in text
    assert not traces(digits).search(text)
    assert not traces(digits).search(caplog.text)
    assert [e.outcome for e in await bot.audit("cpr_refused")] == ["refused"]


async def test_a_cpr_number_as_a_citizen_search_or_emergency_citizen_is_refused(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("/fejl")
    assert (await anna.say(FAKE_CPR))[0].text == REFUSED
    assert (await anna.say("Else 15 01 90 1125"))[0].text == REFUSED
    await anna.say("/annuller")
    await anna.say("/akut")
    assert (await anna.say(f"borgeren {FAKE_CPR}"))[0].text == REFUSED
    assert (await anna.say("borgeren 150190 - 1125"))[0].text == REFUSED
    ticket = await bot.ticket(1)
    assert ticket is not None and ticket.citizen_text is None


@pytest.mark.parametrize(
    "typed",
    [
        "Ringede 43 30 05 05 om F-0042, kl. 12:30",
        "Ringede +45 43 30 05 05 den 15.01.90 kl. 10.30",
        "Vagt 15.01.90 10.30, kl. 07.30-15.30",
        "Ågade 12, 4640 Faxe. Sager F-0042, F-0043 fra 2026-11-29",
    ],
)
async def test_phone_numbers_dates_and_ticket_numbers_are_not_mistaken_for_cpr(
    bot: Harness, unit: dict[str, Person], typed: str
) -> None:
    anna = unit["anna"]
    await begin_report(anna, ["Nej"])

    replies = await anna.say(typed)

    assert replies[0].text != REFUSED
    stored = await bot.services.triage.active(await bot.employee_record("ab1234"))
    assert stored is not None and stored.model.description == typed


# --- captions -------------------------------------------------------------------------------


async def test_a_cpr_number_in_a_caption_is_refused_and_the_file_deleted(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]

    replies = await send_file(bot, anna, "noter.txt", b"Doeren klemmer", "Borger 150190 1125")

    assert [r.text for r in replies] == [REFUSED]
    assert all(m.document is None for m in await anna.messages()), "the file is deleted"
    assert len(await bot.audit("cpr_refused")) == 1


async def test_a_staff_file_with_a_cpr_number_in_its_caption_imports_nobody(
    bot: Harness, unit: dict[str, Person]
) -> None:
    kim = unit["kim"]
    good = STAFF_FILE + "sub01,Sofie Holm,afløser,Hjemmepleje Nord\n"

    replies = await send_file(bot, kim, "hold.csv", good.encode(), "Sofie 16.01.90-1126")

    assert [r.text for r in replies] == [REFUSED]
    assert await bot.services.staff.get("sub01") is None


# --- edits ----------------------------------------------------------------------------------


async def test_an_edit_is_never_new_input_and_gets_no_answer(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("Døren klemmer")  # before /fejl: not understood
    earlier = await own_message(anna, "Døren klemmer")
    await begin_report(anna, ["Nej"])
    command = await own_message(anna, "/fejl")
    await bot.client.clear_calls()

    assert await edit(bot, anna, earlier, "Døren klemmer stadig") == []
    assert await edit(bot, anna, command, "/akut") == []

    stored = await bot.services.triage.active(await bot.employee_record("ab1234"))
    assert stored is not None and stored.model.state == "describing"
    assert stored.model.description is None
    assert await bot.ticket_count() == 0, "the edit to /akut started no emergency"
    calls = [c["method"] for c in await bot.client.calls() if c["method"] != "getUpdates"]
    assert calls == [], "nothing is sent, edited or deleted for an edit"


async def test_an_edit_that_adds_a_cpr_number_is_refused_deleted_and_audited(
    bot: Harness, unit: dict[str, Person], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="handlers")
    anna = unit["anna"]
    await begin_report(anna, ["Nej"])
    await anna.say("Døren klemmer")
    described = await own_message(anna, "Døren klemmer")

    replies = await edit(bot, anna, described, "Døren klemmer hos 15.01.90-1125")

    assert [r.text for r in replies] == [REFUSED]
    assert described not in [m.message_id for m in await anna.messages()], "deleted"
    stored = await bot.services.triage.active(await bot.employee_record("ab1234"))
    assert stored is not None and stored.model.description == "Døren klemmer"
    assert [e.actor for e in await bot.audit("cpr_refused")] == ["ab1234"]
    assert "refused: looks like a CPR number" in caplog.text
    assert not traces("1501901125").search(caplog.text)


async def test_a_cpr_number_edited_into_a_caption_is_refused(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await send_file(bot, anna, "noter.txt", b"Doeren klemmer", "Noter")
    sent = next(m for m in await anna.messages() if m.document is not None)

    replies = await edit(bot, anna, sent.message_id, "Noter om 150190/1126")

    assert [r.text for r in replies] == [REFUSED]
    assert all(m.document is None for m in await anna.messages())


async def test_an_old_message_edited_to_a_cpr_number_cannot_be_deleted_and_the_person_is_told(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("Døren klemmer")
    old = await own_message(anna, "Døren klemmer")
    await bot.client.advance_clock(49 * 3600)  # Telegram lets a bot delete for 48 hours

    replies = await edit(bot, anna, old, "Døren klemmer, 150190 1125")

    assert [r.text for r in replies] == [t("da", "cpr.refused_kept")]
    assert len(await bot.audit("cpr_refused")) == 1
    database = database_text(str(bot.services.settings.database_path))
    assert not traces("1501901125").search(database)


# --- command arguments ----------------------------------------------------------------------


async def test_a_cpr_number_in_a_commands_arguments_is_refused_without_echo(
    bot: Harness, unit: dict[str, Person]
) -> None:
    lis = unit["lis"]
    await bot.client.clear_calls()

    replies = await lis.say("/inviter ol1127 elev Ole 170190/1127")

    assert [r.text for r in replies] == [REFUSED]
    assert await bot.services.staff.get("ol1127") is None
    sent = json.dumps(await bot.client.calls(), ensure_ascii=False)
    assert not traces("1701901127").search(sent)
    assert all("ol1127" not in (m.text or "") for m in await lis.messages()), "deleted"


# --- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Ole 170190/1127", "Ole 17.01.90-1127", "Ole 170190\u20091127"])
async def test_a_staff_file_with_a_cpr_number_as_a_name_is_refused_and_nothing_is_stored(
    bot: Harness, unit: dict[str, Person], name: str
) -> None:
    kim = unit["kim"]
    content = STAFF_FILE + (
        f"sub01,Sofie Holm,afløser,Hjemmepleje Nord\nol01,{name},elev,Hjemmepleje Nord\n"
    )

    replies = await send_file(bot, kim, "hold.csv", content.encode())

    text = text_of(replies[0])
    assert text.startswith(t("da", "import.refused", count=1))
    assert "Linje 3: ligner et CPR-nummer" in text
    assert not traces("1701901127").search(text)
    assert await bot.services.staff.get("ol01") is None
    assert await bot.services.staff.get("sub01") is None
    database = database_text(str(bot.services.settings.database_path))
    assert not traces("1701901127").search(database)


# --- no trace anywhere ----------------------------------------------------------------------

MESSAGES = ["130190\n1123", "140190 - 1124", "15.01.90-1125", "150190/1126", "1️⃣6️⃣0️⃣1️⃣9️⃣0️⃣1️⃣1️⃣2️⃣8️⃣"]
SEARCHES = ["Else 18 01 90 1129", "180290\u200b1130"]
EMERGENCY_SEARCHES = ["borgeren 190190\u00ad1131", "190290\t1132"]
CAPTIONS = ["Borger 200190  1133", "200290\u20091134"]
EDITS = ["Døren klemmer hos 210190\uff0d1135", "/fejl 21.02.90 1136"]
CAPTION_EDITS = ["Noter om 220190-\n1137"]
COMMANDS = [
    "/inviter ol1127 elev Ole 170190/1127",
    "/sprog 230190-1138",
    "/fejl 23 02 90 1139",
    "/akut 240190–1140",
]
STRANGER_START = "/start 240290-1141"
STAFF_NAMES = ["Ole 250190/1142", "Ib 25.02.90 - 1143"]
WORKBOOK_NAMES = ["Eva 260190\u202f1144"]

ALL_SPELLINGS = [
    *MESSAGES,
    *SEARCHES,
    *EMERGENCY_SEARCHES,
    *CAPTIONS,
    *EDITS,
    *CAPTION_EDITS,
    *COMMANDS,
    STRANGER_START,
    *STAFF_NAMES,
    *WORKBOOK_NAMES,
]


async def test_no_spelling_leaves_a_trace_in_the_database_its_wal_the_log_or_what_was_sent(
    bot: Harness, unit: dict[str, Person], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="telegram")  # as production runs it (bot/logs.py)
    for ours in ("bot", "handlers", "state", "tgemu"):
        caplog.set_level(logging.DEBUG, logger=ours)
    anna, kim, lis = unit["anna"], unit["kim"], unit["lis"]
    refusals: list[ChatMessage] = []

    # Messages: a fault description, a citizen search, an emergency's citizen.
    await begin_report(anna, ["Nej"])
    for typed in MESSAGES:
        refusals += await anna.say(typed)
    await anna.press(SEND_NOW)
    await anna.say("/fejl")
    for typed in SEARCHES:
        refusals += await anna.say(typed)
    await anna.say("/annuller")
    await anna.say("/akut")
    for typed in EMERGENCY_SEARCHES:
        refusals += await anna.say(typed)
    # Captions.
    for caption in CAPTIONS:
        refusals += await send_file(bot, anna, "noter.txt", b"Doeren klemmer", caption)
    # Edits of accepted messages, and of a caption.
    for before, after in zip(["Døren klemmer", "/fejl"], EDITS, strict=True):
        await anna.say(before)
        refusals += await edit(bot, anna, await own_message(anna, before), after)
    await send_file(bot, anna, "noter.txt", b"Doeren klemmer", "Noter")
    noter = next(m for m in await anna.messages() if m.document is not None)
    for caption in CAPTION_EDITS:
        refusals += await edit(bot, anna, noter.message_id, caption)
    # Commands' arguments, and a stranger's /start.
    for command in COMMANDS:
        refusals += await lis.say(command)
    stranger = bot.person("Stranger")
    refusals += await stranger.say(STRANGER_START)
    # Files: a CSV and a workbook of staff.
    staff = STAFF_FILE + "".join(
        f"el{n},{name},elev,Hjemmepleje Nord\n" for n, name in enumerate(STAFF_NAMES)
    )
    file_answers = await send_file(bot, kim, "hold.csv", staff.encode())
    rows = [["user_id", "name", "role", "unit"]] + [
        [f"wb{n}", name, "elev", "Hjemmepleje Nord"] for n, name in enumerate(WORKBOOK_NAMES)
    ]
    file_answers += await send_file(bot, kim, "hold.xlsx", workbook(rows))

    # Every spelling was refused where it was written, and audited without its text.
    typed_count = len(ALL_SPELLINGS) - len(STAFF_NAMES) - len(WORKBOOK_NAMES)
    assert [r.text for r in refusals] == [REFUSED] * typed_count
    assert len(await bot.audit("cpr_refused")) == typed_count
    assert [text_of(a).split("\n")[0] for a in file_answers] == [
        t("da", "import.refused", count=len(STAFF_NAMES)),
        t("da", "import.refused", count=len(WORKBOOK_NAMES)),
    ]
    assert await bot.services.staff.get("el0") is None
    assert "refused: looks like a CPR number" in caplog.text, "the log is there to be searched"

    # Nothing of any of them is in the database, its WAL, the log, the chats or the calls.
    path = Path(bot.services.settings.database_path)
    database_bytes = file_and_wal(path)
    values = database_text(str(path))
    calls = await bot.client.calls()
    assert any(c["method"] == "sendMessage" for c in calls)
    sent = json.dumps(calls, ensure_ascii=False)
    shown: list[str] = []
    for person in (anna, kim, lis, stranger):
        for message in await person.messages():
            shown += [message.text or "", message.html or ""]
            if message.from_bot and message.document is not None:
                shown.append(await bot.client.document_text(message))
    chats = "\n".join(shown)
    for spelling in ALL_SPELLINGS:
        digits = digits_of(spelling)
        assert len(digits) == 10
        assert not byte_traces(digits).search(database_bytes), spelling
        for name, text in [
            ("database", values),
            ("log", caplog.text),
            ("Bot API calls", sent),
            ("chats and files sent", chats),
        ]:
            assert spelling not in text, f"{spelling!r} in {name}"
            assert not traces(digits).search(text), f"{spelling!r} in {name}"
