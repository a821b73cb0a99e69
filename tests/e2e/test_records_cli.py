"""A data-protection officer at the server: the records commands as an operator runs them."""

from __future__ import annotations

from tests.e2e.conftest import report
from tests.harness import Harness, Person
from tests.operator import Operator


async def test_an_officer_asks_what_the_bot_holds_about_anna_and_what_a_purge_would_do(
    bot: Harness, unit: dict[str, Person], operator: Operator
) -> None:
    await report(unit["anna"], ["Ja", "Ja", "Nej"], "Låsen blinker rødt")

    held = await operator.run("subject-access", "--user-id", "ab1234")
    dry = await operator.run("purge", "--dry-run")
    trail = await operator.run("audit", "--since", "2026-01-01", "--user-id", "ab1234", "--csv")
    unknown = await operator.run("subject-access", "--user-id", "zz9999")
    bad_date = await operator.run("audit", "--since", "2026-02-30")

    assert held.code == 0, held
    assert "Anna Jensen" in held.out and "F-0001" in held.out
    assert dry.code == 0 and dry.out_lines, dry
    assert await bot.ticket_count() == 1 and (await bot.ticket(1)).description is not None
    assert trail.code == 0, trail
    assert trail.out_lines[0].split(",")[0] == "at"
    assert any("ab1234" in line for line in trail.out_lines[1:])
    assert unknown.refused_in_one_line(1)
    assert bad_date.refused_in_one_line(2)
