"""``python -m bot lock-partners``: the operator lists, adds and retires lock partner firms.

Run as the operator runs it (a separate process); the settings' firm is the default.
"""

from __future__ import annotations

import getpass

import pytest

from tests.operator import Operator

CLI = f"cli:{getpass.getuser()}"
FAKE_CPR = "010190-1234"  # made up: 1 January 1990, serial 1234


@pytest.fixture
def firm_operator(operator: Operator) -> Operator:
    """The operator, with the lock partner of the settings named as a site would."""
    operator.env.update(LOCK_PARTNER_NAME="Låsepartner A/S", LOCK_PARTNER_PHONE="55 66 77 88")
    return operator


async def test_list_shows_the_settings_firm_as_the_default(firm_operator: Operator) -> None:
    run = await firm_operator.run("lock-partners", "list")

    assert run.code == 0, run
    assert run.out_lines == ["Låsepartner A/S | +45 55 66 77 88 | - | default"]


async def test_add_update_and_retire_a_firm_each_audited(firm_operator: Operator) -> None:
    added = await firm_operator.run(
        "lock-partners", "add", "Låse-Jens ApS", "--phone", "22 33 44 55", "--email", "o@j.dk"
    )
    updated = await firm_operator.run(
        "lock-partners", "add", "låse-jens aps", "--phone", "+45 22 33 44 66"
    )
    listed = await firm_operator.run("lock-partners", "list")
    retired = await firm_operator.run("lock-partners", "retire", "LÅSE-JENS APS")
    after = await firm_operator.run("lock-partners", "list")

    assert added.out_lines == ["lock partner added: Låse-Jens ApS | +45 22 33 44 55 | o@j.dk"]
    assert updated.out_lines == ["lock partner updated: låse-jens aps | +45 22 33 44 66 | -"]
    assert listed.out_lines == [
        "Låsepartner A/S | +45 55 66 77 88 | - | default",
        "låse-jens aps | +45 22 33 44 66 | -",
    ]
    assert retired.code == 0, retired
    assert retired.out_lines == [
        "lock partner retired: låse-jens aps (its orders and history are kept)"
    ]
    assert after.out_lines == ["Låsepartner A/S | +45 55 66 77 88 | - | default"]
    assert firm_operator.rows(
        "SELECT actor, action, target FROM audit WHERE action LIKE 'lock_partner%' ORDER BY id"
    ) == [
        (CLI, "lock_partner_saved", "Låse-Jens ApS"),
        (CLI, "lock_partner_saved", "låse-jens aps"),
        (CLI, "lock_partner_retired", "låse-jens aps"),
    ]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("add", "Låse-Jens ApS", "--phone", "1234"), "The phone number must be 8–20 characters"),
        (("add", "Låse-Jens ApS", "--phone", "22 33 44 55 aa"), "The phone number must be"),
        (("add", "J", "--phone", "22334455"), "The name must be 2–80 characters"),
        (
            ("add", "Låse-Jens ApS", "--phone", "22334455", "--email", "ordre(at)jens"),
            "The e-mail address does not look right",
        ),
        (("add", f"Jens {FAKE_CPR}", "--phone", "22334455"), "looks like a CPR number"),
        (("retire", FAKE_CPR), "looks like a CPR number"),
    ],
    ids=["short phone", "letters in phone", "short name", "bad e-mail", "cpr", "cpr retire"],
)
async def test_bad_arguments_are_refused_in_one_line_before_anything_is_written(
    firm_operator: Operator, args: tuple[str, ...], reason: str
) -> None:
    run = await firm_operator.run("lock-partners", *args)

    line = run.refused_in_one_line(2)
    assert reason in line
    assert FAKE_CPR not in line
    assert firm_operator.count("lock_partners") == 0  # the database was not even opened


async def test_an_unknown_firm_or_the_default_cannot_be_retired(firm_operator: Operator) -> None:
    unknown = await firm_operator.run("lock-partners", "retire", "Ingen ApS")
    default = await firm_operator.run("lock-partners", "retire", "Låsepartner A/S")
    changed = await firm_operator.run(
        "lock-partners", "add", "Låsepartner A/S", "--phone", "11223344"
    )

    assert unknown.refused_in_one_line(1) == (
        "error: no lock partner named 'Ingen ApS' (known: Låsepartner A/S)"
    )
    assert "is the default firm (LOCK_PARTNER_NAME) and cannot be retired" in (
        default.refused_in_one_line(1)
    )
    assert "its phone comes from LOCK_PARTNER_PHONE" in changed.refused_in_one_line(1)
    assert firm_operator.rows("SELECT name, phone, active, is_default FROM lock_partners") == [
        ("Låsepartner A/S", "55 66 77 88", 1, 1)
    ]
