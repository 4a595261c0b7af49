"""A local stand-in of the Telegram Bot API for end-to-end tests and the console chat (not part of the bot).

A real aiogram ``Bot`` talks to it in this process (``StandinSession``) or over HTTP on 127.0.0.1::

    standin = BotAPIStandin()
    bot = Bot(standin.token, session=StandinSession(standin))   # or: await standin.start(), then
    # Bot(standin.token, session=AiohttpSession(api=TelegramAPIServer.from_base(standin.base_url)))
    user = standin.user(1001, "Aziza")
    await user.send("/start")
    reply = await user.wait_for()

It models private chats as the user sees them: every bot message lands in ``user.messages`` and is updated
in place by edits and removed by deletions. It models what the bot calls (plain-text messages, inline and
reply keyboards, documents and photos, callback answers, commands, the menu button, polling and webhooks)
with Telegram's checks and error texts, plus failure injection (``fail_next``, ``block``, flood limits).
A ``parse_mode`` is refused: the bot sends plain text.
"""

from standin.models import ApiCall, ChatMessage, StoredFile, scope_key
from standin.server import BotAPIStandin
from standin.users import StandinUser

__all__ = ["ApiCall", "BotAPIStandin", "ChatMessage", "StandinUser", "StoredFile", "scope_key"]
