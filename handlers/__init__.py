"""The Telegram face: one module per feature, all wired here, in order.

Order matters: the gate (group -1) runs first for every update; within group 0 the first
matching handler wins, so commands and buttons stand before the catch-all answers.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.render.callbacks import (
    BROADCAST_PREFIX,
    CABINET_PREFIX,
    CITIZEN_PREFIX,
    EMERGENCY_PREFIX,
    HAND_TO_PREFIX,
    INCIDENT_PREFIX,
    KEY_PERSON_PREFIX,
    KEY_REQUEST_PREFIX,
    KEY_VIEW_PREFIX,
    LEAVER_PREFIX,
    LEAVER_TASK_PREFIX,
    LOCK_PARTNER_PREFIX,
    ON_CALL_PREFIX,
    ORDER_PREFIX,
    SMARTKEY_PREFIX,
    TICKET_ON_PAGE_PREFIX,
    TICKET_PREFIX,
    TODO_PREFIX,
    TRAINING_PREFIX,
    TRIAGE_PREFIX,
    TicketList,
    page_prefix,
)
from bot.render.i18n import all_variants
from handlers import (
    appointments,
    citizens,
    duty,
    emergency,
    errors,
    gate,
    incidents,
    invite,
    leavers,
    lock_partners,
    menu,
    orders,
    reactivate,
    report,
    smartkeys,
    start,
    text,
    tickets,
    training,
    triage,
)
from state.roles import Action, Permission

GATE_GROUP = -2
CPR_GROUP = -1


def _button(action: Action) -> filters.BaseFilter:
    """Match a big keyboard button's text, in any language."""
    return filters.ChatType.PRIVATE & filters.Text(sorted(all_variants(f"button.{action.value}")))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler to the application."""
    add = application.add_handler
    # 1. Every update passes the gate first: private only, once, known staff only.
    add(TypeHandler(Update, gate.admit_employee), group=GATE_GROUP)
    # 2. Then the CPR guard, on everything a person writes: what looks like a CPR number goes
    #    no further. Edits first: one with a CPR number is refused like a message, any other
    #    edit is ignored here (an edit is never new input; group 0 would take it as one).
    add(MessageHandler(filters.UpdateType.EDITED, text.guard_edit), group=CPR_GROUP)
    add(MessageHandler(filters.ALL, text.guard_cpr), group=CPR_GROUP)

    # 3. The emergency, first of all actions.
    urgent = gate.requires(Permission.EMERGENCY, emergency.show_emergency)
    add(CommandHandler(menu.command_names(Action.EMERGENCY), urgent))
    add(MessageHandler(_button(Action.EMERGENCY), urgent))
    add(
        CallbackQueryHandler(
            gate.requires(Permission.EMERGENCY, emergency.press_emergency),
            pattern=f"^{EMERGENCY_PREFIX}",
        )
    )

    # 4. Fault triage.
    fault = gate.requires(Permission.REPORT_FAULT, triage.start_triage)
    add(CommandHandler(menu.command_names(Action.REPORT_FAULT), fault))
    add(MessageHandler(_button(Action.REPORT_FAULT), fault))
    add(CommandHandler(["annuller", "cancel"], triage.cancel_triage))
    add(CallbackQueryHandler(triage.press_triage, pattern=f"^{TRIAGE_PREFIX}"))

    # 5. Tickets: lists by command, actions by button (authorised again in the service).
    add(
        CommandHandler(
            menu.command_names(Action.TICKETS),
            gate.requires(Permission.SEE_UNIT_TICKETS, tickets.list_unit_tickets),
        )
    )
    add(
        MessageHandler(
            _button(Action.TICKETS),
            gate.requires(Permission.SEE_UNIT_TICKETS, tickets.list_unit_tickets),
        )
    )
    mine = gate.requires(Permission.SEE_OWN_TICKETS, tickets.list_my_tickets)
    add(CommandHandler(menu.command_names(Action.MY_TICKETS), mine))
    add(MessageHandler(_button(Action.MY_TICKETS), mine))
    add(
        CallbackQueryHandler(
            tickets.press_ticket, pattern=f"^({TICKET_PREFIX}|{TICKET_ON_PAGE_PREFIX})"
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(Permission.SEE_UNIT_TICKETS, tickets.turn_unit_page),
            pattern=f"^{page_prefix(TicketList.UNIT)}",
        )
    )
    add(CallbackQueryHandler(tickets.turn_my_page, pattern=f"^{page_prefix(TicketList.MINE)}"))

    # 5b. Outage incidents and the unit broadcast (roles here, and again in the service).
    incident, broadcast = Permission.HANDLE_INCIDENT, Permission.BROADCAST
    add(
        CommandHandler(
            menu.command_names(Action.INCIDENTS), gate.requires(incident, incidents.show_incidents)
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(incident, incidents.press_incident), pattern=f"^{INCIDENT_PREFIX}"
        )
    )
    add(
        CommandHandler(
            menu.command_names(Action.BROADCAST),
            gate.requires(broadcast, incidents.draft_broadcast),
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(broadcast, incidents.press_broadcast), pattern=f"^{BROADCAST_PREFIX}"
        )
    )

    # 5b2. A citizen looked up at the door (own unit only, audited in the service); for
    #      visitation, every unit's citizens and their Bekey's steps; the lock partner's
    #      orders and visitation's to-dos (roles here, and again in the service).
    look_up = gate.requires(Permission.LOOK_UP_CITIZEN, citizens.look_up_citizen)
    add(CommandHandler(menu.command_names(Action.CITIZEN), look_up))
    manage, fit = Permission.MANAGE_CITIZENS, Permission.RECORD_LOCK_PARTNER_STEP
    add(
        CommandHandler(
            menu.command_names(Action.NEW_CITIZEN), gate.requires(manage, citizens.add_citizen)
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(manage, citizens.press_citizen), pattern=f"^{CITIZEN_PREFIX}"
        )
    )
    add(CommandHandler(menu.command_names(Action.ORDERS), gate.requires(fit, orders.show_orders)))
    add(MessageHandler(_button(Action.ORDERS), gate.requires(fit, orders.show_orders)))
    add(CallbackQueryHandler(gate.requires(fit, orders.press_order), pattern=f"^{ORDER_PREFIX}"))
    add(CallbackQueryHandler(gate.requires(manage, orders.press_todo), pattern=f"^{TODO_PREFIX}"))

    # 5c. Smartkeys: everyone's own keys; keepers' cabinet, hand-out and registration (roles
    #     here where a whole command is theirs, and again in the service for every press).
    own_keys = gate.requires(Permission.HOLD_SMARTKEY, smartkeys.show_keys)
    add(CommandHandler(menu.command_names(Action.SMARTKEYS), own_keys))
    add(MessageHandler(_button(Action.SMARTKEYS), own_keys))
    register_keys = Permission.REGISTER_SMARTKEY
    add(
        CommandHandler(
            menu.command_names(Action.CABINET),
            gate.requires(register_keys, smartkeys.register_cabinet),
        )
    )
    add(
        CommandHandler(
            menu.command_names(Action.NEW_SMARTKEY),
            gate.requires(register_keys, smartkeys.register_key),
        )
    )
    add(CallbackQueryHandler(smartkeys.press_key, pattern=f"^{SMARTKEY_PREFIX}"))
    add(CallbackQueryHandler(smartkeys.press_view, pattern=f"^{KEY_VIEW_PREFIX}"))
    add(
        CallbackQueryHandler(
            gate.requires(Permission.HAND_OUT_SMARTKEY, smartkeys.press_hand_to),
            pattern=f"^{HAND_TO_PREFIX}",
        )
    )
    add(CallbackQueryHandler(smartkeys.press_request, pattern=f"^{KEY_REQUEST_PREFIX}"))
    add(
        CallbackQueryHandler(
            gate.requires(Permission.MARK_SMARTKEY_UPDATED, smartkeys.press_cabinet_updated),
            pattern=f"^{CABINET_PREFIX}",
        )
    )

    # 5e. Bekey training: key persons and leaders record it and see the unit's gaps and
    #     coverage (roles here, and again in the service for every press).
    record, see = Permission.RECORD_TRAINING, Permission.SEE_TRAINING
    add(
        CommandHandler(
            menu.command_names(Action.TRAINING), gate.requires(record, training.record_training)
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(record, training.press_training), pattern=f"^{TRAINING_PREFIX}"
        )
    )
    add(CommandHandler(menu.command_names(Action.STATUS), gate.requires(see, training.show_status)))

    # 5e2. The leader's monthly report: the figures, the chart and the workbook.
    add(
        CommandHandler(
            menu.command_names(Action.REPORT),
            gate.requires(Permission.SEE_REPORT, report.show_report),
        )
    )

    # 5d. Employees who leave: a leader or planner deactivates (one confirming tap), the
    #     planners close the leaver in Bekey (roles here, and again in the service).
    add(
        CommandHandler(
            menu.command_names(Action.DEACTIVATE),
            gate.requires(Permission.DEACTIVATE, leavers.ask_deactivate),
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(Permission.DEACTIVATE, leavers.press_deactivate),
            pattern=f"^{LEAVER_PREFIX}",
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(Permission.CLOSE_LEAVER_TASK, leavers.press_task),
            pattern=f"^{LEAVER_TASK_PREFIX}",
        )
    )

    # 5d. Key persons: the leader appoints and removes them (roles here, and in the service).
    appoint = Permission.APPOINT_KEY_PERSON
    add(
        CommandHandler(
            menu.command_names(Action.KEY_PERSONS),
            gate.requires(appoint, appointments.key_persons),
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(appoint, appointments.press_remove), pattern=f"^{KEY_PERSON_PREFIX}"
        )
    )

    # 5d2. Lock partner firms: leaders keep the list (roles here, and again in the service).
    firms = Permission.MANAGE_LOCK_PARTNERS
    add(
        CommandHandler(
            menu.command_names(Action.LOCK_PARTNERS),
            gate.requires(firms, lock_partners.lock_partners),
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(firms, lock_partners.press_retire), pattern=f"^{LOCK_PARTNER_PREFIX}"
        )
    )

    # 5f. Duty: the leader sets planner hours and appoints on-call people (roles here, and
    #     again in the service).
    duty_rights = Permission.SET_DUTY
    add(
        CommandHandler(
            menu.command_names(Action.ON_CALL), gate.requires(duty_rights, duty.set_duty)
        )
    )
    add(
        CallbackQueryHandler(
            gate.requires(duty_rights, duty.press_end), pattern=f"^{ON_CALL_PREFIX}"
        )
    )

    # 6. Joining and menus.
    add(CommandHandler("start", start.start))
    add(CommandHandler(menu.command_names(Action.HELP), menu.show_help))
    add(MessageHandler(_button(Action.HELP), menu.show_help))
    add(CommandHandler(menu.command_names(Action.LANGUAGE), menu.ask_language))
    add(CallbackQueryHandler(menu.choose_language, pattern=f"^{menu.LANGUAGE_DATA}"))

    # 7. Admin: invites (role checked here, at registration).
    add(
        CommandHandler(
            menu.command_names(Action.INVITE),
            gate.requires(Permission.INVITE, invite.invite_employee),
        )
    )
    # A staff list as a spreadsheet: CSV or Excel (an old .xls is told what to send instead).
    add(
        CommandHandler(
            menu.command_names(Action.REACTIVATE),
            gate.requires(Permission.REACTIVATE, reactivate.reactivate_employee),
        )
    )
    add(
        MessageHandler(
            filters.Document.FileExtension("csv")
            | filters.Document.FileExtension("xlsx")
            | filters.Document.FileExtension("xls"),
            gate.requires(Permission.INVITE, invite.import_staff_file),
        )
    )

    # 8. Catch-alls, last: typed text to what waits for it, unknown buttons, the rest.
    add(MessageHandler(filters.TEXT & ~filters.COMMAND, text.route_text))
    add(CallbackQueryHandler(menu.answer_stale_button))
    add(MessageHandler(filters.ALL, menu.answer_unknown))

    application.add_error_handler(errors.report_error)
