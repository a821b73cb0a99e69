"""The demo municipality: its units, staff, citizens and Smartkeys, made as the CLI makes them.

Each demo person is one entry of ``STAFF`` (the lock partner's fitter belongs to the
default firm, made from the sandbox's ``LOCK_PARTNER_*`` settings), each citizen one entry
of ``CITIZENS``, each Smartkey one of ``SMARTKEYS``. ``create_demo`` adds the units, imports
the citizens and the Smartkeys, invites every person and lets them join from their phone
with ``/start``, so each has the menu and the emergency card pinned, as after a real invite.
Last, visitation orders the installation at the one citizen whose Bekey is on its way, so
the fitter has an order waiting.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.app import BekeyApp
from bot.jobs import sender_of, services_of
from bot.processing import PerUserUpdateProcessor
from bot.storage.citizens import CitizenRow
from bot.storage.employees import StaffRow
from bot.storage.smartkeys import SmartkeyRow
from state.bekey_lifecycle import LifecycleState, LifecycleTrigger
from state.roles import Role
from tgemu.client import EmulatorClient

ACTOR = "cli:sandbox"
"""Who sets the demo up, in the audit trail (as the command line signs its actions)."""

NORTH = "Hjemmeplejen Nord"
NURSING = "Sygeplejen Syd"
UNITS = (NORTH, NURSING)
FIRM = "Låsepartner A/S"
"""The sandbox's lock partner firm (its ``LOCK_PARTNER_NAME``): the fitter's, the default."""
PENDING_REF = "B-1009"
"""The citizen whose Bekey is being installed."""

JOIN_SECONDS = 20.0
"""How long one person's joining may take before the demo set-up gives up."""


@dataclass(frozen=True)
class DemoPerson:
    """A demo employee and their phone (the Telegram account that joins by invite)."""

    telegram_id: int
    user_id: str
    first_name: str
    last_name: str
    role: Role
    unit: str
    """Their unit (a lock partner's fitter: none, they belong to the default firm)."""

    @property
    def place(self) -> str:
        """Where they belong, as the page shows it: the unit, or the fitter's firm."""
        return self.unit or FIRM

    @property
    def name(self) -> str:
        """Return the full name."""
        return f"{self.first_name} {self.last_name}"

    def staff_row(self, firm_id: int | None = None) -> StaffRow:
        """Return the person as a line of a staff file (a fitter with their firm)."""
        return StaffRow(self.user_id, self.name, self.role, self.unit, firm_id)


STAFF: tuple[DemoPerson, ...] = (
    DemoPerson(1001, "ab1234", "Anna", "Jensen", Role.CAREGIVER, NORTH),
    DemoPerson(1002, "pl0001", "Per", "Mølgaard", Role.PLANNER, NORTH),
    DemoPerson(1003, "mk2001", "Mette", "Kjær", Role.CAREGIVER, NORTH),
    DemoPerson(1004, "jb2002", "Jonas", "Brøndum", Role.CAREGIVER, NORTH),
    DemoPerson(1005, "kp0001", "Kim", "Østergaard", Role.KEY_PERSON, NORTH),
    DemoPerson(1006, "le0001", "Lise", "Lauridsen", Role.LEADER, NORTH),
    DemoPerson(1007, "fh3001", "Freja", "Holm", Role.SUBSTITUTE, NORTH),
    DemoPerson(1008, "bn4001", "Bent", "Nørgaard", Role.NIGHT_GUARD, NORTH),
    DemoPerson(1009, "vd5001", "Vibeke", "Dahl", Role.VISITATION, NORTH),
    DemoPerson(1010, "pl0002", "Pia", "Sørensen", Role.PLANNER, NURSING),
    DemoPerson(1011, "sa2003", "Søren", "Ågaard", Role.CAREGIVER, NURSING),
    DemoPerson(1012, "lp6001", "Lars", "Låsmand", Role.LOCK_PARTNER, ""),
)
"""The demo staff, in the order the page lists them (a caregiver and a planner first)."""

CITIZENS: tuple[CitizenRow, ...] = (
    CitizenRow("B-1001", "Else Hansen", "Strandvejen 12, 4640 Faxe", NORTH, "bagdøren"),
    CitizenRow("B-1002", "Jens Ørum", "Torvegade 3, 4640 Faxe", NORTH, "hoveddøren"),
    CitizenRow("B-1003", "Åse Mortensen", "Søndergade 21, 4640 Faxe", NORTH, "køkkendøren"),
    CitizenRow("B-1004", "Ib Lærkesen", "Præstøvej 48, 4640 Faxe", NORTH, "hoveddøren"),
    CitizenRow(
        "B-1005", "Grethe Bækgaard", "Hovedgaden 7, 4654 Faxe Ladeplads", NORTH, "terrassedøren"
    ),
    CitizenRow("B-1006", "Poul Æbelø", "Rolighedsvej 5, 4654 Faxe Ladeplads", NORTH, "bagdøren"),
    CitizenRow("B-1007", "Inger Skovgaard", "Ved Kirken 2, 4640 Faxe", NORTH, "hoveddøren"),
    CitizenRow(
        "B-1008", "Kaj Frølund", "Egevej 14, 2. th., 4640 Faxe", NORTH, "opgangsdøren og 2. th."
    ),
    CitizenRow("B-2001", "Karen Nørby", "Jernbanegade 30, 4690 Haslev", NURSING, "hoveddøren"),
    CitizenRow("B-2002", "Holger Dåsbjerg", "Bregentvedvej 3, 4690 Haslev", NURSING, "bagdøren"),
    CitizenRow("B-2003", "Birthe Lund", "Allégade 9, 4690 Haslev", NURSING, "hoveddøren"),
    CitizenRow("B-2004", "Ejnar Søgaard", "Vestergade 19, 4690 Haslev", NURSING, "gavldøren"),
    CitizenRow(
        PENDING_REF,
        "Villy Ærenfeldt",
        "Møllevej 4, 4640 Faxe",
        NORTH,
        "bagdøren",
        LifecycleState.NOTIFIED,
    ),
)
"""The demo citizens: realistic Danish names and addresses, most with Bekey on a named door,
one whose installation is on its way (ordered once the staff have joined)."""


SMARTKEYS: tuple[SmartkeyRow, ...] = (
    *(
        SmartkeyRow(f"N-{n:02d}", NORTH, "Nøgleskabet", "Kontoret, Faxe Plejecenter")
        for n in (1, 2, 3)
    ),
    *(SmartkeyRow(f"S-{n:02d}", NURSING, "Sygeplejens skab", "Sygeplejen, Haslev") for n in (1, 2)),
)
"""The Smartkeys, each in its unit's locked cabinet (as ``import-smartkeys`` reads them)."""


def person(telegram_id: int) -> DemoPerson | None:
    """Return the demo person with this Telegram account, or None."""
    return next((p for p in STAFF if p.telegram_id == telegram_id), None)


async def create_demo(app: BekeyApp, client: EmulatorClient) -> None:
    """Make the demo municipality in a fresh database and let every demo person join."""
    services = services_of(app)
    for unit in UNITS:
        await services.units.add(unit, actor=ACTOR)
    await services.citizens.import_rows(list(CITIZENS), actor=ACTOR)
    await services.smartkeys.import_rows(list(SMARTKEYS), actor=ACTOR)  # before the cards
    firm = await services.lock_partners.default()  # from the settings
    firm_id = firm.id if firm else None
    await asyncio.gather(*(_join(app, client, demo, firm_id) for demo in STAFF))
    await _order_pending(app)
    await sender_of(app).settled(timeout=JOIN_SECONDS)


async def _order_pending(app: BekeyApp) -> None:
    """Visitation orders the installation at the citizen whose Bekey is on its way."""
    services = services_of(app)
    visitator = next(p for p in STAFF if p.role is Role.VISITATION)
    employee = await services.staff.get(visitator.user_id)
    found = await services.lifecycle.search(employee, PENDING_REF) if employee else None
    if employee is None or found is None or not found.citizens:
        return
    await services.lifecycle.step(employee, found.citizens[0].id, LifecycleTrigger.ORDER)


async def _join(
    app: BekeyApp, client: EmulatorClient, demo: DemoPerson, firm_id: int | None
) -> None:
    """Invite one person and open the link on their phone; wait until the bot has answered."""
    services = services_of(app)
    invitation = await services.staff.invite(
        demo.staff_row(firm_id if demo.role is Role.LOCK_PARTNER else None),
        actor=ACTOR,
        bot_username=services.bot_username,
    )
    update_id = await client.send_text(
        demo.telegram_id,
        f"/start {invitation.token}",
        first_name=demo.first_name,
        last_name=demo.last_name,
    )
    processor = app.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    await processor.wait_finished(update_id, timeout=JOIN_SECONDS)
