// Shared bits of the page: Telegram's theme, the Back button's stack, the status line and toasts.

const tg = (window.Telegram && window.Telegram.WebApp) || null;

// Telegram's script sets --tg-theme-* itself; a stand-in (tests) or a plain browser may not: set them here.
export function applyTheme() {
  const params = (tg && tg.themeParams) || {};
  const root = document.documentElement.style;
  for (const [key, value] of Object.entries(params)) root.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
  const scheme = (tg && tg.colorScheme) || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  document.documentElement.dataset.scheme = scheme;
}

// The Back button: each opened layer (a picker, a child's page) pushes a closer; Back pops the last one.
export const backStack = [];
export function pushBack(closer) {
  backStack.push(closer);
  if (tg && tg.BackButton) tg.BackButton.show();
}
export function popBack(run = true) {
  const closer = backStack.pop();
  if (!backStack.length && tg && tg.BackButton) tg.BackButton.hide();
  if (closer && run) closer();
}

let toastTimer = 0;
export function toast(text, kind = "info") {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 4000);
}

export function setStatus(text, kind = "") {
  const box = document.getElementById("status");
  box.textContent = text;
  box.dataset.kind = kind;
}

export function setTitle(text) {
  document.getElementById("title").textContent = text;
}

// A DOM element: el("button", {class: "x", onclick: f}, "text", child...).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

// The bottom sheet (a picker or a lesson's details); Back closes it.
export function openSheet(...children) {
  const sheet = document.getElementById("sheet");
  sheet.replaceChildren(el("div", { class: "sheet-body" }, ...children));
  sheet.hidden = false;
  pushBack(() => { sheet.hidden = true; });
}

export function closeSheet() {
  const sheet = document.getElementById("sheet");
  if (!sheet.hidden) popBack();
}

// A mark as the grid and the parents' page show it: "4", a scored summative "17/20" or "85%".
export function markText(item) {
  if (item.points !== null && item.points !== undefined && item.max_points && item.max_points !== 100) {
    return `${item.points}/${item.max_points}`;
  }
  return item.max_points === 100 ? `${item.grade}%` : String(item.grade);
}
