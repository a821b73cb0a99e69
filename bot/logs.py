"""Logging: ids and actions only. No tokens (httpx logs URLs), no message text (PTB at DEBUG).

``setup_logging(token=...)`` logs to stderr and hides the bot token wherever it would be
printed, whatever logs it: every handler of the root logger passes each record through
``HideToken``, which writes ``[token]`` where the token stood (as it is, URL-encoded, or
its secret half alone) in the message, its arguments, its traceback and its stack; and a
traceback nobody caught (the main thread or another) is printed the same way.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType
from urllib.parse import quote

QUIET = ("httpx", "httpcore", "apscheduler", "telegram.ext.Updater", "aiosqlite", "transitions")

HIDDEN = "[token]"
"""What a log shows where the token stood."""

_TRACEBACKS = logging.Formatter()


def setup_logging(level: int = logging.INFO, *, token: str | None = None) -> None:
    """Log to stderr at INFO, with the chatty libraries held at WARNING and the token hidden."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(level, logging.INFO))
    if token:
        hide_token(token)


def hide_token(token: str) -> HideToken:
    """Hide the token in everything the root logger's handlers print, and in uncaught tracebacks.

    Called again (a new token, or the same one), it replaces what an earlier call installed.
    """
    hiding = HideToken(token)
    for handler in logging.getLogger().handlers:
        for earlier in [f for f in handler.filters if isinstance(f, HideToken)]:
            handler.removeFilter(earlier)
        handler.addFilter(hiding)
    sys.excepthook = hiding.excepthook
    threading.excepthook = hiding.thread_excepthook
    return hiding


class HideToken(logging.Filter):
    """Writes ``[token]`` where the bot token stands in a record; lets every record pass."""

    def __init__(self, token: str) -> None:
        super().__init__()
        secret = token.partition(":")[2]
        forms = {token, quote(token, safe=""), quote(token, safe="").replace("%3A", "%3a")}
        # The secret half alone is enough to act as the bot; it hides any other spelling too.
        self._forms = sorted((form for form in forms | {secret} if form), key=len, reverse=True)

    def hide(self, text: str) -> str:
        """Return the text with every form of the token replaced."""
        for form in self._forms:
            text = text.replace(form, HIDDEN)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Hide the token in the message, its arguments, the traceback and the stack."""
        record.msg = self._hidden(record.msg)
        if isinstance(record.args, dict):
            record.args = {name: self._hidden(value) for name, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(self._hidden(value) for value in record.args)
        try:
            message = record.getMessage()
        except Exception:  # a broken format: logging reports it, with what was hidden above
            message = ""
        if self.hide(message) != message:  # the token pieced together from parts
            record.msg, record.args = self.hide(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.hide(record.exc_text)
        if record.stack_info:
            record.stack_info = self.hide(record.stack_info)
        return True

    def _hidden(self, value: object) -> object:
        """A value with the token hidden: a string as a string, anything else only if needed."""
        if isinstance(value, str):
            return self.hide(value)
        if value is None or isinstance(value, int | float):
            return value  # formatted as numbers (%d), and no token is a number
        try:
            text = str(value)
        except Exception:  # logging itself reports a value that cannot be printed
            return value
        hidden = self.hide(text)
        return value if hidden == text else hidden

    def excepthook(
        self,
        kind: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """Print an uncaught exception's traceback, as Python would, with the token hidden."""
        sys.stderr.write(self.hide("".join(traceback.format_exception(kind, value, tb))))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """Print a thread's uncaught exception, as Python would, with the token hidden."""
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else threading.get_ident()
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        sys.stderr.write(self.hide(f"Exception in thread {name}:\n{text}"))
