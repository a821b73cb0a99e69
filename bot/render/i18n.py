"""Texts from the locale files (Danish first, English second) and locale-aware formatting.

Locale files are TOML under ``bot/render/locales/``; a key is ``section.name``. Values are
Telegram HTML; the parameters filled into them are escaped, so user text can never
break the markup.

A text whose grammar depends on a number ("1 minut", "2 minutter") is a table instead of
a string: one form per CLDR plural category the language has (``one``, ``other``, ...)
and the reserved key ``by``, naming the parameter whose number picks the form by the
language's plural rule (Babel)::

    [import.refused]
    by = "count"
    one = "Intet er importeret: {count} linje skal rettes først."
    other = "Intet er importeret: {count} linjer skal rettes først."

Callers do not know which texts are plural: ``t(language, "import.refused", count=n)``.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

from babel import Locale
from babel.dates import format_datetime, format_timedelta
from babel.plural import PluralRule

LOCALES_DIR = Path(__file__).with_name("locales")
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"

PLURAL_BY = "by"
"""The reserved key that makes a table a plural text: the parameter that picks the form."""
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
"""Every CLDR plural category; ``other`` is the one every language has."""


@dataclass(frozen=True)
class Plural:
    """A text with one form per CLDR plural category; the number in parameter ``by`` picks one."""

    by: str
    forms: Mapping[str, str]


Text: TypeAlias = str | Plural


def every_form(text: Text) -> tuple[str, ...]:
    """Return every template a text can be: the text itself, or each of its plural forms."""
    return (text,) if isinstance(text, str) else tuple(text.forms.values())


def _plural(name: str, table: dict[str, Any]) -> Plural:
    by = table[PLURAL_BY]
    forms = {category: form for category, form in table.items() if category != PLURAL_BY}
    if not isinstance(by, str) or not by:
        raise ValueError(f"{name}: '{PLURAL_BY}' must name the parameter that holds the number")
    if "other" not in forms or not set(forms) <= PLURAL_CATEGORIES:
        raise ValueError(
            f"{name}: a plural text has an 'other' form and no keys but"
            f" '{PLURAL_BY}' and CLDR categories; it has {sorted(table)}"
        )
    if not all(isinstance(form, str) for form in forms.values()):
        raise ValueError(f"{name}: every plural form must be a string")
    return Plural(by, forms)


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, Text]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and PLURAL_BY in value:
            out[name] = _plural(name, value)
        elif isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@cache
def catalog(language: str) -> dict[str, Text]:
    """Return every text of one language, by dotted key (a plural text as a Plural)."""
    with (LOCALES_DIR / f"{language}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    out: dict[str, Text] = {}
    _flatten("", data, out)
    return out


def normalise(language: str | None) -> str:
    """Return a supported language code (falling back to Danish)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@cache
def _plural_rule(language: str) -> PluralRule:
    return Locale.parse(language).plural_form


def _template(language: str | None, key: str, params: Mapping[str, object]) -> str:
    """Return the template of a text; for a plural text, the form its number calls for."""
    language = normalise(language)
    text = catalog(language)[key]
    if isinstance(text, str):
        return text
    if text.by not in params:
        raise KeyError(f"{key} needs the number {text.by!r} to choose its plural form")
    number = params[text.by]
    if isinstance(number, bool) or not isinstance(number, int | float | Decimal):
        raise TypeError(f"{key}: {text.by}={number!r} chooses the plural form; pass a number")
    category = _plural_rule(language)(number)
    # The tests hold every language to the categories its rule has; 'other' is CLDR's catch-all.
    return text.forms.get(category, text.forms["other"])


class Html(str):
    """A parameter that is already safe Telegram HTML (built from other texts); not escaped."""

    __slots__ = ()


def _safe(value: object) -> str:
    if isinstance(value, Html):
        return str(value)
    return html.escape(str(value), quote=False)


def t(language: str | None, key: str, /, **params: object) -> str:
    """Return one text in a language, with its parameters HTML-escaped (unless Html) filled in."""
    template = _template(language, key, params)
    if not params:
        return template
    safe = {name: _safe(value) for name, value in params.items()}
    return template.format(**safe)


def plain(language: str | None, key: str, /, **params: object) -> str:
    """Return a text for a terminal: parameters filled in as they are, nothing escaped."""
    return _template(language, key, params).format(**params)


def both(key: str, /, **params: object) -> str:
    """Return a text in Danish, then English (for people whose language is not known)."""
    return "\n\n".join(t(language, key, **params) for language in LANGUAGES)


def all_variants(key: str) -> frozenset[str]:
    """Return a text in every language, every plural form (to recognise a keyboard button)."""
    return frozenset(form for language in LANGUAGES for form in every_form(catalog(language)[key]))


def age(language: str | None, delta: timedelta) -> str:
    """Return a short, human duration ("12 minutter")."""
    return format_timedelta(delta, threshold=1.5, locale=normalise(language))


def moment(language: str | None, when: datetime, zone: Any) -> str:
    """Return a local date and time, short form."""
    return format_datetime(when.astimezone(zone), "short", locale=normalise(language))
