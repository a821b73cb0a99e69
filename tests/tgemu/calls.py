"""Raw Bot API calls for emulator tests: form-encoded as python-telegram-bot sends them."""

from __future__ import annotations

import json
from typing import Any

import httpx


async def send(api: httpx.AsyncClient, method: str, **params: Any) -> dict[str, Any]:
    """Call a Bot API method and return the decoded answer."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    body: dict[str, Any] = (await api.post(f"/{method}", data=form)).json()
    return body


async def updates(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Fetch the pending updates (without confirming them)."""
    result: list[dict[str, Any]] = (await send(api, "getUpdates"))["result"]
    return result
