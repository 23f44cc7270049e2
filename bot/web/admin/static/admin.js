// The admin page: the funnel's charts (uPlot) and table from /admin/api/funnel, every 30 s.
// Times are told in BOT_TIMEZONE, the zone of the funnel's days and of the audit.
"use strict";

const STEPS = ["started", "sent", "delivered", "verified", "expired", "locked", "failed"];
const COLORS = {
  started: "#6b7280", sent: "#2563eb", delivered: "#0891b2", verified: "#16a34a",
  expired: "#ca8a04", locked: "#dc2626", failed: "#9333ea",
};
const REFRESH_MS = 30000;
const ZONE = document.body.dataset.timezone || undefined;
const charts = {};

function localTime(epoch) {
  const style = { dateStyle: "short", timeStyle: "short", timeZone: ZONE };
  return new Date(epoch * 1000).toLocaleString([], style);
}

function zoned(epoch) {
  return ZONE ? uPlot.tzDate(new Date(epoch * 1000), ZONE) : new Date(epoch * 1000);
}

function draw(id, data, title) {
  const box = document.getElementById(id);
  const rows = [data.t, ...STEPS.map((s) => data.steps[s])];
  const width = Math.max(300, box.clientWidth || 520);
  if (charts[id]) {
    charts[id].setData(rows);
  } else {
    const series = [{}, ...STEPS.map((s) => ({ label: s, stroke: COLORS[s], width: 2, points: { size: 5 } }))];
    charts[id] = new uPlot({ title, width, height: 240, series, tzDate: zoned, scales: { y: { range: (u, lo, hi) => [0, Math.max(1, hi)] } } }, rows, box);
  }
  const total = STEPS.reduce((n, s) => n + data.steps[s].reduce((a, b) => a + b, 0), 0);
  box.dataset.points = String(data.t.length);
  box.dataset.total = String(total);
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
}

function fillTable(summaries) {
  const body = document.querySelector("#funnel-table tbody");
  body.replaceChildren();
  for (const [period, rows] of summaries) {
    for (const r of rows) {
      const tr = document.createElement("tr");
      const reasons = Object.entries(r.reasons).map(([k, v]) => `${k} ${v}`).join(", ");
      const times = r.p50 === null ? "—" : `≤${r.p50} s / ${r.p95 === null ? ">600" : "≤" + r.p95} s`;
      [period, r.oa_name || r.oa, r.channel, r.started, r.sent, r.delivered, r.verified, r.expired, r.locked,
        r.failed ? `${r.failed} (${reasons})` : "0", times, r.spend_vnd.toLocaleString()]
        .forEach((v) => cell(tr, String(v)));
      tr.children[1].title = r.oa;  // the name shown, the id on hover (the OAs table has both)
      body.appendChild(tr);
    }
  }
  if (!body.children.length) {
    const tr = document.createElement("tr");
    cell(tr, "No verification in the last 7 days.");
    tr.firstChild.colSpan = 12;
    body.appendChild(tr);
  }
}

async function refresh() {
  const answer = await fetch(document.body.dataset.funnelUrl, { credentials: "same-origin" });
  if (answer.status === 401) { window.location.reload(); return; }
  const data = await answer.json();
  draw("chart-day", data.day, "Last 24 hours");
  draw("chart-week", data.week, "Last 7 days");
  fillTable([["today", data.summary_day], ["7 days", data.summary_week]]);
  document.getElementById("funnel").dataset.loaded = String(data.generated_at);
}

document.querySelectorAll(".time").forEach((el) => {
  const epoch = parseFloat(el.dataset.epoch);
  if (epoch) el.textContent = localTime(epoch);
});
// Remove deletes for good (the CLI asks first too); Replay is safe to run twice.
document.querySelectorAll(".dead-letter button.remove").forEach((button) => {
  button.addEventListener("click", (event) => {
    if (!window.confirm("Delete this dead letter for good?")) event.preventDefault();
  });
});
refresh();
setInterval(refresh, REFRESH_MS);
