"""A caregiver at a door looks a citizen up: Bekey or not, which door, "not yet" while it is
being set up; only in her own unit, and every lookup is audited."""

from __future__ import annotations

from bot.render.i18n import t
from tests.harness import Harness, Person, text_of


async def lookups(bot: Harness) -> list[tuple[str, str | None]]:
    """The audit trail of lookups: (who looked, whom), oldest first."""
    return [(e.actor, e.target) for e in await bot.audit("citizen_lookup")]


async def test_a_caregiver_finds_the_door_of_a_citizen_of_her_unit(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Anna types part of a name: Else, Bekey on the back door, sent protected; audited."""
    anna = unit["anna"]

    answer = (await anna.say("/borger else"))[0]

    assert text_of(answer) == (
        "1 borger i Hjemmepleje Nord:\n🔑 Else Hansen, Strandvej 1, 4640 Faxe: Bekey på bagdør."
    )
    assert answer.protect_content
    assert await lookups(bot) == [("ab1234", "B-101")]


async def test_a_citizen_whose_bekey_is_being_set_up_is_not_yet(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Jens's lock is on its way: the answer says to use the current way in."""
    async with bot.services.db.transaction() as tx:  # set up as visitation will (issue 12)
        await tx.session.execute("UPDATE citizens SET bekey_status = 'pending' WHERE ref = 'B-102'")

    answer = (await unit["anna"].say("/borger torvet"))[0]

    assert "⏳ Jens Olsen, Torvet 3, 4640 Faxe: Bekey er ikke sat op endnu." in text_of(answer)
    assert "Brug den nuværende vej ind." in text_of(answer)


async def test_a_citizen_of_another_unit_is_not_shown(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Karen lives in Syd: Anna of Nord is told there is nobody, and nothing is audited."""
    answer = (await unit["anna"].say("/borger Karen"))[0]

    assert text_of(answer) == t(
        "da", "citizen.none", query="Karen", unit="Hjemmepleje Nord"
    ).replace("<b>", "").replace("</b>", "")
    assert "Skovvej" not in text_of(answer)
    assert await lookups(bot) == []


async def test_too_short_a_lookup_is_shown_how(bot: Harness, unit: dict[str, Person]) -> None:
    """One letter would list half the unit: the answer shows how to look up."""
    answer = (await unit["anna"].say("/borger e"))[0]

    assert text_of(answer).startswith("Slå en borger i din enhed op: /borger")
    assert await lookups(bot) == []
