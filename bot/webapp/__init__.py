"""The Telegram Mini App: the journal grid for teachers and the children's view for parents.

`setup_webapp` adds the page, its static files and the JSON API (bot/webapp/api.py) to an aiohttp
application: the webhook server's in webhook mode, one of its own in polling mode (bot/runner.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.factory import App
from bot.webapp import api

STATIC_DIR = Path(__file__).parent / "static"
#: Telegram's script, loaded as Telegram documents (https://core.telegram.org/bots/webapps#initializing-mini-apps).
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"


def webapp_path(url: str | None) -> str:
    """The path the page is served under, from WEBAPP_URL (e.g. https://host/webapp → /webapp)."""
    path = urlsplit(url or "").path.rstrip("/")
    return path or "/webapp"


async def _page(request: web.Request) -> web.Response:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    script = request.app[SCRIPT_KEY]
    tag = f'<script src="{script}"></script>' if script else ""
    response = web.Response(text=html.replace("<!--telegram-web-app-->", tag), content_type="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


SCRIPT_KEY = web.AppKey("maktab_telegram_script", str)


def setup_webapp(web_app: web.Application, app: App, token: str, *, prefix: str = "/webapp",
                 clock: Callable[[], datetime] | None = None, telegram_script: str = TELEGRAM_SCRIPT) -> None:
    """Mount the Mini App under `prefix`. `telegram_script=""` leaves Telegram's script out (tests inject a
    stand-in of `window.Telegram.WebApp` instead)."""
    web_app[api.APP_KEY] = app
    web_app[api.CLOCK_KEY] = clock or app.clock.now  # the app's one clock unless a test brings its own
    web_app[api.TOKEN_KEY] = token
    web_app[SCRIPT_KEY] = telegram_script
    prefix = prefix.rstrip("/")
    web_app.router.add_get(prefix, _redirect_to_slash)
    web_app.router.add_get(prefix + "/", _page)
    web_app.router.add_static(prefix + "/static/", STATIC_DIR, append_version=False)
    routes = {"GET": {"me": api.me, "grid": api.grid, "child": api.child},
              "POST": {"cell": api.cell, "attendance": api.attendance, "lesson": api.lesson_text}}
    for method, handlers in routes.items():
        for name, handler in handlers.items():
            web_app.router.add_route(method, f"{prefix}/api/{name}", api.authenticated(handler))


async def _redirect_to_slash(request: web.Request) -> web.Response:
    """The page's relative links (static/, api/) need the trailing slash."""
    raise web.HTTPFound(request.path + "/")
