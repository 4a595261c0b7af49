// Requests to the bot's API, each carrying Telegram's initData; writes queue up and are retried until the
// server answers, so a save made while the connection drops is shown and never silently lost; every write is
// also kept in localStorage (PendingStore, through outbox.js) until answered, so a reload or a reopened Mini App
// sends it still.

const webApp = () => (window.Telegram && window.Telegram.WebApp) || null;

export function initData() {
  const fromTelegram = webApp() && webApp().initData;
  if (fromTelegram) return fromTelegram;
  // Opened outside Telegram (the console's local link): initData travels in the URL fragment, as Telegram does.
  const hash = new URLSearchParams(location.hash.slice(1));
  return hash.get("tgWebAppData") || "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export async function request(path, { method = "GET", body } = {}) {
  const response = await fetch(`api/${path}`, {
    method,
    headers: { Authorization: `tma ${initData()}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  let payload = null;
  try { payload = await response.json(); } catch (_e) { payload = null; }
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

// One save at a time, in order: each takes the lesson's version known when it is sent, so our own quick taps
// never refuse each other, while a change from another device still does (409).
export class SaveQueue {
  constructor(onState) {
    this.items = [];
    this.busy = false;
    this.delay = 1000;
    this.onState = onState;
    window.addEventListener("online", () => this.kick());
  }

  push(item) {
    this.items.push(item);
    this.onState("saving", this.items.length);
    this.kick();
  }

  get pending() { return this.items.length; }

  async kick() {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.items.length) {
        const item = this.items[0];
        try {
          const result = await request(item.path, { method: "POST", body: item.body() });
          this.items.shift();
          this.delay = 1000;
          item.done(result);
        } catch (error) {
          if (error instanceof ApiError && error.status < 500 && error.status !== 408 && error.status !== 429) {
            this.items.shift();
            item.refused(error);
            continue;
          }
          item.failed && item.failed(error);
          this.onState(navigator.onLine === false ? "offline" : "retrying", this.items.length);
          await new Promise((resolve) => setTimeout(resolve, this.delay));
          this.delay = Math.min(this.delay * 2, 15000);
        }
      }
      this.onState("saved", 0);
    } finally {
      this.busy = false;
    }
  }
}

// The Telegram user's id, from initData as signed (never trusted by the server; used only to key this device's
// own queue so one person's unsent changes never go out under another's name).
export function userId() {
  try { return JSON.parse(new URLSearchParams(initData()).get("user") || "{}").id || 0; } catch (_e) { return 0; }
}

// Unsent writes survive a reload or a closed-and-reopened Mini App: one entry per cell or lesson field (the latest
// wins), kept in localStorage until the server accepts the change or refuses it.
export class PendingStore {
  constructor(user) { this.key = `maktab:pending:${user}`; }

  all() {
    try { return JSON.parse(localStorage.getItem(this.key) || "{}") || {}; } catch (_e) { return {}; }
  }

  write(entries) {
    try {
      if (Object.keys(entries).length) localStorage.setItem(this.key, JSON.stringify(entries));
      else localStorage.removeItem(this.key);
    } catch (_e) { /* storage full or disabled: the page's own queue still retries */ }
  }

  put(cell, entry) { const all = this.all(); all[cell] = entry; this.write(all); }

  // Forget a cell's entry once sent, unless a later tap on the same cell replaced it meanwhile.
  drop(cell, id) {
    const all = this.all();
    if (all[cell] && all[cell].id === id) { delete all[cell]; this.write(all); }
  }

  // Our own answered save moved the lesson on: waiting entries of that lesson carry the new version (texts
  // carry none).
  bump(lesson, version) {
    const all = this.all();
    let changed = false;
    for (const entry of Object.values(all)) {
      if (entry.lesson === lesson && "version" in entry.body && entry.body.version < version) {
        entry.body.version = version;
        changed = true;
      }
    }
    if (changed) this.write(all);
  }
}
