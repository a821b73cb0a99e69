"""Numbered schema migrations, each with a one-line description, applied in order at start.

A migration never changes once it has shipped: add a new one instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, to_db
from bot.storage.database import Database
from bot.storage.session import Session
from state.units import tidy_unit_name, unit_key

Step = Callable[[Session, datetime], Awaitable[None]]


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its SQL, then (for data that SQL cannot fold) a Python step."""

    number: int
    description: str
    sql: str
    step: Step | None = None


async def _merge_unit_spellings(s: Session, now: datetime) -> None:
    """Make a unit of every unit name in use; spellings of one name become the most used one."""
    rows = await s.fetchall(
        "SELECT unit, SUM(weight) AS n FROM ("
        " SELECT unit, 1000 AS weight FROM employees"
        " UNION ALL SELECT unit, 1 AS weight FROM citizens"
        " UNION ALL SELECT unit, 1 AS weight FROM tickets"
        ") GROUP BY unit ORDER BY n DESC, unit"
    )
    chosen: dict[str, str] = {}
    for row in rows:
        spelling = str(row["unit"])
        chosen.setdefault(unit_key(spelling), tidy_unit_name(spelling))
    for key, name in chosen.items():
        await s.execute(
            "INSERT INTO units (name, key, created_at) VALUES (?, ?, ?)", (name, key, to_db(now))
        )
    for row in rows:
        spelling = str(row["unit"])
        name = chosen[unit_key(spelling)]
        if spelling != name:
            for table in ("employees", "citizens", "tickets"):
                await s.execute(
                    f"UPDATE {table} SET unit = ? WHERE unit = ?",  # noqa: S608 - fixed names
                    (name, spelling),
                )


async def _existing_staff_not_recorded(s: Session, now: datetime) -> None:
    """Staff who exist when the training register lands start as "not recorded" (new ones,
    with no row, count as untrained): the first reminders do not flood."""
    await s.execute(
        "INSERT INTO training (user_id, status, updated_at)"
        " SELECT user_id, 'not_recorded', ? FROM employees",
        (to_db(now),),
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "employees, invites, citizens, audit trail, processed updates, outbox",
        """
        CREATE TABLE employees (
            user_id      TEXT PRIMARY KEY,
            name         TEXT NOT NULL,
            role         TEXT NOT NULL,
            unit         TEXT NOT NULL,
            language     TEXT NOT NULL DEFAULT 'da',
            active       INTEGER NOT NULL DEFAULT 1,
            telegram_id  INTEGER UNIQUE,
            bound_at     TEXT,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL
        );
        CREATE INDEX employees_unit_role ON employees (unit, role);

        CREATE TABLE invites (
            id           INTEGER PRIMARY KEY,
            token_hash   TEXT NOT NULL UNIQUE,
            user_id      TEXT NOT NULL REFERENCES employees (user_id),
            created_by   TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            expires_at   TEXT NOT NULL,
            redeemed_at  TEXT,
            redeemed_by  INTEGER,
            revoked_at   TEXT
        );
        CREATE INDEX invites_user ON invites (user_id);

        CREATE TABLE citizens (
            id           INTEGER PRIMARY KEY,
            ref          TEXT NOT NULL UNIQUE,
            name         TEXT NOT NULL,
            address      TEXT NOT NULL,
            unit         TEXT NOT NULL,
            bekey_door   TEXT NOT NULL,
            bekey_status TEXT NOT NULL DEFAULT 'active'
                         CHECK (bekey_status IN ('pending', 'active', 'removed')),
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL
        );
        CREATE INDEX citizens_unit ON citizens (unit, bekey_status);

        CREATE TABLE audit (
            id       INTEGER PRIMARY KEY,
            at       TEXT NOT NULL,
            actor    TEXT NOT NULL,
            action   TEXT NOT NULL,
            target   TEXT,
            outcome  TEXT NOT NULL
        );
        CREATE INDEX audit_action ON audit (action, at);

        CREATE TABLE processed_updates (
            update_id    INTEGER PRIMARY KEY,
            received_at  TEXT NOT NULL
        );

        CREATE TABLE outbox (
            id                 INTEGER PRIMARY KEY,
            op                 TEXT NOT NULL CHECK (op IN ('send', 'edit')),
            chat_id            INTEGER NOT NULL,
            text               TEXT NOT NULL,
            reply_markup       TEXT,
            protect_content    INTEGER NOT NULL DEFAULT 0,
            pin                INTEGER NOT NULL DEFAULT 0,
            edit_of            INTEGER REFERENCES outbox (id),
            topic              TEXT,
            status             TEXT NOT NULL DEFAULT 'pending'
                               CHECK (status IN ('pending', 'sent', 'failed', 'superseded')),
            attempts           INTEGER NOT NULL DEFAULT 0,
            not_before         TEXT NOT NULL,
            message_id         INTEGER,
            last_error         TEXT,
            created_at         TEXT NOT NULL,
            sent_at            TEXT
        );
        CREATE INDEX outbox_due ON outbox (status, not_before);
        CREATE INDEX outbox_topic ON outbox (topic);
        """,
    ),
    Migration(
        2,
        "triages, and tickets (numbered F-0001 on) with their event trail",
        """
        CREATE TABLE tickets (
            id                INTEGER PRIMARY KEY,
            number            INTEGER NOT NULL UNIQUE,
            reporter          TEXT NOT NULL REFERENCES employees (user_id),
            unit              TEXT NOT NULL,
            citizen_id        INTEGER REFERENCES citizens (id),
            citizen_text      TEXT,
            category          TEXT NOT NULL,
            answers           TEXT NOT NULL DEFAULT '{}',
            description       TEXT,
            state             TEXT NOT NULL,
            taken_by          TEXT REFERENCES employees (user_id),
            contacted         TEXT,
            escalation_level  INTEGER NOT NULL DEFAULT 0,
            version           INTEGER NOT NULL DEFAULT 0,
            triage_id         INTEGER UNIQUE,
            created_at        TEXT NOT NULL,
            updated_at        TEXT NOT NULL
        );
        CREATE INDEX tickets_unit_state ON tickets (unit, state, created_at);
        CREATE INDEX tickets_reporter ON tickets (reporter, state);

        CREATE TABLE ticket_events (
            id          INTEGER PRIMARY KEY,
            ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
            at          TEXT NOT NULL,
            actor       TEXT NOT NULL,
            from_state  TEXT,
            to_state    TEXT NOT NULL,
            detail      TEXT
        );
        CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

        CREATE TABLE triages (
            id           INTEGER PRIMARY KEY,
            user_id      TEXT NOT NULL REFERENCES employees (user_id),
            chat_id      INTEGER NOT NULL,
            state        TEXT NOT NULL,
            citizen_id   INTEGER REFERENCES citizens (id),
            category     TEXT,
            answers      TEXT NOT NULL DEFAULT '{}',
            description  TEXT,
            version      INTEGER NOT NULL DEFAULT 0,
            message_id   INTEGER,
            search       TEXT,
            ticket_id    INTEGER REFERENCES tickets (id),
            started_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            ended_at     TEXT
        );
        CREATE UNIQUE INDEX triages_one_active ON triages (user_id) WHERE ended_at IS NULL;
        CREATE INDEX triages_idle ON triages (ended_at, updated_at)
        """,
    ),
    Migration(
        3,
        "employees remember the role their menu was drawn for",
        "ALTER TABLE employees ADD COLUMN menu_role TEXT",
    ),
    Migration(
        4,
        "outbox indexed by chat, so a held-back chat's later pushes wait behind it",
        "CREATE INDEX outbox_chat ON outbox (chat_id, status, id)",
    ),
    Migration(
        5,
        "what a caregiver typed for a citizen not (yet) in the list, on emergencies and triages",
        """
        ALTER TABLE tickets ADD COLUMN citizen_search TEXT;
        ALTER TABLE triages ADD COLUMN citizen_text TEXT
        """,
    ),
    Migration(
        6,
        "units the bot knows; spellings of one unit name (case, spaces) merged into one",
        """
        CREATE TABLE units (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL,
            key         TEXT NOT NULL UNIQUE,
            created_at  TEXT NOT NULL
        )
        """,
        _merge_unit_spellings,
    ),
    Migration(
        7,
        "employees remember when they were deactivated (retention counts from then)",
        "ALTER TABLE employees ADD COLUMN deactivated_at TEXT",
    ),
    Migration(
        8,
        "the inbox: every update stored before Telegram is told it arrived, handled once",
        """
        CREATE TABLE inbox (
            update_id    INTEGER PRIMARY KEY,
            person       INTEGER NOT NULL,
            payload      TEXT NOT NULL,
            cpr          INTEGER NOT NULL DEFAULT 0,
            received_at  TEXT NOT NULL,
            handled_at   TEXT
        );
        CREATE INDEX inbox_unhandled ON inbox (handled_at, update_id);
        DROP TABLE processed_updates
        """,
    ),
    Migration(
        9,
        "the outbox knows each push's priority, and which instant card a reply replaces",
        """
        ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 2;
        ALTER TABLE outbox ADD COLUMN express_of INTEGER;
        CREATE INDEX outbox_message ON outbox (chat_id, message_id);
        CREATE INDEX outbox_heads
            ON outbox (status, chat_id, id, priority, op, attempts, not_before)
        """,
    ),
    Migration(
        10,
        "outage incidents (their tickets, the one live message per recipient) and unit broadcasts",
        """
        CREATE TABLE incidents (
            id                INTEGER PRIMARY KEY,
            kind              TEXT NOT NULL CHECK (kind IN ('login', 'emergency')),
            state             TEXT NOT NULL,
            taken_by          TEXT REFERENCES employees (user_id),
            resolved_by       TEXT REFERENCES employees (user_id),
            escalation_level  INTEGER NOT NULL DEFAULT 0,
            version           INTEGER NOT NULL DEFAULT 0,
            opened_at         TEXT NOT NULL,
            last_report_at    TEXT NOT NULL,
            quiet_from        TEXT NOT NULL,
            asked_at          TEXT,
            closed_at         TEXT,
            synced_at         TEXT,
            unsynced          INTEGER NOT NULL DEFAULT 0,
            updated_at        TEXT NOT NULL
        );
        CREATE UNIQUE INDEX incidents_one_open ON incidents (kind) WHERE closed_at IS NULL;
        ALTER TABLE tickets ADD COLUMN incident_id INTEGER REFERENCES incidents (id);
        ALTER TABLE tickets ADD COLUMN no_network INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX tickets_incident ON tickets (incident_id, unit, state);
        CREATE INDEX tickets_category_created ON tickets (category, created_at);
        CREATE TABLE incident_messages (
            id           INTEGER PRIMARY KEY,
            incident_id  INTEGER NOT NULL REFERENCES incidents (id),
            unit         TEXT NOT NULL,
            push_id      INTEGER NOT NULL UNIQUE REFERENCES outbox (id),
            live         INTEGER NOT NULL DEFAULT 1,
            shown        TEXT
        );
        CREATE INDEX incident_messages_incident ON incident_messages (incident_id, live);
        CREATE TABLE broadcasts (
            id            INTEGER PRIMARY KEY,
            author        TEXT NOT NULL REFERENCES employees (user_id),
            unit          TEXT NOT NULL,
            text          TEXT,
            recipients    INTEGER,
            created_at    TEXT NOT NULL,
            sent_at       TEXT,
            cancelled_at  TEXT
        )
        """,
    ),
    Migration(
        11,
        "Smartkeys: cabinets, keys, their history, requests and the weekly reminder",
        """
        CREATE TABLE cabinets (
            id          INTEGER PRIMARY KEY,
            unit        TEXT NOT NULL,
            name        TEXT NOT NULL,
            location    TEXT NOT NULL DEFAULT '',
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL,
            UNIQUE (unit, name)
        );
        CREATE TABLE smartkeys (
            id              INTEGER PRIMARY KEY,
            label           TEXT NOT NULL,
            unit            TEXT NOT NULL,
            cabinet_id      INTEGER NOT NULL REFERENCES cabinets (id),
            state           TEXT NOT NULL,
            holder          TEXT REFERENCES employees (user_id),
            handed_out_by   TEXT,
            handed_out_at   TEXT,
            due_at          TEXT,
            confirmed_at    TEXT,
            self_recorded   INTEGER NOT NULL DEFAULT 0,
            overdue_level   INTEGER NOT NULL DEFAULT 0,
            updated_at      TEXT,
            lost_ticket_id  INTEGER REFERENCES tickets (id),
            version         INTEGER NOT NULL DEFAULT 0,
            created_at      TEXT NOT NULL,
            changed_at      TEXT NOT NULL,
            UNIQUE (unit, label)
        );
        CREATE INDEX smartkeys_cabinet ON smartkeys (cabinet_id, state);
        CREATE INDEX smartkeys_holder ON smartkeys (holder);
        CREATE INDEX smartkeys_due ON smartkeys (state, due_at);
        CREATE TABLE smartkey_events (
            id          INTEGER PRIMARY KEY,
            key_id      INTEGER NOT NULL REFERENCES smartkeys (id),
            at          TEXT NOT NULL,
            actor       TEXT NOT NULL,
            from_state  TEXT,
            to_state    TEXT NOT NULL,
            holder      TEXT,
            detail      TEXT
        );
        CREATE INDEX smartkey_events_key ON smartkey_events (key_id, id);
        CREATE INDEX smartkey_events_holder ON smartkey_events (holder, id);
        CREATE TABLE smartkey_requests (
            id                INTEGER PRIMARY KEY,
            requester         TEXT NOT NULL REFERENCES employees (user_id),
            unit              TEXT NOT NULL,
            state             TEXT NOT NULL,
            key_id            INTEGER REFERENCES smartkeys (id),
            decided_by        TEXT,
            decided_at        TEXT,
            escalation_level  INTEGER NOT NULL DEFAULT 0,
            version           INTEGER NOT NULL DEFAULT 0,
            created_at        TEXT NOT NULL
        );
        CREATE INDEX smartkey_requests_state ON smartkey_requests (state, created_at);
        CREATE TABLE smartkey_reminders (
            unit       TEXT PRIMARY KEY,
            last_week  TEXT NOT NULL
        )
        """,
    ),
    Migration(
        12,
        "key persons as an appointment, the Bekey training register, leavers' Bekey tasks",
        """
        ALTER TABLE employees ADD COLUMN key_person INTEGER NOT NULL DEFAULT 0;
        UPDATE employees SET key_person = 1, role = 'caregiver' WHERE role = 'key_person';
        CREATE INDEX employees_unit_key_person ON employees (unit, key_person);
        CREATE TABLE training (
            user_id          TEXT PRIMARY KEY REFERENCES employees (user_id),
            status           TEXT NOT NULL
                             CHECK (status IN ('not_recorded', 'untrained', 'trained')),
            trained_at       TEXT,
            trained_by       TEXT,
            bekey_installed  INTEGER,
            can_update       INTEGER,
            late_told_at     TEXT,
            updated_at       TEXT NOT NULL
        );
        CREATE TABLE training_reminders (
            unit       TEXT PRIMARY KEY,
            last_week  TEXT NOT NULL
        );
        CREATE TABLE leaver_tasks (
            id           INTEGER PRIMARY KEY,
            user_id      TEXT NOT NULL REFERENCES employees (user_id),
            unit         TEXT NOT NULL,
            created_by   TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            reminded_at  TEXT,
            done_at      TEXT,
            done_by      TEXT
        );
        CREATE INDEX leaver_tasks_open ON leaver_tasks (done_at, unit)
        """,
        _existing_staff_not_recorded,
    ),
    Migration(
        13,
        "a leaver closed in Bekey is recorded apart from their Smartkey coming back",
        """
        ALTER TABLE leaver_tasks ADD COLUMN bekey_closed_at TEXT;
        ALTER TABLE leaver_tasks ADD COLUMN bekey_closed_by TEXT
        """,
    ),
    Migration(
        14,
        "citizens' Bekey lifecycle, lock partner firms and their orders, visitation's to-dos,"
        " files in the outbox",
        """
        ALTER TABLE citizens ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'active';
        ALTER TABLE citizens ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
        UPDATE citizens SET lifecycle = CASE bekey_status
            WHEN 'pending' THEN 'requested' WHEN 'removed' THEN 'closed' ELSE 'active' END;
        CREATE TABLE citizen_events (
            id          INTEGER PRIMARY KEY,
            citizen_id  INTEGER NOT NULL REFERENCES citizens (id),
            at          TEXT NOT NULL,
            actor       TEXT NOT NULL,
            step        TEXT NOT NULL,
            from_state  TEXT NOT NULL,
            to_state    TEXT NOT NULL,
            detail      TEXT NOT NULL DEFAULT '',
            order_id    INTEGER
        );
        CREATE INDEX citizen_events_citizen ON citizen_events (citizen_id, id);
        CREATE TABLE lock_partners (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL,
            name_key    TEXT NOT NULL UNIQUE,
            phone       TEXT NOT NULL DEFAULT '',
            email       TEXT NOT NULL DEFAULT '',
            is_default  INTEGER NOT NULL DEFAULT 0,
            active      INTEGER NOT NULL DEFAULT 1,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        ALTER TABLE employees ADD COLUMN firm_id INTEGER REFERENCES lock_partners (id);
        CREATE TABLE bekey_orders (
            id            INTEGER PRIMARY KEY,
            citizen_id    INTEGER NOT NULL REFERENCES citizens (id),
            firm_id       INTEGER NOT NULL REFERENCES lock_partners (id),
            kind          TEXT NOT NULL CHECK (kind IN ('install', 'remove')),
            door          TEXT NOT NULL,
            ordered_at    TEXT NOT NULL,
            ordered_by    TEXT NOT NULL,
            confirmed_at  TEXT,
            confirmed_by  TEXT,
            reminded_at   TEXT,
            sent_as_file_at TEXT,
            closed_at     TEXT
        );
        CREATE INDEX bekey_orders_open ON bekey_orders (closed_at, firm_id);
        CREATE INDEX bekey_orders_citizen ON bekey_orders (citizen_id, id);
        CREATE TABLE citizen_todos (
            id           INTEGER PRIMARY KEY,
            citizen_id   INTEGER NOT NULL REFERENCES citizens (id),
            kind         TEXT NOT NULL
                         CHECK (kind IN ('bekey_added', 'door_changed', 'bekey_removed')),
            door         TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            reminded_at  TEXT,
            done_at      TEXT,
            done_by      TEXT
        );
        CREATE INDEX citizen_todos_open ON citizen_todos (done_at, created_at);
        ALTER TABLE outbox ADD COLUMN filename TEXT;
        ALTER TABLE outbox ADD COLUMN document BLOB
        """,
    ),
    Migration(
        15,
        "who is on duty: units' planner hours, on-call appointments, the morning summary",
        """
        ALTER TABLE units ADD COLUMN planner_hours TEXT;
        CREATE TABLE on_call (
            id          INTEGER PRIMARY KEY,
            unit        TEXT NOT NULL,
            user_id     TEXT NOT NULL REFERENCES employees (user_id),
            weekdays    TEXT NOT NULL DEFAULT '',
            first_day   TEXT,
            last_day    TEXT,
            time_window TEXT NOT NULL DEFAULT '',
            created_by  TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            ended_at    TEXT,
            ended_by    TEXT
        );
        CREATE INDEX on_call_unit ON on_call (unit, ended_at);
        CREATE TABLE morning_summaries (
            unit      TEXT PRIMARY KEY,
            last_day  TEXT NOT NULL
        )
        """,
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].number
"""The schema this code knows."""


class SchemaTooNew(Exception):
    """The database was written by newer code; running on it could damage it."""


async def current_version(db: Database) -> int:
    """Return the highest applied migration number (0 on an empty database)."""
    async with db.read() as tx:
        session = tx.session
        await session.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " number INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        row = await session.fetchone("SELECT COALESCE(MAX(number), 0) AS n FROM schema_migrations")
    return int(row["n"]) if row else 0


async def migrate(
    db: Database, clock: Clock | None = None, *, up_to: int = SCHEMA_VERSION
) -> list[Migration]:
    """Apply every migration not yet applied, each in its own transaction; return those applied.

    A database at a version this code does not know raises SchemaTooNew, and is not touched.
    ``up_to`` stops at an earlier version (to test a migration on the data before it).
    """
    clock = clock or Clock()
    done = await current_version(db)
    if done > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the database is at schema version {done}, newer than this code knows "
            f"({SCHEMA_VERSION}); run the newer version of the bot"
        )
    applied: list[Migration] = []
    for migration in MIGRATIONS:
        if migration.number <= done or migration.number > up_to:
            continue
        async with db.transaction() as tx:
            for statement in _statements(migration.sql):
                await tx.session.execute(statement)
            if migration.step is not None:
                await migration.step(tx.session, clock.now())
            await tx.session.execute(
                "INSERT INTO schema_migrations (number, description, applied_at) VALUES (?, ?, ?)",
                (migration.number, migration.description, to_db(clock.now())),
            )
        applied.append(migration)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration's SQL into statements (migrations hold no semicolons in literals)."""
    return [part.strip() for part in sql.split(";") if part.strip()]
