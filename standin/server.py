"""The stand-in itself: its state, how a request is answered, failure injection, and the HTTP server.

A request arrives either over HTTP (``start()`` binds 127.0.0.1; a real aiogram session posts to
``base_url``) or in this process (``standin.session.StandinSession``, no sockets). Either way it is decoded
the way aiogram encodes it: form fields where strings are sent as they are and every other value (numbers,
booleans, objects such as ``reply_markup``) is JSON; uploads are parts referenced as ``attach://<key>``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from standin.chats import Chats
from standin.files import Files, FileStore
from standin.methods import HANDLERS
from standin.models import MAX_UPLOAD_BYTES, SEND_METHODS, ApiCall, ApiError, StoredFile, as_int, bad, decode, scope_key
from standin.updates import CallbackRecord, Poll, QueuedUpdate, UpdateQueue
from standin.users import StandinUser

log = logging.getLogger(__name__)

Reader = Callable[[], Awaitable[tuple[dict[str, Any], Files]]]


@dataclass
class _Failure:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | None
    times: int


class BotAPIStandin(UpdateQueue, Chats, FileStore):
    """A local Bot API: long polling, private chats, files, commands and failure injection."""

    def __init__(self, token: str = "123456:TEST-TOKEN", *, bot_id: int = 123456,
                 bot_username: str = "maktab_test_bot", host: str = "127.0.0.1", port: int = 0,
                 bot_first_name: str = "Maktab Test Bot") -> None:
        self.token, self.bot_id, self.bot_username, self.bot_first_name = token, bot_id, bot_username, bot_first_name
        self.host, self.port = host, port
        #: Every request, in order of arrival (getUpdates included).
        self.calls: list[ApiCall] = []
        #: What setMyCommands stored: ``(scope_key(scope), language_code) -> [BotCommand dicts]``.
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        #: Menu buttons by chat id (None: the default for all chats).
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        #: The webhook set by setWebhook (its parameters), or None.
        self.webhook: dict[str, Any] | None = None
        #: ``allowed_updates`` as last given to getUpdates / setWebhook (None: never set).
        self.allowed_updates: list[str] | None = None
        self.users: dict[int, StandinUser] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._updates: list[QueuedUpdate] = []
        self._next_update_id = self._next_file = self._next_callback = 1
        self._callbacks: dict[str, CallbackRecord] = {}
        self._failures: list[_Failure] = []
        self._blocked: set[int] = set()
        self._poll: Poll | None = None
        self._pulse = asyncio.Event()
        self._open: dict[int, int | None] = {}
        self._in_flight: dict[int | None, int] = {}
        self._tracked = False
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._sends: deque[tuple[float, int | None]] = deque()
        self._flood: tuple[int | None, int | None, int] = (None, None, 1)
        self._tasks: set[asyncio.Task[Any]] = set()
        #: Set by ``standin.session.feed``: each update goes straight to the dispatcher (no getUpdates).
        self._feed: Callable[[dict[str, Any]], None] | None = None
        self._current_call: ApiCall | None = None
        self._methods = {name.lower(): (name, handler) for name, handler in HANDLERS.items()}

    # ---- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve over HTTP (port 0 picks a free port); not needed for an in-process session."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self._bound_port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer waiting getUpdates requests and shut the server down."""
        self._closing = True
        if self._poll is not None:
            self._poll.wake.set()
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPIStandin:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def started(self) -> bool:
        """Whether it serves over HTTP."""
        return self._runner is not None

    @property
    def base_url(self) -> str:
        """The base URL for ``TelegramAPIServer.from_base``, e.g. "http://127.0.0.1:PORT"."""
        if self._bound_port is None:
            raise RuntimeError("the stand-in is not started")
        return f"http://{self.host}:{self._bound_port}"

    def as_bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` object (what getMe returns)."""
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name, "username": self.bot_username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
                "can_connect_to_business": False, "has_main_web_app": False}

    def user(self, user_id: int, first_name: str = "Test", *, last_name: str | None = None,
             username: str | None = None, language_code: str | None = "ru") -> StandinUser:
        """The user with this id, created on first use (later calls return the same object)."""
        if user_id not in self.users:
            self.users[user_id] = StandinUser(self, user_id, first_name, last_name=last_name, username=username,
                                              language_code=language_code)
        return self.users[user_id]

    def _spawn(self, awaitable: Awaitable[Any]) -> None:
        async def run() -> None:
            await awaitable

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- inspection -------------------------------------------------------------------------------

    def calls_of(self, method: str) -> list[ApiCall]:
        """Requests of one method (case-insensitive), failed ones included (see ``ApiCall.ok``)."""
        name = method.lower()
        return [call for call in self.calls if call.method.lower() == name]

    def get_commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[str]:
        """The command names stored by setMyCommands for a scope and language."""
        return [c["command"] for c in self.commands.get((scope_key(scope), language_code), [])]

    def send_times(self, chat_id: int | None = None, *, methods: Iterable[str] = SEND_METHODS) -> list[float]:
        """Monotonic times of successful sends (all chats, or one chat)."""
        wanted = {m.lower() for m in methods}
        return [call.time for call in self.calls if call.ok and call.method.lower() in wanted
                and (chat_id is None or as_int(call.chat_id) == chat_id)]

    def max_sent_per_second(self, chat_id: int | None = None, *, window: float = 1.0,
                            methods: Iterable[str] = SEND_METHODS) -> int:
        """The most messages sent successfully within any ``window`` seconds, overall or to one chat."""
        times = self.send_times(chat_id, methods=methods)
        best, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    # ---- failure injection ------------------------------------------------------------------------

    def fail_next(self, method: str, *, error_code: int = 429, description: str = "Too Many Requests: retry after 1",
                  retry_after: int | None = 1, chat_id: int | None = None, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) fail with this error."""
        self._failures.append(_Failure(method.lower(), error_code, description, retry_after, chat_id, times))

    def set_flood_limits(self, *, overall: int | None = 30, per_chat: int | None = None,
                         retry_after: int = 1) -> None:
        """Answer 429 to sends beyond ``overall`` per second, or ``per_chat`` per second to one chat."""
        self._flood = (overall, per_chat, retry_after)

    def _check_failures(self, call: ApiCall) -> None:
        chat = as_int(call.chat_id)
        for failure in self._failures:
            if failure.method == call.method.lower() and failure.chat_id in (None, chat):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise ApiError(failure.error_code, failure.description, failure.retry_after)

    def _check_flood(self, chat_id: int) -> None:
        overall, per_chat, retry_after = self._flood
        if overall is None and per_chat is None:
            return
        now = time.monotonic()
        while self._sends and now - self._sends[0][0] >= 1.0:
            self._sends.popleft()
        too_many = overall is not None and len(self._sends) >= overall
        if per_chat is not None and sum(1 for _, chat in self._sends if chat == chat_id) >= per_chat:
            too_many = True
        if too_many:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    # ---- answering a request ------------------------------------------------------------------------

    async def answer(self, token: str, method_name: str, read: Reader,
                     connected: Callable[[], bool] = lambda: True) -> tuple[int, dict[str, Any]]:
        """One request, however it came: (HTTP status, the Bot API's JSON answer). ``read`` gives its decoded
        parameters and files; ``connected`` tells whether the caller still waits (else updates it was
        given do not count as fetched)."""
        known = self._methods.get(method_name.lower())
        call = ApiCall(method=known[0] if known else method_name, params={}, files={}, time=time.monotonic())
        self.calls.append(call)
        self._activity()
        try:
            result = await self._answer(call, token, known, read)
        except ApiError as error:
            return self._failed(call, error)
        except Exception as exc:
            log.exception("stand-in failed on %s", method_name)
            return self._failed(call, ApiError(500, f"Internal Server Error: {exc!r}"))
        finally:
            self._activity()
        call.ok, call.result = True, result
        if call.method == "getUpdates" and connected():
            self._mark_delivered(result)
        if call.method in SEND_METHODS:
            self._sends.append((call.time, as_int(call.chat_id)))
        return 200, {"ok": True, "result": result}

    async def _answer(self, call: ApiCall, token: str, known: tuple[str, Any] | None, read: Reader) -> Any:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        try:
            call.params, call.files = await read()
        except ValueError as exc:
            raise bad(f"can't parse request: {exc}") from exc
        if known is None:
            raise ApiError(404, "Not Found: method not found")
        about = self._call_user(call)  # while it is answered, the bot is not idle for this user
        self._in_flight[about] = self._in_flight.get(about, 0) + 1
        try:
            return await self._run(call, known[1])
        finally:
            self._in_flight[about] -= 1

    async def _run(self, call: ApiCall, handler: Any) -> Any:
        self._check_failures(call)
        self._current_call = call  # read synchronously by handlers that need the call itself
        result = handler(self, call.params, call.files)
        return await result if asyncio.iscoroutine(result) else result

    @staticmethod
    def _failed(call: ApiCall, error: ApiError) -> tuple[int, dict[str, Any]]:
        call.ok, call.error_code, call.description = False, error.error_code, error.description
        body: dict[str, Any] = {"ok": False, "error_code": error.error_code, "description": error.description}
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
        return error.error_code, body

    @staticmethod
    def decode_fields(fields: dict[str, str], uploads: Files) -> tuple[dict[str, Any], Files]:
        """Form fields and uploaded parts as the methods see them: values decoded, ``attach://`` resolved."""
        params: dict[str, Any] = {key: decode(key, value) for key, value in fields.items()}
        files: Files = {}
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in uploads:
                files[key] = uploads[value[9:]]
        used = {value[9:] for value in params.values() if isinstance(value, str) and value.startswith("attach://")}
        for key, value in uploads.items():
            if key not in used:
                files[key] = value
                params.setdefault(key, f"attach://{key}")
        return params, files

    # ---- HTTP -------------------------------------------------------------------------------------

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], Files]:
        fields: dict[str, str] = dict(request.query)
        uploads: Files = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                params, files = self.decode_fields(fields, uploads)
                return {**params, **(body if isinstance(body, dict) else {})}, files
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    uploads[key] = (value.filename or key, value.file.read())
                else:
                    fields[key] = str(value)
        return self.decode_fields(fields, uploads)

    async def _handle_api(self, request: web.Request) -> web.Response:
        def connected() -> bool:
            return request.transport is not None and not request.transport.is_closing()

        status, body = await self.answer(request.match_info["token"], request.match_info["method"],
                                         lambda: self._read_params(request), connected)
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        stored = self.download(request.match_info["path"])
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")
