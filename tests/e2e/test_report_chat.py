"""The leader's monthly report in chat: ``/rapport [YYYY-MM]``.

Anna reports two faults at Else's door; Per takes them after 10 and 20 minutes on the
emulator's clock. Lis, the leader, asks for November 2026 and gets three protected messages:
the unit's figures in short (with the municipality's line), the chart as a PNG file and the
whole report as a workbook that opens. A caregiver is told the report is not for her role;
a month that does not exist gets the usage line.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.render.i18n import t
from bot.render.report_sheet import HEADER
from tests.e2e.conftest import report
from tests.harness import Harness, Person, text_of
from tgemu.client import ChatMessage

NORD = "Hjemmepleje Nord"
TAKE = "✋ Tag sagen"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def _take(per: Person) -> None:
    await per.press(TAKE, await per.message_with_button(TAKE))


async def _file(bot: Harness, message: ChatMessage) -> tuple[str, bytes]:
    """A document's name and content, as the leader would download it."""
    assert message.document is not None, f"message {message.message_id} has no file"
    name, _, content = await bot.client.file(str(message.document["file_id"]))
    return name, content


async def test_the_leader_gets_the_figures_the_chart_and_the_workbook(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per, lis = unit["anna"], unit["per"], unit["lis"]
    await report(anna, ["Ja", "Ja", "Nej"])  # the door
    await bot.tick(minutes=10)
    await _take(per)
    await report(anna, ["Nej"])  # the phone
    await bot.tick(minutes=20)
    await _take(per)

    replies = await lis.say("/rapport 2026-11")

    assert len(replies) == 3, [m.text for m in replies]
    text, chart, sheet = replies
    summary = text_of(text)
    assert summary.startswith(f"📊 Bekey-fejlmeldinger 2026-11: {NORD}")
    assert "2 fejlmeldinger, heraf åbne nu: 2" in summary
    assert "Tid til at tage sagen: median 15 minutter" in summary
    assert "Hele kommunen: 2 fejlmeldinger" in summary
    assert text.document is None
    assert all(m.protect_content for m in replies)  # the figures stay in the app

    png_name, png = await _file(bot, chart)
    assert png_name == "rapport-2026-11.png"
    assert png.startswith(PNG_SIGNATURE)
    assert chart.text is not None and NORD in chart.text

    xlsx_name, workbook = await _file(bot, sheet)
    assert xlsx_name == "rapport-2026-11.xlsx"
    book = load_workbook(io.BytesIO(workbook)).active
    assert book is not None
    rows = [list(row) for row in book.iter_rows(values_only=True)]
    assert tuple(rows[0]) == HEADER
    nord = next(row for row in rows if row[:2] == [NORD, "all"])
    assert nord[HEADER.index("reports")] == 2
    assert nord[HEADER.index("take_median_min")] == 15


async def test_the_report_is_for_leaders_and_takes_a_month(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, lis = unit["anna"], unit["lis"]

    refused = await anna.say("/rapport")

    assert [text_of(m) for m in refused] == [
        t("da", "access.wrong_role", role=t("da", "role.caregiver"))
    ]

    usage = await lis.say("/rapport 2026-13")

    assert len(usage) == 1 and usage[0].document is None
    assert text_of(usage[0]).startswith("Skriv /rapport for sidste måned")
    assert "\n" not in text_of(usage[0])

    october = await lis.say("/report")  # the English name; last month, by the clock

    assert len(october) == 3
    assert text_of(october[0]).startswith(f"📊 Bekey-fejlmeldinger 2026-10: {NORD}")
    assert "0 fejlmeldinger" in text_of(october[0])
