"""A local stand-in of the Telegram Bot API for end-to-end tests and the console chat."""

from bot.standin.server import ApiCall, BotAPIStandin, ChatMessage, StandinUser, StoredFile, scope_key

__all__ = ["ApiCall", "BotAPIStandin", "ChatMessage", "StandinUser", "StoredFile", "scope_key"]
