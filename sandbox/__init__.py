"""The training sandbox: the real bot against the local emulator, played from a web page.

__main__    ``python -m sandbox``: one line with the address, runs until Ctrl-C
session     one demo run: the emulator, the bot built by ``bot.app.build_application``
            over a database of its own, and a clock the page moves forward
demo        the demo municipality: units, staff (all joined, the card pinned), citizens
exercises   training goals the sandbox checks by itself, in Danish and English
training    ``Sandbox``: the running session, the phones, the clock, reset, the exercises
web         the page's server: static files, the JSON API, server-sent events
static/     the page: plain HTML, CSS and JavaScript, no build step, nothing from outside

Nothing of the bot, the handlers, the rules or the emulator imports this package.
"""
