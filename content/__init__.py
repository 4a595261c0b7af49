"""What the bot teaches: the course files (YAML per language in courses/) and their catalogue.

Below the use cases: it reads files and validates them through domain.course; nothing here knows the chat.
"""
