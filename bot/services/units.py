"""Units: the list the bot knows, and the one spelling every file and invite is brought to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.services.base import Service
from bot.storage.units import Unit
from state.units import unit_key, valid_unit_name


class UnitExists(Exception):
    """The bot knows a unit of that name already (in some spelling)."""


class BadUnitName(Exception):
    """The text cannot name a unit."""


@dataclass(frozen=True)
class Resolved:
    """Each name given, mapped to the unit it means; the names the bot does not know."""

    units: dict[str, Unit]
    unknown: list[str]

    def name_of(self, given: str) -> str:
        """The unit's one spelling for a name given (known ones only)."""
        return self.units[unit_key(given)].name


class UnitService(Service):
    """Lists, adds and resolves units."""

    async def all(self) -> list[Unit]:
        """Every unit the bot knows, by name."""
        async with self.db.read() as tx:
            return await tx.units.all()

    async def add(self, name: str, *, actor: str) -> Unit:
        """Add a unit (audited); UnitExists if the bot knows it in any spelling."""
        if not valid_unit_name(name):
            raise BadUnitName(name)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            known = await tx.units.find(name)
            if known is not None:
                raise UnitExists(known.name)
            unit = await tx.units.add(name, now)
            await tx.audit.record(now, actor, "unit_added", unit.name)
        return unit

    async def resolve(
        self, names: Iterable[str], *, create: bool = False, actor: str = "system"
    ) -> Resolved:
        """Find the unit each name means; with ``create``, add the unknown ones (audited)."""
        now = self.clock.now()
        found: dict[str, Unit] = {}
        unknown: list[str] = []
        async with self.db.transaction() as tx:
            for name in names:
                key = unit_key(name)
                if key in found or name in unknown:
                    continue
                unit = await tx.units.find(name)
                if unit is None and create and valid_unit_name(name):
                    unit = await tx.units.add(name, now)
                    await tx.audit.record(now, actor, "unit_added", unit.name)
                if unit is None:
                    unknown.append(name)
                else:
                    found[key] = unit
        return Resolved(found, unknown)
