// Loads the compiled extension (out/extension.js, with vscode-languageclient) against a stand-in
// for the `vscode` module, which only VS Code provides. It checks what can be seen without an
// editor: the module loads, activate() registers both commands, and with no server anywhere it
// shows the install instructions with a button that opens the khabar.server.path setting.
// Starting a real server inside VS Code is not covered here (there is no VS Code on CI).

import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("node:module");

type Fn = (...args: unknown[]) => unknown;

/** Any property, call or construction answers another stand-in: enough for module loading. */
function anything(): unknown {
  const f = function () {};
  return new Proxy(f, {
    get: (_t, p) => (p === "then" ? undefined : p === Symbol.toPrimitive ? () => "" : anything()),
    apply: () => anything(),
    construct: () => anything() as object,
  });
}

interface Recorded {
  errors: Array<{ message: string; items: string[] }>;
  executed: unknown[][];
  commands: Map<string, Fn>;
  lines: string[];
  choice?: string;
  settings: Record<string, unknown>;
}

function fakeVscode(rec: Recorded): unknown {
  const disposable = { dispose() {} };
  const channel = {
    name: "khabar",
    append: (s: string) => rec.lines.push(s),
    appendLine: (s: string) => rec.lines.push(s),
    replace() {},
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  };
  const api: Record<string, unknown> = {
    version: "1.82.0", // the lowest engines.vscode allows
    env: { appName: "Visual Studio Code", language: "en", uiKind: 1 },
    window: {
      createOutputChannel: () => channel,
      showErrorMessage: (message: string, ...items: string[]) => {
        rec.errors.push({ message, items });
        return Promise.resolve(rec.choice);
      },
      showWarningMessage: () => Promise.resolve(undefined),
      showInformationMessage: () => Promise.resolve(undefined),
    },
    workspace: {
      workspaceFolders: undefined,
      getConfiguration: () => ({ get: (key: string, dflt?: unknown) => (key in rec.settings ? rec.settings[key] : dflt) }),
      onDidChangeConfiguration: () => disposable,
    },
    commands: {
      registerCommand: (name: string, fn: Fn) => {
        rec.commands.set(name, fn);
        return disposable;
      },
      executeCommand: (...args: unknown[]) => {
        rec.executed.push(args);
        return Promise.resolve(undefined);
      },
    },
  };
  // Whatever else is asked for (here or inside a namespace) is a stand-in.
  const fallback = <T extends object>(o: T): T =>
    new Proxy(o, { get: (t, p) => (p in t ? (t as Record<string | symbol, unknown>)[p] : anything()) });
  for (const k of Object.keys(api)) if (typeof api[k] === "object") api[k] = fallback(api[k] as object);
  return fallback(api);
}

/** Runs `body` with `require("vscode")` answering `fake`. */
async function withVscode(fake: unknown, body: () => Promise<void>): Promise<void> {
  const m = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = m._load;
  m._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === "vscode" ? fake : load.call(this, request, ...rest);
  };
  try {
    await body();
  } finally {
    m._load = load;
  }
}

test("vscode-languageclient declares what the server looks for (progress, pull diagnostics, tokens, hints)", async () => {
  const rec: Recorded = { errors: [], executed: [], commands: new Map(), lines: [], settings: {} };
  await withVscode(fakeVscode(rec), async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lc = require("vscode-languageclient/node") as typeof import("vscode-languageclient/node");
    const client = new lc.LanguageClient("khabar", "khabar", { command: "khabar", args: ["lsp"] }, {
      documentSelector: [{ scheme: "file", language: "plaintext" }],
    });
    const caps = (client as unknown as { computeClientCapabilities: () => import("vscode-languageclient").ClientCapabilities })
      .computeClientCapabilities();
    assert.equal(caps.window?.workDoneProgress, true, "window.workDoneProgress: indexing progress shows");
    assert.ok(caps.textDocument?.semanticTokens, "semantic tokens");
    assert.ok(caps.textDocument?.inlayHint, "inlay hints");
    assert.ok(caps.textDocument?.diagnostic, "pull diagnostics");
    assert.equal(caps.workspace?.didChangeWatchedFiles?.dynamicRegistration, true, "file watchers registered by the server");
  });
});

test("the extension loads, registers its commands, and says how to install a missing server", async () => {
  const rec: Recorded = { errors: [], executed: [], commands: new Map(), lines: [], settings: {}, choice: "Open settings" };
  const m = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = m._load;
  const fake = fakeVscode(rec);
  m._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === "vscode" ? fake : load.call(this, request, ...rest);
  };
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "khabar-vscode-path-"));
  const savedPath = process.env.PATH;
  try {
    process.env.PATH = empty; // a PATH without khabar
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ext = require("../extension") as { activate: (c: unknown) => Promise<void>; deactivate: () => Promise<void> };
    const subscriptions: unknown[] = [];
    await ext.activate({ subscriptions });
    assert.deepEqual([...rec.commands.keys()].sort(), ["khabar.restartServer", "khabar.showOutput"]);
    assert.equal(rec.errors.length, 1, "one error message");
    assert.match(rec.errors[0].message, /not found on PATH/);
    assert.match(rec.errors[0].message, /cargo install --path \./);
    assert.deepEqual(rec.errors[0].items, ["Open settings", "Show output"]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(rec.executed, [["workbench.action.openSettings", "khabar.server.path"]]);
    assert.ok(rec.lines.some((l) => /not found on PATH/.test(l)), "the output channel says so too");

    // A setting that points nowhere: the restart command says so, naming the path.
    rec.settings["server.path"] = path.join(empty, "no-such-khabar");
    rec.choice = undefined;
    await rec.commands.get("khabar.restartServer")!();
    assert.equal(rec.errors.length, 2);
    assert.match(rec.errors[1].message, /khabar\.server\.path is ".*no-such-khabar"/);
    await ext.deactivate();
  } finally {
    m._load = load;
    process.env.PATH = savedPath;
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
