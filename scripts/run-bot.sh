#!/usr/bin/env bash
# One command: set everything up, bring the database up to date, and run the bot.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# .env will hold the token: readable by its owner only (0600) from the moment it exists.
[ -f .env ] || { (umask 077 && cp .env.example .env); echo "created .env from .env.example: put your TELEGRAM_BOT_TOKEN in it" >&2; }
.venv/bin/python -m bot migrate
export PTB_TIMEDELTA=1  # python-telegram-bot: durations as timedelta
exec .venv/bin/python -m bot run
