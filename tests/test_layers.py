"""Importing the bot changes nothing and loads no emulator; every import points down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, os, sys
before = dict(os.environ)
import bot, handlers, state
import bot.app, bot.cli
after = dict(os.environ)
print(json.dumps({
    "emulator": sorted(m for m in sys.modules if m == "tgemu" or m.startswith("tgemu.")),
    "aiohttp": "aiohttp" in sys.modules,
    "changed": sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)),
}))
"""


def test_importing_the_bot_loads_no_emulator_and_changes_no_environment_variable() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PTB_TIMEDELTA"}
    run = subprocess.run(  # noqa: S603 - our own interpreter, a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    seen = json.loads(run.stdout)
    assert seen == {"emulator": [], "aiohttp": False, "changed": []}


def test_no_module_imports_a_module_above_it() -> None:
    """The layer contracts in pyproject.toml (import-linter), as scripts/test.sh runs them."""
    run = subprocess.run(  # noqa: S603 - the linter of our own virtualenv
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert "0 broken" in run.stdout
