"""Run the emulator standalone: ``python -m tgemu --port 8081 --token TOKEN``.

Refuses any host that is not loopback, prints the base URL, stops on Ctrl-C or SIGTERM.
``--telegram-limits`` switches Telegram's rate limits on, ``--latency 0.15`` (with
``--jitter`` and ``--seed``) delays every Bot API call; both can be changed later through
the control API.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from tgemu.limits import TelegramLimits
from tgemu.network import Latency
from tgemu.server import BotApiEmulator, is_loopback


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m tgemu", description="A local Telegram Bot API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", required=True, help="the bot token the emulator accepts")
    parser.add_argument("--bot-username", default="bekey_test_bot")
    parser.add_argument(
        "--telegram-limits",
        action="store_true",
        help="enforce Telegram's rate limits: 429 with retry_after past 1/s per private chat "
        "(bursts of 3), 20/min per group, 30/s per bot",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="SECONDS", help="delay every Bot API call"
    )
    parser.add_argument(
        "--jitter", type=float, default=0.0, metavar="SECONDS", help="up to this much more delay"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the jitter")
    return parser.parse_args(argv)


def build_emulator(args: argparse.Namespace) -> BotApiEmulator:
    """Make the emulator the command line asks for (ValueError for a bad latency)."""
    return BotApiEmulator(
        token=args.token,
        bot_username=args.bot_username,
        host=args.host,
        port=args.port,
        telegram_limits=TelegramLimits() if args.telegram_limits else None,
        latency=Latency(seconds=args.latency, jitter=args.jitter, seed=args.seed),
    )


async def serve(args: argparse.Namespace) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    emulator = build_emulator(args)
    async with emulator:
        print(emulator.base_url, flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """Entry point; return the exit status."""
    args = parse_args(argv)
    if not is_loopback(args.host):
        print(f"refusing to listen on {args.host}: loopback only", file=sys.stderr)
        return 2
    try:
        Latency(seconds=args.latency, jitter=args.jitter, seed=args.seed)
    except ValueError as error:
        print(f"bad latency: {error}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
