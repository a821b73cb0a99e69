#!/usr/bin/env bash
# One command: set everything up, bring the database up to date, and run the bot.
# Without a token (in the environment or .env) it starts the training sandbox instead, and
# says so loudly; `python -m bot run` itself still refuses to start without one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# .env will hold the token: readable by its owner only (0600) from the moment it exists.
[ -f .env ] || { (umask 077 && cp .env.example .env); echo "created .env from .env.example: put your TELEGRAM_BOT_TOKEN in it" >&2; }
export PTB_TIMEDELTA=1  # python-telegram-bot: durations as timedelta

# Is a token set? (0: yes; 3: no; bad settings count as yes, so the bot names them below.)
token_status=0
.venv/bin/python - <<'PY' || token_status=$?
import sys

from bot.settings import Settings

try:
    token = Settings().telegram_bot_token.strip()
except Exception:  # bad settings: `python -m bot run` says which, in one line
    sys.exit(0)
sys.exit(0 if token else 3)
PY
if [ "$token_status" -eq 3 ]; then
  cat >&2 <<'BANNER'

  ======================================================================
   NO TELEGRAM_BOT_TOKEN: starting the TRAINING SANDBOX, not the bot.
   Demo people and data only; nothing reaches Telegram, and the real
   database is not touched. To run the real bot, put the token from
   @BotFather in .env (TELEGRAM_BOT_TOKEN=...) and run this again.
  ======================================================================

BANNER
  exec .venv/bin/python -m sandbox
elif [ "$token_status" -ne 0 ]; then
  exit "$token_status"
fi
.venv/bin/python -m bot migrate
exec .venv/bin/python -m bot run
