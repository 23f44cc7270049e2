// Portal demo: what a customer portal does with the public API (/api/v1), nothing more.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = document.body.dataset.apiKey;

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
  const wait = data.retry_after ? ` (retry in ${data.retry_after} s)` : "";
  const until = data.locked_until ? ` until ${new Date(data.locked_until).toLocaleString()}` : "";
  return `${data.error}: ${data.message}${wait}${until}`;
}

async function sendCode(event) {
  event.preventDefault();
  const channel = document.querySelector("input[name=channel]:checked").value;
  const body = { account_id: accountId(), phone: $("portal-phone").value, channel };
  // One key per click: a double submit or a network retry sends no second code.
  const { status, data } = await api("POST", "verifications", body,
    { "Idempotency-Key": crypto.randomUUID() });
  if (status === 201) {
    const until = new Date(data.expires_at).toLocaleTimeString();
    show(`Đã gửi mã qua ${channel.toUpperCase()} tới ${data.phone} (hết hạn ${until}).`, true);
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
    show("✓ Xác thực thành công — phone verified.", true);
  } else if (status === 200) {
    const left = data.status === "wrong" ? ` (${data.attempts_left} tries left)` : "";
    show(`${data.status}${left}${data.reason ? `: ${data.reason}` : ""}`, false);
  } else {
    show(explain(data), false);
  }
  refreshAccount();
}

async function linkZalo() {
  const { status, data } = await api("POST", "links", { account_id: accountId() });
  if (status !== 201) { show(explain(data), false); return; }
  $("link-code").textContent = data.code;
  $("chat-url").textContent = data.chat_url;
  $("chat-url").href = data.chat_url;
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
