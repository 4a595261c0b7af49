// Start-up: Telegram's theme and Back button, the user's texts and role, then the grid or the children.
import { ApiError, initData, request } from "./api.js";
import { setTexts, t } from "./i18n.js";
import { showGrid } from "./grid.js";
import { showChildren } from "./child.js";
import { applyTheme, backStack, popBack } from "./ui.js";

const tg = (window.Telegram && window.Telegram.WebApp) || null;

function fail(message) {
  const main = document.getElementById("main");
  main.replaceChildren();
  const p = document.createElement("p");
  p.className = "notice";
  p.textContent = message;
  main.append(p);
}

async function boot() {
  applyTheme();
  if (tg) {
    tg.ready && tg.ready();
    tg.expand && tg.expand();
    tg.onEvent && tg.onEvent("themeChanged", applyTheme);
    tg.BackButton && tg.BackButton.onClick(() => (backStack.length ? popBack() : tg.close && tg.close()));
  }
  if (!initData()) {
    fail(t("Open this page from the bot in Telegram."));
    return;
  }
  let me;
  try {
    me = await request("me");
  } catch (error) {
    fail(error instanceof ApiError && error.status === 401
      ? t("The page is out of date: close it and open it again from the bot.")
      : t("Something went wrong. Try again."));
    return;
  }
  setTexts(me.texts);
  document.documentElement.lang = me.lang;
  const view = new URLSearchParams(location.search).get("view");
  if ((view === "child" || !me.classes.length) && me.children.length) showChildren(me);
  else if (me.classes.length) showGrid(me);
  else if (view === "child") fail(t("No children are linked to you yet. Ask the class teacher for a code."));
  else fail(t("You have no classes in the timetable yet."));
}

boot();
