// The Bekey sandbox page: phones side by side, kept live by server-sent events.
// Plain JavaScript, no build step; every text is Danish first, English second.
"use strict";

const MAX_PHONES = 4;
const STORE_KEY = "bekey-sandbox-phones";

const state = {
  sandbox: null, // the last /api/state
  phones: [], // {el, telegramId, lastJson, offline, toastTimer}
  openExercises: new Map(), // exercise key -> open, once the person toggled it
  refreshing: false,
  again: false,
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function bilingual(da, en) {
  const span = el("span", { class: "bi" }, el("span", { class: "da" }, da));
  if (en) span.append(" ", el("span", { class: "en" }, en));
  return span;
}

function status(da, en, bad = false) {
  const line = document.getElementById("status");
  line.replaceChildren(bilingual(da, en));
  line.classList.toggle("bad", bad);
}

async function api(path, body) {
  const options = body === undefined
    ? { cache: "no-store" }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(`${path}: ${response.status}`);
    error.text = data.error || { da: "Noget gik galt.", en: "Something went wrong." };
    throw error;
  }
  return data;
}

// Telegram's formatting: the plain text and its entities (UTF-16 offsets, as JavaScript counts).
function renderText(text, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const fragment = document.createDocumentFragment();
  renderRange(fragment, text, sorted, 0, text.length);
  return fragment;
}

function renderRange(parent, text, entities, start, end) {
  let position = start;
  let index = 0;
  while (index < entities.length) {
    const entity = entities[index];
    const entityEnd = entity.offset + entity.length;
    if (entity.offset < position || entity.offset >= end) { index += 1; continue; }
    parent.append(text.slice(position, entity.offset));
    const inner = [];
    let next = index + 1;
    while (next < entities.length && entities[next].offset < entityEnd) {
      inner.push(entities[next]);
      next += 1;
    }
    const node = entityNode(entity, text.slice(entity.offset, Math.min(entityEnd, end)));
    renderRange(node, text, inner, entity.offset, Math.min(entityEnd, end));
    parent.append(node);
    position = Math.min(entityEnd, end);
    index = next;
  }
  parent.append(text.slice(position, end));
}

function safeUrl(url) {
  return /^(https?:|tg:|mailto:|tel:)/i.test(url || "") ? url : null;
}

function entityNode(entity, covered) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote":
    case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const node = el("span", { class: "spoiler", title: "Vis · Show" });
      node.addEventListener("click", () => node.classList.add("shown"));
      return node;
    }
    case "text_link":
    case "url": {
      const href = safeUrl(entity.type === "url" ? covered : entity.url);
      return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }) : el("span");
    }
    case "bot_command": return el("span", { class: "cmd", dataset: { command: covered } });
    default: return el("span");
  }
}

// One phone.

function addPhone(telegramId) {
  if (state.phones.length >= MAX_PHONES) return;
  const template = document.getElementById("phone-template");
  const node = template.content.firstElementChild.cloneNode(true);
  const phone = { el: node, telegramId, lastJson: "", offline: false, toastTimer: null };
  state.phones.push(phone);
  document.getElementById("phones").append(node);

  const select = node.querySelector(".who");
  for (const person of state.sandbox.people) {
    const label = `${person.name} · ${person.role.da} (${person.role.en}) · ${person.unit}`;
    select.append(el("option", { value: String(person.telegram_id) }, label));
  }
  select.value = String(telegramId);
  select.addEventListener("change", () => {
    phone.telegramId = Number(select.value);
    phone.lastJson = "";
    savePhones();
    showPhone(phone);
  });
  node.querySelector(".offline").addEventListener("change", async (event) => {
    const online = !event.target.checked;
    try {
      await api(`/api/phones/${phone.telegramId}/network`, { online });
    } catch (error) {
      status(error.text.da, error.text.en, true);
    }
    phone.lastJson = "";
    await refresh();
  });
  node.querySelector(".close").addEventListener("click", () => {
    if (state.phones.length <= 1) return;
    state.phones = state.phones.filter((p) => p !== phone);
    node.remove();
    savePhones();
    updateCloseButtons();
  });
  node.querySelector(".pinned-bar").addEventListener("click", () => openPinned(phone));
  node.querySelector(".menu-button").addEventListener("click", () => {
    node.querySelector(".menu").hidden = !node.querySelector(".menu").hidden;
  });
  node.querySelector(".compose").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = node.querySelector(".text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    write(phone, text);
  });
  node.querySelector(".chat").addEventListener("click", (event) => {
    const command = event.target.closest(".cmd");
    if (command) write(phone, command.dataset.command);
  });
  updateCloseButtons();
  savePhones();
  showPhone(phone);
}

function updateCloseButtons() {
  for (const phone of state.phones) {
    phone.el.querySelector(".close").hidden = state.phones.length <= 1;
  }
  document.getElementById("add-phone").disabled = state.phones.length >= MAX_PHONES;
}

function savePhones() {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(state.phones.map((p) => p.telegramId)));
  } catch (_) { /* private mode: nothing kept */ }
}

function savedPhones() {
  try {
    const ids = JSON.parse(localStorage.getItem(STORE_KEY) || "[]");
    const known = new Set(state.sandbox.people.map((p) => p.telegram_id));
    return Array.isArray(ids) ? ids.filter((id) => known.has(id)).slice(0, MAX_PHONES) : [];
  } catch (_) {
    return [];
  }
}

function toast(phone, da, en) {
  const box = phone.el.querySelector(".toast");
  box.replaceChildren(bilingual(da, en));
  box.hidden = false;
  clearTimeout(phone.toastTimer);
  phone.toastTimer = setTimeout(() => { box.hidden = true; }, 3500);
}

function noNetwork(phone) {
  toast(phone, "Intet net: beskeden kan ikke sendes.", "No network: it cannot be sent.");
}

async function write(phone, text) {
  if (phone.offline) { noNetwork(phone); return; }
  phone.el.querySelector(".menu").hidden = true;
  try {
    await api(`/api/phones/${phone.telegramId}/messages`, { text });
  } catch (error) {
    toast(phone, error.text.da, error.text.en);
  }
}

async function press(phone, messageId, data) {
  if (phone.offline) { noNetwork(phone); return; }
  try {
    const result = await api(`/api/phones/${phone.telegramId}/press`, { message_id: messageId, data });
    if (result.answer) toast(phone, result.answer, "");
  } catch (error) {
    toast(phone, error.text.da, error.text.en);
  }
}

async function openPinned(phone) {
  const chat = phone.el.querySelector(".chat");
  const id = phone.el.querySelector(".pinned-bar").dataset.messageId;
  const item = chat.querySelector(`[data-message-id="${id}"]`);
  if (item) {
    item.scrollIntoView({ block: "center" });
    item.classList.add("flash");
    setTimeout(() => item.classList.remove("flash"), 1600);
  }
  try {
    await api(`/api/phones/${phone.telegramId}/pinned`, {});
  } catch (_) { /* only the exercise misses it */ }
}

async function showPhone(phone) {
  const offline = state.sandbox.offline.includes(phone.telegramId);
  phone.offline = offline;
  phone.el.classList.toggle("offline", offline);
  phone.el.querySelector(".offline").checked = offline;
  phone.el.querySelector(".offline-banner").hidden = !offline;
  if (offline && phone.lastJson) return; // no network: the screen stays as it was
  let screen;
  try {
    screen = await api(`/api/phones/${phone.telegramId}`);
  } catch (_) {
    return; // a reset is under way: the next change shows it
  }
  const json = JSON.stringify(screen);
  if (json === phone.lastJson) return;
  phone.lastJson = json;
  renderPhone(phone, screen);
}

function renderPhone(phone, screen) {
  const chat = phone.el.querySelector(".chat");
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  const items = screen.messages.map((message) => renderMessage(phone, message));
  chat.replaceChildren(...items);
  if (atBottom || !chat.dataset.shown) chat.scrollTop = chat.scrollHeight;
  chat.dataset.shown = "1";

  const bar = phone.el.querySelector(".pinned-bar");
  const pinned = screen.messages.find((m) => m.id === screen.pinned);
  bar.hidden = !pinned;
  if (pinned) {
    bar.dataset.messageId = String(pinned.id);
    bar.querySelector(".pinned-text").textContent = (pinned.text || "").split("\n")[0];
  }

  const keyboard = phone.el.querySelector(".keyboard");
  keyboard.replaceChildren(...(screen.keyboard || []).map((row) => el("div", { class: "keyboard-row" },
    ...row.map((text) => el("button", { type: "button", onclick: () => write(phone, text) }, text)))));

  const menu = phone.el.querySelector(".menu");
  menu.replaceChildren(...screen.commands.map((command) => el("li", {},
    el("button", { type: "button", onclick: () => write(phone, `/${command.command}`) },
      el("span", { class: "command" }, `/${command.command}`), el("span", {}, command.description)))));
  phone.el.querySelector(".menu-button").hidden = screen.commands.length === 0;
}

function renderMessage(phone, message) {
  const bubble = el("div", { class: "bubble" });
  if (message.document) {
    const doc = message.document;
    const link = el("a", { href: `/api/files/${encodeURIComponent(doc.file_id)}`, download: doc.file_name },
      doc.file_name);
    bubble.append(el("div", { class: "doc" }, "📎", link));
  }
  if (message.text) bubble.append(renderText(message.text, message.entities));
  const meta = [];
  if (message.protected) meta.push("🔒");
  if (message.edited) meta.push("redigeret · edited");
  meta.push(message.time);
  bubble.append(el("span", { class: "meta" }, meta.join(" ")));
  const item = el("li", {
    class: message.from_bot ? "msg bot" : "msg me",
    dataset: { messageId: String(message.id) },
  }, bubble);
  if (message.buttons.length) {
    const rows = message.buttons.map((row) => el("div", { class: "inline-row" }, ...row.map((button) => {
      const url = safeUrl(button.url);
      if (url) return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, button.text);
      return el("button", {
        type: "button",
        onclick: () => press(phone, message.id, button.callback_data || ""),
      }, button.text);
    })));
    item.append(el("div", { class: "inline" }, ...rows));
  }
  return item;
}

// The page.

function renderSandbox() {
  const sandbox = state.sandbox;
  document.getElementById("clock-text").textContent = sandbox.clock.text;
  document.getElementById("clock-text").dataset.aheadMinutes = String(sandbox.clock.ahead_minutes);
  const list = document.getElementById("exercise-list");
  const done = sandbox.exercises.filter((e) => e.done).length;
  document.getElementById("exercises-count").replaceChildren(
    bilingual(`${done} af ${sandbox.exercises.length}`, `${done} of ${sandbox.exercises.length}`));
  const next = sandbox.exercises.find((e) => !e.done);
  list.replaceChildren(...sandbox.exercises.map((exercise) => {
    const open = state.openExercises.has(exercise.key)
      ? state.openExercises.get(exercise.key) : exercise === next;
    const details = el("details", open ? { open: "" } : {},
      el("summary", {}, el("span", { class: "mark" }, exercise.done ? "✅" : "⬜"),
        bilingual(exercise.title.da, exercise.title.en)),
      el("p", { class: "da" }, exercise.instruction.da),
      el("p", { class: "en" }, exercise.instruction.en));
    details.querySelector("summary").addEventListener("click", () => {
      state.openExercises.set(exercise.key, !details.open); // the person's choice stays
    });
    return el("li", {
      class: exercise.done ? "exercise done" : "exercise",
      dataset: { key: exercise.key, done: exercise.done ? "1" : "0" },
    }, details);
  }));
}

async function refresh() {
  if (state.refreshing) { state.again = true; return; }
  state.refreshing = true;
  try {
    do {
      state.again = false;
      state.sandbox = await api("/api/state");
      renderSandbox();
      await Promise.all(state.phones.map(showPhone));
    } while (state.again);
  } catch (_) {
    // the next change event tries again
  } finally {
    state.refreshing = false;
  }
}

function listen() {
  const source = new EventSource("/api/events");
  source.addEventListener("change", () => refresh());
  source.addEventListener("open", () => refresh());
}

async function controlsBusy(busy, work) {
  const buttons = document.querySelectorAll(".controls button");
  for (const button of buttons) button.disabled = busy;
  try {
    await work();
  } finally {
    for (const button of buttons) button.disabled = false;
    updateCloseButtons();
  }
}

function wireControls() {
  for (const button of document.querySelectorAll(".clock-button")) {
    button.addEventListener("click", () => controlsBusy(true, async () => {
      const minutes = Number(button.dataset.minutes);
      try {
        await api("/api/clock", { minutes });
        status(`Uret er rykket ${button.textContent.trim().split(" · ")[0]} frem.`,
          `The clock moved ${minutes} min on.`);
      } catch (error) {
        status(error.text.da, error.text.en, true);
      }
      await refresh();
    }));
  }
  document.getElementById("reset").addEventListener("click", () => controlsBusy(true, async () => {
    status("Nulstiller til demoen …", "Resetting to the demo …");
    try {
      await api("/api/reset", {});
      for (const phone of state.phones) phone.lastJson = "";
      status("Tilbage ved demoens start.", "Back at the demo's start.");
    } catch (error) {
      status(error.text.da, error.text.en, true);
    }
    await refresh();
  }));
  document.getElementById("add-phone").addEventListener("click", () => {
    const used = new Set(state.phones.map((p) => p.telegramId));
    const next = state.sandbox.people.find((p) => !used.has(p.telegram_id)) || state.sandbox.people[0];
    addPhone(next.telegram_id);
  });
}

async function main() {
  wireControls();
  state.sandbox = await api("/api/state");
  renderSandbox();
  const people = state.sandbox.people;
  const saved = savedPhones();
  const first = saved.length ? saved : [people[0].telegram_id, people[1].telegram_id];
  for (const id of first) addPhone(id);
  listen();
}

main().catch(() => status("Sandkassen svarer ikke. Kører den stadig?", "The sandbox does not answer. Is it still running?", true));
