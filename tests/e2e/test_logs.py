"""Logs carry ids and actions: never the token, never what people wrote, never citizen details."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.logs import QUIET, setup_logging
from tests.conftest import TOKEN
from tests.e2e.conftest import ELSE, report
from tests.harness import Harness, Person


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Log as `python -m bot run` does, and capture everything that passes."""
    levels = {name: logging.getLogger(name).level for name in (*QUIET, "telegram")}
    setup_logging(logging.INFO)
    caplog.set_level(logging.INFO)
    yield caplog
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def test_a_whole_report_logs_no_token_no_text_and_no_citizen(
    bot: Harness, unit: dict[str, Person], production_logging: pytest.LogCaptureFixture
) -> None:
    await report(unit["anna"], ["Ja", "Nej"], "Appen hænger ved login")
    await unit["per"].press("✋ Tag sagen", await unit["per"].last())
    await bot.person("Stranger").say("hej med dig")

    logged = production_logging.text
    assert production_logging.records, "something was logged"
    for secret in (
        TOKEN,
        TOKEN.split(":")[1],
        "Appen hænger",
        "hej med dig",
        "Else Hansen",
        "Strandvej",
        ELSE,
    ):
        assert secret not in logged
