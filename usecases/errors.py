"""Refusals a use case raises; each front end turns them into its own answer (a chat alert, an HTTP status).

`code` is stable and language-free: the Mini App shows its translated text by it.
"""

from __future__ import annotations

from typing import Any


class UseCaseError(Exception):
    code = "error"
    #: The HTTP status the web API answers with.
    status = 400

    def __init__(self, detail: str = "", **data: Any) -> None:
        super().__init__(detail or self.code)
        self.data = data


class NotAllowed(UseCaseError):
    """Not this user's school, class, subject or lesson (or the ids are forged)."""

    code = "not_allowed"
    status = 403


class NotYourChild(NotAllowed):
    code = "not_your_child"


class NotFound(UseCaseError):
    code = "not_found"
    status = 404


class StaleScreen(UseCaseError):
    """The lesson changed since the screen was drawn (another device, another tap): nothing was written.
    `data` carries the fresh state, so the screen can show it."""

    code = "stale"
    status = 409


class TooEarly(UseCaseError):
    """The journal is filled on the day of the lesson, not before."""

    code = "too_early"
    status = 422


class BadValue(UseCaseError):
    """A mark or attendance value this lesson does not take (outside the country's scale, a class without marks)."""

    code = "bad_value"
    status = 422
