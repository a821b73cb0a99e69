"""Every text exists in Danish and English, with the same placeholders and valid Telegram HTML."""

from __future__ import annotations

import re
import string

import pytest
from babel import Locale

from bot.render.i18n import LANGUAGES, Plural, Text, catalog, every_form, t

PLACEHOLDER = string.Formatter()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in PLACEHOLDER.parse(text) if name}


def parameters(text: Text) -> set[str]:
    """Every placeholder of a text, over all its plural forms."""
    return {name for form in every_form(text) for name in placeholders(form)}


PLURALS = [
    (language, key)
    for language in LANGUAGES
    for key, text in catalog(language).items()
    if isinstance(text, Plural)
]


def plural(language: str, key: str) -> Plural:
    text = catalog(language)[key]
    assert isinstance(text, Plural)
    return text


def test_every_key_exists_in_every_language() -> None:
    keys = {language: set(catalog(language)) for language in LANGUAGES}
    danish = keys["da"]
    for language, own in keys.items():
        assert own == danish, f"{language}: missing {danish - own}, extra {own - danish}"


@pytest.mark.parametrize("key", sorted(catalog("da")))
def test_translations_take_the_same_parameters(key: str) -> None:
    danish, english = catalog("da")[key], catalog("en")[key]
    assert parameters(danish) == parameters(english)
    if isinstance(danish, Plural) and isinstance(english, Plural):
        assert danish.by == english.by, "the same number chooses the form in every language"


def test_there_are_plural_texts() -> None:
    assert {key for language, key in PLURALS if language == "da"} >= {
        "triage.expired",
        "import.done",
        "import.refused",
    }


@pytest.mark.parametrize(("language", "key"), PLURALS)
def test_plural_texts_have_every_form_their_language_needs(language: str, key: str) -> None:
    text = plural(language, key)
    needed = Locale.parse(language).plural_form.tags | {"other"}
    assert set(text.forms) == needed, f"{language}:{key}"


@pytest.mark.parametrize(("language", "key"), PLURALS)
def test_plural_texts_name_the_parameter_that_chooses_the_form(language: str, key: str) -> None:
    text = plural(language, key)
    assert text.by, f"{language}:{key} has no 'by'"
    assert text.by in parameters(text), f"{language}:{key}: by = {text.by!r} is no parameter"


@pytest.mark.parametrize(("language", "key"), PLURALS)
def test_plural_forms_take_the_same_parameters(language: str, key: str) -> None:
    forms = {category: placeholders(form) for category, form in plural(language, key).forms.items()}
    assert len({frozenset(names) for names in forms.values()}) == 1, f"{language}:{key} {forms}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_texts_use_only_tags_telegram_accepts(language: str) -> None:
    allowed = {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}
    for key, text in catalog(language).items():
        for form in every_form(text):
            tags = set(re.findall(r"</?([a-zA-Z-]+)", form))
            assert tags <= allowed, f"{language}:{key} uses {tags - allowed}"
            assert "&" not in re.sub(r"&(lt|gt|amp|quot);", "", form), f"{language}:{key} bare &"


def test_parameters_are_escaped_so_user_text_cannot_break_markup() -> None:
    text = t("da", "triage.no_match", query="<b>&")
    assert "&lt;b&gt;&amp;" in text


def test_button_labels_fit_and_differ_between_actions() -> None:
    for language in LANGUAGES:
        labels = [
            form
            for key, text in catalog(language).items()
            if key.startswith("button.")
            for form in every_form(text)
        ]
        assert len(labels) == len(set(labels))
        assert all(len(label) <= 40 for label in labels)
