"""Joining by invite: a new caregiver opens the link from their leader and is let in."""

from __future__ import annotations

import asyncio

from bot.render.i18n import t
from state.invites import hash_token
from state.roles import Role
from tests.harness import Harness, text_of


async def test_a_valid_invite_binds_the_account_and_shows_the_menu(bot: Harness) -> None:
    token = await bot.invite("ab1234", "Anna Jensen", Role.CAREGIVER, "Hjemmepleje Nord")
    anna = bot.person("Anna")

    replies = await anna.say(f"/start {token}")

    welcome = replies[0]
    assert "Velkommen, Anna Jensen" in text_of(welcome)
    assert "ab1234" in text_of(welcome)
    keyboard = await anna.keyboard()
    assert keyboard is not None
    assert keyboard[0] == [t("da", "button.emergency")]
    employee = await bot.employee_record("ab1234")
    assert employee.telegram_id == anna.telegram_id
    binds = await bot.audit("bind")
    assert [(e.actor, e.target, e.outcome) for e in binds] == [
        (f"tg:{anna.telegram_id}", "ab1234", "ok")
    ]
    # the token itself is nowhere in the database, only its hash
    async with bot.services.db.read() as tx:
        rows = await tx.session.fetchall("SELECT token_hash FROM invites")
    assert [r["token_hash"] for r in rows] == [hash_token(token)]


async def test_the_emergency_card_is_pinned_when_an_employee_joins(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    pinned = await bot.client.pinned(anna.telegram_id)

    assert len(pinned) == 1
    card = pinned[0]
    assert "43 30 05 05" in text_of(card)
    assert "ab1234" in text_of(card)
    assert "Smartkey" in text_of(card)


async def test_a_used_invite_does_not_work_again(bot: Harness) -> None:
    token = await bot.invite("ab1234", "Anna Jensen", Role.CAREGIVER, "Hjemmepleje Nord")
    anna, mallory = bot.person("Anna"), bot.person("Mallory")
    await anna.say(f"/start {token}")

    replies = await mallory.say(f"/start {token}")

    assert text_of(replies[0]).startswith(t("da", "join.used"))
    assert t("en", "join.used") in text_of(replies[0])
    assert (await bot.employee_record("ab1234")).telegram_id == anna.telegram_id
    assert await mallory.keyboard() is None


async def test_an_expired_invite_is_refused(bot: Harness) -> None:
    token = await bot.invite("ab1234", "Anna Jensen", Role.CAREGIVER, "Hjemmepleje Nord")
    bot.clock.advance(bot.services.settings.invite_ttl)
    anna = bot.person("Anna")

    replies = await anna.say(f"/start {token}")

    assert t("da", "join.expired") in text_of(replies[0])
    assert (await bot.employee_record("ab1234")).telegram_id is None


async def test_two_people_racing_for_one_invite_bind_exactly_one(bot: Harness) -> None:
    token = await bot.invite("ab1234", "Anna Jensen", Role.CAREGIVER, "Hjemmepleje Nord")
    people = [bot.person(f"P{i}") for i in range(4)]

    update_ids = await asyncio.gather(
        *(bot.client.send_text(p.telegram_id, f"/start {token}") for p in people)
    )
    await asyncio.gather(*(bot.handled(u) for u in update_ids))

    bound = (await bot.employee_record("ab1234")).telegram_id
    winners = [p for p in people if p.telegram_id == bound]
    assert len(winners) == 1
    for person in people:
        texts = await person.bot_texts()
        if person is winners[0]:
            assert any("Velkommen" in text for text in texts)
        else:
            assert any(text.startswith(t("da", "join.used")) for text in texts)
    outcomes = sorted(e.outcome for e in await bot.audit("bind"))
    assert outcomes == ["ok", "used", "used", "used"]


async def test_a_new_invite_moves_the_binding_to_a_new_phone(bot: Harness) -> None:
    old_phone = await bot.employee("ab1234", Role.CAREGIVER)
    token = await bot.invite("ab1234", "AB1234", Role.CAREGIVER, "Hjemmepleje Nord")
    new_phone = bot.person("Anna new phone")

    await new_phone.say(f"/start {token}")

    assert (await bot.employee_record("ab1234")).telegram_id == new_phone.telegram_id
    told = await old_phone.last()
    assert told.text == t("da", "join.moved")
    refused = await old_phone.say("/hjaelp")
    assert len(refused) == 1
    assert text_of(refused[0]).startswith(t("da", "access.stranger"))


async def test_a_stranger_gets_one_short_answer_and_nothing_else(bot: Harness) -> None:
    stranger = bot.person("Stranger")

    replies = await stranger.say("/akut")

    assert len(replies) == 1
    assert replies[0].text == f"{t('da', 'access.stranger')}\n\n{t('en', 'access.stranger')}"
    assert replies[0].reply_markup is None
    assert await stranger.keyboard() is None
    assert await bot.client.effective_commands(stranger.telegram_id) == []
    refusals = await bot.audit("access")
    assert [(e.actor, e.outcome) for e in refusals] == [(f"tg:{stranger.telegram_id}", "refused")]


async def test_a_stranger_with_a_made_up_token_is_refused(bot: Harness) -> None:
    stranger = bot.person("Stranger")

    replies = await stranger.say("/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")

    assert t("da", "join.used") in text_of(replies[0])
    async with bot.services.db.read() as tx:
        row = await tx.session.fetchone(
            "SELECT COUNT(*) AS n FROM employees WHERE telegram_id IS NOT NULL"
        )
    assert row is not None and row["n"] == 0


async def test_a_deactivated_employee_is_refused_at_once(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)
    await bot.services.staff.deactivate("ab1234", actor="cli")

    replies = await anna.say("/hjaelp")

    assert len(replies) == 1
    assert text_of(replies[0]).startswith(t("da", "access.stranger"))


async def test_the_same_update_delivered_twice_is_handled_once(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)
    calls_before = len(await bot.client.calls("sendMessage"))
    update_id = await bot.client.send_text(anna.telegram_id, "/hjaelp")
    await bot.handled(update_id)
    redelivered = await bot.client.calls("sendMessage")
    async with bot.services.db.transaction() as tx:  # Telegram delivers it again
        assert not await tx.inbox.store(update_id, anna.telegram_id, "{}", False, bot.clock.now())
    assert len(redelivered) == calls_before + 1
    replies = await anna.say("/hjaelp")
    assert len(replies) == 1
