"""`python -m bot console`: chat with the real bot in a terminal, without Telegram.

The bot built by `bot.factory.build_app` talks to the Bot API stand-in (the top-level `standin` package, not
part of the bot itself) in this process, with the demo school loaded. The person at the terminal plays demo
personas (each a separate Telegram user of the stand-in) and sees every bot message as it arrives or is
edited, with buttons numbered so a number presses one. Plain stdin/stdout, so a script (`--script FILE`, one
input per line) can drive it as well as a person.

- `render.py`: personas and how a message is shown;
- `chat.py`: the session (`Console`): personas, output as the bot acts, the console's own commands;
- `run.py`: `run_console`, which starts the stand-in, the bot, the demo data and the local Mini App.
"""

from bot.console.chat import Console
from bot.console.render import Persona, render_message
from bot.console.run import CONSOLE_TOKEN, run_console

__all__ = ["CONSOLE_TOKEN", "Console", "Persona", "render_message", "run_console"]
