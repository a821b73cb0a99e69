"""The sandbox without a browser: demo data, its own database and clock, the page's API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web as aiohttp_web
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import OffsetClock
from sandbox.__main__ import main
from sandbox.demo import CITIZENS, PENDING_REF, SMARTKEYS, STAFF, UNITS
from sandbox.training import Sandbox
from sandbox.web import build_web_app
from state.bekey_lifecycle import LifecycleState
from state.duty import DEFAULT_PLANNER_HOURS, in_planner_hours
from state.roles import Role
from state.training import Mark

ANNA = STAFF[0].telegram_id

WebClient = TestClient[aiohttp_web.Request, aiohttp_web.Application]


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    running = Sandbox(tmp_path / "sandbox")
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def web(sandbox: Sandbox) -> AsyncIterator[WebClient]:
    client: WebClient = TestClient(TestServer(build_web_app(sandbox)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_every_demo_person_has_joined_with_the_emergency_card_pinned_but_the_fitter(
    sandbox: Sandbox,
) -> None:
    client = sandbox.session.client
    for person in STAFF:
        pinned = await client.pinned(person.telegram_id)
        assert await client.keyboard(person.telegram_id), person.user_id
        if person.role is Role.LOCK_PARTNER:  # the fitter opens no citizen's door: no card
            assert pinned == [], person.user_id
            continue
        assert len(pinned) == 1, person.user_id
        assert "43 30 05 05" in (pinned[0].text or "")
    services = sandbox.session.services
    assert [unit.name for unit in await services.units.all()] == sorted(UNITS)
    async with services.db.read() as tx:
        assert await tx.citizens.count() == len(CITIZENS) == 13
        pending = await tx.citizens.by_ref(PENDING_REF)
        assert pending is not None and pending.lifecycle is LifecycleState.ORDERED
        assert [o.citizen_id for o in await tx.orders.open_orders()] == [pending.id]
    fitter = next(p for p in STAFF if p.role is Role.LOCK_PARTNER)
    order = (await client.messages(fitter.telegram_id))[-1]
    assert "Ordre O-0001: montering af Bekey" in (order.text or "")
    assert "Møllevej 4" in (order.text or "")
    keys = [n for unit in UNITS for _, n in await services.smartkeys.cabinet_counts(unit)]
    assert sum(keys) == len(SMARTKEYS)
    names = "".join(c.name for c in CITIZENS)
    assert all(letter in names for letter in "ÆØÅ")


async def test_the_sandbox_keeps_its_own_database_and_ignores_dot_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real.sqlite3"
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=123456789:AAHrealTOKENrealTOKENrealTOKENreal12\nDATABASE_PATH={real}\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(real))
    folder = tmp_path / "sandbox"
    running = Sandbox(folder)
    await running.start()
    try:
        settings = running.session.services.settings
        assert settings.database_path.parent == folder
        assert settings.telegram_api_base_url == running.session.emulator.base_url
        assert "real" not in settings.telegram_bot_token
        old = settings.database_path
        await running.reset()
        assert running.session.services.settings.database_path != old
        assert not old.exists()  # the old demo is gone with its session
    finally:
        await running.stop()
    assert not real.exists()
    assert list(folder.iterdir()) == []


async def test_the_clock_moves_the_bot_and_the_emulator_together(sandbox: Sandbox) -> None:
    zone = sandbox.session.services.settings.zone
    assert in_planner_hours(DEFAULT_PLANNER_HOURS, sandbox.session.now(), zone)  # any hour
    await sandbox.advance(15)

    session = sandbox.session
    assert session.moved == timedelta(minutes=15)
    emulated = await session.client.advance_clock(0)
    assert abs(emulated - session.now().timestamp()) < 2
    assert sandbox.state()["clock"]["ahead_minutes"] == 15


def test_the_offset_clock_only_moves_forward() -> None:
    clock = OffsetClock()
    clock.advance(timedelta(days=1))
    assert clock.offset == timedelta(days=1)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(minutes=-1))


async def test_the_page_api_refuses_other_sites_strangers_and_phones_without_network(
    web: WebClient,
) -> None:
    other_site = await web.post(
        "/api/clock", json={"minutes": 1}, headers={"Origin": "http://example.org"}
    )
    assert other_site.status == 403
    rebound = await web.get("/api/state", headers={"Host": "evil.example:8080"})
    assert rebound.status == 403  # a site that rebinds its name to 127.0.0.1 gets nothing
    stranger = await web.get("/api/phones/99")
    assert stranger.status == 404
    assert (await stranger.json())["error"]["da"].startswith("Ingen sådan person")

    await web.post(f"/api/phones/{ANNA}/network", json={"online": False})
    offline = await web.post(f"/api/phones/{ANNA}/messages", json={"text": "/akut"})
    assert offline.status == 409
    assert (await web.get("/api/state")).status == 200
    assert (await (await web.get("/api/state")).json())["offline"] == [ANNA]

    bad = await web.post("/api/clock", json={"minutes": -5})
    assert bad.status == 400
    missing = await web.get("/static/../session.py")
    assert missing.status == 404


async def test_a_file_in_a_chat_downloads_under_its_name(sandbox: Sandbox, web: WebClient) -> None:
    client = sandbox.session.client
    await client.send_document(ANNA, "vagtplan æøå.csv", b"a;b\n")
    screen = await (await web.get(f"/api/phones/{ANNA}")).json()
    document = next(m["document"] for m in screen["messages"] if m["document"])
    assert document["file_name"] == "vagtplan æøå.csv"

    download = await web.get(f"/api/files/{document['file_id']}")

    assert download.status == 200
    assert await download.read() == b"a;b\n"
    assert "vagtplan%20%C3%A6%C3%B8%C3%A5.csv" in download.headers["Content-Disposition"]


def test_the_sandbox_listens_on_loopback_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0"]) == 2  # noqa: S104 (the address being refused)
    assert "loopback only" in capsys.readouterr().err


async def test_handing_out_and_taking_back_a_smartkey_marks_its_exercise_done(
    sandbox: Sandbox,
) -> None:
    """Per hands Freja a key, Freja puts it back: the Smartkey exercise is done."""
    services = sandbox.session.services
    per = await services.staff.get("pl0001")
    freja = await services.staff.get("fh3001")
    assert per is not None and freja is not None
    (first, *_) = await services.smartkeys.available(per.unit)
    key_id = first.key.id
    assert key_id is not None

    await services.smartkeys.hand_out(per, key_id, freja.user_id, despite_stale=True)
    await sandbox.check_exercises()
    halfway = {e["key"]: e["done"] for e in sandbox.state()["exercises"]}
    await services.smartkeys.give_back(freja, key_id)
    await sandbox.check_exercises()
    done = {e["key"]: e["done"] for e in sandbox.state()["exercises"]}

    assert (halfway["smartkey"], done["smartkey"]) == (False, True)


async def test_recording_a_training_marks_its_exercise_done(sandbox: Sandbox) -> None:
    """Kim, the key person, records Freja as trained: the training exercise is done."""
    services = sandbox.session.services
    kim = await services.staff.get("kp0001")
    assert kim is not None
    await sandbox.check_exercises()
    before = {e["key"]: e["done"] for e in sandbox.state()["exercises"]}

    await services.training.record(kim, ["fh3001"], Mark.TRAINED)
    await sandbox.check_exercises()
    after = {e["key"]: e["done"] for e in sandbox.state()["exercises"]}

    assert (before["training"], after["training"]) == (False, True)
