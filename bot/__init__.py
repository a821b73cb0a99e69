"""The Bekey bot: the running program.

The composition root sits on top (``cli``, ``app``, ``jobs``, ``processing``, ``sender``,
``logs``); below it ``handlers`` (the Telegram face), then ``bot.services`` (what the bot
does), ``bot.render`` (texts and buttons), ``bot.storage`` (SQLite), ``bot.settings`` and
``bot.clock``, and at the bottom ``state`` (the rules). Every import points down.
"""
