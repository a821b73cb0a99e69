"""A citizen looked up at the door: ``/borger Else`` answers for the employee's own unit
whether the citizen has Bekey, on which door, and (while it is being set up) "not yet"."""

from __future__ import annotations

from telegram import Update

from bot.render.i18n import t
from bot.render.pages import NAME_MAX, cut
from handlers.context import BekeyContext, after_command

QUERY_MIN = 2
"""The fewest letters a lookup takes (one letter would list half the unit)."""


async def look_up_citizen(update: Update, context: BekeyContext) -> None:
    """Answers who of the unit's citizens match: Bekey or not, which door, and the status."""
    language = context.language
    employee = context.employee
    query = " ".join(after_command(update).split())
    if len(query) < QUERY_MIN:
        await context.reply(t(language, "citizen.usage"))
        return
    found = await context.services.citizens.look_up(employee, query)
    if found is None:
        await context.reply(t(language, "citizen.not_allowed"))
        return
    if not found.citizens:
        shown = cut(query, NAME_MAX)
        await context.reply(t(language, "citizen.none", query=shown, unit=employee.unit))
        return
    lines = [t(language, "citizen.head", count=found.matches, unit=employee.unit)]
    for citizen in found.citizens:
        key = f"citizen.{citizen.bekey_status.value}"
        lines.append(
            t(
                language,
                key,
                name=cut(citizen.name, NAME_MAX),
                address=cut(citizen.address, 60),
                door=cut(citizen.bekey_door, 40),
            )
        )
    if found.matches > len(found.citizens):
        lines.append(t(language, "citizen.more", count=found.matches - len(found.citizens)))
    await context.reply("\n".join(lines), protect=True)
