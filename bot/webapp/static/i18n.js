// The page's texts, translated on the server with the bot's gettext catalogues (looked up by English msgid).
let texts = {};

export function setTexts(value) {
  texts = value || {};
}

export function t(msgid, values = {}) {
  let text = texts[msgid] || msgid;
  for (const [name, value] of Object.entries(values)) text = text.split(`{${name}}`).join(String(value));
  return text;
}
