"""``import-citizens`` with the optional ``bekey_status`` column: where each citizen's Bekey
stands, in the state's code or a Danish word; without it (or with an empty cell) a new citizen
is active and a known one keeps where they stand."""

from __future__ import annotations

import getpass

import pytest

from tests.operator import Operator

CLI = f"cli:{getpass.getuser()}"
NORD = "Hjemmepleje Nord"

WITH_STATUS = f"""ref,name,address,unit,bekey_door,bekey_status
B-1001,Karen Madsen,"Skovvej 12, 4690 Haslev",{NORD},Bagdør,bestilt
B-1002,Poul Nielsen,Torvet 3,{NORD},Hoveddør,ACTIVE
B-1003,Lis Lund,Bygaden 2,{NORD},Hoveddør,
B-1004,Ole Olsen,Bygaden 4,{NORD},Bagdør,Fjernelse anmodet
B-1005,Åse Ærø,Bygaden 6,{NORD},Bagdør,lukket
"""

STATES = "SELECT ref, lifecycle, bekey_status FROM citizens ORDER BY ref"


async def test_the_status_column_sets_where_each_citizens_bekey_stands(operator: Operator) -> None:
    await operator.knows_units(NORD)

    run = await operator.run("import-citizens", str(operator.file("borgere.csv", WITH_STATUS)))

    assert run.code == 0, run
    assert run.out_lines == ["imported 5 citizen(s)"]
    assert operator.rows(STATES) == [
        ("B-1001", "ordered", "pending"),
        ("B-1002", "active", "active"),
        ("B-1003", "active", "active"),  # empty: a new citizen is active
        ("B-1004", "removal_requested", "active"),
        ("B-1005", "closed", "removed"),
    ]


async def test_a_danish_excel_file_with_semicolons_and_a_byte_order_mark_is_read(
    operator: Operator,
) -> None:
    await operator.knows_units(NORD)
    text = (
        "\ufeffRef;Name;Address;Unit;Bekey_Door;Bekey_Status\r\n"
        f"B-2001;Søren Ærtebjerg;Ågade 1, 4640 Faxe;{NORD};Bagdør;monteret\r\n"
        f"B-2002;Ib Øst;Østergade 2;{NORD};Hoveddør;Anmodet\r\n"
    )

    run = await operator.run("import-citizens", str(operator.file("borgere.csv", text)))

    assert run.code == 0, run
    assert operator.rows("SELECT ref, address, lifecycle FROM citizens ORDER BY ref") == [
        ("B-2001", "Ågade 1, 4640 Faxe", "installed"),
        ("B-2002", "Østergade 2", "requested"),
    ]


async def test_a_file_saved_in_windows_1252_with_the_status_column_is_read(
    operator: Operator,
) -> None:
    await operator.knows_units(NORD)
    text = f"ref;name;address;unit;bekey_door;bekey_status\nB-3001;Åge;Vej 1;{NORD};Bagdør;aktiv\n"
    path = operator.file("borgere.csv", text, encoding="cp1252")

    run = await operator.run("import-citizens", str(path))

    assert run.code == 0, run
    assert operator.rows(STATES) == [("B-3001", "active", "active")]


async def test_an_unknown_status_names_its_line_and_the_allowed_values(operator: Operator) -> None:
    await operator.knows_units(NORD)
    text = (
        "ref,name,address,unit,bekey_door,bekey_status\n"
        f"B-1001,Karen Madsen,Skovvej 12,{NORD},Bagdør,aktiv\n"
        f"B-1002,Poul Nielsen,Torvet 3,{NORD},Hoveddør,måske\n"
    )

    run = await operator.run("import-citizens", str(operator.file("borgere.csv", text)))

    assert run.code == 1, run
    assert run.out == ""
    first, verdict = run.err_lines
    assert first.startswith("error: line 3: unknown bekey_status 'måske' (one of: ")
    for allowed in ("active/aktiv", "requested/anmodet", "ordered/bestilt", "installed/monteret"):
        assert allowed in first
    for allowed in ("removed/fjernet", "closed/lukket"):
        assert allowed in first
    assert verdict == "error: 1 bad line(s); nothing was imported"
    assert operator.count("citizens") == 0


async def test_a_row_without_a_status_leaves_a_known_citizen_where_they_stand(
    operator: Operator,
) -> None:
    """Karen is ordered; a later file without the column (or with an empty cell) moves her
    address, not her Bekey; a file that names a status does."""
    await operator.knows_units(NORD)
    await operator.run("import-citizens", str(operator.file("a.csv", WITH_STATUS)))
    without = (
        "ref,name,address,unit,bekey_door\n"
        f"B-1001,Karen Madsen,Ringstedvej 5,{NORD},Bagdør\n"
        f"B-1009,Ny Borger,Nyvej 1,{NORD},Bagdør\n"
    )
    empty = (
        f"ref,name,address,unit,bekey_door,bekey_status\nB-1005,Åse Ærø,Bygaden 6,{NORD},Bagdør,\n"
    )
    named = (
        "ref,name,address,unit,bekey_door,bekey_status\n"
        f"B-1001,Karen Madsen,Ringstedvej 5,{NORD},Bagdør,monteret\n"
    )

    first = await operator.run("import-citizens", str(operator.file("b.csv", without)))
    second = await operator.run("import-citizens", str(operator.file("c.csv", empty)))
    kept = operator.rows(
        "SELECT ref, address, lifecycle FROM citizens"
        " WHERE ref IN ('B-1001', 'B-1005', 'B-1009') ORDER BY ref"
    )
    third = await operator.run("import-citizens", str(operator.file("d.csv", named)))

    assert (first.code, second.code, third.code) == (0, 0, 0)
    assert kept == [
        ("B-1001", "Ringstedvej 5", "ordered"),
        ("B-1005", "Bygaden 6", "closed"),
        ("B-1009", "Nyvej 1", "active"),  # new, without a status: active as before
    ]
    assert operator.rows("SELECT lifecycle FROM citizens WHERE ref = 'B-1001'") == [("installed",)]


@pytest.mark.parametrize(
    "header",
    [
        "ref,name,address,unit,bekey_door,notes",
        "ref,name,address,unit,bekey_door,bekey_status,bekey_status",
        "ref,name,address,unit,bekey_status,bekey_door",
    ],
    ids=["unknown column", "status twice", "status before a required column"],
)
async def test_a_header_with_other_columns_is_refused_naming_the_optional_one(
    operator: Operator, header: str
) -> None:
    path = operator.file("borgere.csv", f"{header}\nB-1,Karen,Vej 1,{NORD},Bagdør,x\n")

    run = await operator.run("import-citizens", str(path))

    line = run.refused_in_one_line(1)
    assert "ref,name,address,unit,bekey_door[,bekey_status]" in line
    assert operator.count("citizens") == 0
