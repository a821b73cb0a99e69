"""Menus: each role's commands and big buttons, /hjaelp, /sprog, and the answer to the unknown."""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)

from bot.render.i18n import LANGUAGES, all_variants, t
from bot.storage.employees import Employee
from handlers.context import BekeyContext, background
from state.roles import KEYBOARD_ACTIONS, Action, Permission, Role, actions_for, may

COMMANDS: dict[Action, tuple[str, str]] = {
    Action.EMERGENCY: ("akut", "emergency"),
    Action.REPORT_FAULT: ("fejl", "fault"),
    Action.MY_TICKETS: ("mine", "mine"),
    Action.TICKETS: ("sager", "tickets"),
    Action.INCIDENTS: ("haendelse", "incident"),
    Action.BROADCAST: ("udsend", "broadcast"),
    Action.INVITE: ("inviter", "invite"),
    Action.REACTIVATE: ("genaktiver", "reactivate"),
    Action.CITIZEN: ("borger", "citizen"),
    Action.NEW_CITIZEN: ("nyborger", "newcitizen"),
    Action.ORDERS: ("ordrer", "orders"),
    Action.SMARTKEYS: ("noegler", "keys"),
    Action.NEW_SMARTKEY: ("nynoegle", "newkey"),
    Action.CABINET: ("skab", "cabinet"),
    Action.STATUS: ("status", "status"),
    Action.REPORT: ("rapport", "report"),
    Action.TRAINING: ("oplaering", "training"),
    Action.KEY_PERSONS: ("noegleperson", "keyperson"),
    Action.LOCK_PARTNERS: ("laasepartner", "lockpartner"),
    Action.ON_CALL: ("vagt", "oncall"),
    Action.DEACTIVATE: ("deaktiver", "deactivate"),
    Action.LANGUAGE: ("sprog", "language"),
    Action.HELP: ("hjaelp", "help"),
}
"""Command names per action: Danish, English. Both always work; the menu shows one."""

LANGUAGE_DATA = "lang:"


def is_emergency(update: Update) -> bool:
    """Whether a message is the 🆘 button or the emergency command (in any language)."""
    message = update.message
    if message is None or message.text is None:
        return False
    text = message.text.strip()
    if text in all_variants("button.emergency"):
        return True
    command = text.split()[0].split("@")[0].removeprefix("/") if text.startswith("/") else ""
    return command in command_names(Action.EMERGENCY)


def command_names(action: Action) -> list[str]:
    """Return every command name that triggers an action."""
    return sorted(set(COMMANDS[action]))


def command_for(action: Action, language: str) -> str:
    """Return the command shown for an action in a language."""
    danish, english = COMMANDS[action]
    return english if language == "en" else danish


def keyboard_for(employee: Employee) -> ReplyKeyboardMarkup:
    """Return the persistent keyboard of big buttons for an employee's role."""
    language = employee.language
    actions = [a for a in actions_for(employee.roles) if a in KEYBOARD_ACTIONS]
    rows: list[list[KeyboardButton]] = (
        [[KeyboardButton(t(language, "button.emergency"))]] if Action.EMERGENCY in actions else []
    )
    rest = [
        KeyboardButton(t(language, f"button.{a.value}"))
        for a in actions
        if a is not Action.EMERGENCY
    ]
    rows += [rest[i : i + 2] for i in range(0, len(rest), 2)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


async def install_menu(bot: Bot, employee: Employee, chat_id: int) -> None:
    """Set the role's commands for this chat, in the employee's language."""
    language = employee.language
    commands = [
        BotCommand(command_for(action, language), t(language, f"command.{action.value}"))
        for action in actions_for(employee.roles)
    ]
    await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))


async def show_menu(update: Update, context: BekeyContext, text: str) -> None:
    """Send a text with the employee's big-button keyboard, and refresh their commands."""
    employee = context.employee
    chat = update.effective_chat
    assert chat is not None
    background(install_menu(context.bot, employee, chat.id), "setting the commands")
    await context.services.staff.menu_drawn(employee)
    await context.reply(text, markup=keyboard_for(employee))


def role_name(language: str, role: Role) -> str:
    """Return a role's name in a language."""
    return t(language, f"role.{role.value}")


def employee_role_name(language: str, employee: Employee) -> str:
    """Return what an employee is, in a language: their role, and key person if appointed."""
    name = role_name(language, employee.role)
    if employee.key_person and employee.role is not Role.KEY_PERSON:
        return t(language, "appointment.with_key_person", role=name)
    return name


async def where(context: BekeyContext, employee: Employee) -> str:
    """Where an employee belongs, as their welcome and help name it: their unit, or a lock
    partner's firm."""
    if employee.firm_id is not None:
        return await context.services.lock_partners.name_of(employee.firm_id)
    return employee.unit


async def show_help(update: Update, context: BekeyContext) -> None:
    """Says what this employee's role can do here, with the commands for it."""
    employee = context.employee
    language = employee.language
    lines = [
        t(
            language,
            "help.intro",
            role=employee_role_name(language, employee),
            unit=await where(context, employee),
        )
    ]
    for action in actions_for(employee.roles):
        lines.append(
            t(
                language,
                "help.line",
                command=f"/{command_for(action, language)}",
                text=t(language, f"command.{action.value}"),
            )
        )
    if may(employee.roles, Permission.EMERGENCY):
        lines.append("")
        lines.append(t(language, "help.emergency_note"))
    if may(
        employee.roles, Permission.SEE_UNIT_TICKETS
    ) and not await context.services.staff.has_planner(employee.unit):
        lines += ["", t(language, "help.no_planner", unit=employee.unit)]
    await show_menu(update, context, "\n".join(lines))


async def ask_language(update: Update, context: BekeyContext) -> None:
    """Offers Danish and English, or switches at once when one is named."""
    if context.args and context.args[0].lower()[:2] in LANGUAGES:
        await _switch_language(update, context, context.args[0].lower()[:2])
        return
    buttons = [
        [
            InlineKeyboardButton(t(code, "language.name"), callback_data=LANGUAGE_DATA + code)
            for code in LANGUAGES
        ]
    ]
    await context.reply(
        t(context.language, "language.choose"), markup=InlineKeyboardMarkup(buttons)
    )


async def choose_language(update: Update, context: BekeyContext) -> None:
    """Stores the language pressed and redraws the menu in it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.removeprefix(LANGUAGE_DATA)
    if code not in LANGUAGES:
        context.answer(query, t(context.language, "access.stale_button"))
        return
    context.answer(query)
    await _switch_language(update, context, code)


async def _switch_language(update: Update, context: BekeyContext, code: str) -> None:
    before = context.employee
    context.employee_or_none = await context.services.staff.set_language(before, code)
    await show_menu(update, context, t(code, "language.changed"))
    if code != before.language and context.chat is not None:  # the card, in the new language
        await context.services.emergency.pin_card(context.employee, context.chat)


async def redraw_after_role_change(update: Update, context: BekeyContext) -> None:
    """Redraws the menu when the employee's role changed since it was drawn (say, by the CLI)."""
    employee = context.employee
    if employee.menu_role is None or employee.menu_role == employee.acts_as:
        return
    language = employee.language
    await show_menu(
        update,
        context,
        t(
            language,
            "join.role_changed",
            role=employee_role_name(language, employee),
            unit=await where(context, employee),
        ),
    )


async def answer_unknown(update: Update, context: BekeyContext) -> None:
    """Points an employee whose message matched nothing back to the buttons."""
    await show_menu(update, context, t(context.language, "access.not_understood"))


async def answer_stale_button(update: Update, context: BekeyContext) -> None:
    """Answers a press on a button this bot no longer knows, and changes nothing."""
    query = update.callback_query
    assert query is not None
    context.answer(query, t(context.language, "access.stale_button"), alert=True)
