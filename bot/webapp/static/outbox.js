// Every write of the grid (a cell, a lesson's topic or homework, "attendance taken") goes through the outbox:
// kept in localStorage until the server accepts or refuses it, so a reload or a closed-and-reopened Mini App
// still sends it; sent one at a time in the order made, and retried while the connection is down.
import { PendingStore, SaveQueue } from "./api.js";

let lastId = 0;
function nextId() {
  lastId = Math.max(Date.now() * 1000, lastId + 1);
  return lastId;
}

export class Outbox {
  // handlers: per path ("cell", "lesson", "attendance"), {done(entry, result), refused(entry, error),
  // failed(entry)}; they look the lesson up on the page by the entry's body, so a restored entry finds it too.
  constructor(user, onState, handlers) {
    this.store = new PendingStore(user);
    this.queue = new SaveQueue(onState);
    this.handlers = handlers;
    this.versions = {};  // lesson -> the version our own last answered write left it at
  }

  // A write under `key` (one cell or one lesson field): a later write of the same key replaces it in storage.
  send(key, path, lesson, body, extra = {}) {
    const entry = { id: nextId(), key, path, lesson, body, ...extra };
    this.store.put(key, entry);
    this.push(entry);
  }

  // What a reload or a closed Mini App left unsent goes out again, oldest first.
  resend() {
    for (const entry of this.waiting()) this.push(entry);
  }

  waiting() {
    return Object.entries(this.store.all()).map(([key, entry]) => ({ ...entry, key })).sort((a, b) => a.id - b.id);
  }

  isWaiting(key) { return key in this.store.all(); }

  push(entry) {
    const handler = this.handlers[entry.path];
    this.queue.push({
      path: entry.path,
      body: () => this.current(entry),
      done: (result) => {
        this.settled(entry, result && result.version);
        handler.done(entry, result);
      },
      refused: (error) => {
        if (error.status === 401) {  // initData too old: kept for the Mini App opened again, never dropped
          handler.failed(entry);
          return;
        }
        const body = error.body || {};
        this.settled(entry, body.error === "stale" ? body.version : undefined);
        handler.refused(entry, error);
      },
      failed: () => handler.failed(entry),
    });
  }

  // The version a write goes out with: the one seen when it was made, moved on by our own answered writes of the
  // same lesson (so our quick taps never refuse each other; another device's change still does).
  current(entry) {
    if (!("version" in entry.body)) return entry.body;
    return { ...entry.body, version: Math.max(entry.body.version, this.versions[entry.lesson] ?? 0) };
  }

  settled(entry, version) {
    this.store.drop(entry.key, entry.id);
    if (version === undefined || version === null) return;
    this.versions[entry.lesson] = Math.max(version, this.versions[entry.lesson] ?? 0);
    this.store.bump(entry.lesson, version);
  }
}
