"""An operator who starts old code on a database written by newer code is stopped, untouched."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from bot.storage.migrations import SCHEMA_VERSION
from tests.operator import Operator


async def test_migrate_and_run_refuse_a_database_newer_than_the_code(operator: Operator) -> None:
    assert (await operator.run("migrate")).code == 0
    with closing(sqlite3.connect(operator.database)) as db:
        db.execute(
            "INSERT INTO schema_migrations (number, description, applied_at)"
            " VALUES (?, 'from a newer bot', '2030-01-01')",
            (SCHEMA_VERSION + 1,),
        )
        db.commit()

    for command in ("migrate", "run"):
        line = (await operator.run(command)).refused_in_one_line(2)
        assert f"schema version {SCHEMA_VERSION + 1}, newer than this code knows" in line

    assert operator.rows("SELECT MAX(number) FROM schema_migrations") == [(SCHEMA_VERSION + 1,)]
    assert operator.count("employees") == 0
