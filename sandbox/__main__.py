"""``python -m sandbox``: the training sandbox on 127.0.0.1, until Ctrl-C.

Prints one line with the address once the demo is ready. Ignores ``.env``: the bot runs
against the local emulator with its own database in a folder of its own (a temporary one,
removed at the end, unless ``--folder`` names one), and nothing is sent to Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from aiohttp import web

from bot.logs import setup_logging
from sandbox.session import TOKEN
from sandbox.training import Sandbox
from sandbox.web import build_web_app
from tgemu.server import is_loopback

DEFAULT_PORT = 8080


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="The Bekey bot's training sandbox: demo people as phones in a browser.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="0 picks a free port (default 8080)"
    )
    parser.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="where the sandbox keeps its database (default: a temporary folder)",
    )
    parser.add_argument("--verbose", action="store_true", help="log what the bot does")
    return parser.parse_args(argv)


async def _listen(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start the page's server; a port in use gives way to a free one."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    for candidate in (port, 0) if port else (0,):
        try:
            await web.TCPSite(runner, host, candidate).start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or candidate == 0:
                await runner.cleanup()
                raise
            print(f"port {port} is in use; taking a free one", file=sys.stderr)
            continue
        return runner, int(runner.addresses[0][1])
    raise AssertionError("unreachable")


async def serve(args: argparse.Namespace, folder: Path) -> None:
    """Start the sandbox, print the address, and run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    sandbox = Sandbox(folder)
    await sandbox.start()
    try:
        runner, port = await _listen(build_web_app(sandbox), args.host, args.port)
        try:
            host = f"[{args.host}]" if ":" in args.host else args.host
            print(f"Sandbox: open http://{host}:{port} (Ctrl-C to stop)", flush=True)
            await stop.wait()
            print("Sandbox: stopping", flush=True)
        finally:
            await runner.cleanup()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point; return the exit status."""
    args = parse_args(argv)
    if not is_loopback(args.host):
        print(f"error: the sandbox listens on loopback only, not {args.host}", file=sys.stderr)
        return 2
    setup_logging(logging.INFO if args.verbose else logging.WARNING, token=TOKEN)
    temporary = args.folder is None
    folder = Path(tempfile.mkdtemp(prefix="bekey-sandbox-")) if temporary else args.folder
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(args, folder))
    except OSError as exc:
        print(f"error: the sandbox could not start ({exc})", file=sys.stderr)
        return 2
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
