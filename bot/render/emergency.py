"""The emergency card: Bekey's 24-hour number, exactly what to say, the Smartkey fallback."""

from __future__ import annotations

import html

from bot.render.i18n import Html, t
from bot.render.phones import dialable
from bot.settings import Settings
from bot.storage.citizens import Citizen


def named_citizen(citizen: Citizen | None, typed: str | None) -> str | None:
    """How the card names the citizen (plain text), or None while nobody is named."""
    if citizen is not None:
        return f"{citizen.name}, {citizen.address} ({citizen.bekey_door})"
    return typed or None


def emergency_card(
    language: str, settings: Settings, user_id: str, citizen: str | None = None
) -> str:
    """Return the card; ``citizen`` is plain text (escaped here), None while unknown."""
    return t(
        language,
        "emergency.card",
        support=settings.bekey_support_name,
        phone=dialable(settings.bekey_support_phone),
        user_id=user_id,
        citizen=Html(
            t(language, "emergency.citizen_unknown") if citizen is None else html.escape(citizen)
        ),
    )
