"""The CPR guard reads every part of a message a person wrote, not only its text.

The emulator sends text, captions, files and edits (tests/e2e/test_cpr_guard.py); polls,
contacts, venues, checklists and quotes are built here as python-telegram-bot reads them.
Every number is made up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import (
    Chat,
    Checklist,
    ChecklistTask,
    Contact,
    Document,
    Location,
    Message,
    Poll,
    PollOption,
    TextQuote,
    User,
    Venue,
)

from handlers.text import holds_cpr, typed_texts

CPR = "15.01.90-1125"
ANNA = User(1001, "Anna", is_bot=False)


def message(**parts: Any) -> Message:
    """A private message from Anna with these parts."""
    return Message(1, datetime(2026, 11, 27, tzinfo=UTC), Chat(1001, "private"), ANNA, **parts)


def poll(question: str, *options: str) -> Poll:
    """A poll a person sends: a question and its options."""
    choices = [PollOption(text, 0, persistent_id=str(n)) for n, text in enumerate(options)]
    return Poll(
        "1",
        question,
        choices,
        total_voter_count=0,
        is_closed=False,
        is_anonymous=True,
        type=Poll.REGULAR,
        allows_multiple_answers=False,
        allows_revoting=False,
        members_only=False,
    )


PARTS = {
    "text": {"text": f"Borgeren {CPR}"},
    "caption": {"caption": CPR, "document": Document("f", "u", "noter.txt")},
    "file name": {"document": Document("f", "u", f"Ole {CPR}.csv")},
    "quote": {"text": "se her", "quote": TextQuote(f"Ole {CPR}", 0)},
    "poll question": {"poll": poll(f"Hvem er {CPR}?", "Ja", "Nej")},
    "poll option": {"poll": poll("Hvem?", "Ja", f"Ole {CPR}")},
    "contact name": {"contact": Contact("+45 43 30 05 05", "Ole", CPR)},
    "contact card": {"contact": Contact("+45 43 30 05 05", "Ole", vcard=f"NOTE:{CPR}")},
    "venue": {"venue": Venue(Location(12.1, 55.2), "Hos Ole", f"Ågade 12, {CPR}")},
    "checklist task": {"checklist": Checklist("Huskeliste", [ChecklistTask(1, f"Ring om {CPR}")])},
}


@pytest.mark.parametrize("parts", PARTS.values(), ids=PARTS.keys())
def test_a_cpr_number_in_any_part_a_person_wrote_is_found(parts: dict[str, Any]) -> None:
    assert holds_cpr(message(**parts))


def test_ordinary_parts_pass_and_each_part_is_read_on_its_own() -> None:
    contact = Contact("+45 43 30 05 05", "Bekey", "support")
    venue = Venue(Location(12.1, 55.2), "Else Hansen", "Ågade 12, 4640 Faxe")
    assert not holds_cpr(message(contact=contact))
    assert not holds_cpr(message(venue=venue))
    assert not holds_cpr(message(text="Vagt 15.01.90 kl. 10.30"))
    # Two parts are never joined into one number: a date in one, four digits in the other.
    split = message(caption="150190", document=Document("f", "u", "1125.txt"))
    assert list(typed_texts(split)) == ["150190", "1125.txt"]
    assert not holds_cpr(split)
