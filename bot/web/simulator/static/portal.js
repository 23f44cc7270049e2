// Portal demo: what a customer portal does with the public API (/api/v1), nothing more.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = document.body.dataset.apiKey;
// One language per page (BOT_LANGUAGE): the server renders it, and hands the script its words.
const WORDS = JSON.parse($("words").textContent);
const say = (key, values) => (WORDS[key] || WORDS.error).replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
const moment = (iso, withDate) => {
  const at = new Date(iso);
  return withDate ? at.toLocaleString(WORDS.locale) : at.toLocaleTimeString(WORDS.locale);
};

async function api(method, path, body, extraHeaders) {
  const headers = { Authorization: `Bearer ${KEY}`, ...(extraHeaders || {}) };
  if (body) headers["Content-Type"] = "application/json";
  const answer = await fetch(`/api/v1/${path}`, {
    method, headers, body: body ? JSON.stringify(body) : undefined,
  });
  const data = await answer.json().catch(() => ({}));
  return { status: answer.status, data };
}

const accountId = () => $("account-id").value.trim();

function show(text, ok) {
  const box = $("verify-result");
  box.textContent = text;
  box.className = `result ${ok ? "ok" : "bad"}`;
}

function explain(data) {
  // The API's `message` is for developers (English): the customer reads the page's words.
  if (data.error === "locked") return say("locked", { until: moment(data.locked_until, true) });
  const wait = data.retry_after ? say("retry", { seconds: data.retry_after }) : "";
  return say(data.error, { error: data.error || "?", new_number: data.new_number || "" }) + wait;
}

async function sendCode(event) {
  event.preventDefault();
  const channel = document.querySelector("input[name=channel]:checked").value;
  const body = { account_id: accountId(), phone: $("portal-phone").value, channel };
  // One key per click: a double submit or a network retry sends no second code.
  const { status, data } = await api("POST", "verifications", body,
    { "Idempotency-Key": crypto.randomUUID() });
  if (status === 201) {
    const until = moment(data.expires_at, false);
    show(say("sent", { channel: channel === "zalo" ? "Zalo" : "SMS", phone: data.phone, until }), true);
    $("portal-code").focus();
  } else {
    show(explain(data), false);
  }
  refreshAccount();
}

async function checkCode(event) {
  event.preventDefault();
  const body = { account_id: accountId(), code: $("portal-code").value };
  const { status, data } = await api("POST", "verifications/check", body);
  if (status === 200 && data.status === "approved") {
    show(say("approved", {}), true);
  } else if (status === 200 && data.status === "failed") {
    show(say(WORDS[`failed_${data.reason}`] ? `failed_${data.reason}` : "failed", {}), false);
  } else if (status === 200) {
    const until = data.locked_until ? moment(data.locked_until, true) : "";
    show(say(data.status, { left: data.attempts_left, until, error: data.status }), false);
  } else {
    show(explain(data), false);
  }
  refreshAccount();
}

async function linkZalo() {
  const { status, data } = await api("POST", "links", { account_id: accountId() });
  if (status !== 201) { show(explain(data), false); return; }
  // "Send the code {code} to the OA on Zalo ({url})": the code and the link as elements.
  const [before, middle, after] = WORDS.link_send.split(/\{code\}|\{url\}/);
  const code = document.createElement("strong");
  code.id = "link-code";
  code.textContent = data.code;
  const link = document.createElement("a");
  link.id = "chat-url";
  link.target = "_blank";
  link.rel = "noopener";
  link.href = data.chat_url;
  link.textContent = data.chat_url;
  $("link-send").replaceChildren(before, code, middle, link, after);
  $("link-qr").src = `/simulator/portal/qr.svg?data=${encodeURIComponent(data.chat_url)}`;
  $("link-box").hidden = false;
}

async function refreshAccount() {
  if (!accountId()) return;
  const { status, data } = await api("GET", `accounts/${encodeURIComponent(accountId())}`);
  $("account-view").textContent = status === 200 ? JSON.stringify(data, null, 2) : `${status}: ${data.error}`;
}

async function pollPhones() {
  const answer = await fetch("/simulator/api/phones");
  const data = await answer.json();
  if (!data.phones.length) return;
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
}

$("verify-form").addEventListener("submit", sendCode);
$("code-form").addEventListener("submit", checkCode);
$("link-zalo").addEventListener("click", linkZalo);
$("account-id").addEventListener("change", refreshAccount);
setInterval(() => { pollPhones().catch(() => {}); refreshAccount().catch(() => {}); }, 1000);
pollPhones();
refreshAccount();
