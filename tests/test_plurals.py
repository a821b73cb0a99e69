"""A text whose grammar depends on a number takes the form Babel's CLDR rule picks for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render import i18n
from bot.render.i18n import Plural, all_variants, catalog, plain, t

# language, key, the other parameters, the parameter with the number, then what the text
# says for n = 1 and for any other n ({n} stands for the number).
Case = tuple[str, str, dict[str, object], str, str, str]
CASES: list[Case] = [
    ("da", "triage.expired", {}, "minutes", "efter {n} minut.", "efter {n} minutter."),
    ("en", "triage.expired", {}, "minutes", "after {n} minute.", "after {n} minutes."),
    (
        "da",
        "import.done",
        {"unit": "Nord", "expires": "i morgen"},
        "count",
        "Invitation til {n} medarbejder i Nord.",
        "Invitationer til {n} medarbejdere i Nord.",
    ),
    (
        "en",
        "import.done",
        {"unit": "Nord", "expires": "tomorrow"},
        "count",
        "Invite for {n} employee in Nord.",
        "Invites for {n} employees in Nord.",
    ),
    ("da", "import.refused", {}, "count", "{n} linje skal", "{n} linjer skal"),
    ("en", "import.refused", {}, "count", "{n} line must", "{n} lines must"),
    ("da", "csv.field_count", {"found": 5}, "expected", "være {n} felt,", "være {n} felter,"),
    ("en", "csv.field_count", {"found": 5}, "expected", "expected {n} field,", "{n} fields,"),
    (
        "da",
        "tickets.list",
        {"unit": "Nord"},
        "count",
        "<b>Åben sag i Nord</b> ({n}).",
        "<b>Åbne sager i Nord</b> ({n}), ældste først.",
    ),
    (
        "en",
        "tickets.list",
        {"unit": "Nord"},
        "count",
        "<b>Open ticket in Nord</b> ({n}).",
        "<b>Open tickets in Nord</b> ({n}), oldest first.",
    ),
    ("da", "mine.list", {}, "count", "Din åbne sag</b> ({n})", "Dine åbne sager</b> ({n})"),
    ("en", "mine.list", {}, "count", "Your open ticket</b> ({n})", "Your open tickets</b> ({n})"),
    ("en", "triage.too_long", {}, "max", "at most {n} character.", "at most {n} characters."),
]
IDS = [f"{case[0]}:{case[1]}" for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_one_takes_the_singular(case: Case) -> None:
    language, key, params, by, one, other = case
    text = t(language, key, **params, **{by: 1})
    assert one.format(n=1) in text
    assert other.format(n=1) not in text


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("n", [2, 5, 21, 101])
def test_more_than_one_takes_the_plural(case: Case, n: int) -> None:
    language, key, params, by, _, other = case
    assert other.format(n=n) in t(language, key, **params, **{by: n})


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_zero_takes_the_plural(case: Case) -> None:
    language, key, params, by, one, other = case
    text = t(language, key, **params, **{by: 0})
    assert other.format(n=0) in text
    assert one.format(n=0) not in text


def test_plain_chooses_the_form_too() -> None:
    assert plain("en", "csv.field_count", expected=1, found=2) == "expected 1 field, found 2"
    assert plain("da", "csv.field_count", expected=4, found=2) == "der skal være 4 felter, der er 2"


def test_parameters_of_a_plural_text_are_escaped() -> None:
    assert "&lt;b&gt;" in t("da", "tickets.list", unit="<b>", count=1)


def test_unknown_language_falls_back_to_danish_forms() -> None:
    assert t("fr", "import.refused", count=1) == t("da", "import.refused", count=1)


def test_the_number_must_be_given_and_be_a_number() -> None:
    with pytest.raises(KeyError):
        t("da", "import.refused")
    with pytest.raises(TypeError):
        t("da", "import.refused", count="3")
    with pytest.raises(TypeError):
        t("da", "import.refused", count=True)


def test_all_variants_holds_every_form_in_every_language() -> None:
    variants = all_variants("import.refused")
    assert len(variants) == 4
    assert "Intet er importeret: {count} linje skal rettes først." in variants


def test_a_plural_table_is_one_text_not_a_section() -> None:
    danish = catalog("da")
    assert "triage.expired.one" not in danish
    assert "triage.expired.by" not in danish
    expired = danish["triage.expired"]
    assert isinstance(expired, Plural)
    assert expired.by == "minutes"


def test_a_malformed_plural_table_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "xx.toml").write_text('[a]\nby = "count"\none = "{count} sag"\n', "utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    with pytest.raises(ValueError, match="other"):
        catalog.__wrapped__("xx")  # past the cache, which holds the real languages
