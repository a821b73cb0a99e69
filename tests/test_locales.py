"""Every text exists in Danish and English, with the same placeholders and valid Telegram HTML."""

from __future__ import annotations

import re
import string

import pytest

from bot.render.i18n import LANGUAGES, catalog, t

PLACEHOLDER = string.Formatter()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in PLACEHOLDER.parse(text) if name}


def test_every_key_exists_in_every_language() -> None:
    keys = {language: set(catalog(language)) for language in LANGUAGES}
    danish = keys["da"]
    for language, own in keys.items():
        assert own == danish, f"{language}: missing {danish - own}, extra {own - danish}"


@pytest.mark.parametrize("key", sorted(catalog("da")))
def test_translations_take_the_same_parameters(key: str) -> None:
    assert placeholders(catalog("da")[key]) == placeholders(catalog("en")[key])


@pytest.mark.parametrize("language", LANGUAGES)
def test_texts_use_only_tags_telegram_accepts(language: str) -> None:
    allowed = {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}
    for key, text in catalog(language).items():
        tags = set(re.findall(r"</?([a-zA-Z-]+)", text))
        assert tags <= allowed, f"{language}:{key} uses {tags - allowed}"
        assert "&" not in re.sub(r"&(lt|gt|amp|quot);", "", text), f"{language}:{key} bare &"


def test_parameters_are_escaped_so_user_text_cannot_break_markup() -> None:
    text = t("da", "triage.no_match", query="<b>&")
    assert "&lt;b&gt;&amp;" in text


def test_button_labels_fit_and_differ_between_actions() -> None:
    for language in LANGUAGES:
        labels = [v for k, v in catalog(language).items() if k.startswith("button.")]
        assert len(labels) == len(set(labels))
        assert all(len(label) <= 40 for label in labels)
