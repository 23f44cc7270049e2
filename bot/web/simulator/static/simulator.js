// The simulator page: POSTs to /simulator/api/* (signed events to /webhook); replies, phone
// messages and asset changes are pushed by /simulator/api/stream (server-sent events).
"use strict";

const api = "/simulator/api/";
// The OA the page talks to (one App, several OAs: each has its own users and chats).
const oa = document.body.dataset.oaId;
const withOa = (url) => `${url}${url.includes("?") ? "&" : "?"}oa=${encodeURIComponent(oa)}`;
const state = { user: localStorage.getItem("simulator.user") || "", next: 0, lang: "vi", source: null };
const $ = (id) => document.getElementById(id);
const WORDS = {
  vi: { share: "Chia sẻ", offline: "Không kết nối được với bot. Máy chủ đã dừng? Chạy lại `make run`, trang sẽ tự nối lại.", unlinked: "Bot đã ngừng dùng {what} của sandbox, nên mọi tin nhắn đều bị bỏ qua.", relink: "Liên kết lại" },
  en: { share: "Share", offline: "The bot is not reachable. Has the server stopped? Start `make run` again; the page reconnects by itself.", unlinked: "The bot no longer uses the sandbox's {what}, so every message is ignored.", relink: "Relink" },
};
const words = () => WORDS[state.lang] || WORDS.vi;

function showStatus(text, isError) {
  $("status").textContent = text || "";
  $("status").className = isError ? "error" : "";
}

function setOffline(offline) {
  $("offline").hidden = !offline;
  $("offline").textContent = offline ? words().offline : "";
}

async function call(path, payload) {
  const options = payload === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
  };
  let answer;
  try {
    answer = await fetch(withOa(api + path), options);
  } catch (error) {
    setOffline(true); // "Failed to fetch": the server is gone
    throw new Error(words().offline);
  }
  setOffline(false);
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    const reason = data.error || (data.webhook && data.webhook.error) || answer.statusText;
    throw new Error(`${path}: ${reason} (HTTP ${data.webhook_status || answer.status})`);
  }
  return data;
}

async function guarded(action) {
  try {
    showStatus("");
    await action();
  } catch (error) {
    if (!$("offline").hidden) showStatus(""); else showStatus(error.message, true);
  }
  $("message").focus(); // keyboard only: the composer keeps the focus
}

function shareCard(line) {
  const card = $("share-card").content.firstElementChild.cloneNode(true);
  card.querySelector(".title").textContent = line.payload.title;
  card.querySelector(".subtitle").textContent = line.payload.subtitle;
  card.querySelector(".share-button").textContent = words().share;
  card.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const phone = card.querySelector("input").value;
    guarded(() => call("share", { user: state.user, phone }));
  });
  return card;
}

function tapButtons(buttons) {
  const row = document.createElement("div");
  row.className = "taps";
  buttons.forEach((button) => {
    const chip = document.createElement("button");
    chip.type = "button";
    chip.textContent = button.title;
    chip.dataset.payload = button.payload;
    chip.addEventListener("click", () => {
      guarded(() => call("tap", { user: state.user, title: button.title, payload: button.payload }));
    });
    row.appendChild(chip);
  });
  return row;
}

function bubble(line) {
  const item = document.createElement("li");
  const who = line.from === "bot" ? "bot" : line.kind === "tap" ? "tap" : "user";
  item.className = `msg ${who}`;
  if (line.kind === "request_user_info") {
    item.appendChild(shareCard(line));
    return item;
  }
  const text = document.createElement("div");
  text.className = "text";
  text.textContent = who === "tap" ? `▸ ${line.payload.text}` : line.payload.text;
  item.appendChild(text);
  if (line.payload.buttons && line.payload.buttons.length) item.appendChild(tapButtons(line.payload.buttons));
  return item;
}

function showChat(data) {
  state.lang = data.lang || state.lang;
  data.lines.forEach((line) => $("chat").appendChild(bubble(line)));
  if (data.lines.length) $("chat").lastElementChild.scrollIntoView({ block: "end" });
  state.next = data.next;
  $("admin-toggle").checked = data.admin;
  document.body.classList.toggle("is-admin", data.admin);
}

function showPhones(data) {
  if (!data.phones.length) { showPinned(null); return; }
  $("phones").replaceChildren(...data.phones.map(({ phone, messages }) => {
    const section = document.createElement("div");
    section.className = "phone";
    section.dataset.phone = phone;
    const title = document.createElement("h3");
    title.textContent = phone;
    section.appendChild(title);
    messages.slice().reverse().forEach((message) => {
      const line = document.createElement("p");
      line.className = message.channel === "zalo" ? "zalo" : "sms";
      line.textContent = message.text;
      section.appendChild(line);
    });
    return section;
  }));
  showPinned(data.pinned);
}

function showPinned(message) {
  // The newest code to one of the selected user's numbers: another test user's is not theirs.
  $("latest-phone").hidden = !message;
  $("latest-phone").textContent = message
    ? `${message.phone} · ${message.channel === "zalo" ? "Zalo" : "SMS"}: ${message.text}` : "";
}

function isThisChats(asset) {
  // The App and the OA the simulated chats go through: unlinking another App silences nothing.
  const own = asset.kind === "app" ? document.body.dataset.appId : document.body.dataset.oaId;
  return asset.id === own;
}

function showAssets(data) {
  const unlinked = data.assets.filter((asset) => asset.status !== "linked" && isThisChats(asset));
  $("assets").replaceChildren(...data.assets.map((asset) => {
    const item = document.createElement("li");
    item.className = asset.status === "linked" ? "linked" : "unlinked";
    item.textContent = `${asset.kind === "app" ? "App ID" : "OA"} ${asset.name} (${asset.id}): ${asset.status} `;
    if (asset.status !== "linked") item.appendChild(relinkButton(asset));
    return item;
  }));
  $("asset-warning").hidden = !unlinked.length;
  if (unlinked.length) {
    const what = unlinked.map((asset) => (asset.kind === "app" ? "App ID " : "OA ") + asset.name).join(", ");
    $("asset-warning").replaceChildren(document.createTextNode(words().unlinked.replace("{what}", what)), ...unlinked.map(relinkButton));
  }
}

function relinkButton(asset) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "relink";
  button.textContent = `${words().relink} ${asset.kind === "app" ? "App ID" : "OA"}`;
  button.addEventListener("click", () => guarded(() => call("relink", { kind: asset.kind, id: asset.id })));
  return button;
}

function listen() {
  if (state.source) state.source.close();
  if (!state.user) return;
  const source = new EventSource(withOa(`${api}stream?user=${encodeURIComponent(state.user)}&after=${state.next}`));
  state.source = source;
  document.body.dataset.transport = "push";
  source.addEventListener("chat", (event) => showChat(JSON.parse(event.data)));
  source.addEventListener("phones", (event) => showPhones(JSON.parse(event.data)));
  source.addEventListener("assets", (event) => showAssets(JSON.parse(event.data)));
  source.addEventListener("busy", () => { source.close(); poll(); });
  source.onopen = () => setOffline(false);
  source.onerror = () => { if (source.readyState !== EventSource.OPEN) checkServer(); };
}

async function checkServer() {
  try { await fetch(api + "users"); setOffline(false); } catch (error) { setOffline(true); }
}

async function poll() {
  // Fallback when the server has no stream to spare: one look a second.
  document.body.dataset.transport = "poll";
  if (!state.user) return;
  try {
    showChat(await call(`chat?user=${encodeURIComponent(state.user)}&after=${state.next}`));
    showPhones(await call(`phones?user=${encodeURIComponent(state.user)}`));
  } catch (error) { /* the notice says it */ }
  setTimeout(() => (document.body.dataset.transport === "poll" ? poll() : null), 1000);
}

async function loadUsers(select) {
  const data = await call("users");
  $("user-select").replaceChildren(...data.users.map((user) => new Option(user.id, user.id)));
  if (select) state.user = select;
  if (!state.user && data.users.length) state.user = data.users[0].id;
  $("user-select").value = state.user;
  enableChat(Boolean(state.user));
}

function enableChat(enabled) {
  ["message", "send", "admin-toggle", "reset"].forEach((id) => { $(id).disabled = !enabled; });
  if (!enabled) showStatus("Create a test user to start (it follows the OA).");
}

function switchUser(user) {
  state.user = user;
  state.next = 0;
  localStorage.setItem("simulator.user", user);
  $("chat").replaceChildren();
  enableChat(Boolean(user));
  listen();
}

function say(text) {
  if (!text.trim() || !state.user) return;
  guarded(() => call("say", { user: state.user, text }));
}

function wire() {
  $("oa-select").addEventListener("change", (event) => {
    location.search = `?oa=${encodeURIComponent(event.target.value)}`; // another OA: its own users
  });
  $("user-select").addEventListener("change", (event) => switchUser(event.target.value));
  $("new-user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const user = $("new-user").value.trim();
    guarded(async () => {
      await call("users", { user });
      await loadUsers(user);
      switchUser(user);
      $("new-user").value = "";
    });
  });
  $("say-form").addEventListener("submit", (event) => {
    event.preventDefault();
    say($("message").value);
    $("message").value = "";
  });
  document.querySelectorAll("[data-say]").forEach((chip) => {
    chip.addEventListener("click", () => say(chip.dataset.say));
  });
  $("admin-toggle").addEventListener("change", (event) => {
    guarded(async () => {
      const data = await call("admin", { user: state.user, admin: event.target.checked });
      document.body.classList.toggle("is-admin", data.admin);
    });
  });
  $("reset").addEventListener("click", () => {
    guarded(async () => {
      await call("reset", { user: state.user });
      switchUser(state.user);
    });
  });
}

wire();
guarded(() => loadUsers()).then(() => switchUser(state.user));
