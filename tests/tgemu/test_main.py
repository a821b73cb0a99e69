"""``python -m tgemu``: loopback only, prints its URL, stops on Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import httpx
import pytest

from tgemu import BotApiEmulator
from tgemu.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def test_refuses_a_host_that_is_not_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "10.1.2.3", "--token", "1:x"]) == 2
    assert "loopback only" in capsys.readouterr().err
    with pytest.raises(ValueError, match="loopback"):
        BotApiEmulator(token="1:x", host="192.168.1.10")


async def test_runs_standalone_until_interrupted() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tgemu",
        "--port",
        "0",
        "--token",
        "1:standalone",
        "--bot-username",
        "sandbox_bot",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=5)
        base_url = line.decode().strip()
        assert base_url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(trust_env=False) as client:
            me = await client.get(f"{base_url}/bot1:standalone/getMe")
        assert me.json()["result"]["username"] == "sandbox_bot"
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), timeout=5) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
