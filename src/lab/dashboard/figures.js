// The dashboard's figures: the result of each experiment drawn as SVG by the page, from the JSON that
// `endhost lab experiment NAME --json` prints (and sends to the dashboard when it runs). FIGURES is the
// registry: one entry per experiment name, whose draw(result) returns the figure's element. A new experiment
// adds its entry here under the name of src/lab/experiments' registry (docs/internals/lab.md, "Figures").
// Every mark drawn from a datum carries a class the browser test counts (fig-conn, fig-bar, fig-arrow…).
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";

// An SVG element; text goes in as a text node, never as markup (the results come from a program's POST).
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmtMs(ms) {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

// Round tick values for an axis from 0 to max (about n of them).
function ticks(max, n) {
  if (!(max > 0)) return [0];
  const raw = max / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(v);
  return out;
}

function figureBox(cls, ...children) {
  const d = document.createElement("div");
  d.className = "figure " + cls;
  for (const c of children) d.append(c);
  return d;
}

function caption(text) {
  const p = document.createElement("p");
  p.className = "fig-caption";
  p.textContent = text;
  return p;
}

// page-load: each strategy's connections as rows on one time scale, side by side (Figures 2.7 and 2.8 of
// the textbook turned on their side): the TCP handshake, then per object its request (sent → first byte)
// and response (first byte → last byte).
function drawPageLoad(r) {
  const strategies = r.strategies || [];
  let end = 0;
  for (const s of strategies)
    for (const c of s.timeline) for (const o of c.objects) end = Math.max(end, o.last_byte_ms);
  const row = document.createElement("div");
  row.className = "fig-row";
  for (const s of strategies) {
    const W = 300, left = 26, right = 8, top = 30, rowH = Math.max(6, Math.min(16, 190 / Math.max(1, s.timeline.length)));
    const H = top + rowH * s.timeline.length + 34;
    const x = (ms) => left + (ms / (end || 1)) * (W - left - right);
    const g = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "fig-strategy", "data-strategy": s.name, role: "img",
                           "aria-label": s.name + ": " + s.timeline.length + " connections" });
    g.append(svg("text", { x: 2, y: 12, class: "fig-title" }, s.name));
    g.append(svg("text", { x: 2, y: 24, class: "fig-note" },
                 fmtMs(s.measured_ms) + " ms measured · model " + s.model_rtts + " RTT + T = " + fmtMs(s.model_ms) + " ms"));
    s.timeline.forEach((c, i) => {
      const y = top + i * rowH;
      const conn = svg("g", { class: "fig-conn" });
      conn.append(svg("text", { x: left - 3, y: y + rowH * 0.75, class: "fig-axis", "text-anchor": "end" }, String(i + 1)));
      const bar = (from, to, cls, title) => {
        const w = Math.max(1, x(to) - x(from));
        const rect = svg("rect", { x: x(from).toFixed(2), y: y + 1, width: w.toFixed(2), height: rowH - 2, class: cls });
        rect.append(svg("title", {}, title));
        conn.append(rect);
      };
      bar(c.connect_ms, c.connected_ms, "fig-handshake", "TCP handshake " + fmtMs(c.connected_ms - c.connect_ms) + " ms");
      for (const o of c.objects) {
        bar(o.request_ms, o.first_byte_ms, "fig-request", o.path + ": request, " + fmtMs(o.first_byte_ms - o.request_ms) + " ms to the first byte");
        bar(o.first_byte_ms, o.last_byte_ms, "fig-response", o.path + ": response, " + o.bytes + " bytes");
      }
      g.append(conn);
    });
    const axisY = top + rowH * s.timeline.length + 4;
    g.append(svg("line", { x1: left, x2: W - right, y1: axisY, y2: axisY, class: "fig-gridline" }));
    for (const t of ticks(end, 4)) {
      g.append(svg("line", { x1: x(t), x2: x(t), y1: axisY, y2: axisY + 3, class: "fig-gridline" }));
      g.append(svg("text", { x: x(t), y: axisY + 13, class: "fig-axis", "text-anchor": "middle" }, fmtMs(t)));
    }
    g.append(svg("text", { x: W - right, y: axisY + 26, class: "fig-axis", "text-anchor": "end" }, "ms since the first connect"));
    row.append(g);
  }
  const legend = document.createElement("div");
  legend.className = "legend";
  legend.innerHTML = '<span class="sw fig-handshake"></span> TCP handshake <span class="sw fig-request"></span> request → first byte ' +
                     '<span class="sw fig-response"></span> response (first → last byte) · one row per TCP connection';
  return figureBox("fig-page-load", caption(r.url + ": a base file and " + r.objects + " objects, " + r.bytes +
                   " bytes; RTT " + fmtMs(r.rtt_ms) + " ms, T " + fmtMs(r.transmission_ms) + " ms (the median of " +
                   r.repeats + " runs of each strategy is drawn)"), row, legend);
}

// cache: the mean response time per round without and with the cache, as bars, each with the model's
// prediction beside it as a tick (a cold cache misses every URL in round 1 and hits every one after).
function drawCache(r) {
  const measured = r.measured.rounds, model = r.model.rounds;
  const groups = measured.map((m, i) => ({ label: "round " + m.round, without: m.mean_without_ms, with: m.mean_with_ms,
                                            model_without: model[i].mean_without_ms, model_with: model[i].mean_with_ms,
                                            note: m.hits + "/" + r.distinct + " hits" }));
  groups.push({ label: "all " + r.requests, without: r.measured.mean_without_ms, with: r.measured.mean_with_ms,
                model_without: r.model.mean_without_ms, model_with: r.model.mean_with_ms,
                note: r.measured.hits + " hits (model " + r.model.hits + ")" });
  let max = 0;
  for (const g of groups) max = Math.max(max, g.without, g.with, g.model_without, g.model_with);
  const W = 640, H = 220, left = 44, bottom = 40, top = 12;
  const y = (ms) => H - bottom - (ms / (max || 1)) * (H - bottom - top);
  const s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "fig-cache", role: "img", "aria-label": "mean response time per round, with and without the cache" });
  for (const t of ticks(max, 4)) {
    s.append(svg("line", { x1: left, x2: W, y1: y(t), y2: y(t), class: "fig-gridline" }));
    s.append(svg("text", { x: left - 4, y: y(t) + 3, class: "fig-axis", "text-anchor": "end" }, fmtMs(t)));
  }
  s.append(svg("text", { x: 2, y: 10, class: "fig-axis" }, "ms"));
  const gw = (W - left) / groups.length, bw = Math.min(40, gw / 3);
  groups.forEach((g, i) => {
    const gx = left + i * gw + gw / 2;
    for (const [k, dx, cls, label] of [["without", -bw - 2, "fig-bar-without", "without the cache"], ["with", 2, "fig-bar-with", "with the cache"]]) {
      const v = g[k], m = g["model_" + k];
      const rect = svg("rect", { x: (gx + dx).toFixed(1), y: y(v).toFixed(1), width: bw, height: Math.max(0.5, y(0) - y(v)).toFixed(1),
                                 class: "fig-bar " + cls, "data-ms": v });
      rect.append(svg("title", {}, g.label + ", " + label + ": " + fmtMs(v) + " ms measured, " + fmtMs(m) + " ms by the model"));
      s.append(rect);
      s.append(svg("line", { x1: gx + dx - 3, x2: gx + dx + bw + 3, y1: y(m), y2: y(m), class: "fig-model", "data-ms": m }));
    }
    s.append(svg("text", { x: gx, y: H - bottom + 14, class: "fig-axis", "text-anchor": "middle" }, g.label));
    s.append(svg("text", { x: gx, y: H - bottom + 27, class: "fig-note", "text-anchor": "middle" }, g.note));
  });
  const legend = document.createElement("div");
  legend.className = "legend";
  legend.innerHTML = '<span class="sw fig-bar-without"></span> straight to the origins <span class="sw fig-bar-with"></span> through the cache ' +
                     '<span class="sw fig-model"></span> the model: h·t(cache) + (1−h)·t(origin)';
  return figureBox("fig-cache-box", caption(r.distinct + " URLs × " + r.rounds + " rounds; t(origin) " + fmtMs(r.probes.t_origin_ms) +
                   " ms, t(cache) " + fmtMs(r.probes.t_cache_ms) + " ms; hit ratio " + Math.round(100 * r.measured.hit_ratio) +
                   "% measured, " + Math.round(100 * r.model.hit_ratio) + "% predicted"), s, legend);
}

// One sequence diagram: a lane per participant (in order of first appearance), an arrow per message, top to
// bottom in the order recorded, each labelled with its time.
function sequenceDiagram(title, messages) {
  const lanes = [];
  for (const m of messages) for (const p of [m.from, m.to]) if (!lanes.includes(p)) lanes.push(p);
  const W = 720, left = 54, top = 44, step = 24, H = top + step * messages.length + 14;
  const laneX = (p) => left + (lanes.indexOf(p) + 0.5) * ((W - left) / Math.max(1, lanes.length));
  const s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "fig-sequence", role: "img", "aria-label": title });
  s.append(svg("text", { x: 2, y: 12, class: "fig-title" }, title));
  for (const p of lanes) {
    s.append(svg("text", { x: laneX(p), y: 32, class: "fig-lane", "text-anchor": "middle" }, p));
    s.append(svg("line", { x1: laneX(p), x2: laneX(p), y1: 36, y2: H - 4, class: "fig-lifeline" }));
  }
  messages.forEach((m, i) => {
    const yy = top + i * step + 12, x1 = laneX(m.from), x2 = laneX(m.to), dir = x2 >= x1 ? 1 : -1;
    const g = svg("g", { class: "fig-arrow fig-" + m.kind.replace(/\s+/g, "-"), "data-from": m.from, "data-to": m.to });
    g.append(svg("line", { x1: x1, x2: x2 - dir * 5, y1: yy, y2: yy }));
    g.append(svg("path", { d: "M" + x2 + "," + yy + " l" + (-dir * 7) + ",-4 v8 z" }));
    g.append(svg("text", { x: (x1 + x2) / 2, y: yy - 4, class: "fig-msg", "text-anchor": "middle" },
                 (m.kind === "query" ? "" : m.kind + ": ") + (m.text.length > 48 ? m.text.slice(0, 47) + "…" : m.text)));
    g.append(svg("title", {}, m.from + " → " + m.to + " at " + fmtMs(m.t_ms) + " ms: " + m.text));
    s.append(g);
    s.append(svg("text", { x: 2, y: yy + 3, class: "fig-axis" }, fmtMs(m.t_ms) + " ms"));
  });
  return s;
}

// dns-trace: Figure 2.19 as the lab recorded it (the local DNS server's queries to the root, TLD and
// authoritative servers, from their transcripts), the same question once it is cached, and the experiment's
// own iterative walk.
function drawDnsTrace(r) {
  const parts = [caption(r.name + " " + r.type + " → " + r.answer)];
  for (const q of r.recursive || []) {
    parts.push(sequenceDiagram(q.label + " through the local DNS server" + (q.from_cache ? " (from its cache)" : "") + ": " +
                               q.messages.length + " messages (model " + q.model_messages + ")", q.messages));
  }
  const it = r.iterative || { messages: [], servers_asked: 0 };
  parts.push(sequenceDiagram("iteratively from " + (it.asker || "this host") + ": " + it.servers_asked + " servers asked", it.messages));
  return figureBox("fig-dns-trace", ...parts);
}

// ftp: the FTP session as a sequence diagram with a lane for the control connection and one per data
// connection (each opened for one transfer and closed at its end), beside the same files over one
// persistent HTTP connection.
function drawFtp(r) {
  const f = r.ftp || { conversation: [], data: [] };
  const client = "client", control = "control (" + (r.ftp_server ? r.ftp_server.host : "server") + ")";
  const messages = [];
  for (const c of f.conversation || []) {
    if (c.who === "note" && c.text.startsWith("* connected")) messages.push({ from: client, to: control, kind: "connect", text: "TCP connection (" + c.text.slice(2) + ")", t_ms: c.t_ms });
    else if (c.who === "C") messages.push({ from: client, to: control, kind: "query", text: c.text, t_ms: c.t_ms });
    else if (c.who === "S") messages.push({ from: control, to: client, kind: "reply", text: c.text, t_ms: c.t_ms });
    else if (c.who === "data") messages.push({ from: c.connection, to: client, kind: "data", text: c.text.replace(/^data: /, ""), t_ms: c.t_ms });
  }
  const h = r.http || { objects: [] };
  const web = "HTTP (" + (r.web_server ? r.web_server.host : "web") + ")";
  const http = [];
  for (const o of h.objects || []) {
    http.push({ from: client, to: web, kind: "query", text: "GET " + o.path, t_ms: o.request_ms });
    http.push({ from: web, to: client, kind: "response", text: o.bytes + " bytes", t_ms: o.last_byte_ms });
  }
  return figureBox("fig-ftp",
    caption("FTP: " + f.control_connections + " control + " + f.data_connections + " data connections, " + f.round_trips +
            " round trips (model " + f.model_rtts + "); persistent HTTP: " + h.connections + " connection, " + h.round_trips +
            " round trips (model " + h.model_rtts + ")"),
    sequenceDiagram("FTP: " + fmtMs(f.measured_ms) + " ms (model " + fmtMs(f.model_ms) + " ms)", messages),
    sequenceDiagram("persistent HTTP: " + fmtMs(h.measured_ms) + " ms (model " + fmtMs(h.model_ms) + " ms)", http));
}

// mail: Figure 2.16 as the lab recorded it: the user agent's submission to Alice's server and the relay to
// Bob's server (as Bob's server's transcript has it) as one sequence diagram, then the second message's
// timeline: Bob's server down, the message waiting in Alice's queue (its last error, its next try), the
// server back, the delivery on the retry.
function drawMail(r) {
  const m = r.mail || { conversation: [], first: {}, second: {} };
  const messages = [];
  for (const c of m.conversation || []) {
    messages.push({ from: c.from, to: c.to, kind: c.who === "C" ? "query" : "reply", text: c.text, t_ms: c.t_ms });
  }
  if (m.first && m.first.delivered_ms != null && m.bob) {
    messages.push({ from: m.bob.host, to: "Bob's mailbox", kind: "deliver", text: "new/" + m.first.maildir_file, t_ms: m.first.delivered_ms });
  }
  const parts = [caption(m.from + " → " + m.to + ": " + (m.first && m.first.reply ? m.first.reply : "") +
                         (m.mx ? " · MX: " + m.mx.split("\n").filter((l) => l.includes("MX")).join(" ") : ""))];
  parts.push(sequenceDiagram("the first message, hop by hop", messages));
  parts.push(mailTimeline(m.second || {}));
  return figureBox("fig-mail", ...parts);
}

// The second message on a time axis: a bar while Bob's server is down, marks for the submission, the moment
// it was seen waiting, its next try, the server back and the delivery.
function mailTimeline(s) {
  const points = [["down", s.down_ms], ["sent", s.submitted_ms], ["in queue", s.waiting_ms], ["next try", s.next_try_ms],
                  ["up", s.up_ms], ["delivered", s.delivered_ms]].filter((p) => p[1] != null);
  const start = Math.min(...points.map((p) => p[1])), end = Math.max(...points.map((p) => p[1]));
  const W = 720, left = 20, right = 20, H = 96, y = 46;
  const x = (t) => left + ((t - start) / ((end - start) || 1)) * (W - left - right);
  const g = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "fig-mail-timeline", role: "img", "aria-label": "the second message" });
  g.append(svg("text", { x: 2, y: 12, class: "fig-title" }, "the second message: Bob's server down, then back (" +
                         fmtMs((s.delivered_ms != null ? s.delivered_ms : end) - start) + " ms)"));
  if (s.down_ms != null && s.up_ms != null) {
    const bar = svg("rect", { x: x(s.down_ms), y: y - 8, width: Math.max(1, x(s.up_ms) - x(s.down_ms)), height: 16, class: "fig-bar fig-down" });
    bar.append(svg("title", {}, "Bob's server down for " + fmtMs(s.up_ms - s.down_ms) + " ms"));
    g.append(bar);
  }
  points.forEach(([label, t], i) => {
    const mark = svg("g", { class: "fig-mark", "data-mark": label });
    mark.append(svg("line", { x1: x(t), x2: x(t), y1: y - 14, y2: y + 14 }));
    mark.append(svg("text", { x: x(t), y: i % 2 ? y + 28 : y - 18, class: "fig-msg", "text-anchor": "middle" }, label));
    mark.append(svg("title", {}, label + " at " + fmtMs(t) + " ms"));
    g.append(mark);
  });
  if (s.queue_entry && s.queue_entry.recipients) {
    const errs = s.queue_entry.recipients.map((rc) => rc.address + ": " + rc.last_error).join("; ");
    g.append(svg("text", { x: 2, y: H - 4, class: "fig-axis" }, "queue " + (s.queue_entry.id || "") + " · " + (errs.length > 110 ? errs.slice(0, 109) + "…" : errs)));
  }
  return g;
}

// mail-access: per way of reading the mail, the bytes the client's socket received (S→C) and sent (C→S) as
// bars on one scale, with the attachment's size as a mark, and beside each what stayed on the server.
function drawMailAccess(r) {
  const m = r.mail_access || { runs: [] };
  const runs = m.runs || [];
  let max = m.attachment_encoded_bytes || 0;
  for (const run of runs) max = Math.max(max, run.received, run.sent);
  const W = 720, left = 210, right = 70, top = 30, rowH = 34, H = top + rowH * runs.length + 22;
  const x = (b) => left + (b / (max || 1)) * (W - left - right);
  const s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "fig-mail-access", role: "img", "aria-label": "bytes moved per way of reading the mail" });
  s.append(svg("text", { x: 2, y: 12, class: "fig-title" }, "bytes on the client's socket, and what stayed on the server"));
  if (m.attachment_encoded_bytes) {
    const ax = x(m.attachment_encoded_bytes);
    s.append(svg("line", { x1: ax, x2: ax, y1: top - 6, y2: H - 18, class: "fig-model", "data-bytes": m.attachment_encoded_bytes }));
    s.append(svg("text", { x: ax, y: H - 6, class: "fig-axis", "text-anchor": "middle" }, "the attachment: " + m.attachment_encoded_bytes + " bytes"));
  }
  runs.forEach((run, i) => {
    const y0 = top + i * rowH;
    s.append(svg("text", { x: 2, y: y0 + 11, class: "fig-axis" }, run.title));
    const left_on_server = (run.after || []).filter((f) => f.messages > 0 || f.name === m.folder || f.name === "INBOX")
      .map((f) => f.name + " " + f.messages).join(", ");
    s.append(svg("text", { x: 2, y: y0 + 24, class: "fig-note" }, run.error ? "failed: " + run.error.slice(0, 40) : "server: " + left_on_server));
    for (const [k, dy, cls, label] of [["received", 2, "fig-bar-down", "S→C"], ["sent", 16, "fig-bar-up", "C→S"]]) {
      const v = run[k] || 0;
      const rect = svg("rect", { x: left, y: y0 + dy, width: Math.max(0.5, x(v) - left).toFixed(1), height: 11, class: "fig-bar " + cls, "data-bytes": v, "data-mode": run.mode });
      rect.append(svg("title", {}, run.title + ", " + label + ": " + v + " bytes (" + run.message_bytes + " bytes of mail in all)"));
      s.append(rect);
      s.append(svg("text", { x: x(v) + 4, y: y0 + dy + 9, class: "fig-note" }, label + " " + v));
    }
  });
  const legend = document.createElement("div");
  legend.className = "legend";
  legend.innerHTML = '<span class="sw fig-bar-down"></span> server → client <span class="sw fig-bar-up"></span> client → server ' +
                     '<span class="sw fig-model"></span> the attachment in base64';
  return figureBox("fig-mail-access-box", caption(m.user + " on " + (m.server ? m.server.host : "") + ": " + runs.length +
                   " sessions; POP3 moves whole messages, IMAP keeps folders and flags on the server and fetches parts"), s, legend);
}

// hol: the lecture's head-of-line blocking figure as a timeline on one time scale: per mode (HTTP/1.1 serial,
// HTTP/1.1 pipelined, HTTP/2) one bar per object from the first request to its last byte (waiting for its
// first byte, then receiving), with the model's finishing time (L/R) as a tick.
function drawHol(r) {
  const modes = r.modes || [];
  let end = 0;
  for (const m of modes) for (const o of m.objects) end = Math.max(end, o.last_byte_ms, o.model_ms);
  const W = 720, left = 150, right = 64, top = 20, rowH = 15, gap = 20;  // right: room for each time's label
  const rows = modes.reduce((n, m) => n + m.objects.length, 0);
  const H = top + rows * rowH + modes.length * gap + 34;
  const x = (ms) => left + (ms / (end || 1)) * (W - left - right);
  const s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "fig-hol", role: "img",
                         "aria-label": "time to each object over HTTP/1.1 serial, HTTP/1.1 pipelined and HTTP/2" });
  let y = top;
  for (const m of modes) {
    const g = svg("g", { class: "fig-hol-mode", "data-mode": m.key });
    g.append(svg("text", { x: 2, y: y + 10, class: "fig-title" }, m.name));
    y += gap - 6;
    for (const o of m.objects) {
      const row = svg("g", { class: "fig-hol-object", "data-mode": m.key, "data-path": o.path,
                             "data-done-ms": o.last_byte_ms.toFixed(3) });
      row.append(svg("text", { x: left - 4, y: y + rowH * 0.72, class: "fig-axis", "text-anchor": "end" },
                     o.path + " (" + o.bytes + " B)"));
      const bar = (from, to, cls, title) => {
        const rect = svg("rect", { x: x(from).toFixed(2), y: y + 2, width: Math.max(1, x(to) - x(from)).toFixed(2),
                                   height: rowH - 4, class: cls });
        rect.append(svg("title", {}, title));
        row.append(rect);
      };
      bar(0, o.first_byte_ms, "fig-request", o.path + ": " + fmtMs(o.first_byte_ms) + " ms to the first byte");
      bar(o.first_byte_ms, o.last_byte_ms, "fig-response", o.path + ": done after " + fmtMs(o.last_byte_ms) + " ms");
      const tick = svg("line", { x1: x(o.model_ms), x2: x(o.model_ms), y1: y, y2: y + rowH, class: "fig-model",
                                 "data-ms": o.model_ms });
      tick.append(svg("title", {}, o.path + ": the model says " + fmtMs(o.model_ms) + " ms"));
      row.append(tick);
      row.append(svg("text", { x: Math.max(x(o.last_byte_ms), x(o.model_ms)) + 4, y: y + rowH * 0.72, class: "fig-note" },
                     fmtMs(o.last_byte_ms) + " ms"));
      g.append(row);
      y += rowH;
    }
    s.append(g);
    y += 6;
  }
  s.append(svg("line", { x1: left, x2: W - right, y1: y + 2, y2: y + 2, class: "fig-gridline" }));
  for (const t of ticks(end, 5)) {
    s.append(svg("line", { x1: x(t), x2: x(t), y1: y + 2, y2: y + 5, class: "fig-gridline" }));
    s.append(svg("text", { x: x(t), y: y + 15, class: "fig-axis", "text-anchor": "middle" }, fmtMs(t)));
  }
  s.append(svg("text", { x: W - right, y: y + 28, class: "fig-axis", "text-anchor": "end" }, "ms since the first request"));
  const legend = document.createElement("div");
  legend.className = "legend";
  legend.innerHTML = '<span class="sw fig-request"></span> waiting for the first byte <span class="sw fig-response"></span> receiving ' +
                     '<span class="sw fig-model"></span> the model (transmission times L/R) · one connection per mode';
  const rate = r.rate >= 1048576 && r.rate % 1048576 === 0 ? (r.rate / 1048576) + " MiB/s" : r.rate + " bytes/s";
  return figureBox("fig-hol-box", caption("one large object (" + r.large_bytes + " bytes) and 3 small ones (" + r.small_bytes +
                   " bytes) on one connection at R = " + rate + "; HTTP/2 interleaves " + r.frame_bytes + "-byte DATA frames"), s, legend);
}

// ping: the UDP pinger against its model, one row per RTT figure (median, mean, fastest): a bar to the
// measured time and the model's tick (the path's RTT plus the server's delay), then the loss on its own
// 0–100% scale, measured bar and model tick (1 − (1 − l)(1 − s)).
function drawPing(r) {
  const rows = r.rows || [];
  const W = 720, left = 150, right = 64, top = 14, rowH = 18;
  const H = top + (rows.length + 1) * rowH + 44;
  let end = 0;
  for (const row of rows) end = Math.max(end, row.measured_ms, row.model_ms || 0);
  const x = (ms) => left + (ms / (end || 1)) * (W - left - right);
  const s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "fig-ping", role: "img",
                         "aria-label": "ping round-trip times and loss against the model" });
  let y = top;
  for (const row of rows) {
    const g = svg("g", { class: "fig-ping-row", "data-name": row.name, "data-measured-ms": row.measured_ms.toFixed(3) });
    g.append(svg("text", { x: left - 4, y: y + rowH * 0.7, class: "fig-axis", "text-anchor": "end" }, row.name));
    const bar = svg("rect", { x: left, y: y + 3, width: Math.max(1, x(row.measured_ms) - left).toFixed(2), height: rowH - 6,
                              class: "fig-response" });
    bar.append(svg("title", {}, row.name + ": measured " + fmtMs(row.measured_ms) + " ms"));
    g.append(bar);
    const model = row.model_ms || 0;
    const tick = svg("line", { x1: x(model), x2: x(model), y1: y, y2: y + rowH, class: "fig-model", "data-ms": model });
    tick.append(svg("title", {}, row.name + ": the model says " + fmtMs(model) + " ms"));
    g.append(tick);
    g.append(svg("text", { x: Math.max(x(row.measured_ms), x(model)) + 4, y: y + rowH * 0.7, class: "fig-note" },
                 fmtMs(row.measured_ms) + " ms"));
    s.append(g);
    y += rowH;
  }
  const loss = r.loss || { measured: 0, model: 0 };
  const lx = (f) => left + f * (W - left - right);
  const lg = svg("g", { class: "fig-ping-loss", "data-measured": loss.measured, "data-model": loss.model });
  lg.append(svg("text", { x: left - 4, y: y + rowH * 0.7, class: "fig-axis", "text-anchor": "end" }, "loss (0–100%)"));
  lg.append(svg("rect", { x: left, y: y + 3, width: Math.max(1, lx(loss.measured) - left).toFixed(2), height: rowH - 6,
                          class: "fig-request" }));
  lg.append(svg("line", { x1: lx(loss.model), x2: lx(loss.model), y1: y, y2: y + rowH, class: "fig-model" }));
  lg.append(svg("text", { x: Math.max(lx(loss.measured), lx(loss.model)) + 4, y: y + rowH * 0.7, class: "fig-note" },
                (loss.measured * 100).toFixed(1) + "%"));
  s.append(lg);
  y += rowH;
  s.append(svg("line", { x1: left, x2: W - right, y1: y + 2, y2: y + 2, class: "fig-gridline" }));
  for (const t of ticks(end, 5)) {
    s.append(svg("text", { x: x(t), y: y + 15, class: "fig-axis", "text-anchor": "middle" }, fmtMs(t)));
  }
  s.append(svg("text", { x: W - right, y: y + 28, class: "fig-axis", "text-anchor": "end" }, "ms (round trip)"));
  const legend = document.createElement("div");
  legend.className = "legend";
  legend.innerHTML = '<span class="sw fig-response"></span> measured RTT <span class="sw fig-request"></span> measured loss ' +
                     '<span class="sw fig-model"></span> the model';
  const net = r.network || {};
  return figureBox("fig-ping-box", caption((r.count || 0) + " pings to " + (r.server ? r.server.host : "") + "; " +
                   (net.emulated ? "the path's RTT " + fmtMs(net.rtt_ms) + " ms, set by the links" :
                                   "links not emulated: the model's RTT is the server's own delay")), s, legend);
}

// Any experiment's model rows (issue 16 §3: `rows` of name, model_ms, measured_ms): a bar to the measured time
// and the model's tick on one scale, the ratio beside it, and the network the rows ran on. Drawn under every
// experiment's own figure except ping's, which draws its rows itself.
function drawModelRows(r) {
  const rows = (r.rows || []).filter((row) => typeof row.measured_ms === "number");
  const W = 720, left = 230, right = 110, top = 10, rowH = 18;
  const H = top + rows.length * rowH + 34;
  let end = 0;
  for (const row of rows) end = Math.max(end, row.measured_ms, row.model_ms || 0);
  const x = (ms) => left + (ms / (end || 1)) * (W - left - right);
  const s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "fig-rows", role: "img",
                         "aria-label": "measured times against the model" });
  let y = top;
  for (const row of rows) {
    const model = row.model_ms || 0;
    const g = svg("g", { class: "fig-row", "data-name": row.name, "data-measured-ms": row.measured_ms.toFixed(3),
                         "data-model-ms": model.toFixed(3) });
    g.append(svg("text", { x: left - 4, y: y + rowH * 0.7, class: "fig-axis", "text-anchor": "end" }, row.name));
    const bar = svg("rect", { x: left, y: y + 3, width: Math.max(1, x(row.measured_ms) - left).toFixed(2), height: rowH - 6,
                              class: "fig-response" });
    bar.append(svg("title", {}, row.name + ": measured " + fmtMs(row.measured_ms) + " ms, model " + fmtMs(model) + " ms"));
    g.append(bar);
    g.append(svg("line", { x1: x(model), x2: x(model), y1: y, y2: y + rowH, class: "fig-model" }));
    const ratio = model > 0 ? " (" + (row.measured_ms / model).toFixed(2) + "× the model)" : "";
    g.append(svg("text", { x: Math.max(x(row.measured_ms), x(model)) + 4, y: y + rowH * 0.7, class: "fig-note" },
                 fmtMs(row.measured_ms) + " ms" + ratio));
    s.append(g);
    y += rowH;
  }
  s.append(svg("line", { x1: left, x2: W - right, y1: y + 2, y2: y + 2, class: "fig-gridline" }));
  for (const t of ticks(end, 5)) {
    s.append(svg("text", { x: x(t), y: y + 15, class: "fig-axis", "text-anchor": "middle" }, fmtMs(t)));
  }
  s.append(svg("text", { x: W - right, y: y + 28, class: "fig-axis", "text-anchor": "end" }, "ms"));
  const legend = document.createElement("div");
  legend.className = "legend";
  legend.innerHTML = '<span class="sw fig-response"></span> measured <span class="sw fig-model"></span> the model';
  const net = r.network || {};
  const basis = net.emulated
    ? "on emulated links: RTT " + fmtMs(net.rtt_ms || 0) + " ms" + (net.rate_bps ? ", bottleneck " + (net.rate_bps / 1e6).toFixed(1) + " Mbit/s" : "") +
      (net.path ? " (" + net.path + ")" : "")
    : "links not emulated: the model uses the RTT the experiment measured" + (net.rtt_ms ? ", " + fmtMs(net.rtt_ms) + " ms" : "");
  return figureBox("fig-rows-box", caption("Measured against the model, " + basis), s, legend);
}

const FIGURES = {
  "page-load": { title: "page-load: non-persistent, persistent and parallel connections (§2.2.2, Figures 2.7–2.8)", draw: drawPageLoad },
  "cache": { title: "cache: response times with and without the institutional cache (§2.2.5)", draw: drawCache },
  "dns-trace": { title: "dns-trace: who asks whom for gaia.cs.umass.edu (§2.4, Figure 2.19)", draw: drawDnsTrace },
  "ftp": { title: "ftp: one control connection, a data connection per transfer, beside persistent HTTP", draw: drawFtp },
  "mail": { title: "mail: Alice's message to Bob hop by hop, and the queue while Bob's server is down (§2.3)", draw: drawMail },
  "mail-access": { title: "mail-access: Bob's mail by POP3 (delete, keep) and IMAP (folders, a partial fetch) (§2.3.4)", draw: drawMailAccess },
  "hol": { title: "hol: head-of-line blocking — one large and three small objects over HTTP/1.1 and HTTP/2", draw: drawHol },
  "ping": { title: "ping: the UDP pinger's round trips and losses against the path's delay and loss (§2.7)", draw: drawPing },
};
