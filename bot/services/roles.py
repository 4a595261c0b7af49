"""Moved to usecases/roles.py (the use cases need it without the bot); kept so other stories' imports work."""

from __future__ import annotations

from usecases.roles import available_roles, current_role, pick_role

__all__ = ["available_roles", "current_role", "pick_role"]
