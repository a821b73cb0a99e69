"""Employees who leave: a leader or planner deactivates with one confirming tap, the leaver's
access ends at once (stale buttons refused, their triage cancelled, tickets they had taken
untaken again and the planners told), and the planners' task "close <user-id> in Bekey" is
reminded every day until one of them marks it done, with a Smartkey to get back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.render.i18n import t
from bot.services.smartkeys import KeyOutcome
from bot.storage.leavers import LeaverTask
from bot.storage.smartkeys import SmartkeyRow
from state.roles import Role
from state.smartkey import Smartkey, SmartkeyState
from tests.e2e.conftest import begin_report, report
from tests.harness import Harness, Person, text_of
from tests.operator import Operator
from tgemu.client import ChatMessage

NORD = "Hjemmepleje Nord"
TAKE = "✋ Tag sagen"
CONFIRM = "⛔ Ja, deaktiver"
CLOSED = "✅ Lukket i Bekey"
KEY_BACK = "✅ Ja, tilbage i skabet"
NOT_YET = "✖ Ikke endnu"
KEY_RETURNED = "🔑 Smartkey K-07 er tilbage i skabet"
REFUSED = f"{t('da', 'access.stranger_short')} / {t('en', 'access.stranger_short')}"


async def task(bot: Harness, task_id: int = 1) -> LeaverTask:
    """A leaver's task as stored."""
    async with bot.services.db.read() as tx:
        found = await tx.leavers.get(task_id)
    assert found is not None
    return found


async def smartkey(bot: Harness, label: str) -> Smartkey:
    """A Smartkey of Hjemmepleje Nord as stored."""
    async with bot.services.db.read() as tx:
        found = await tx.smartkeys.find(NORD, label)
    assert found is not None
    return found


async def trail(bot: Harness, *actions: str) -> list[tuple[str, str, str | None, str]]:
    """The audit trail of these actions: (actor, action, target, outcome), oldest first."""
    return [
        (e.actor, e.action, e.target, e.outcome) for e in await bot.audit() if e.action in actions
    ]


async def reminders_in(chat: Person) -> list[ChatMessage]:
    """The reminders of a leaver's task in a planner's chat, oldest first."""
    return [m for m in await chat.bot_messages() if (m.text or "").startswith("⏰ Påmindelse")]


async def deactivate(actor: Person, user_id: str) -> None:
    """Ask to deactivate the employee, and confirm with the one tap."""
    asked = (await actor.say(f"/deaktiver {user_id}"))[0]
    await actor.press(CONFIRM, asked)


async def test_a_deactivation_cuts_access_at_once_and_frees_what_the_leaver_held(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Pia had taken F-0001 and was half-way through a report of her own when she left."""
    lis, per, pia = unit["lis"], unit["per"], unit["pia"]
    await report(unit["anna"], ["Nej"])
    per_card, pia_card = await per.last(), await pia.last()
    await pia.press(TAKE, pia_card)
    await begin_report(pia)
    pia_step = await pia.last()
    assert "Ja" in pia_step.buttons

    asked = (await lis.say("/deaktiver pl02"))[0]

    assert text_of(asked).startswith("⛔ Deaktiver Pia Planner (pl02)?")
    assert asked.buttons == [CONFIRM, "✖ Nej, fortryd"]
    assert (await bot.employee_record("pl02")).active  # nothing happens before the tap

    await lis.press(CONFIRM, asked)

    done = text_of(await lis.message_by_id(asked.message_id))
    assert "Pia Planner (pl02) er deaktiveret." in done
    assert "1 sag, Pia Planner havde taget, er ledig igen: F-0001." in done
    assert "Opgaven «Luk pl02 i Bekey» er sendt til Per Planner." in done
    stored = await bot.employee_record("pl02")
    assert (stored.active, stored.telegram_id) == (False, None)
    # The ticket is untaken again: every card shows it, Pia's no longer shows anything.
    ticket = await bot.ticket(1)
    assert (ticket.model.state, ticket.model.taken_by) == ("open", None)
    released = (await bot.ticket_events(1))[-1]
    assert (released.actor, released.from_state, released.to_state, released.detail) == (
        "le01",
        "taken",
        "open",
        "released:pl02",
    )
    card = await per.message_by_id(per_card.message_id)
    assert "åben, ikke taget" in text_of(card) and TAKE in card.buttons
    assert text_of(await pia.message_by_id(pia_card.message_id)) == (
        "Sagen F-0001 kan ikke længere ses her."
    )
    # The planners are told, the ticket a tap away, and get the Bekey task.
    notice = await per.message_with_button("📋 Vis F-0001")
    assert "Pia Planner (pl02) er deaktiveret. 1 sag" in text_of(notice)
    todo = await per.message_with_button(CLOSED)
    assert "Luk pl02 i Bekey" in text_of(todo) and "deaktiveret af Lis Leder" in text_of(todo)
    # Her report in progress is cancelled; her old button is refused and changes nothing.
    assert await bot.triage_outcomes() == {"submitted": 1, "cancelled": 1}

    answer, new = await pia.press("Ja", pia_step)

    assert answer == REFUSED
    assert new == []
    assert await bot.triage_outcomes() == {"submitted": 1, "cancelled": 1}
    assert (await bot.ticket(1)).model.state == "open"
    assert await trail(
        bot, "deactivate", "ticket_released", "leaver_task", "triage_ended", "access"
    ) == [
        ("ab1234", "triage_ended", "1", "submitted"),
        ("le01", "deactivate", "pl02", "ok"),
        ("le01", "triage_ended", "2", "cancelled"),
        ("le01", "ticket_released", "F-0001", "pl02"),
        ("le01", "leaver_task", "pl02", "1"),
        (f"tg:{pia.telegram_id}", "access", None, "refused"),
    ]

    again, _ = await lis.press(CONFIRM, asked, forge_data="lv:pl02:d")  # a double tap
    assert again == "Pia Planner (pl02) er allerede deaktiveret."
    assert text_of(await lis.message_by_id(asked.message_id)) == done
    assert len(await trail(bot, "leaver_task")) == 1

    await per.press("📋 Vis F-0001", notice)
    await per.press(TAKE)

    assert (await bot.ticket(1)).model.taken_by == "pl01"


async def test_the_bekey_task_is_reminded_daily_and_closed_with_the_smartkey_back(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Sofie the substitute leaves with K-07: the planners are reminded each day until Pia
    has her closed in Bekey and the key is back in the cabinet."""
    per, pia = unit["per"], unit["pia"]
    sofie = await bot.employee("sub01", Role.SUBSTITUTE, name="Sofie Vikar")
    row = SmartkeyRow("K-07", NORD, "Kontoret", "Plejecenter Nord, 1. sal")
    await bot.services.smartkeys.import_rows([row], actor="cli")
    planner = await bot.employee_record("pl01")
    key_id = (await smartkey(bot, "K-07")).id or 0
    handed = await bot.services.smartkeys.hand_out(planner, key_id, "sub01")
    assert handed.outcome is KeyOutcome.DONE

    await sofie.say("/noegler")
    await sofie.press("🙋 Bed om en nøgle")  # she asked for another key, too
    asked = await pia.message_with_button("✖ Afvis")

    await deactivate(per, "sub01")

    withdrawn = await pia.message_by_id(asked.message_id)
    lapsed = "Sofie Vikars anmodning om en nøgle bortfaldt: Sofie Vikar er stoppet."
    assert text_of(withdrawn) == lapsed
    first = await pia.message_with_button(CLOSED)
    assert "Luk sub01 i Bekey og få Smartkey K-07 tilbage" in text_of(first)
    assert "Sofie Vikar har stadig Smartkey K-07." in text_of(first)
    await bot.tick(hours=23, minutes=59)
    assert await reminders_in(pia) == []  # (the key's own overdue alert has come meanwhile)

    await bot.tick(minutes=1)
    await bot.tick(hours=24)

    reminders = await reminders_in(pia)
    assert len(reminders) == 2
    for reminder in reminders:
        assert text_of(reminder).startswith("⏰ Påmindelse: opgaven er stadig åben.")
        assert "Luk sub01 i Bekey og få Smartkey K-07 tilbage" in text_of(reminder)
        assert reminder.buttons == [CLOSED]
    assert await trail(bot, "leaver_task_reminded") == [
        ("system", "leaver_task_reminded", "sub01", "2"),
        ("system", "leaver_task_reminded", "sub01", "2"),
    ]

    copies = [
        (chat, m.message_id)
        for chat in (per, pia)
        for m in await chat.bot_messages()
        if CLOSED in m.buttons
    ]
    assert len(copies) == 6  # the task and two reminders, to each planner
    await pia.press(CLOSED, reminders[-1])

    question = await pia.message_by_id(reminders[-1].message_id)
    assert text_of(question).startswith("🔑 Smartkey K-07 er stadig udleveret: er den tilbage?")
    assert question.buttons == [KEY_BACK, NOT_YET]
    assert (await task(bot)).open

    await pia.press(NOT_YET, question)

    again = await pia.message_by_id(question.message_id)
    assert "Kommer nøglen ikke igen, så meld den mistet" in text_of(again)
    assert "✅ sub01 er lukket i Bekey (pl02, " in text_of(again)  # recorded, key or not
    assert again.buttons == [KEY_RETURNED]
    waiting = await task(bot)
    assert (waiting.open, waiting.bekey_closed_by) == (True, "pl02")
    per_copy = await per.message_by_id(copies[0][1])  # every copy asks only for the key now
    assert per_copy.buttons == [KEY_RETURNED]
    await bot.tick(hours=24)
    reminder = (await reminders_in(pia))[-1]
    assert "Få Smartkey K-07 tilbage fra sub01" in text_of(reminder)
    assert "Luk sub01 i Bekey" not in text_of(reminder)

    await pia.press(KEY_RETURNED, again)

    key = await smartkey(bot, "K-07")
    assert (key.state, key.holder) == (SmartkeyState.IN_CABINET, None)
    done = await task(bot)
    assert (done.done_at, done.done_by) == (bot.clock.now(), "pl02")
    for chat, message_id in copies:
        edited = await chat.message_by_id(message_id)
        assert "sub01 er lukket i Bekey" in text_of(edited), text_of(edited)
        assert "noteret af Pia Planner" in text_of(edited)
        assert "Tilbage i skabet: Smartkey K-07." in text_of(edited)
        assert edited.buttons == []
    assert await trail(bot, "smartkey_give_back", "leaver_task_done") == [
        ("pl02", "smartkey_give_back", "K-07", "ok"),
        ("pl02", "leaver_task_done", "sub01", "key_back"),
    ]
    assert [(e.actor, e.target) for e in await bot.audit("leaver_bekey_closed")] == [
        ("pl02", "sub01")
    ]

    before = len(await pia.bot_messages())
    await bot.tick(hours=48)
    assert len(await pia.bot_messages()) == before  # done (and the key back): nothing more


async def test_a_planner_may_not_deactivate_a_planner_a_leader_or_the_key_person(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """A planner deactivates substitutes, students, night guards and caregivers; for the
    rest the leader is asked, and a forged confirming tap changes nothing."""
    per = unit["per"]

    for user_id, name, role in (
        ("pl02", "Pia Planner", "planlægger"),
        ("le01", "Lis Leder", "leder"),
        ("kp01", "Kim Key", "hjemmehjælper og nøgleperson"),
    ):
        replies = await per.say(f"/deaktiver {user_id}")
        assert [text_of(m) for m in replies] == [
            f"Som planlægger kan du ikke deaktivere {name}, der er {role}. "
            "Bed lederen af Hjemmepleje Nord om det."
        ]
        assert replies[0].buttons == []

    answer, _ = await per.press(CONFIRM, replies[0], forge_data="lv:pl02:d")

    assert answer is not None and answer.startswith("Som planlægger kan du ikke deaktivere")
    assert (await bot.employee_record("pl02")).active
    assert await trail(bot, "deactivate", "leaver_task") == [
        ("pl01", "deactivate", "pl02", "refused")
    ]

    await deactivate(per, "ab1234")  # a caregiver: his to deactivate
    assert not (await bot.employee_record("ab1234")).active


async def test_a_leader_of_another_unit_is_refused(bot: Harness, unit: dict[str, Person]) -> None:
    """Sara leads Hjemmepleje Syd: Nord's staff and Nord's tasks are not hers."""
    sara = await bot.employee("le09", Role.LEADER, unit="Hjemmepleje Syd", name="Sara Syd")
    await deactivate(unit["lis"], "kp01")  # Nord has a task open now

    replies = await sara.say("/deaktiver ab1234")

    assert [text_of(m) for m in replies] == [
        "Jeg kender ingen medarbejder med bruger-id ab1234 i Hjemmepleje Syd."
    ]
    answer, _ = await sara.press(CONFIRM, replies[0], forge_data="lv:ab1234:d")
    assert answer == "Jeg kender ingen medarbejder med bruger-id ab1234 i Hjemmepleje Syd."
    answer, _ = await sara.press(CLOSED, replies[0], forge_data="lt:1:d")
    assert answer == "Det kan kun en planlægger eller leder i medarbejderens enhed."

    assert (await bot.employee_record("ab1234")).active
    assert (await task(bot)).open
    assert await trail(bot, "deactivate", "leaver_task_done") == [
        ("le01", "deactivate", "kp01", "ok"),
        ("le09", "deactivate", "ab1234", "refused"),
        ("le09", "leaver_task_done", "kp01", "refused"),
    ]


async def test_a_caregivers_forged_buttons_are_refused_and_change_nothing(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Anna types button data of her own: the gate and the service both say no."""
    anna = unit["anna"]
    await deactivate(unit["lis"], "kp01")
    mine = (await anna.say("/deaktiver pl01"))[0]
    assert text_of(mine) == "Det kan din rolle (hjemmehjælper) ikke her."

    for forged in ("lv:pl01:d", "lt:1:d", "lt:1:k"):
        answer, new = await anna.press(CONFIRM, mine, forge_data=forged)
        assert answer == "Det kan din rolle (hjemmehjælper) ikke her."
        assert new == []

    assert (await bot.employee_record("pl01")).active
    assert (await task(bot)).open
    assert await trail(bot, "deactivate", "leaver_task_done") == [
        ("le01", "deactivate", "kp01", "ok")
    ]


async def test_a_leaver_who_comes_back_withdraws_the_task(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Anna is reactivated before the planners got to it: they are told not to close her."""
    lis, per = unit["lis"], unit["per"]
    await deactivate(lis, "ab1234")
    todo = await per.message_with_button(CLOSED)

    replies = await lis.say("/genaktiver ab1234")

    assert "ab1234" in text_of(replies[0])
    withdrawn = await per.message_by_id(todo.message_id)
    assert text_of(withdrawn).startswith(
        "↩️ Anna Jensen (ab1234) er genaktiveret af Lis Leder: opgaven er bortfaldet."
    )
    assert withdrawn.buttons == []
    assert not (await task(bot)).open
    assert await trail(bot, "leaver_task_withdrawn") == [
        ("le01", "leaver_task_withdrawn", "ab1234", "1")
    ]
    listed = (await lis.say("/deaktiver"))[0]
    assert "Ingen åbne opgaver om at lukke medarbejdere i Bekey i Hjemmepleje Nord." in (
        text_of(listed)
    )


async def test_the_command_line_deactivates_with_the_same_steps(
    bot: Harness, unit: dict[str, Person], operator: Operator
) -> None:
    """The operator deactivates Pia from a terminal while the bot runs."""
    per, pia = unit["per"], unit["pia"]
    await report(unit["anna"], ["Nej"])
    await pia.press(TAKE, await pia.last())

    run = await operator.run("deactivate", "--user-id", "pl02")
    # The command line's pushes are stamped with the wall clock: the bot's clock catches up.
    bot.clock.advance(max(timedelta(0), datetime.now(UTC) - bot.clock.now()) + timedelta(seconds=1))
    await bot.sender.settled()

    assert run.code == 0, run
    assert run.out_lines == [
        "pl02 deactivated: the bot no longer answers that account",
        "untaken again (the planners are told): F-0001",
        "task 'close pl02 in Bekey' sent to: pl01",
    ]
    ticket = await bot.ticket(1)
    assert (ticket.model.state, ticket.model.taken_by) == ("open", None)
    assert "Luk pl02 i Bekey" in text_of(await per.message_with_button(CLOSED))
    assert "er ledig igen: F-0001" in text_of(await per.message_with_button("📋 Vis F-0001"))
    actors = {actor for actor, *_ in await trail(bot, "deactivate", "ticket_released")}
    assert len(actors) == 1 and actors.pop().startswith("cli:")
    assert [text_of(m) for m in await pia.say("/sager")] == [
        f"{t('da', 'access.stranger')}\n\n{t('en', 'access.stranger')}"
    ]

    again = await operator.run("deactivate", "--user-id", "pl02")

    assert again.out_lines == ["pl02 was deactivated already: nothing more was done"]
    assert len(await trail(bot, "leaver_task")) == 1


async def test_an_old_ticket_released_by_a_leaver_is_not_sent_on_to_the_leader_at_once(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Pia took F-0001 two hours ago and leaves: the planners are told; the scan after does not
    pile the escalations that fell due while it was taken on top (nothing to the leader)."""
    lis, pia = unit["lis"], unit["pia"]
    await report(unit["anna"], ["Nej"])
    await pia.press(TAKE, await pia.last())
    await bot.tick(hours=2)
    await deactivate(lis, "pl02")
    before = len(await lis.bot_messages())

    await bot.tick(minutes=1)

    assert (await bot.ticket(1)).model.state == "open"
    assert len(await lis.bot_messages()) == before
    assert await trail(bot, "ticket_escalated") == []


async def test_deactivating_the_last_key_person_names_the_gap(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Kim was Nord's only key person: Lis is told the unit now has none."""
    lis = unit["lis"]

    await deactivate(lis, "kp01")

    assert "⚠️ Hjemmepleje Nord har nu ingen nøgleperson." in text_of(await lis.last())


async def test_a_forged_cancel_names_nobody_of_another_unit(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Sune, planner of Syd, forges "no, cancel" for Anna of Nord: her name is not shown."""
    sune = unit["syd"]
    asked = (await sune.say("/deaktiver"))[0]

    await sune.press("x", asked, forge_data="lv:ab1234:x")

    shown = text_of(await sune.message_by_id(asked.message_id))
    assert "Anna" not in shown and "Jensen" not in shown
    assert (await bot.employee_record("ab1234")).active


async def test_the_task_closes_itself_when_the_last_key_comes_back_by_its_card(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Pia closed Sofie in Bekey while K-07 was out; Per later records K-07 back on the key's
    own card: the task is done, and every copy says so."""
    per, pia = unit["per"], unit["pia"]
    await bot.employee("sub01", Role.SUBSTITUTE, name="Sofie Vikar")
    row = SmartkeyRow("K-07", NORD, "Kontoret", "Plejecenter Nord, 1. sal")
    await bot.services.smartkeys.import_rows([row], actor="cli")
    planner = await bot.employee_record("pl01")
    await bot.services.smartkeys.hand_out(planner, (await smartkey(bot, "K-07")).id or 0, "sub01")
    await deactivate(per, "sub01")
    pushed = await pia.message_with_button(CLOSED)
    await pia.press(CLOSED, pushed)
    await pia.press(NOT_YET, await pia.message_by_id(pushed.message_id))

    await per.say("/noegler K-07")
    await per.press("✅ K-07 lagt i skabet")

    done = await task(bot)
    assert (done.open, done.done_by) == (False, "pl01")
    copy = await pia.message_by_id(pushed.message_id)
    assert "sub01 er lukket i Bekey" in text_of(copy)
    assert "Tilbage i skabet: Smartkey K-07." in text_of(copy)
    assert copy.buttons == []


async def test_a_summer_of_leavers_still_lists_in_one_message(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """120 substitutes leave at the end of the summer: /deaktiver alone lists the open tasks
    within Telegram's limits, the rest counted."""
    per = unit["per"]
    for n in range(120):
        await bot.invite(f"som{n:03d}", f"Sommer Vikar {n:03d}", Role.SUBSTITUTE, NORD)
        await bot.services.staff.deactivate(f"som{n:03d}", actor="cli")
    await bot.sender.settled()

    listed = (await per.say("/deaktiver"))[0]

    assert len(text_of(listed)) <= 4096 and len(listed.buttons) <= 100
    assert "opgaver mere" in text_of(listed)
