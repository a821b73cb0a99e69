"""Exercises for training: a goal each, which the sandbox checks by itself and marks done.

An exercise is one entry of ``EXERCISES``: a key, a title and a one-paragraph instruction in
Danish and English, and a check that reads the bot's database (or what the page told the
sandbox, such as a pinned card opened without network). Checks run after every change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.storage.tickets import StoredTicket
from sandbox.session import Session
from state.roles import Role
from state.ticket import TicketStatus
from state.triage import TriageCategory


@dataclass(frozen=True)
class Bilingual:
    """A text the page shows: Danish first, English second."""

    da: str
    en: str

    def as_json(self) -> dict[str, str]:
        """Return {"da": ..., "en": ...}."""
        return {"da": self.da, "en": self.en}


@dataclass
class Facts:
    """What the page has told the sandbox in this session (the database holds the rest)."""

    pinned_opened_offline: set[int]


Check = Callable[[Session, Facts], Awaitable[bool]]


@dataclass(frozen=True)
class Exercise:
    """One exercise: what to do, and how the sandbox sees that it was done."""

    key: str
    title: Bilingual
    instruction: Bilingual
    check: Check

    def as_json(self, done: bool) -> dict[str, object]:
        """Return the exercise as the page shows it."""
        return {
            "key": self.key,
            "title": self.title.as_json(),
            "instruction": self.instruction.as_json(),
            "done": done,
        }


async def tickets(session: Session) -> list[StoredTicket]:
    """Return every ticket of the session, oldest first."""
    async with session.services.db.read() as tx:
        count = await tx.tickets.count()
        found = [await tx.tickets.get(number) for number in range(1, count + 1)]
    return [ticket for ticket in found if ticket is not None]


async def _door_fault_reported(session: Session, facts: Facts) -> bool:
    """A fault at a door reached the planner."""
    return any(t.model.category == TriageCategory.DOOR for t in await tickets(session))


async def _emergency_found_offline(session: Session, facts: Facts) -> bool:
    """Someone opened the pinned emergency card while their phone had no network."""
    return bool(facts.pinned_opened_offline)


async def _taken_and_resolved_by_planner(session: Session, facts: Facts) -> bool:
    """A planner took a ticket and resolved it."""
    for ticket in await tickets(session):
        if ticket.model.state != TicketStatus.RESOLVED or ticket.model.taken_by is None:
            continue
        taker = await session.services.staff.get(ticket.model.taken_by)
        if taker is not None and taker.role is Role.PLANNER:
            return True
    return False


async def _escalated(session: Session, facts: Facts) -> bool:
    """A ticket nobody took went on to the key person."""
    return any(t.escalation_level >= 1 for t in await tickets(session))


async def _smartkey_handed_out_and_back(session: Session, facts: Facts) -> bool:
    """A keeper handed a Smartkey out, and a key was recorded back in its cabinet."""
    async with session.services.db.read() as tx:
        handed = await tx.audit.entries("smartkey_hand_out")
        back = await tx.audit.entries("smartkey_give_back")
    return any(e.outcome == "ok" for e in handed) and any(e.outcome == "ok" for e in back)


async def _training_recorded(session: Session, facts: Facts) -> bool:
    """A key person recorded someone as trained in Bekey."""
    async with session.services.db.read() as tx:
        recorded = await tx.audit.entries("training_trained")
    return any(e.outcome == "ok" for e in recorded)


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "door_fault",
        Bilingual("Meld en fejl på en dør", "Report a door fault"),
        Bilingual(
            "Vælg en hjemmehjælper. Tryk «Meld fejl», vælg borgeren, og svar på de tre tjek, "
            "så botten kan se, at fejlen sidder i døren: telefonen har net, og du kan logge "
            "ind. Send fejlen, og se den komme frem hos planlæggeren ved siden af.",
            "Choose a caregiver. Tap «Meld fejl» (report a fault), choose the citizen and "
            "answer the three checks so the bot can tell the fault is in the door: the phone "
            "has network and you can log in. Send it, and watch it arrive at the planner's "
            "phone beside it.",
        ),
        _door_fault_reported,
    ),
    Exercise(
        "emergency_offline",
        Bilingual("Find akutnummeret uden net", "Find the emergency number without network"),
        Bilingual(
            "Slå «Intet net» til på en telefon: nu kan botten ikke svare. Find alligevel Bekeys "
            "døgnnummer: tryk på den fastgjorte besked øverst i chatten. Den var der fra første "
            "dag, og den kan læses uden net.",
            "Switch «Intet net» (no network) on for a phone: now the bot cannot answer. Find "
            "Bekey's 24-hour number anyway: tap the pinned message at the top of the chat. It "
            "was there from day one, and it can be read without network.",
        ),
        _emergency_found_offline,
    ),
    Exercise(
        "take_and_resolve",
        Bilingual("Tag og løs en sag som planlægger", "Take and resolve a ticket as planner"),
        Bilingual(
            "Vælg en planlægger. Når en fejl kommer ind, tryk «Tag sagen», så alle kan se, at "
            "du har den. Notér, hvem du har ringet til, og tryk «Løst», når døren virker igen. "
            "Den, der meldte fejlen, hører om hvert trin.",
            "Choose a planner. When a fault comes in, tap «Tag sagen» (take it) so everyone "
            "sees you have it. Note whom you called, and tap «Løst» (resolved) when the door "
            "works again. Whoever reported it hears of every step.",
        ),
        _taken_and_resolved_by_planner,
    ),
    Exercise(
        "escalation",
        Bilingual("Se en sag gå videre", "Watch an untaken ticket go on"),
        Bilingual(
            "Meld en fejl, og lad sagen ligge. Ryk uret 15 minutter frem: sagen sendes igen "
            "til planlæggerne og til nøglepersonen. Ryk 30 minutter mere, så får lederen den.",
            "Report a fault and leave it untaken. Move the clock 15 minutes on: the ticket goes "
            "again to the planners and the key person. Move it 30 minutes more, and the leader "
            "gets it.",
        ),
        _escalated,
    ),
    Exercise(
        "smartkey",
        Bilingual("Udlever og modtag en Smartkey", "Hand out and take back a Smartkey"),
        Bilingual(
            "Vælg en planlægger og afløseren. Planlæggeren trykker «🔑 Smartkeys» og «Udlever en "
            "nøgle», vælger en nøgle og derefter afløseren, der står øverst. Afløseren bekræfter "
            "med ét tryk. Ved vagtens slutning trykker afløseren «lagt i skabet» under "
            "«🔑 Smartkeys». Prøv også «+1 dag»: en nøgle, der ikke er afleveret, giver besked.",
            "Choose a planner and the substitute. The planner taps «🔑 Smartkeys» and «Udlever en "
            "nøgle» (hand out a key), picks a key, then the substitute at the top of the list. "
            "The substitute confirms with one tap. At the end of the shift the substitute taps "
            "«lagt i skabet» (put back) under «🔑 Smartkeys». Try «+1 dag» too: a key not "
            "returned sends a reminder.",
        ),
        _smartkey_handed_out_and_back,
    ),
    Exercise(
        "training",
        Bilingual("Notér en oplæring", "Record a training"),
        Bilingual(
            "Vælg nøglepersonen. Skriv /oplaering: kollegerne står med det, de mangler. Tryk på "
            "dem, du har oplært i dag (flere på én gang), og tryk «🎓 Oplært i dag». /status "
            "viser bagefter, hvem der stadig mangler oplæring, Bekey på telefonen eller at "
            "kunne opdatere selv.",
            "Choose the key person. Write /oplaering (/training): colleagues are listed with "
            "what they lack. Tap those you trained today (several at once) and tap «🎓 Oplært "
            "i dag» (trained today). Afterwards /status shows who still lacks training, Bekey "
            "on the phone, or being able to update it.",
        ),
        _training_recorded,
    ),
)
"""The exercises, in the order the page lists them."""
