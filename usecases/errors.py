"""Refusals a use case raises; each front end turns them into its own answer (a chat alert, an HTTP status).

`code` is stable and language-free: the Mini App shows its translated text by it. `text` is the chat's
message id (English, marked with `N_` so the catalogue extraction finds it); the chat's one error handler
translates it, formatted with the error's `data`.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Marks a message for extraction without translating it here (use cases know no language)."""
    return message


class UseCaseError(Exception):
    code = "error"
    text = N_("This button is out of date. Open the /menu.")
    #: The HTTP status the web API answers with.
    status = 400

    def __init__(self, detail: str = "", **data: Any) -> None:
        super().__init__(detail or self.code)
        self.data = data


class NotAllowed(UseCaseError):
    """Not this user's school, class, subject or lesson (or the ids are forged)."""

    code = "not_allowed"
    status = 403
    text = N_("This is not available to you.")


class NotYourChild(NotAllowed):
    code = "not_your_child"
    text = N_("You can only see your own children.")


class NotFound(UseCaseError):
    code = "not_found"
    status = 404
    text = N_("Not found: it may have been removed. Open /menu.")


class StaleScreen(UseCaseError):
    """The lesson changed since the screen was drawn (another device, another tap): nothing was written.
    `data` carries the fresh state, so the screen can show it."""

    code = "stale"
    status = 409
    text = N_("This screen is out of date; here is the current one.")


class TooEarly(UseCaseError):
    """The journal is filled on the day of the lesson, not before."""

    code = "too_early"
    status = 422
    text = N_("The journal is filled on the day of the lesson, not before.")


class BadValue(UseCaseError):
    """A mark or attendance value this lesson does not take (outside the country's scale, a class without marks)."""

    code = "bad_value"
    status = 422
    text = N_("This value is not accepted here.")
