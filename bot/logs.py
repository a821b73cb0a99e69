"""Logging: ids and actions only. No tokens (httpx logs URLs), no message text (PTB at DEBUG)."""

from __future__ import annotations

import logging

QUIET = ("httpx", "httpcore", "apscheduler", "telegram.ext.Updater", "aiosqlite", "transitions")


def setup_logging(level: int = logging.INFO) -> None:
    """Log to stderr at INFO, with the chatty libraries held at WARNING."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(level, logging.INFO))
