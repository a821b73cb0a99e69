"""The Bekey bot: the running program.

settings    validated configuration (environment and .env)
app         builds the Application, opens and closes shared resources
cli         ``python -m bot`` commands: run, migrate, invite, import-staff, import-citizens
storage     SQLite: the connection, migrations and one repository per table
i18n        locale files (Danish first, English second) and formatting
outbox      durable pushes: queued in the database, sent with backoff
clock       the time source (a test can move it)
emulator    a local Bot API server for tests and the training sandbox
"""

import os

# python-telegram-bot 22 warns (an error under our test settings) when it builds durations
# as plain numbers; opt in to datetime.timedelta (RetryAfter.retry_after and friends).
os.environ.setdefault("PTB_TIMEDELTA", "1")
