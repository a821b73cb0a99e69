#!/usr/bin/env bash
# One command: set everything up, bring the database up to date, and run the bot.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
[ -f .env ] || { cp .env.example .env; echo "created .env from .env.example: put your TELEGRAM_BOT_TOKEN in it" >&2; }
.venv/bin/python -m bot migrate
export PTB_TIMEDELTA=1  # python-telegram-bot: durations as timedelta
exec .venv/bin/python -m bot run
