"""A local Telegram Bot API emulator: the bot talks to it as to Telegram; tests play its users.

server      BotApiEmulator: the aiohttp server (Bot API, file downloads, control API)
botapi      the Bot API method table and the simpler methods (getMe, getUpdates, commands, ...)
messages    sendMessage, sendDocument, edits, deleteMessage, pins, getFile
params      decoding each parameter by its known type (form, multipart, JSON, query string)
html        Telegram's HTML parse mode: the check, the plain text and the entities
markup      reply_markup checks: inline keyboards, reply keyboards, removal
commands    bot commands per scope and language, resolved as Telegram does
updates     the getUpdates queue: confirmation by offset, long polling, conflicts
world       the emulated state: bot, users, private chats, groups, messages, files, call log
limits      Telegram's rate limits (per private chat, per group, per bot) as token buckets
            on the emulated clock; off by default, 429 with retry_after when exceeded
network     latency per Bot API call, a stop at the Nth call of a method (crash tests),
            counts of answered calls and waiting for a count
views       stored messages as Telegram Message objects and as control API JSON
changes     a counter of changes people could see, and a wait for it to grow (watchers)
people      what users do: write (privately or in a group), send files, press, block the bot
control     the HTTP control API under /control/ (its docstring maps the routes)
errors      Telegram's failures: status codes and descriptions
client      EmulatorClient and ChatMessage: the control API from Python
__main__    ``python -m tgemu``: run it standalone on loopback (--telegram-limits, --latency)
"""

from __future__ import annotations

from tgemu.client import AnswerCounts, ChatMessage, ControlError, EmulatorClient, StopStatus
from tgemu.limits import TelegramLimits
from tgemu.network import Latency, StopRule
from tgemu.server import BotApiEmulator

__all__ = [
    "AnswerCounts",
    "BotApiEmulator",
    "ChatMessage",
    "ControlError",
    "EmulatorClient",
    "Latency",
    "StopRule",
    "StopStatus",
    "TelegramLimits",
]
