// Browser test of the lab's dashboard: starts `endhost lab` on a loopback block of its own, loads the
// dashboard in Debian's headless Chromium (driven by playwright-core), checks that every host of lab.json is
// shown, triggers a DNS query with the page's button, waits for the answer and for the resolver's transcript
// lines to arrive over Server-Sent Events, and saves a screenshot.
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

// Starts a lab in a fresh state directory on a random 127.x block and port base, so that parallel tests on
// the same machine do not collide; returns once lab.json exists.
async function startLab(tmp) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const net = "127." + (100 + Math.floor(Math.random() * 150));
    const base = 20000 + 1000 * Math.floor(Math.random() * 30);
    const state = fs.mkdtempSync(path.join(tmp, "state-"));
    const proc = spawn(ENDHOST, ["lab", "--state", state, "--net", net, "--ports", "high", "--port-base", String(base),
                                 "--threads", "2", "--log-format", "json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (d) => (stderr += d));
    proc.stdout.on("data", () => {});
    const labJson = path.join(state, "lab.json");
    for (let i = 0; i < 300 && proc.exitCode === null; i++) {
      if (fs.existsSync(labJson)) return { proc, state, lab: JSON.parse(fs.readFileSync(labJson, "utf8")), stderr: () => stderr };
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
  const lab = await startLab(tmp);
  let context;
  let page;
  let failed = false;
  try {
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

    // The cache: a fetch through it moves the hit-ratio numbers.
    await page.click("#fetch-button");
    await page.waitForFunction(() => /Cache-Status/.test(document.getElementById("query-result").textContent), null, { timeout: 15000 });
    await page.click("#fetch-button");
    await page.waitForFunction(() => /· [1-9]\d* hits?, \d+ miss/.test(document.getElementById("cache-numbers").textContent),
        null, { timeout: 15000 });
    await page.waitForSelector("#plot circle", { timeout: 15000 });

    const shot = path.join(tmp, "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log("screenshot: " + shot);
    assert.deepEqual(errors, [], "no errors in the page's console");
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
    const code = await stopLab(lab);
    if (code !== 0) {
      failed = true;
      console.error("endhost lab exited with " + code + " after SIGTERM (expected 0)");
    }
    fs.rmSync(lab.state, { recursive: true, force: true });
    fs.rmSync(path.join(tmp, "profile"), { recursive: true, force: true });
  }
  console.log(failed ? "FAILED" : "PASSED");
  process.exit(failed ? 1 : 0);
})();
