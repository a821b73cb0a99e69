"""Texts from the locale files (Danish first, English second) and locale-aware formatting.

Locale files are TOML under ``bot/locales/``; a key is ``section.name``. Values are
Telegram HTML; the parameters filled into them are escaped, so user text can never
break the markup.
"""

from __future__ import annotations

import html
import tomllib
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_datetime, format_timedelta

LOCALES_DIR = Path(__file__).with_name("locales")
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@cache
def catalog(language: str) -> dict[str, str]:
    """Return every text of one language, by dotted key."""
    with (LOCALES_DIR / f"{language}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    out: dict[str, str] = {}
    _flatten("", data, out)
    return out


def normalise(language: str | None) -> str:
    """Return a supported language code (falling back to Danish)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


class Html(str):
    """A parameter that is already safe Telegram HTML (built from other texts); not escaped."""

    __slots__ = ()


def _safe(value: object) -> str:
    if isinstance(value, Html):
        return str(value)
    return html.escape(str(value), quote=False)


def t(language: str | None, key: str, /, **params: object) -> str:
    """Return one text in a language, with its parameters HTML-escaped (unless Html) filled in."""
    template = catalog(normalise(language))[key]
    if not params:
        return template
    safe = {name: _safe(value) for name, value in params.items()}
    return template.format(**safe)


def plain(language: str | None, key: str, /, **params: object) -> str:
    """Return a text for a terminal: parameters filled in as they are, nothing escaped."""
    return catalog(normalise(language))[key].format(**params)


def both(key: str, /, **params: object) -> str:
    """Return a text in Danish, then English (for people whose language is not known)."""
    return "\n\n".join(t(language, key, **params) for language in LANGUAGES)


def all_variants(key: str) -> frozenset[str]:
    """Return a text in every language (to recognise a keyboard button in either)."""
    return frozenset(catalog(language)[key] for language in LANGUAGES)


def age(language: str | None, delta: timedelta) -> str:
    """Return a short, human duration ("12 minutter")."""
    return format_timedelta(delta, threshold=1.5, locale=normalise(language))


def moment(language: str | None, when: datetime, zone: Any) -> str:
    """Return a local date and time, short form."""
    return format_datetime(when.astimezone(zone), "short", locale=normalise(language))
