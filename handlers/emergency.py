"""The emergency card: Bekey's 24-hour number and exactly what to say, one tap away."""

from __future__ import annotations

from bot.context import BekeyContext
from bot.i18n import Html, t
from bot.settings import Settings
from bot.storage.employees import Employee
from bot.storage.outbox import OutboxStore


def dialable(phone: str) -> str:
    """Return a Danish number in the +45 form that phones offer to dial."""
    digits = phone.replace(" ", "")
    if digits.startswith("+") or not digits.isdigit() or len(digits) != 8:
        return phone
    return f"+45 {phone}"


def emergency_card(
    language: str, settings: Settings, user_id: str, citizen: str | None = None
) -> str:
    """Return the card: the number, what to say (citizen, user-id), the Smartkey fallback."""
    return t(
        language,
        "emergency.card",
        support=settings.bekey_support_name,
        phone=dialable(settings.bekey_support_phone),
        user_id=user_id,
        citizen=Html(t(language, "emergency.citizen_unknown")) if citizen is None else citizen,
    )


async def pin_emergency_card(context: BekeyContext, employee: Employee, chat_id: int) -> None:
    """Queue the emergency card to be sent and pinned, so it is there when the network is not."""
    services = context.services
    text = emergency_card(employee.language, services.settings, employee.user_id)
    async with services.db.transaction() as s:
        await OutboxStore.enqueue_in(
            s, services.clock.now(), chat_id, text, pin=True, topic=f"card:{employee.user_id}"
        )
    await services.outbox.flush(context.bot)
