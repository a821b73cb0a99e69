#!/usr/bin/env bash
# One command: set everything up, then lint, type-check and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The sandbox's browser tests drive Debian's chromium (a missing browser fails them).
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium for the sandbox's browser tests" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  packages=(chromium fonts-noto-color-emoji)
  $SUDO apt-get install -y -q "${packages[@]}" \
    || { $SUDO apt-get update -q && $SUDO apt-get install -y -q "${packages[@]}"; }
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
.venv/bin/pytest -q -n 2 --dist worksteal "$@"
