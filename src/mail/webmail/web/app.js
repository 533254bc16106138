// The webmail's page: plain JavaScript over the JSON API (docs/internals/webmail.md). Everything from a
// message is put in with textContent, never as markup; HTML mail is shown only in the sandboxed frame the
// server fills from /api/message/html.
"use strict";

const state = { csrf: "", user: "", folder: "INBOX", page: 0, pages: 1, query: "", folders: [], open: null,
                selected: new Set(), events: null };

const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const init = { credentials: "same-origin", headers: {}, ...options };
  if (init.method === "POST") {
    init.headers["X-Webmail"] = "1";
    if (state.csrf) init.headers["X-CSRF-Token"] = state.csrf;
  }
  const res = await fetch(path, init);
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (res.status === 401 && path !== "/api/login" && path !== "/api/session") showLogin();
  if (!res.ok) throw Object.assign(new Error((body && body.error) || res.statusText), { status: res.status });
  return body;
}

function form(fields) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) p.append(k, v);
  return { method: "POST", body: p };
}

function showLogin() {
  if (state.events) { state.events.close(); state.events = null; }
  state.csrf = "";
  $("app-view").hidden = true;
  $("login-view").hidden = false;
  $("login-user").focus();
}

function showApp(session) {
  state.csrf = session.csrf;
  state.user = session.user;
  $("whoami").textContent = session.address;
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  loadFolders().then(() => loadList());
  listen();
}

async function loadFolders() {
  const r = await api("/api/folders");
  state.folders = r.folders;
  const ul = $("folders");
  ul.replaceChildren();
  const target = $("move-target");
  target.replaceChildren();
  for (const f of r.folders) {
    if (!f.selectable) continue;
    const li = document.createElement("li");
    li.dataset.folder = f.name;
    li.className = f.name === state.folder ? "current" : "";
    const name = document.createElement("span");
    name.textContent = f.display;
    li.append(name);
    if (f.unread > 0) {
      const n = document.createElement("span");
      n.className = "unread";
      n.textContent = String(f.unread);
      li.append(n);
    }
    li.addEventListener("click", () => { state.folder = f.name; state.page = 0; state.query = "";
                                          $("search-input").value = ""; loadFolders(); loadList(); });
    ul.append(li);
    const opt = document.createElement("option");
    opt.value = f.name;
    opt.textContent = f.display;
    target.append(opt);
  }
}

function humanSize(n) {
  if (n < 1024) return n + " B";
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
  return (n / 1024 / 1024).toFixed(1) + " MB";
}

async function loadList() {
  const q = new URLSearchParams({ folder: state.folder, page: String(state.page) });
  if (state.query) q.set("q", state.query);
  const r = await api("/api/messages?" + q);
  state.pages = r.pages;
  state.selected.clear();
  const tbody = $("messages").tBodies[0];
  tbody.replaceChildren();
  for (const m of r.messages) {
    const tr = document.createElement("tr");
    tr.dataset.uid = String(m.uid);
    tr.className = (m.seen ? "" : "unseen ") + (m.flagged ? "flagged" : "");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.addEventListener("click", (e) => { e.stopPropagation();
      if (box.checked) state.selected.add(m.uid); else state.selected.delete(m.uid); });
    const when = m.date || new Date(m.internal_date * 1000).toUTCString();
    const cells = [box, m.from, m.subject || "(no subject)", when, humanSize(m.size)];
    for (const c of cells) {
      const td = document.createElement("td");
      if (typeof c === "string") td.textContent = c; else td.append(c);
      tr.append(td);
    }
    tr.addEventListener("click", () => openMessage(m.uid));
    tbody.append(tr);
  }
  $("page-info").textContent = "page " + (r.page + 1) + " of " + r.pages + " · " + r.total + " messages";
  $("prev-page").disabled = r.page === 0;
  $("next-page").disabled = r.page + 1 >= r.pages;
}

async function openMessage(uid) {
  const q = new URLSearchParams({ folder: state.folder, uid: String(uid) });
  const m = await api("/api/message?" + q);
  state.open = m;
  $("reader").hidden = false;
  $("reader-subject").textContent = m.subject || "(no subject)";
  $("reader-from").textContent = m.from;
  $("reader-to").textContent = m.to;
  $("reader-cc").textContent = m.cc;
  $("reader-cc-line").hidden = !m.cc;
  $("reader-date").textContent = m.date;
  $("reader-text").textContent = m.html ? "" : m.text;
  $("reader-text").hidden = m.html;
  const frame = $("reader-html");
  frame.hidden = !m.html;
  $("remote-banner").hidden = !(m.html && m.remote_blocked > 0);
  if (m.html) frame.src = "/api/message/html?" + q; else frame.removeAttribute("src");
  $("reader-source").href = "/api/source?" + new URLSearchParams({ folder: state.folder, uid: String(uid) });
  const ul = $("reader-attachments");
  ul.replaceChildren();
  for (const a of m.attachments) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = "/api/part?" + new URLSearchParams({ folder: state.folder, uid: String(uid), part: a.part });
    link.textContent = (a.filename || ("part " + a.part)) + " (" + a.type + ", " + humanSize(a.size) + ")";
    link.className = "attachment";
    li.append(link);
    ul.append(li);
  }
  for (const tr of $("messages").tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.uid === String(uid));
  if (!m.seen) {
    await api("/api/flags", form({ folder: state.folder, uids: String(uid), flag: "seen", set: "1" }));
    loadFolders();
    const row = document.querySelector('tr[data-uid="' + uid + '"]');
    if (row) row.classList.remove("unseen");
  }
}

function targets() {
  if (state.selected.size > 0) return [...state.selected].join(",");
  return state.open ? String(state.open.uid) : "";
}

async function act(path, extra) {
  const uids = targets();
  if (!uids) return;
  await api(path, form({ folder: state.folder, uids, ...extra }));
  if (path !== "/api/flags") { $("reader").hidden = true; state.open = null; }
  await loadFolders();
  await loadList();
}

// New mail: the server's event stream says when the INBOX changed.
function listen() {
  if (state.events) state.events.close();
  const es = new EventSource("/api/events");
  state.events = es;
  es.addEventListener("open", () => $("live").classList.add("on"));
  es.addEventListener("error", () => $("live").classList.remove("on"));
  es.addEventListener("mail", () => {
    loadFolders();
    if (state.folder === "INBOX" && !state.query) loadList();
  });
}

async function send(ev) {
  ev.preventDefault();
  const data = new FormData();
  data.append("to", $("compose-to").value);
  data.append("cc", $("compose-cc").value);
  data.append("subject", $("compose-subject").value);
  data.append("body", $("compose-body").value);
  for (const f of $("compose-files").files) data.append("attachment", f, f.name);
  $("compose-status").textContent = "Sending…";
  try {
    const r = await api("/api/send", { method: "POST", body: data });
    $("compose-status").textContent = "Sent (" + r.id + ")";
    $("compose-form").reset();
    $("compose").close();
    loadFolders();
  } catch (e) {
    $("compose-status").textContent = "Not sent: " + e.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("login-error").textContent = "";
    try {
      const s = await api("/api/login", form({ user: $("login-user").value, password: $("login-password").value }));
      $("login-password").value = "";
      showApp(s);
    } catch (e) {
      $("login-error").textContent = e.message;
    }
  });
  $("logout-button").addEventListener("click", async () => {
    try { await api("/api/logout", { method: "POST" }); } catch (e) { /* logged out anyway */ }
    showLogin();
  });
  $("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault(); state.query = $("search-input").value; state.page = 0; loadList(); });
  $("prev-page").addEventListener("click", () => { if (state.page > 0) { state.page--; loadList(); } });
  $("next-page").addEventListener("click", () => { if (state.page + 1 < state.pages) { state.page++; loadList(); } });
  $("mark-read").addEventListener("click", () => act("/api/flags", { flag: "seen", set: "1" }));
  $("mark-unread").addEventListener("click", () => act("/api/flags", { flag: "seen", set: "0" }));
  $("flag").addEventListener("click", () => act("/api/flags", { flag: "flagged", set: "1" }));
  $("move").addEventListener("click", () => act("/api/move", { to: $("move-target").value }));
  $("delete").addEventListener("click", () => act("/api/delete", {}));
  $("show-remote").addEventListener("click", () => {
    if (!state.open) return;
    const q = new URLSearchParams({ folder: state.folder, uid: String(state.open.uid), remote: "1" });
    $("reader-html").src = "/api/message/html?" + q;
    $("remote-banner").hidden = true;
  });
  $("compose-button").addEventListener("click", () => { $("compose-status").textContent = ""; $("compose").showModal(); });
  $("compose-cancel").addEventListener("click", () => $("compose").close());
  $("compose-form").addEventListener("submit", send);
  api("/api/session").then(showApp, showLogin);
});
