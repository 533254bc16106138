// Browser test of the webmail (issue 12 §5): starts `endhost mail serve --webmail` with two users, delivers a
// message to bob by SMTP, and in Debian's headless Chromium (driven by playwright-core) logs in as bob, reads
// the message (its HTML in the sandboxed frame, sanitised: no script element reaches it), sends one to alice
// with an attachment, then checks over IMAP (python's imaplib) that it arrived in alice's INBOX with the
// attachment byte for byte and that bob's Sent has it, and that a message delivered while the page is open
// appears in the list without a reload (Server-Sent Events). Screenshots go to the test's temporary directory.
//
// Run by ctest (tests/browser/CMakeLists.txt) with ENDHOST_BIN set. Exit 77 (skipped) only when
// ENDHOST_SKIP_BROWSER=1; a missing Chromium or playwright-core is a failure.
"use strict";

const { spawn, spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const assert = require("node:assert/strict");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ENDHOST = process.env.ENDHOST_BIN || path.join(__dirname, "../../build/release/endhost");
const PASSWORD = "browser-secret";

if (process.env.ENDHOST_SKIP_BROWSER === "1") {
  console.log("SKIPPED: ENDHOST_SKIP_BROWSER=1");
  process.exit(77);
}
function missing(why) {
  console.error("FAILED: " + why + " (or set ENDHOST_SKIP_BROWSER=1 to skip the browser tests)");
  process.exit(1);
}
if (!fs.existsSync(CHROMIUM)) missing(CHROMIUM + " is not installed (Debian package chromium; scripts/setup installs it)");
let playwright;
try {
  playwright = require("playwright-core");
} catch (e) {
  missing("playwright-core is not installed: run scripts/setup (npm install in tests/browser)");
}

function python(script, ...args) {
  const r = spawnSync("python3", ["-c", script, ...args], { encoding: "utf8", timeout: 60000 });
  assert.equal(r.status, 0, "python failed: " + r.stderr + r.stdout);
  return r.stdout;
}

const SMTP_SEND = `
import smtplib, sys
port, to, subject, html = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
msg = ("From: Alice <alice@crepes.fr>\\r\\nTo: %s\\r\\nSubject: %s\\r\\nMIME-Version: 1.0\\r\\n"
       "Content-Type: text/html; charset=utf-8\\r\\n\\r\\n%s\\r\\n") % (to, subject, html)
with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
    s.sendmail("alice@crepes.fr", [to], msg.encode())
`;

// Waits up to 10 s for `subject` in `user`'s `folder`; prints the attachment's SHA-256 and the flags.
const IMAP_CHECK = `
import email, email.policy, hashlib, imaplib, sys, time
port, user, password, folder, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
imap = imaplib.IMAP4("127.0.0.1", port)
imap.login(user, password)
imap.select(folder)
ids, deadline = [], time.monotonic() + 10
while not ids and time.monotonic() < deadline:
    ids = imap.search(None, "SUBJECT", subject)[1][0].split()
    if not ids:
        time.sleep(0.2)
        imap.noop()
if not ids:
    print("missing")
    sys.exit(0)
data = imap.fetch(ids[-1], "(FLAGS BODY.PEEK[])")[1]
flags, raw = data[0][0].decode(), data[0][1]
msg = email.message_from_bytes(raw, policy=email.policy.default)
for part in msg.iter_attachments():
    print("attachment", part.get_filename(), hashlib.sha256(part.get_content()).hexdigest())
print("from", msg["From"])
print("flags", flags)
imap.logout()
`;

function adduser(users, name) {
  const r = spawnSync(ENDHOST, ["mail", "adduser", "--users", users, name], { input: PASSWORD + "\n", encoding: "utf8" });
  assert.equal(r.status, 0, "adduser " + name + ": " + r.stderr);
}

function startMail(tmp) {
  const users = path.join(tmp, "users");
  adduser(users, "bob");
  adduser(users, "alice");
  const proc = spawn(ENDHOST, ["mail", "serve", "--domain", "hamburger.edu", "--mail-dir", path.join(tmp, "mail"),
                               "--users", users, "--listen", "127.0.0.1:0", "--submission-listen", "off",
                               "--pop3", "off", "--imap", "127.0.0.1:0", "--webmail", "127.0.0.1:0",
                               "--log-format", "json"], { stdio: ["ignore", "ignore", "pipe"] });
  return new Promise((resolve, reject) => {
    const ports = {};
    let buf = "";
    const timer = setTimeout(() => reject(new Error("mail serve did not start")), 15000);
    proc.stderr.on("data", (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let rec;
        try { rec = JSON.parse(line); } catch (e) { continue; }
        if (rec.msg === "listening") ports[rec.protocol] = Number(rec.address.split(":").pop());
        if (ports.tcp && ports.imap && ports.webmail) {
          clearTimeout(timer);
          resolve({ proc, ports });
        }
      }
    });
    proc.on("exit", (code) => reject(new Error("mail serve exited " + code)));
  });
}

async function main() {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "endhost-webmail-browser-"));
  console.log("screenshots and state in " + tmp);
  const { proc, ports } = await startMail(tmp);
  let context;
  try {
    python(SMTP_SEND, String(ports.tcp), "bob@hamburger.edu", "Lunch on Friday",
           "<p>Shall we meet at <b>noon</b>?</p><script>document.title='pwned'</script>" +
           "<img src='http://tracker.example/p.gif' onerror='document.title=1'>");
    context = await playwright.chromium.launchPersistentContext(path.join(tmp, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"],
      viewport: { width: 1280, height: 900 },
    });
    const page = context.pages()[0] || (await context.newPage());
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const base = "http://127.0.0.1:" + ports.webmail;

    // Log in.
    await page.goto(base + "/");
    await page.fill("#login-user", "bob");
    await page.fill("#login-password", PASSWORD);
    await page.click("#login-button");
    await page.waitForSelector("#folders li[data-folder='INBOX'] .unread", { timeout: 10000 });
    assert.equal(await page.textContent("#whoami"), "bob@hamburger.edu");
    assert.equal((await page.textContent("#folders li[data-folder='INBOX'] .unread")).trim(), "1");

    // Read the message: its HTML in the sandboxed frame, without the script and the tracker.
    await page.click("#messages tbody tr:has-text('Lunch on Friday')");
    await page.waitForSelector("#reader:not([hidden])");
    assert.equal(await page.textContent("#reader-subject"), "Lunch on Friday");
    assert.equal(await page.getAttribute("#reader-html", "sandbox"), "allow-popups allow-popups-to-escape-sandbox");
    const frame = page.frameLocator("#reader-html");
    await frame.locator("b").waitFor({ timeout: 10000 });
    assert.equal(await frame.locator("b").textContent(), "noon");
    assert.equal(await frame.locator("script").count(), 0);
    assert.equal(await frame.locator("img[src]").count(), 0, "the remote image is blocked");
    assert.ok(!(await page.isHidden("#remote-banner")), "the page offers to show remote images");
    assert.notEqual(await page.title(), "pwned");
    await page.waitForSelector("#folders li[data-folder='INBOX']:not(:has(.unread))", { timeout: 10000 });
    await page.screenshot({ path: path.join(tmp, "read.png") });

    // Send one to alice with an attachment.
    const attachment = crypto.randomBytes(30000);
    const digest = crypto.createHash("sha256").update(attachment).digest("hex");
    await page.click("#compose-button");
    await page.fill("#compose-to", "alice@hamburger.edu");
    await page.fill("#compose-subject", "Minutes attached");
    await page.fill("#compose-body", "Here are the minutes.\n\nBob");
    await page.setInputFiles("#compose-files", { name: "minutes.bin", mimeType: "application/octet-stream", buffer: attachment });
    await page.screenshot({ path: path.join(tmp, "compose.png") });
    await page.click("#compose-send");
    await page.waitForFunction(() => !document.getElementById("compose").open, null, { timeout: 15000 });

    const alice = python(IMAP_CHECK, String(ports.imap), "alice", PASSWORD, "INBOX", "Minutes");
    assert.match(alice, new RegExp("attachment minutes.bin " + digest), "alice's INBOX over IMAP: " + alice);
    assert.match(alice, /from bob@hamburger.edu/);
    const sent = python(IMAP_CHECK, String(ports.imap), "bob", PASSWORD, "Sent", "Minutes");
    assert.match(sent, /\\Seen/, "bob's Sent copy: " + sent);

    // New mail shows up without a reload.
    await page.click("#folders li[data-folder='INBOX']");
    python(SMTP_SEND, String(ports.tcp), "bob@hamburger.edu", "Arrives live", "<p>hi</p>");
    await page.waitForSelector("#messages tbody tr:has-text('Arrives live')", { timeout: 15000 });
    await page.screenshot({ path: path.join(tmp, "live.png") });
    assert.deepEqual(errors, [], "no script errors on the page");
    console.log("PASSED in " + ((Date.now() - started) / 1000).toFixed(1) + " s");
  } finally {
    if (context) await context.close();
    proc.kill("SIGTERM");
  }
}

main().catch((e) => {
  console.error("FAILED: " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
