// Requests to the bot's API, each carrying Telegram's initData; writes queue up and are retried until the
// server answers, so a save made while the connection drops is shown and never silently lost.

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
