// Browser test of HTTP/2 in the web server (issue 10 §5): starts `endhost web serve` over TLS with a throwaway
// certificate (openssl), loads a page with images and a large object in Debian's headless Chromium (driven by
// playwright-core), and checks in the page that every resource came over h2 (window.performance's
// nextHopProtocol), that the images arrived whole, and that they finished before the large object (the
// responses interleave on one connection). The server's --trace must show the page's HEADERS frame.
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
const HOST = "www.h2.test";  // resolved by --host-resolver-rules, as the map tells for lab names

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

function makeSite(root) {
  fs.mkdirSync(root, { recursive: true });
  // Eight small PNG-like objects (served as images by their extension) and one large one.
  const small = [];
  for (let i = 0; i < 8; i++) {
    const body = crypto.randomBytes(3000);
    fs.writeFileSync(path.join(root, "img" + i + ".bin"), body);
    small.push(body.length);
  }
  fs.writeFileSync(path.join(root, "big.bin"), crypto.randomBytes(8 * 1024 * 1024));
  const fetches = [...Array(8).keys()].map((i) => `fetch("img${i}.bin").then(r => r.arrayBuffer())`).join(",");
  fs.writeFileSync(path.join(root, "index.html"), `<!DOCTYPE html><html><head><title>h2</title></head><body>
<p id="status">loading</p>
<script>
const big = fetch("big.bin").then(r => r.arrayBuffer()).then(b => ({ name: "big", size: b.byteLength, end: performance.now() }));
const smalls = Promise.all([${fetches}]).then(bs => ({ sizes: bs.map(b => b.byteLength), end: performance.now() }));
Promise.all([big, smalls]).then(([b, s]) => {
  // Resource timing's responseEnd is when the network delivered the last byte (the promises resolve when the
  // page's main thread gets to them, all at once on a fast link).
  const ends = {};
  for (const e of performance.getEntriesByType("resource")) ends[e.name.split("/").pop()] = e.responseEnd;
  window.result = { big: b, small: s, ends,
    protocols: performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
      .map(e => e.nextHopProtocol) };
  document.getElementById("status").textContent = "done";
});
</script></body></html>`);
  return small;
}

// The certificate as the lab makes it (docs/internals/lab.md, "TLS"): a CA, and a leaf for the host's name
// whose file carries the chain. Chromium is then told to trust the CA exactly as the lab's map says, by the
// SHA-256 of its public key (--ignore-certificate-errors-spki-list), with no blanket "ignore errors".
function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60000, input });
  assert.equal(r.status, 0, cmd + " " + args.join(" ") + ": " + r.stderr);
  return r.stdout;
}
function makeCertificates(tmp) {
  const f = (n) => path.join(tmp, n);
  run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                  f("ca-key.pem"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=endhost test CA",
                  "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
  run("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                  f("key.pem"), "-out", f("leaf.csr"), "-subj", "/CN=" + HOST]);
  fs.writeFileSync(f("leaf.ext"), "subjectAltName=DNS:" + HOST + "\nextendedKeyUsage=serverAuth\n");
  run("openssl", ["x509", "-req", "-in", f("leaf.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca-key.pem"),
                  "-CAcreateserial", "-out", f("leaf.pem"), "-days", "2", "-extfile", f("leaf.ext")]);
  fs.writeFileSync(f("cert.pem"), fs.readFileSync(f("leaf.pem")) + fs.readFileSync(f("ca.pem")));
  // The map's pipeline, word for word (src/lab/lab_map.cpp).
  return run("sh", ["-c", "openssl x509 -in '" + f("ca.pem") + "' -pubkey -noout | openssl pkey -pubin -outform der" +
                          " | openssl dgst -sha256 -binary | base64"]).trim();
}

function startServer(tmp, root) {
  const proc = spawn(ENDHOST, ["web", "serve", "--root", root, "--listen", "127.0.0.1:0", "--tls-cert",
                               path.join(tmp, "cert.pem"), "--tls-key", path.join(tmp, "key.pem"), "--trace",
                               "--log-format", "json"], { stdio: ["ignore", "pipe", "pipe"] });
  const trace = [];
  proc.stdout.on("data", (d) => trace.push(String(d)));
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("web serve did not start")), 15000);
    proc.stderr.on("data", (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let rec;
        try { rec = JSON.parse(line); } catch (e) { continue; }
        if (rec.msg === "listening") {
          clearTimeout(timer);
          resolve({ proc, port: Number(rec.address.split(":").pop()), trace });
        }
      }
    });
    proc.on("exit", (code) => reject(new Error("web serve exited " + code)));
  });
}

async function main() {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "endhost-h2-browser-"));
  const root = path.join(tmp, "site");
  const small = makeSite(root);
  const spki = makeCertificates(tmp);
  const { proc, port, trace } = await startServer(tmp, root);
  let browser;
  try {
    browser = await playwright.chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             // playwright gives Chromium a --user-data-dir, without which Chromium ignores the SPKI list.
             "--ignore-certificate-errors-spki-list=" + spki, "--host-resolver-rules=MAP " + HOST + " 127.0.0.1"],
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto("https://" + HOST + ":" + port + "/index.html");
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60000 });
    const result = await page.evaluate(() => window.result);
    await page.screenshot({ path: path.join(tmp, "page.png") });
    assert.ok(result.protocols.length >= 10, "navigation and resources timed: " + JSON.stringify(result.protocols));
    for (const p of result.protocols) assert.equal(p, "h2", "every object over h2: " + JSON.stringify(result.protocols));
    assert.deepEqual(result.small.sizes, small, "the small objects arrived whole");
    assert.equal(result.big.size, 8 * 1024 * 1024, "the large object arrived whole");
    // Asked for after the large object, the small ones still finish first: frames interleave on the
    // connection (RFC 9113 §5), no head-of-line blocking behind the 8 MiB.
    const lastSmall = Math.max(...[...Array(8).keys()].map((i) => result.ends["img" + i + ".bin"]));
    assert.ok(lastSmall < result.ends["big.bin"], "small objects before the large one: " + JSON.stringify(result.ends));
    assert.deepEqual(errors, [], "no script errors on the page");
    const lines = trace.join("");
    assert.match(lines, /C: HEADERS stream=1 .*:method=GET .*:path=\/index\.html/, "the trace shows the request");
    console.log("PASSED in " + ((Date.now() - started) / 1000).toFixed(1) + " s");
  } finally {
    if (browser) await browser.close();
    proc.kill("SIGTERM");
  }
}

main().catch((e) => {
  console.error("FAILED: " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
