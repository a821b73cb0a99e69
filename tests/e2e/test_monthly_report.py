"""The leader's monthly report: ``python -m bot report tickets --month YYYY-MM [--csv | --xlsx]``.

Anna reports three faults at Else's door through the bot and solves a fourth herself; Per
takes them after 10, 14 and 30 minutes on the emulator's clock (the third only after it was
escalated once) and resolves the first after an hour. The operator's report, run as a
process over the bot's database, counts exactly that; so does the service the chat command
will use, whose chart is a PNG and whose workbook opens. A purge a year and more later
anonymises the tickets, and the month's report keeps its figures.
"""

from __future__ import annotations

import csv
import io
import stat
from datetime import timedelta

from openpyxl import load_workbook

from bot.clock import ManualClock
from bot.render.report_chart import OPERATOR_WORDS as CHART_WORDS
from bot.render.report_chart import SIZE, chart_png
from bot.render.report_sheet import HEADER, xlsx_bytes
from bot.render.report_text import OPERATOR_WORDS as SUMMARY_WORDS
from bot.render.report_text import summary
from state.report import Month
from state.triage import TriageCategory
from tests.e2e.conftest import begin_report, report
from tests.harness import Harness, Person
from tests.operator import Operator

NORD = "Hjemmepleje Nord"
TAKE, RESOLVE = "✋ Tag sagen", "✅ Løst"
WORKS_NOW = "✅ Det virker nu"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def _take(per: Person, button: str = TAKE) -> None:
    await per.press(button, await per.message_with_button(button))


async def _a_month_of_faults(bot: Harness, unit: dict[str, Person]) -> None:
    """Three tickets taken after 10, 14 and 30 minutes (the last escalated once), the first
    resolved after 60; and one fault Anna's own check solved. All on 27 November 2026."""
    anna, per = unit["anna"], unit["per"]
    await report(anna, ["Ja", "Ja", "Nej"])  # the door
    await bot.tick(minutes=10)
    await _take(per)
    await bot.tick(minutes=50)
    await _take(per, RESOLVE)
    await report(anna, ["Nej"])  # the phone
    await bot.tick(minutes=14)
    await _take(per)
    await report(anna, ["Ja", "Nej"])  # the login
    await bot.tick(minutes=15)  # escalated to planners and key persons
    await bot.tick(minutes=15)
    await _take(per)
    await begin_report(anna, [WORKS_NOW])  # solved at the phone check: no ticket


def _rows(out: str) -> dict[tuple[str, str], dict[str, str]]:
    """The CSV's rows by unit and category."""
    table = list(csv.DictReader(io.StringIO(out)))
    return {(row["unit"], row["category"]): row for row in table}


async def test_the_report_counts_the_tickets_the_caregiver_made_and_the_planner_took(
    bot: Harness, unit: dict[str, Person], operator: Operator, clock: ManualClock
) -> None:
    await _a_month_of_faults(bot, unit)
    assert await bot.ticket_count() == 3
    assert (await bot.triage_outcomes()).get("solved_by_caregiver") == 1

    run = await operator.run("report", "tickets", "--month", "2026-11", "--csv")

    assert (run.code, run.err) == (0, ""), run
    assert run.out_lines[0] == ",".join(HEADER)
    rows = _rows(run.out)
    nord = rows[(NORD, "all")]
    assert {key: nord[key] for key in HEADER[2:13]} == {
        "reports": "3",
        "self_solved": "1",
        "cancelled": "0",
        "still_open": "2",
        "taken": "3",
        "take_median_min": "14.0",
        "take_p90_min": "30.0",
        "resolved": "1",
        "resolve_median_min": "60.0",
        "resolve_p90_min": "60.0",
        "escalations": "1",
    }
    assert (nord["staff"], nord["trained"], nord["untrained"]) == ("5", "0", "5")
    door, phone, login = (rows[(NORD, c)] for c in ("door", "phone", "login"))
    assert (door["reports"], door["take_median_min"], door["resolve_median_min"]) == (
        "1",
        "10.0",
        "60.0",
    )
    assert (phone["reports"], phone["self_solved"], phone["take_median_min"]) == ("1", "1", "14.0")
    assert (login["reports"], login["escalations"], login["take_p90_min"]) == ("1", "1", "30.0")
    assert door["staff"] == ""  # the Smartkey and training columns are on the unit's line
    syd = rows[("Hjemmepleje Syd", "all")]
    assert (syd["reports"], syd["self_solved"], syd["take_median_min"]) == ("0", "0", "")
    total = rows[("All units", "all")]
    assert (total["reports"], total["self_solved"], total["take_median_min"]) == ("3", "1", "14.0")
    assert list(rows)[-1] == ("All units", "all")

    # The same month as a table for the terminal, as a workbook, and a month with nothing.
    table = await operator.run("report", "tickets", "--month", "2026-11")
    assert table.code == 0, table
    assert table.out_lines[0].startswith("Bekey fault reports 2026-11 (Europe/Copenhagen;")
    nord_line = next(line for line in table.out_lines if line.startswith(f"{NORD}  all"))
    assert nord_line.split()[3:10] == ["3", "1", "2", "14m", "30m", "60m", "60m"]
    assert "Hjemmepleje Nord: Smartkeys 0 handed out, 0 lost, 0 overdue" in table.out
    book_path = operator.workdir / "rapport.xlsx"
    written = await operator.run(
        "report", "tickets", "--month", "2026-11", "--xlsx", "--out", str(book_path)
    )
    assert written.code == 0, written
    assert stat.S_IMODE(book_path.stat().st_mode) == 0o600
    sheet = load_workbook(book_path).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(cells[0]) == HEADER
    book_nord = next(row for row in cells if row[:2] == [NORD, "all"])
    assert book_nord[2:9] == [3, 1, 0, 2, 3, 14, 30]
    december = await operator.run("report", "tickets", "--month", "2026-12", "--csv")
    assert _rows(december.out)[("All units", "all")]["reports"] == "0"

    # The chat command's pieces: the service's figures, the summary, the chart, the workbook.
    month = await bot.services.reports.tickets(Month(2026, 11))
    figures = month.line(NORD, None).figures
    assert (figures.reports, figures.take_median) == (3, timedelta(minutes=14))
    assert month.per_week["2026-W48"][TriageCategory.DOOR] == 1
    text = summary(month, SUMMARY_WORDS, "en", NORD)
    assert "Reports: 3 (2 still open)" in text and "own check: 1" in text
    png = chart_png(month, CHART_WORDS)
    assert png.startswith(PNG_SIGNATURE)
    assert (int.from_bytes(png[16:20]), int.from_bytes(png[20:24])) == SIZE
    assert chart_png(month, CHART_WORDS, NORD, NORD).startswith(PNG_SIGNATURE)
    book = load_workbook(io.BytesIO(xlsx_bytes(month))).active
    assert book is not None and book.cell(1, 1).value == "unit"

    # Per resolves the escalated ticket too. Long after, retention anonymises both resolved
    # tickets (an escalation's detail goes) and the solved triage; the month's figures stay
    # (the own solve's unit is no longer known).
    await _take(unit["per"], RESOLVE)
    assert (await bot.ticket(3)).model.state == "resolved"
    clock.advance(timedelta(days=420))
    purged = await bot.services.retention.purge(dry_run=False)
    assert purged.tickets == 2 and purged.triages >= 1
    assert [e.detail for e in await bot.ticket_events(3)] == [None, None, None, None]
    again = await operator.run("report", "tickets", "--month", "2026-11", "--csv")
    after = _rows(again.out)
    for key in ("reports", "taken", "take_median_min", "take_p90_min", "escalations"):
        assert after[(NORD, "all")][key] == nord[key], key
    assert after[(NORD, "login")]["escalations"] == "1"
    assert after[(NORD, "all")]["resolved"] == "2"
    assert after[(NORD, "all")]["self_solved"] == "0"
    assert after[("(unit unknown)", "phone")]["self_solved"] == "1"
    assert after[("All units", "all")]["self_solved"] == "1"


async def test_a_bad_month_is_refused_in_one_line(operator: Operator) -> None:
    for month in ("2026-13", "november", "2026-1"):
        run = await operator.run("report", "tickets", "--month", month)
        assert "is not a month (YYYY-MM)" in run.refused_in_one_line(2)
    no_file = await operator.run("report", "tickets", "--month", "2026-11", "--xlsx")
    assert "--xlsx needs --out" in no_file.refused_in_one_line(2)
    assert not operator.database.exists()  # refused before anything was opened
