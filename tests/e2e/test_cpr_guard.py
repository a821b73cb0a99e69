"""A CPR number typed by mistake is refused, deleted, and never stored, logged or forwarded."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from bot.render.i18n import t
from tests.e2e.conftest import SEND_NOW, begin_report
from tests.harness import Harness, Person, text_of

FAKE_CPR = "010190-1234"  # test data, not a real person


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


@pytest.mark.parametrize("typed", [FAKE_CPR, "borger 0101901234 svarer ikke", "010190 1234"])
async def test_a_cpr_number_in_a_description_is_refused_and_leaves_no_trace(
    bot: Harness, unit: dict[str, Person], caplog: pytest.LogCaptureFixture, typed: str
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="handlers")
    anna = unit["anna"]
    await begin_report(anna, ["Nej"])

    replies = await anna.say(typed)

    assert [r.text for r in replies] == [t("da", "cpr.refused")]
    digits = typed.replace("-", "").replace(" ", "")[-10:]
    chat = await anna.messages()
    assert all(typed not in text_of(m) for m in chat), "the message is deleted from the chat"
    stored = await bot.services.triage.active(await bot.employee_record("ab1234"))
    assert stored is not None and stored.model.state == "describing"
    assert stored.model.description is None
    await anna.press(SEND_NOW)
    assert typed not in await unit["per"].last_text()
    text = database_text(str(bot.services.settings.database_path))
    assert typed not in text
    assert digits not in text.replace("-", "").replace(" ", "")
    assert typed not in caplog.text
    assert [e.outcome for e in await bot.audit("cpr_refused")] == ["refused"]


async def test_a_cpr_number_as_a_citizen_search_or_emergency_citizen_is_refused(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("/fejl")
    assert (await anna.say(FAKE_CPR))[0].text == t("da", "cpr.refused")
    await anna.say("/annuller")
    await anna.say("/akut")
    assert (await anna.say(f"borgeren {FAKE_CPR}"))[0].text == t("da", "cpr.refused")
    ticket = await bot.ticket(1)
    assert ticket is not None and ticket.citizen_text is None


async def test_phone_numbers_and_ticket_numbers_are_not_mistaken_for_cpr(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await begin_report(anna, ["Nej"])

    replies = await anna.say("Ringede 43 30 05 05 om F-0042, kl. 12:30")

    assert replies[0].text != t("da", "cpr.refused")
    stored = await bot.services.triage.active(await bot.employee_record("ab1234"))
    assert stored is not None and stored.model.description is not None
