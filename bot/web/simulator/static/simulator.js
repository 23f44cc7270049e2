// The simulator page: talks to /simulator/api/*, which posts signed events to /webhook.
"use strict";

const api = "/simulator/api/";
const state = { user: localStorage.getItem("simulator.user") || "", next: 0, pollError: false };
const $ = (id) => document.getElementById(id);

function showStatus(text, isError) {
  $("status").textContent = text || "";
  $("status").className = isError ? "error" : "";
}

async function call(path, payload) {
  const options = payload === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
  };
  const answer = await fetch(api + path, options);
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
    showStatus(error.message, true);
  }
}

function bubble(line) {
  const item = document.createElement("li");
  item.className = `msg ${line.from === "bot" ? "bot" : "user"}`;
  if (line.kind === "request_user_info") {
    const card = $("share-card").content.firstElementChild.cloneNode(true);
    card.querySelector(".title").textContent = line.payload.title;
    card.querySelector(".subtitle").textContent = line.payload.subtitle;
    card.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      const phone = card.querySelector("input").value;
      guarded(() => call("share", { user: state.user, phone }));
    });
    item.appendChild(card);
  } else {
    item.textContent = line.payload.text;
  }
  return item;
}

async function pollChat() {
  if (!state.user) return;
  const user = state.user;
  const data = await call(`chat?user=${encodeURIComponent(user)}&after=${state.next}`);
  if (user !== state.user) return; // switched user while waiting
  data.lines.forEach((line) => $("chat").appendChild(bubble(line)));
  if (data.lines.length) $("chat").lastElementChild.scrollIntoView({ block: "end" });
  state.next = data.next;
  $("admin-toggle").checked = data.admin;
  document.body.classList.toggle("is-admin", data.admin);
}

async function pollPhones() {
  const data = await call("phones");
  const box = $("phones");
  if (!data.phones.length) return;
  box.replaceChildren(...data.phones.map(({ phone, messages }) => {
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
}

async function loadUsers(select) {
  const data = await call("users");
  const options = data.users.map((user) => new Option(user.id, user.id));
  $("user-select").replaceChildren(...options);
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
}

function say(text) {
  if (!text.trim() || !state.user) return;
  guarded(() => call("say", { user: state.user, text }));
}

function wire() {
  $("user-select").addEventListener("change", (event) => switchUser(event.target.value));
  $("new-user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const user = $("new-user").value.trim();
    guarded(async () => {
      await call("users", { user });
      switchUser(user);
      await loadUsers(user);
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
    guarded(() => call("admin", { user: state.user, admin: event.target.checked }));
  });
  $("reset").addEventListener("click", () => {
    guarded(async () => {
      await call("reset", { user: state.user });
      switchUser(state.user);
    });
  });
}

async function tick() {
  try {
    await pollChat();
    await pollPhones();
    if (state.pollError) showStatus("");
    state.pollError = false;
  } catch (error) {
    state.pollError = true;
    showStatus(error.message, true);
  }
  setTimeout(tick, 700);
}

wire();
guarded(() => loadUsers()).then(() => { switchUser(state.user); tick(); });
