#!/usr/bin/env bash
# The benchmark: the bot under load against the local emulator, one table (not part of CI).
# Sets up .venv as scripts/test.sh does, then passes every argument on (--quick, --scenario NAME).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PTB_TIMEDELTA=1  # python-telegram-bot: durations as timedelta
exec .venv/bin/python scripts/bench.py "$@"
