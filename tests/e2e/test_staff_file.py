"""A key person onboarding a whole team sends one CSV file and gets a link for each person."""

from __future__ import annotations

import csv
import io

from bot.render.i18n import t
from state.roles import Role
from tests.harness import Harness, text_of

GOOD = (
    "user_id,name,role,unit\n"
    "sub01,Sofie Holm,afløser,Hjemmepleje Nord\n"
    "sub02,Søren Krog,substitute,Hjemmepleje Nord\n"
    "nat01,Nanna Vagt,nattevagt,Hjemmepleje Nord\n"
)


async def test_a_staff_file_in_chat_comes_back_as_one_link_each(bot: Harness) -> None:
    kim = await bot.employee("kp01", Role.KEY_PERSON)

    replies = await kim.send_document("hold.csv", GOOD.encode())

    reply = replies[0]
    assert reply.document is not None and reply.document["file_name"] == "invitationer.csv"
    assert "Invitationer til 3 medarbejdere i Hjemmepleje Nord" in (reply.text or "")
    calls = [c for c in await bot.client.calls("sendDocument") if c["ok"]]
    assert calls, "the bot sent the file"
    rows = list(csv.DictReader(io.StringIO(await bot.client.document_text(reply))))
    assert [r["user_id"] for r in rows] == ["sub01", "sub02", "nat01"]
    sofie = bot.person("Sofie")
    welcome = await sofie.say(f"/start {rows[0]['link'].split('start=')[1]}")
    assert "Velkommen, Sofie Holm" in text_of(welcome[0])
    assert (await bot.employee_record("nat01")).role is Role.NIGHT_GUARD


async def test_a_file_with_bad_lines_imports_nobody_and_names_each_line(bot: Harness) -> None:
    kim = await bot.employee("kp01", Role.KEY_PERSON)
    bad = GOOD + (
        "pl05,Per Plan,planlægger,Hjemmepleje Nord\n"  # above a key person's reach
        "sub09,Anne Anden,afløser,Hjemmepleje Syd\n"  # another unit
        "sub10,,afløser,Hjemmepleje Nord\n"
    )

    replies = await kim.send_document("hold.csv", bad.encode())

    text = text_of(replies[0])
    assert text.startswith(t("da", "import.refused", count=3))
    assert "Linje 5: du må ikke invitere en planlægger" in text
    assert "Linje 6: enheden «Hjemmepleje Syd» er ikke din (Hjemmepleje Nord)" in text
    assert "Linje 7: tomt felt: name" in text
    assert await bot.services.staff.get("sub01") is None


async def test_a_caregiver_cannot_import_staff(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    replies = await anna.send_document("hold.csv", GOOD.encode())

    assert replies[0].text == t("da", "access.wrong_role", role=t("da", "role.caregiver"))
    assert await bot.services.staff.get("sub01") is None


async def test_a_file_that_is_not_text_is_explained(bot: Harness) -> None:
    kim = await bot.employee("kp01", Role.KEY_PERSON)

    replies = await kim.send_document("hold.csv", b"\xff\xfe\x00garbage")

    answer = text_of(replies[0])
    assert answer.startswith(t("da", "import.not_spreadsheet"))
    assert "user_id,name,role,unit" in answer
