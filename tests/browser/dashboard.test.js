// Browser test of the lab's dashboard: starts `endhost lab` on a loopback block of its own (as an unprivileged
// user, `nobody`, when the test runs as root: a user's browser meets the lab that way), loads the dashboard
// in Debian's headless Chromium (driven by playwright-core), checks that every host of lab.json is shown,
// triggers a DNS query with the page's button, waits for the answer and for the resolver's transcript lines
// to arrive over Server-Sent Events; runs the experiments (`endhost lab experiment NAME --json`) and
// checks that each figure draws what the experiment's JSON holds (one row per connection, one bar per round,
// one arrow per DNS message, lanes named after the lab's hosts), with a screenshot of each; pages back
// through the transcript beyond the newest 300 lines; checks the hit-ratio plot's time axis and its break
// over an idle stretch; at 760 px nothing overflows sideways; and once the lab stops, every dot turns grey.
// Screenshots go to the test's temporary directory (printed).
//
// Run by ctest (tests/browser/CMakeLists.txt) with ENDHOST_BIN set. A missing Chromium or playwright-core is a
// failure (scripts/setup installs both); exit 77, skipped, only when ENDHOST_SKIP_BROWSER=1 asks for it.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const assert = require("node:assert/strict");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ENDHOST = process.env.ENDHOST_BIN || path.join(__dirname, "../../build/release/endhost");
const SKIP = 77;

function skip(why) {
  console.log("SKIPPED: " + why);
  process.exit(SKIP);
}

function missing(why) {
  console.error("FAILED: " + why + " (or set ENDHOST_SKIP_BROWSER=1 to skip the browser tests)");
  process.exit(1);
}

if (process.env.ENDHOST_SKIP_BROWSER === "1") skip("ENDHOST_SKIP_BROWSER=1");
if (!fs.existsSync(CHROMIUM)) missing(CHROMIUM + " is not installed (Debian package chromium; scripts/setup installs it)");
let playwright;
try {
  playwright = require("playwright-core");
} catch (e) {
  missing("playwright-core is not installed: run scripts/setup (npm install in tests/browser)");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Run as root, the lab and the experiments run as `nobody`: the lab a browser user starts is an unprivileged
// one, on high ports (none on the browsers' restricted list, which the random port base keeps clear of).
const NOBODY = 65534;
const asUser = process.getuid && process.getuid() === 0 ? { uid: NOBODY, gid: NOBODY } : {};

function giveToUser(dir) {
  if (asUser.uid !== undefined) fs.chownSync(dir, asUser.uid, asUser.gid);
}

// `endhost lab experiment NAME --json` against the test's lab (run by the lab's user, without blocking the
// page's driver): the JSON it printed.
async function experiment(lab, name) {
  const r = await new Promise((resolve, reject) => {
    const p = spawn(ENDHOST, ["lab", "experiment", name, "--state", lab.state, "--json"],
                    { stdio: ["ignore", "pipe", "pipe"], env: lab.env, ...asUser });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 120000);
    p.on("error", reject);
    p.on("close", (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
  assert.equal(r.status, 0, "lab experiment " + name + " exited " + r.status + ": " + r.stderr + r.stdout.slice(0, 2000));
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, name + " --json prints one line of JSON, nothing else");
  const result = JSON.parse(lines[0]);
  assert.equal(result.experiment, name);
  return result;
}

// How many drawn elements match `selector` inside `root`.
async function count(page, root, selector) {
  return page.$$eval(root + " " + selector, (els) => els.length);
}

// Starts a lab in a fresh state directory on a random 127.x block and port base, so that parallel tests on
// the same machine do not collide; returns once lab.json exists.
async function startLab(tmp) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const net = "127." + (100 + Math.floor(Math.random() * 150));
    const base = 20000 + 1000 * Math.floor(Math.random() * 30);
    const state = fs.mkdtempSync(path.join(tmp, "state-"));
    const runtime = fs.mkdtempSync(path.join(tmp, "runtime-"));  // the current-lab pointer: ours, not the user's
    giveToUser(state);
    giveToUser(runtime);
    const env = { ...process.env, XDG_RUNTIME_DIR: runtime };
    const proc = spawn(ENDHOST, ["lab", "--state", state, "--net", net, "--ports", "high", "--port-base", String(base),
                                 "--threads", "2", "--network", "loopback", "--log-format", "json"], { stdio: ["ignore", "pipe", "pipe"], env, ...asUser });
    let stderr = "";
    proc.stderr.on("data", (d) => (stderr += d));
    proc.stdout.on("data", () => {});
    const labJson = path.join(state, "lab.json");
    for (let i = 0; i < 300 && proc.exitCode === null; i++) {
      if (fs.existsSync(labJson)) return { proc, state, env, lab: JSON.parse(fs.readFileSync(labJson, "utf8")), stderr: () => stderr };
      await sleep(100);
    }
    proc.kill("SIGKILL");
    console.log("lab did not start on " + net + " (attempt " + (attempt + 1) + "): " + stderr.slice(-500));
  }
  throw new Error("the lab did not start");
}

function stopLab(lab) {
  return new Promise((resolve) => {
    if (lab.proc.exitCode !== null) return resolve(lab.proc.exitCode);
    const timer = setTimeout(() => lab.proc.kill("SIGKILL"), 20000);
    lab.proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    lab.proc.kill("SIGTERM");
  });
}

(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "endhost-browser-"));
  fs.chmodSync(tmp, 0o755);  // the lab's user reaches its state directory through it
  console.log("screenshots and profile in " + tmp);
  const lab = await startLab(tmp);
  let context;
  let page;
  let failed = false;
  let labStopped = false;
  try {
    // The lab runs unprivileged: not as root, whoever started the test.
    const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync("/proc/" + lab.proc.pid + "/status", "utf8"))[1]);
    assert.notEqual(uid, 0, "the lab runs as an unprivileged user");
    const dash = lab.lab.dashboard;
    assert.ok(dash, "lab.json names a dashboard");
    const url = "http://" + dash.address + ":" + dash.port + "/";
    context = await playwright.chromium.launchPersistentContext(path.join(tmp, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"],
      viewport: { width: 1400, height: 1100 },
    });
    page = context.pages()[0] || (await context.newPage());

    // Two experiments before the page loads: their figures must be there when it connects. The cache's
    // requests are the hit-ratio plot's first burst.
    const cacheResult = await experiment(lab, "cache");
    const cacheDone = Date.now();
    const pageLoad = await experiment(lab, "page-load");
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(url, { waitUntil: "load" });

    // Every host of lab.json has its row, with a live status dot for each of its services (all run).
    await page.waitForSelector('#hosts tr[data-host="www.someschool.edu"]', { timeout: 15000 });
    const rows = await page.$$eval("#hosts tbody tr", (trs) => trs.map((tr) => tr.dataset.host));
    assert.deepEqual(rows, lab.lab.hosts.map((h) => h.name), "one row per host, in the lab's order");
    const live = await page.$$eval("#hosts .svc .dot.on", (d) => d.length);
    const services = lab.lab.hosts.reduce((n, h) => n + h.services.length, 0);
    assert.equal(live, services, "a green dot per service");
    await page.waitForFunction(() => document.getElementById("live-text").textContent === "live", null, { timeout: 10000 });
    // This lab runs on loopback: the links panel says so rather than showing a table.
    await page.waitForFunction(() => /Links are not emulated/.test(document.getElementById("links").textContent), null,
                               { timeout: 10000 });

    // Trigger a query through the page and see both the answer and the transcript it caused.
    await page.fill("#query-name", "gaia.cs.umass.edu");
    await page.click("#query-button");
    await page.waitForFunction(() => /ANSWER SECTION[\s\S]*gaia\.cs\.umass\.edu\.[\s\S]*127\./.test(
        document.getElementById("query-result").textContent), null, { timeout: 15000 });
    const gaia = lab.lab.hosts.find((h) => h.name === "gaia.cs.umass.edu").address;
    const answer = await page.textContent("#query-result");
    assert.ok(answer.includes(gaia), "the answer is gaia's lab address " + gaia + ": " + answer);
    await page.waitForFunction(() => [...document.querySelectorAll("#transcript .line")].some(
        (l) => l.textContent.includes("gaia.cs.umass.edu") && l.textContent.includes("resolver")), null, { timeout: 15000 });
    // The referrals are later lines of the same resolution, and may come in a later event of the stream.
    const referrals = await page.waitForFunction(() => [...document.querySelectorAll("#transcript .line")].some(
        (l) => /referral from/.test(l.textContent)), null, { timeout: 15000 }).then(() => true, () => false);
    assert.ok(referrals, "the resolver's transcript shows the referrals");

    // page-load: three strategies side by side, a row per connection, a handshake per connection and a
    // request and a response per object, as measured.
    const n = pageLoad.objects;
    const byName = Object.fromEntries(pageLoad.strategies.map((s) => [s.name, s]));
    assert.equal(byName["non-persistent"].timeline.length, n + 1, "non-persistent: a connection per object");
    assert.equal(byName["persistent"].timeline.length, 1, "persistent: one connection");
    assert.equal(byName["parallel (" + n + ")"].timeline.length, n + 1, "parallel: the base, then one per object");
    for (const s of pageLoad.strategies) {
      for (const c of s.timeline) {
        assert.ok(c.connect_ms <= c.connected_ms, s.name + ": handshake times in order");
        let t = c.connected_ms;
        for (const o of c.objects) {
          assert.ok(t <= o.request_ms && o.request_ms <= o.first_byte_ms && o.first_byte_ms <= o.last_byte_ms,
                    s.name + " " + o.path + ": connect ≤ request ≤ first byte ≤ last byte, one after another: " + JSON.stringify(o));
          t = o.last_byte_ms;
        }
      }
    }
    const pl = "#experiment-page-load";
    await page.waitForSelector(pl + " svg.fig-strategy", { timeout: 15000 });
    assert.equal(await count(page, pl, "svg.fig-strategy"), pageLoad.strategies.length, "a timeline per strategy");
    for (const s of pageLoad.strategies) {
      const root = pl + ' svg[data-strategy="' + s.name + '"]';
      const objects = s.timeline.reduce((k, c) => k + c.objects.length, 0);
      assert.equal(await count(page, root, ".fig-conn"), s.timeline.length, s.name + ": a row per connection");
      assert.equal(await count(page, root, "rect.fig-handshake"), s.timeline.length, s.name + ": a handshake per connection");
      assert.equal(await count(page, root, "rect.fig-request"), objects, s.name + ": a request per object");
      assert.equal(await count(page, root, "rect.fig-response"), objects, s.name + ": a response per object");
    }
    // Under the figure, its model rows: one bar per row with the model's tick (issue 16 §3).
    assert.equal(await count(page, pl, "svg.fig-rows g.fig-row"), pageLoad.rows.length, "a bar per model row");
    assert.equal(await count(page, pl, "svg.fig-rows g.fig-row line.fig-model"), pageLoad.rows.length);
    await page.locator(pl).screenshot({ path: path.join(tmp, "figure-page-load.png") });

    // cache: per round and overall, a bar without and a bar with the cache, each with the model's tick.
    const cc = "#experiment-cache";
    const groups = cacheResult.rounds + 1;
    assert.equal(cacheResult.runs.length, 2);
    assert.equal(cacheResult.runs[1].requests.length, cacheResult.requests, "every request through the cache recorded");
    assert.equal(cacheResult.runs[1].requests.filter((q) => q.hit).length, cacheResult.measured.hits,
                 "the hits counted are the requests recorded as hits");
    await page.waitForSelector(cc + " svg.fig-cache", { timeout: 15000 });
    assert.equal(await count(page, cc + " svg.fig-cache", "rect.fig-bar"), 2 * groups, "two bars per round and for all");
    assert.equal(await count(page, cc + " svg.fig-cache", "rect.fig-bar-with"), groups);
    assert.equal(await count(page, cc + " svg.fig-cache", "line.fig-model"), 2 * groups, "the model beside every bar");
    const heights = await page.$$eval(cc + " rect.fig-bar", (rs) => rs.map((r) => Number(r.getAttribute("data-ms"))));
    const expected = [];
    for (const m of cacheResult.measured.rounds) expected.push(m.mean_without_ms, m.mean_with_ms);
    expected.push(cacheResult.measured.mean_without_ms, cacheResult.measured.mean_with_ms);
    assert.deepEqual(heights, expected, "each bar is the measured mean of its round: drawn " + JSON.stringify(heights) + ", data " + JSON.stringify(expected));
    await page.locator(cc).screenshot({ path: path.join(tmp, "figure-cache.png") });

    // dns-trace runs while the page is open: its figure appears as the result arrives.
    const dnsResult = await experiment(lab, "dns-trace");
    const dt = "#experiment-dns-trace";
    await page.waitForSelector(dt + " svg.fig-sequence", { timeout: 15000 });
    const sequences = (dnsResult.recursive || []).map((q) => q.messages).concat([dnsResult.iterative.messages]);
    assert.equal(await count(page, dt, "svg.fig-sequence"), sequences.length, "a diagram per resolution");
    const total = sequences.reduce((k, m) => k + m.length, 0);
    assert.equal(await count(page, dt, "g.fig-arrow"), total, "an arrow per DNS message recorded");
    const first = dnsResult.recursive[0];
    assert.ok(!first.from_cache && first.messages.length >= 4, "the first query walked the hierarchy: " + JSON.stringify(first.messages));
    const hosts = new Set(lab.lab.hosts.map((h) => h.name));
    const authorities = first.messages.filter((m) => m.kind === "query" && hosts.has(m.to) && m.to !== lab.lab.resolver.host).map((m) => m.to);
    assert.ok(authorities.includes("a.root-servers.net"), "the local DNS server asked the root: " + authorities);
    assert.ok(authorities.includes("dns.cs.umass.edu") || authorities.includes("dns.umass.edu"), "and the authority for gaia: " + authorities);
    assert.equal(dnsResult.recursive[1].from_cache, true, "the second query is answered from the cache");
    const lanes = await page.$$eval(dt + " svg.fig-sequence", (ss) => ss.map((s) => [...s.querySelectorAll("text.fig-lane")].map((t) => t.textContent)));
    sequences.forEach((msgs, i) => {
      const want = [];
      for (const m of msgs) for (const p of [m.from, m.to]) if (!want.includes(p)) want.push(p);
      assert.deepEqual(lanes[i], want, "the lanes are the hosts of the messages");
    });
    assert.ok(lanes[0].includes(lab.lab.resolver.host), "the local DNS server has its lane, by name");
    const arrows = await page.$$eval(dt + " svg.fig-sequence:first-of-type g.fig-arrow", (gs) => gs.map((g) => [g.dataset.from, g.dataset.to]));
    assert.deepEqual(arrows, first.messages.map((m) => [m.from, m.to]), "each arrow goes from its sender to its receiver");
    await page.locator(dt).screenshot({ path: path.join(tmp, "figure-dns-trace.png") });

    // ftp: the FTP session with a lane for the control connection and one per data connection, an arrow per
    // traced command, reply line and data transfer; then the persistent HTTP connection's requests.
    const ftpResult = await experiment(lab, "ftp");
    const ft = "#experiment-ftp";
    await page.waitForSelector(ft + " svg.fig-sequence", { timeout: 15000 });
    assert.equal(await count(page, ft, "svg.fig-sequence"), 2, "a diagram for FTP, one for HTTP");
    const drawn = ftpResult.ftp.conversation.filter((c) => c.who !== "note" || c.text.startsWith("* connected")).length;
    assert.equal(await count(page, ft, "svg.fig-sequence:first-of-type g.fig-arrow"), drawn, "an arrow per traced line");
    assert.equal(await count(page, ft, "svg.fig-sequence:first-of-type g.fig-data"), ftpResult.ftp.data_connections,
                 "an arrow per data connection");
    const ftpLanes = await page.$$eval(ft + " svg.fig-sequence:first-of-type text.fig-lane", (ts) => ts.map((t) => t.textContent));
    assert.equal(ftpLanes.filter((l) => l.startsWith("data ")).length, ftpResult.ftp.data_connections,
                 "a lane per data connection: " + ftpLanes);
    assert.equal(ftpLanes[0], "client", "the client's lane first: it opens the control connection");
    assert.equal(await count(page, ft, "svg.fig-sequence:first-of-type g.fig-connect"), 1, "one control connection");
    assert.equal(await count(page, ft, "svg.fig-sequence:last-of-type g.fig-arrow"), 2 * ftpResult.http.requests,
                 "a request and a response per HTTP object");
    await page.locator(ft).screenshot({ path: path.join(tmp, "figure-ftp.png") });

    // mail-access: per way of reading Bob's mail, a bar for the bytes the client received and one for those it
    // sent, each the experiment's number; a mark for the attachment's size.
    const maResult = await experiment(lab, "mail-access");
    const ma = "#experiment-mail-access";
    await page.waitForSelector(ma + " svg.fig-mail-access", { timeout: 15000 });
    const maBars = await page.$$eval(ma + " rect.fig-bar", (rs) => rs.map((r) => [r.dataset.mode, Number(r.dataset.bytes)]));
    assert.deepEqual(maBars, maResult.mail_access.runs.flatMap((r) => [[r.mode, r.received], [r.mode, r.sent]]),
                     "two bars per way, with its bytes");
    assert.equal(await count(page, ma, "line.fig-model"), 1, "the attachment's size is marked");
    await page.locator(ma).screenshot({ path: path.join(tmp, "figure-mail-access.png") });

    // hol: a timeline with a bar per object per mode (HTTP/1.1 serial, pipelined, HTTP/2), each ending at the
    // experiment's time for that object, with the model's tick; HTTP/2's small objects end left of its large one.
    const holResult = await experiment(lab, "hol");
    const hl = "#experiment-hol";
    await page.waitForSelector(hl + " svg.fig-hol", { timeout: 15000 });
    const holRows = await page.$$eval(hl + " g.fig-hol-object", (gs) => gs.map((g) => [g.dataset.mode, g.dataset.path, Number(g.dataset.doneMs)]));
    assert.deepEqual(holRows, holResult.modes.flatMap((m) => m.objects.map((o) => [m.key, o.path, Number(o.last_byte_ms.toFixed(3))])),
                     "a row per object per mode, each with its measured time");
    assert.equal(await count(page, hl, "rect.fig-response"), holRows.length, "a receiving bar per object");
    assert.equal(await count(page, hl, "line.fig-model"), holRows.length, "the model's time beside every object");
    const barEnd = async (mode, p) => page.$eval(hl + ' g.fig-hol-object[data-mode="' + mode + '"][data-path="' + p + '"] rect.fig-response',
                                                 (r) => Number(r.getAttribute("x")) + Number(r.getAttribute("width")));
    const h2Large = await barEnd("h2", "/large.bin");
    for (const p of ["/small1.bin", "/small2.bin", "/small3.bin"]) {
      assert.ok(await barEnd("h2", p) < h2Large, "over HTTP/2 " + p + " ends before the large object");
      assert.ok(await barEnd("pipelined", p) >= await barEnd("pipelined", "/large.bin"), "pipelined, " + p + " ends after the large object");
    }
    await page.locator(hl).screenshot({ path: path.join(tmp, "figure-hol.png") });

    // ping: a row per RTT figure with the measured bar and the model's tick, and the loss beside its model.
    const pingResult = await experiment(lab, "ping");
    const pg = "#experiment-ping";
    await page.waitForSelector(pg + " svg.fig-ping", { timeout: 15000 });
    const pingRows = await page.$$eval(pg + " g.fig-ping-row", (gs) => gs.map((g) => [g.dataset.name, Number(g.dataset.measuredMs)]));
    assert.deepEqual(pingRows, pingResult.rows.map((r) => [r.name, Number(r.measured_ms.toFixed(3))]), "a row per RTT figure");
    assert.equal(await count(page, pg, "g.fig-ping-row line.fig-model"), pingRows.length, "the model's tick on every row");
    assert.equal(Number(await page.$eval(pg + " g.fig-ping-loss", (g) => g.dataset.measured)), pingResult.loss.measured,
                 "the loss bar is the measured loss");
    await page.locator(pg).screenshot({ path: path.join(tmp, "figure-ping.png") });

    // The transcript pages back beyond what the event stream started with.
    await page.click('#services button[data-key="*"]');
    const shown = await page.$$eval("#transcript .line", (ls) => ls.map((l) => Number(l.dataset.seq)));
    const status = await (await fetch(url + "api/status")).json();
    assert.ok(status.transcript_seq > shown.length, "the lab has more lines than the view shows");
    await page.click("#older");
    await page.waitForFunction((n) => document.querySelectorAll("#transcript .line").length > n, shown.length, { timeout: 10000 });
    const paged = await page.$$eval("#transcript .line", (ls) => ls.map((l) => Number(l.dataset.seq)));
    assert.ok(paged[0] < shown[0], "older lines on top: " + paged[0] + " < " + shown[0]);
    for (let i = 1; i < paged.length; i++) assert.ok(paged[i] > paged[i - 1], "the lines stay in order after paging");

    // The cache: a fetch through it moves the hit-ratio numbers. An idle stretch longer than the plot's
    // 10-second window separates it from the cache experiment's burst: the "last 10 s" line breaks there.
    while (Date.now() - cacheDone < 12000) await sleep(250);
    await page.click("#fetch-button");
    await page.waitForFunction(() => /Cache-Status/.test(document.getElementById("query-result").textContent), null, { timeout: 15000 });
    await page.click("#fetch-button");
    await page.waitForFunction(() => /· [1-9]\d* hits?, \d+ miss/.test(document.getElementById("cache-numbers").textContent),
        null, { timeout: 15000 });
    await page.waitForSelector("#plot circle", { timeout: 15000 });
    await page.waitForFunction(() => (document.querySelector("#plot path.recent").getAttribute("d").match(/M/g) || []).length >= 2,
                               null, { timeout: 15000 });
    assert.ok(await count(page, "#plot", "text.tick") >= 2, "the hit-ratio plot has a time axis");

    const shot = path.join(tmp, "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log("screenshot: " + shot);

    // 760 px wide: one column, and nothing wider than the window.
    await page.setViewportSize({ width: 760, height: 1000 });
    await sleep(300);
    const overflow = await page.evaluate(() => {
      const out = [];
      const doc = document.documentElement;
      if (doc.scrollWidth > doc.clientWidth) out.push("document " + doc.scrollWidth + " > " + doc.clientWidth);
      for (const e of document.querySelectorAll("header, main, section, .experiment, .figure, svg")) {
        const r = e.getBoundingClientRect();
        if (r.right > doc.clientWidth + 0.5) out.push((e.id || e.className.baseVal || e.className || e.tagName) + " ends at " + r.right);
      }
      return out;
    });
    assert.deepEqual(overflow, [], "nothing overflows at 760 px");
    await page.screenshot({ path: path.join(tmp, "dashboard-760.png"), fullPage: true });
    assert.deepEqual(errors, [], "no errors in the page's console");

    // The lab stops: the page notices, and no service shows as running.
    const code = await stopLab(lab);
    labStopped = true;
    assert.equal(code, 0, "endhost lab exits 0 after SIGTERM");
    await page.waitForFunction(() => document.getElementById("live-text").textContent === "the lab has stopped", null, { timeout: 20000 });
    assert.equal(await count(page, "#hosts", ".svc .dot.on"), 0, "every dot grey once the lab has stopped");
    assert.equal(await count(page, "#hosts", ".svc.off"), services, "every service shown as not running");
    await page.screenshot({ path: path.join(tmp, "dashboard-stopped.png"), fullPage: true });
  } catch (e) {
    failed = true;
    console.error(e);
    if (page) {
      const shot = path.join(tmp, "dashboard-failed.png");
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      console.error("screenshot of the failure: " + shot);
    }
    console.error("lab log (tail): " + lab.stderr().slice(-2000));
  } finally {
    if (context) await context.close();
    const code = labStopped ? 0 : await stopLab(lab);
    if (code !== 0) {
      failed = true;
      console.error("endhost lab exited with " + code + " after SIGTERM (expected 0)");
    }
    fs.rmSync(lab.state, { recursive: true, force: true });
    fs.rmSync(path.join(tmp, "profile"), { recursive: true, force: true });
    fs.rmSync(lab.env.XDG_RUNTIME_DIR, { recursive: true, force: true });
  }
  console.log(failed ? "FAILED" : "PASSED");
  process.exit(failed ? 1 : 0);
})();
