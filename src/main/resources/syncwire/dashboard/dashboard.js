// The admin dashboard: one EventSource on this origin, which the browser opens with the Basic credentials
// it loaded the page with. Every event is a whole snapshot (docs/protocol.md §12.3), rendered as it is.
"use strict";

const STALE_MS = 5000;
let lastEventAt = 0;

const byId = (id) => document.getElementById(id);
const number = (n) => (typeof n === "number" ? n.toLocaleString("en", { maximumFractionDigits: 1 }) : "-");

function setText(id, text, className) {
  const el = byId(id);
  el.textContent = text;
  if (className !== undefined) el.className = className;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function guardText(guard) {
  if (!guard || guard.engaged === undefined || guard.engaged === null) return { text: "-", cls: "" };
  return guard.engaged ? { text: "engaged", cls: "bad" } : { text: "ok", cls: "ok" };
}

function heap(guard) {
  return guard && typeof guard.heapAfterGcPercent === "number" ? guard.heapAfterGcPercent + " % heap after GC" : "";
}

function fillTable(tbody, items, columns, render) {
  const rows = items.map((item) => {
    const tr = document.createElement("tr");
    render(tr, item);
    return tr;
  });
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    cell(tr, "none", "empty").colSpan = columns;
    rows.push(tr);
  }
  tbody.replaceChildren(...rows);
}

function render(snapshot) {
  setText("node", snapshot.node);
  setText("updated", new Date(snapshot.time).toLocaleTimeString());
  for (const transport of ["websocket", "sse", "longpoll"]) {
    setText("conn-" + transport, number(snapshot.connections[transport]));
  }
  setText("publish-rate", number(snapshot.publishRate));
  setText("delivery-rate", number(snapshot.deliveryRate));
  const guard = guardText(snapshot.memoryGuard);
  setText("guard", guard.text, "value " + guard.cls);
  setText("guard-detail", heap(snapshot.memoryGuard));

  fillTable(byId("nodes"), snapshot.nodes, 7, (tr, n) => {
    tr.dataset.node = n.node;
    cell(tr, n.node);
    if (n.draining) cell(tr, "draining", "warn");
    else cell(tr, n.ready ? "ready" : "not ready", n.ready ? "ok" : "bad");
    cell(tr, number(n.connections), "num");
    cell(tr, number(n.sessions), "num");
    cell(tr, number(n.channelsOwned), "num");
    if (typeof n.backedUp === "boolean") cell(tr, n.backedUp ? "yes" : "no", n.backedUp ? "ok" : "warn");
    else cell(tr, "-");
    const g = guardText(n.memoryGuard);
    const h = heap(n.memoryGuard);
    cell(tr, g.text + (h ? " (" + h + ")" : ""), g.cls);
  });

  fillTable(byId("channels"), snapshot.topChannels, 4, (tr, c) => {
    cell(tr, c.tenant);
    cell(tr, c.channel);
    cell(tr, number(c.subscribers), "num");
    cell(tr, number(c.seq), "num");
  });
  setText("channels-hint", snapshot.clustered
    ? "In a cluster, a channel's subscribers are the nodes that follow it."
    : "");
}

function connect() {
  const source = new EventSource("/dashboard/events");
  source.onopen = () => setText("stream", "live", "live");
  source.onmessage = (e) => {
    lastEventAt = Date.now();
    setText("stream", "live", "live");
    render(JSON.parse(e.data));
  };
  source.onerror = () => {
    // CLOSED: the server refused the stream (the key changed, or the dashboard was disabled); no retry.
    if (source.readyState === EventSource.CLOSED) setText("stream", "closed: reload the page", "closed");
    else setText("stream", "reconnecting", "connecting");
  };
}

setInterval(() => {
  if (lastEventAt && Date.now() - lastEventAt > STALE_MS && byId("stream").textContent === "live") {
    setText("stream", "stale", "connecting");
  }
}, 1000);

connect();
