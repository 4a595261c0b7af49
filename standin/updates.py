"""The updates side of the stand-in: the queue users fill, long polling, webhooks, and when the bot is idle."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from standin.models import ApiCall, ApiError, as_int, bad
from standin.users import StandinUser, wait_event

if TYPE_CHECKING:
    from standin.server import BotAPIStandin

#: Update types delivered when ``allowed_updates`` was never set (or set to an empty list): of those the
#: stand-in makes, all.
DEFAULT_UPDATE_TYPES = frozenset({"message", "callback_query", "my_chat_member"})

_CONFLICT_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
_CONFLICT_WEBHOOK = ("Conflict: can't use getUpdates method while webhook is active; "
                     "use deleteWebhook to delete the webhook first")


@dataclass
class QueuedUpdate:
    update_id: int
    kind: str
    payload: dict[str, Any]
    user_id: int | None
    delivered_at: float | None = None

    def as_update(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


@dataclass
class Poll:
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    superseded: bool = False


@dataclass
class CallbackRecord:
    user_id: int
    answer: ApiCall | None = None


class UpdateQueue:
    """Mixin of BotAPIStandin: what users do becomes updates; the bot fetches them and reports them handled."""

    users: dict[int, StandinUser]
    calls: list[ApiCall]
    allowed_updates: list[str] | None
    _updates: list[QueuedUpdate]
    _next_update_id: int
    _next_callback: int
    _callbacks: dict[str, CallbackRecord]
    _blocked: set[int]
    _poll: Poll | None
    _pulse: asyncio.Event
    #: Updates not yet reported handled, by update id (their user id): see ``track``.
    _open: dict[int, int | None]
    #: Requests being answered, by the user they are about.
    _in_flight: dict[int | None, int]
    _tracked: bool

    def as_bot_user(self) -> dict[str, Any]:
        raise NotImplementedError

    # ---- what users do ------------------------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends and edits to the chat get 403; a my_chat_member update is queued."""
        if chat_id not in self._blocked:
            self._blocked.add(chat_id)
            self._enqueue_member_change(chat_id, "member", "kicked")

    def unblock(self, chat_id: int) -> None:
        """The user unblocks (restarts) the bot; a my_chat_member update (member) is queued."""
        if chat_id in self._blocked:
            self._blocked.discard(chat_id)
            self._enqueue_member_change(chat_id, "kicked", "member")

    def _enqueue_member_change(self, chat_id: int, old: str, new: str) -> None:
        user = self.users.get(chat_id)
        if user is None:
            return

        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"user": self.as_bot_user(), "status": status}
            return {**data, "until_date": 0} if status == "kicked" else data

        payload = {"chat": user.as_chat(), "from": user.as_user(), "date": int(time.time()),
                   "old_chat_member": member(old), "new_chat_member": member(new)}
        self._enqueue("my_chat_member", payload, user.user_id)

    def _enqueue(self, kind: str, payload: dict[str, Any], user_id: int | None) -> int | None:
        allowed = set(self.allowed_updates) if self.allowed_updates else DEFAULT_UPDATE_TYPES
        if kind not in allowed:
            return None
        update = QueuedUpdate(self._next_update_id, kind, payload, user_id)
        self._next_update_id += 1
        if self._tracked:
            self._open[update.update_id] = user_id
        if self._feed is not None:  # handed to the dispatcher at once, never queued for getUpdates
            update.delivered_at = time.monotonic()
            self._feed(update.as_update())
            self._activity()
            return update.update_id
        self._updates.append(update)
        if self._poll is not None:
            self._poll.wake.set()
        self._activity()
        return update.update_id

    def _enqueue_callback(self, user: StandinUser, data: str, message: dict[str, Any]) -> str:
        callback_id = str(4_200_000_000_000_000 + self._next_callback)
        self._next_callback += 1
        self._callbacks[callback_id] = CallbackRecord(user.user_id)
        payload = {"id": callback_id, "from": user.as_user(), "message": message,
                   "chat_instance": str(abs(user.chat_id) * 7919 % 10**12 + 10**12), "data": data}
        self._enqueue("callback_query", payload, user.user_id)
        return callback_id

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return [u.as_update() for u in self._updates]

    def _drop_updates(self, keep: list[QueuedUpdate]) -> None:
        for update in self._updates:
            if update.delivered_at is None and update not in keep:
                self._open.pop(update.update_id, None)  # never to be handled
        self._updates = keep

    # ---- when the bot is done ---------------------------------------------------------------------------

    def handled(self, update_id: int) -> None:
        """The bot finished handling this update (see ``standin.track``)."""
        self._open.pop(update_id, None)
        self._activity()

    def _activity(self) -> None:
        """Wake whoever waits for the bot: a request came or went, an update was queued, fetched or handled."""
        pulse, self._pulse = self._pulse, asyncio.Event()
        pulse.set()

    async def wait_until(self, condition: Any, *, timeout: float = 5.0, what: str = "condition") -> None:
        """Wait until ``condition()`` holds, checking it whenever the bot or a user does something."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{what} not met within {timeout}s")
            await wait_event(self._pulse, remaining)

    def _pending_for(self, user_id: int) -> int:
        return sum(1 for u in self._updates if u.user_id == user_id and u.delivered_at is None)

    def _idle_wait(self, user: StandinUser, quiet: float) -> float | None:
        """0 when the bot is idle for this user, else how long to wait before asking again (None: until
        something happens)."""
        if self._in_flight.get(user.user_id):  # a request about the user is being answered
            return None
        if self._tracked:
            return None if user.user_id in self._open.values() else 0
        if self._pending_for(user.user_id):
            return None
        return max(quiet - (time.monotonic() - self._last_activity(user)), 0)

    def _last_activity(self, user: StandinUser) -> float:
        last = max((u.delivered_at for u in self._updates if u.user_id == user.user_id and u.delivered_at), default=0.0)
        for call in reversed(self.calls):
            if call.time <= last:
                break
            if call.method != "getUpdates" and self._call_user(call) in (None, user.user_id):
                return call.time
        return last

    def _call_user(self, call: ApiCall) -> int | None:
        """The user a request is about: its chat, or the one who pressed the button it answers."""
        if call.method == "answerCallbackQuery":
            record = self._callbacks.get(str(call.params.get("callback_query_id")))
            return record.user_id if record else None
        return as_int(call.chat_id)

    def _mark_delivered(self, result: list[dict[str, Any]]) -> None:
        ids = {update["update_id"] for update in result}
        now = time.monotonic()
        for update in self._updates:
            if update.update_id in ids and update.delivered_at is None:
                update.delivered_at = now
        self._activity()


# ---- methods ------------------------------------------------------------------------------------------


async def get_updates(self: BotAPIStandin, params: dict[str, Any], files: Any) -> Any:
    if self.webhook is not None:
        raise ApiError(409, _CONFLICT_WEBHOOK)
    if params.get("allowed_updates") is not None:
        self.allowed_updates = list(params["allowed_updates"])
    offset = as_int(params.get("offset")) or 0
    limit = min(max(as_int(params.get("limit")) or 100, 1), 100)
    timeout = max(float(params.get("timeout") or 0), 0.0)
    if offset:
        self._drop_updates(self._updates[offset:] if offset < 0 else
                           [u for u in self._updates if u.update_id >= offset])
    await _long_poll(self, timeout)
    return [u.as_update() for u in self._updates[:limit]]


async def _long_poll(self: BotAPIStandin, timeout: float) -> None:
    """Wait until an update is queued (or ``timeout``); a newer getUpdates ends this one with 409."""
    previous, poll = self._poll, Poll()
    if previous is not None:
        previous.superseded = True
        previous.wake.set()
    self._poll = poll
    try:
        deadline = time.monotonic() + timeout
        while not self._updates and not self._closing and (remaining := deadline - time.monotonic()) > 0:
            await wait_event(poll.wake, remaining)
            poll.wake.clear()
            if poll.superseded:
                raise ApiError(409, _CONFLICT_POLL)
    finally:
        if self._poll is poll:
            self._poll = None


def set_webhook(self: BotAPIStandin, params: dict[str, Any], files: Any) -> Any:
    url = params.get("url") or ""
    if not url:
        self.webhook = None
        return True
    if not str(url).startswith("https://"):
        raise bad("bad webhook: An HTTPS URL must be provided for webhook")
    self.webhook = dict(params)
    if params.get("allowed_updates") is not None:
        self.allowed_updates = list(params["allowed_updates"])
    if params.get("drop_pending_updates") is True:
        self._drop_updates([])
    return True


def delete_webhook(self: BotAPIStandin, params: dict[str, Any], files: Any) -> Any:
    self.webhook = None
    if params.get("drop_pending_updates") is True:
        self._drop_updates([])
    return True


HANDLERS = {"getUpdates": get_updates, "setWebhook": set_webhook, "deleteWebhook": delete_webhook}
