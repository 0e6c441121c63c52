// Checks the packaged extension: the .vsix (a zip) must hold the compiled entry point, the
// runtime dependency, and a package.json that contributes khabar.rules and khabar.inlayHints,
// and must leave out sources, tests and dev dependencies.
// Usage: node scripts/check-vsix.mjs [file.vsix]   (default: <name>-<version>.vsix from package.json)

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import yauzl from "yauzl";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
const vsix = process.argv[2] ?? join(here, `${pkg.name}-${pkg.version}.vsix`);

/** Every entry of the zip: name to a function reading its bytes. */
function entries(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err) return reject(err);
      const found = new Map();
      zip.on("entry", (entry) => {
        found.set(entry.fileName, () =>
          new Promise((res, rej) => {
            zip.openReadStream(entry, (e, stream) => {
              if (e) return rej(e);
              const chunks = [];
              stream.on("data", (c) => chunks.push(c));
              stream.on("end", () => res(Buffer.concat(chunks)));
              stream.on("error", rej);
            });
          }),
        );
        zip.readEntry();
      });
      zip.on("end", () => resolve({ found, close: () => zip.close() }));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

const { found, close } = await entries(vsix);
const names = [...found.keys()];
for (const required of [
  "extension.vsixmanifest",
  "extension/package.json",
  "extension/out/extension.js",
  "extension/out/logic.js",
  "extension/readme.md",
  "extension/node_modules/vscode-languageclient/package.json",
  "extension/node_modules/vscode-languageclient/node.js",
  "extension/node_modules/vscode-languageserver-protocol/package.json",
  "extension/node_modules/vscode-jsonrpc/package.json",
]) {
  check(
    names.some((n) => n.toLowerCase() === required.toLowerCase()),
    `${required} is missing from the .vsix`,
  );
}
for (const [pattern, what] of [
  [/^extension\/src\//, "sources (src/)"],
  [/^extension\/out\/test\//, "compiled tests (out/test/)"],
  [/^extension\/scripts\//, "scripts/"],
  [/^extension\/node_modules\/(typescript|eslint|@vscode\/vsce|@types|yauzl)\//, "dev dependencies"],
]) {
  const hit = names.find((n) => pattern.test(n));
  check(hit === undefined, `${what} must not be packaged (found ${hit})`);
}

if (found.has("extension/package.json")) {
  const packaged = JSON.parse((await found.get("extension/package.json")()).toString("utf8"));
  const props = packaged.contributes?.configuration?.properties ?? {};
  for (const key of ["khabar.rules", "khabar.inlayHints", "khabar.server.path", "khabar.trace.server"]) {
    check(key in props, `contributes.configuration has no ${key}`);
  }
  check(packaged.main === "./out/extension.js", `main is ${packaged.main}`);
  check(
    (packaged.contributes?.semanticTokenTypes ?? []).length === 7,
    "contributes.semanticTokenTypes should list the server's 7 token types",
  );
}
close();

if (failures.length > 0) {
  for (const f of failures) console.error(`check-vsix: ${f}`);
  process.exit(1);
}
console.log(`check-vsix: ${vsix} is complete (${names.length} files)`);
