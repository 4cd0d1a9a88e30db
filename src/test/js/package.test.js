import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as client from "../../main/js/syncwire.js";
import * as sw from "../../main/js/syncwire-sw.js";

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../main/js");
const repo = path.resolve(pkgDir, "../../..");
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));

test("the npm package carries the Maven project's version and the client reports it", () => {
  const pom = fs.readFileSync(path.join(repo, "pom.xml"), "utf8");
  const version = /<artifactId>syncwire<\/artifactId>\s*<version>([^<]+)<\/version>/.exec(pom)[1];
  assert.equal(pkg.version, version);
  assert.equal(client.VERSION, version);
});

test("the package is an ES module without dependencies whose exported files exist", () => {
  assert.equal(pkg.name, "syncwire");
  assert.equal(pkg.type, "module");
  assert.equal(pkg.dependencies, undefined);
  assert.equal(pkg.devDependencies, undefined);
  for (const f of pkg.files) assert.ok(fs.existsSync(path.join(pkgDir, f)), f);
  for (const target of Object.values(pkg.exports)) {
    for (const file of typeof target === "string" ? [target] : Object.values(target)) {
      assert.ok(fs.existsSync(path.join(pkgDir, file)), file);
    }
  }
  assert.ok(fs.existsSync(path.join(pkgDir, pkg.types)));
});

test("the type declarations declare every export of each module", () => {
  for (const [mod, dts] of [[client, "syncwire.d.ts"], [sw, "syncwire-sw.d.ts"]]) {
    const text = fs.readFileSync(path.join(pkgDir, dts), "utf8");
    for (const name of Object.keys(mod)) {
      const declared = new RegExp(`export (declare )?(class|function|const) ${name}\\b|export \\{[^}]*\\b${name}\\b`).test(text);
      assert.ok(declared, `${dts} declares ${name}`);
    }
  }
});

test("the public client API's names exist", () => {
  for (const name of ["connect", "subscribe", "publish", "patch", "pending", "close", "dispose", "on"]) {
    assert.equal(typeof client.Syncwire.prototype[name], "function", name);
  }
  const c = new client.Syncwire("http://127.0.0.1:9", { tenant: "demo", store: new client.MemoryOutboxStore() });
  assert.equal(c.state, "disconnected");
  assert.equal(c.transport, null);
  assert.equal(c.durable, false);
  const sub = c.subscribe("room");
  assert.ok(sub.ready instanceof Promise);
  assert.equal(typeof sub.unsubscribe, "function");
  c.dispose();
  assert.equal(c.state, "closed");
  assert.equal(typeof sw.registerSync, "function");
});
