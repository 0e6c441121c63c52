// Unit tests of ./logic and of package.json's contributions, without VS Code:
// `npm test` compiles them and runs `node --test out/test/*.test.js`.

import { execFileSync } from "node:child_process";
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as logic from "../logic";

const root = path.join(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

/** An isExecutable that answers from a fixed set of paths. */
function only(...paths: string[]): (p: string) => boolean {
  const set = new Set(paths);
  return (p) => set.has(p);
}

test("server path: the setting wins over PATH", () => {
  const r = logic.resolveServerPath({
    setting: "/opt/khabar/bin/khabar",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: only("/opt/khabar/bin/khabar", "/usr/bin/khabar"),
  });
  assert.deepEqual(r, { ok: true, command: "/opt/khabar/bin/khabar", from: "setting" });
});

test("server path: a setting that points nowhere is an error, PATH is not tried", () => {
  const r = logic.resolveServerPath({
    setting: "/nowhere/khabar",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: only("/usr/bin/khabar"),
  });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /khabar\.server\.path/);
    assert.match(r.message, /\/nowhere\/khabar/);
    assert.match(r.message, /cargo install --path \./);
  }
});

test("server path: ~ and relative settings", () => {
  const r = logic.resolveServerPath({
    setting: "~/.cargo/bin/khabar",
    env: {},
    platform: "linux",
    home: "/home/u",
    isExecutable: only("/home/u/.cargo/bin/khabar"),
  });
  assert.deepEqual(r, { ok: true, command: "/home/u/.cargo/bin/khabar", from: "setting" });
  const rel = logic.resolveServerPath({
    setting: "target/release/khabar",
    env: {},
    platform: "linux",
    workspaceFolder: "/work/corpus",
    isExecutable: only("/work/corpus/target/release/khabar"),
  });
  assert.deepEqual(rel, { ok: true, command: "/work/corpus/target/release/khabar", from: "setting" });
});

test("server path: a blank setting searches PATH in order, skipping empty entries", () => {
  const seen: string[] = [];
  const r = logic.resolveServerPath({
    setting: "   ",
    env: { PATH: "::/a:/b:/c" },
    platform: "linux",
    isExecutable: (p) => {
      seen.push(p);
      return p === "/b/khabar" || p === "/c/khabar";
    },
  });
  assert.deepEqual(r, { ok: true, command: "/b/khabar", from: "PATH" });
  assert.deepEqual(seen, ["/a/khabar", "/b/khabar"]);
});

test("server path: not on PATH gives install instructions", () => {
  const r = logic.resolveServerPath({
    env: { PATH: "/a:/b" },
    platform: "darwin",
    isExecutable: () => false,
  });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.deepEqual(r.searched, ["/a", "/b"]);
    assert.match(r.message, /not found on PATH/);
    assert.match(r.message, /cargo install --path \./);
    assert.match(r.message, /khabar\.server\.path/);
  }
  const empty = logic.resolveServerPath({ env: {}, platform: "linux", isExecutable: () => true });
  assert.equal(empty.ok, false);
  if (!empty.ok) assert.match(empty.message, /PATH is empty/);
});

test("server path: Windows uses Path, PATHEXT, ; and quotes", () => {
  const r = logic.resolveServerPath({
    env: { Path: '"C:\\Program Files\\x";C:\\Users\\u\\.cargo\\bin', PATHEXT: ".COM;.EXE" },
    platform: "win32",
    isExecutable: only("C:\\Users\\u\\.cargo\\bin\\khabar.exe"),
  });
  assert.deepEqual(r, { ok: true, command: "C:\\Users\\u\\.cargo\\bin\\khabar.exe", from: "PATH" });
  assert.deepEqual(logic.pathDirectories({ Path: '"C:\\a b";;C:\\c' }, "win32"), ["C:\\a b", "C:\\c"]);
  const s = logic.resolveServerPath({
    setting: "C:\\tools\\khabar",
    env: {},
    platform: "win32",
    isExecutable: only("C:\\tools\\khabar.exe"),
  });
  assert.deepEqual(s, { ok: true, command: "C:\\tools\\khabar.exe", from: "setting" });
});

test("server path: the real file system check", { skip: process.platform === "win32" }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "khabar-vscode-"));
  try {
    const exe = path.join(dir, "khabar");
    fs.writeFileSync(exe, "#!/bin/sh\n");
    fs.chmodSync(exe, 0o644);
    assert.equal(logic.isExecutableFile(exe, "linux"), false, "not executable");
    fs.chmodSync(exe, 0o755);
    assert.equal(logic.isExecutableFile(exe, "linux"), true);
    assert.equal(logic.isExecutableFile(dir, "linux"), false, "a directory");
    const r = logic.resolveServerPath({ env: { PATH: `/nonexistent${path.delimiter}${dir}` }, platform: "linux" });
    assert.deepEqual(r, { ok: true, command: exe, from: "PATH" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the server is started as `khabar lsp`, with no --stdio", () => {
  const exe = logic.serverExecutable("/bin/khabar");
  assert.deepEqual(exe, { command: "/bin/khabar", args: ["lsp"] });
  assert.equal("transport" in exe, false);
});

test("rules: valid severities pass, bad ones are dropped with a problem", () => {
  const { rules, problems } = logic.validateRules({
    spacing: "off",
    zwnj: "error",
    "duplicate-line": "warn",
    "entity-variant": 3,
  });
  assert.deepEqual(rules, { spacing: "off", zwnj: "error" });
  assert.equal(problems.length, 2);
  assert.match(problems[0], /duplicate-line.*"warn".*off, hint, info, warning, error/);
  assert.match(problems[1], /entity-variant/);
});

test("rules: an unknown id is sent with a warning; non-objects are ignored", () => {
  const r = logic.validateRules({ "brand-new-rule": "hint" });
  assert.deepEqual(r.rules, { "brand-new-rule": "hint" });
  assert.match(r.problems[0], /brand-new-rule.*not a rule this extension knows/);
  assert.deepEqual(logic.validateRules(undefined), { rules: {}, problems: [] });
  assert.deepEqual(logic.validateRules(null), { rules: {}, problems: [] });
  for (const bad of ["spacing", ["spacing"], 1]) {
    const v = logic.validateRules(bad);
    assert.deepEqual(v.rules, {});
    assert.equal(v.problems.length, 1);
  }
});

test("settings: initializationOptions and didChangeConfiguration carry rules and inlayHints", () => {
  assert.deepEqual(logic.initializationOptions({}), { rules: {}, inlayHints: false });
  assert.deepEqual(logic.initializationOptions({ rules: { spacing: "hint" }, inlayHints: true }), {
    rules: { spacing: "hint" },
    inlayHints: true,
  });
  assert.deepEqual(logic.didChangeConfigurationParams({ rules: { zwnj: "off" }, inlayHints: false }), {
    settings: { khabar: { rules: { zwnj: "off" }, inlayHints: false } },
  });
  const bad = logic.toServerSettings({ inlayHints: "yes" });
  assert.equal(bad.settings.inlayHints, false);
  assert.match(bad.problems[0], /inlayHints/);
});

test("settings: curationHints and annotator are sent only when set", () => {
  assert.deepEqual(logic.initializationOptions({ curationHints: true, annotator: " Sara K " }), {
    rules: {},
    inlayHints: false,
    curationHints: true,
    annotator: "Sara K",
  });
  assert.deepEqual(logic.initializationOptions({ curationHints: false, annotator: "" }), {
    rules: {},
    inlayHints: false,
  });
  const bad = logic.toServerSettings({ curationHints: "yes", annotator: 3 });
  assert.equal(bad.problems.length, 2);
});

test("settings: only the server path needs a restart", () => {
  assert.equal(logic.needsRestart("khabar.server.path"), true);
  assert.equal(logic.needsRestart("khabar.rules"), false);
  assert.equal(logic.needsRestart("khabar.inlayHints"), false);
});

test("the server's rule list matches the extension's, when KHABAR_BIN is given", (t) => {
  const bin = process.env.KHABAR_BIN;
  if (!bin) {
    t.skip("KHABAR_BIN is not set (tests/editor_vscode.rs sets it)");
    return;
  }
  const out = execFileSync(bin, ["rules"], { encoding: "utf8" });
  const ids = out
    .split("\n")
    .filter((l) => l.trim().length > 0)
    .map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(ids, [...logic.RULES]);
});

test("package.json: every setting is contributed", () => {
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(Object.keys(props).sort(), [
    "khabar.annotator",
    "khabar.curationHints",
    "khabar.inlayHints",
    "khabar.rules",
    "khabar.server.path",
    "khabar.trace.server",
  ]);
  assert.equal(props["khabar.inlayHints"].type, "boolean");
  assert.equal(props["khabar.inlayHints"].default, false);
  assert.deepEqual(props["khabar.trace.server"].enum, ["off", "messages", "verbose"]);
  const rules = props["khabar.rules"];
  assert.equal(rules.type, "object");
  assert.deepEqual(Object.keys(rules.properties), [...logic.RULES]);
  for (const id of logic.RULES) {
    assert.deepEqual(rules.properties[id].enum, [...logic.SEVERITIES], id);
    assert.ok(rules.markdownDescription.includes(`\`${id}\``), `${id} named in the description`);
  }
  assert.deepEqual(rules.additionalProperties.enum, [...logic.SEVERITIES]);
  for (const key of ["khabar.rules", "khabar.inlayHints"]) {
    assert.match(props[key].markdownDescription, /khabar\.toml/, `${key} says khabar.toml comes first`);
  }
});

test("package.json: activation, commands, semantic tokens, defaults", () => {
  assert.deepEqual(pkg.activationEvents, ["workspaceContains:**/khabar.toml", "onLanguage:plaintext"]);
  assert.equal(pkg.main, "./out/extension.js");
  const commands = pkg.contributes.commands.map((c: { command: string; category: string; title: string }) => [
    c.command,
    `${c.category}: ${c.title}`,
  ]);
  assert.deepEqual(commands, [
    ["khabar.restartServer", "khabar: Restart server"],
    ["khabar.showOutput", "khabar: Show output"],
  ]);
  const types = ["person", "organization", "place", "country", "source", "event", "other"];
  assert.deepEqual(
    pkg.contributes.semanticTokenTypes.map((t: { id: string }) => t.id),
    types,
  );
  for (const t of pkg.contributes.semanticTokenTypes) {
    assert.ok(t.superType && t.description, t.id);
  }
  assert.deepEqual(
    pkg.contributes.semanticTokenModifiers.map((m: { id: string }) => m.id),
    ["ambiguous", "glued", "accepted", "rejected"],
  );
  const scopes = pkg.contributes.semanticTokenScopes[0].scopes;
  for (const t of types) assert.ok(scopes[t]?.length > 0, `${t} has TextMate scopes`);
  const plain = pkg.contributes.configurationDefaults["[plaintext]"];
  assert.equal(plain["editor.wordWrap"], "on");
  assert.equal(plain["editor.semanticHighlighting.enabled"], true);
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ["khabar.server.path"]);
});
