// Manual smoke of the client in real browsers (Debian packages), against the packaged node:
//   node src/test/js/browser/smoke.mjs chromium firefox webkit
// chromium: chromium-headless-shell; firefox: firefox-esr --headless; webkit: WebKitGTK's MiniBrowser
// under xvfb-run (libwebkit2gtk-4.1-0, xvfb). Each page reports its results to this script.
// Pages: basic (three transports, IndexedDB outbox, ownership across clients), tabs (one connection
// shared by two frames, hand-over), sw (the service worker's drain and its receipts).
// Without arguments it does nothing, so that test runners that collect every file under test/ skip it.
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startNode } from "../support/harness.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const clientDir = path.resolve(here, "../../../main/js");
const BROWSERS = {
  chromium: (url, dir) => ["/usr/bin/chromium-headless-shell", ["--no-sandbox", "--disable-gpu", "--user-data-dir=" + dir, url]],
  firefox: (url, dir) => ["/usr/bin/firefox-esr", ["--headless", "--no-remote", "--profile", dir, url]],
  webkit: (url) => ["/usr/bin/xvfb-run", ["-a", "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", url]],
};
const PAGES = ["basic.html", "tabs.html", "sw.html"];

const wanted = process.argv.slice(2).filter((b) => BROWSERS[b]);
if (!wanted.length) {
  console.log("usage: node smoke.mjs chromium|firefox|webkit ...");
  process.exit(0);
}

const node = await startNode({});
let report = null;
const server = http.createServer((req, res) => {
  if (req.url === "/report") {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      report = JSON.parse(body);
      res.end("ok");
    });
    return;
  }
  const u = new URL(req.url, "http://x");
  const file = u.pathname.startsWith("/client/") ? path.join(clientDir, u.pathname.slice(8)) : path.join(here, "pages", u.pathname);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { "Content-Type": file.endsWith(".js") ? "text/javascript" : "text/html" });
  res.end(fs.readFileSync(file));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
let failed = 0;
try {
  for (const browser of wanted) {
    for (const page of PAGES) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "syncwire-" + browser + "-"));
      const url = `http://127.0.0.1:${server.address().port}/${page}?node=${encodeURIComponent(node.url)}`;
      const [cmd, args] = BROWSERS[browser](url, dir);
      report = null;
      const proc = spawn(cmd, args, { stdio: "ignore", detached: true });
      const end = Date.now() + 90000;
      while (!report && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(-proc.pid, "SIGKILL"); // the browser and its children (xvfb-run starts two)
      } catch {
        /* already gone */
      }
      fs.rmSync(dir, { recursive: true, force: true });
      const ok = report?.ok === true;
      if (!ok) failed++;
      console.log(`${ok ? "ok  " : "FAIL"} ${browser} ${page} ${JSON.stringify(report ?? "no report within 90 s")}`);
    }
  }
} finally {
  server.close();
  await node.stop();
}
process.exit(failed ? 1 : 0);
