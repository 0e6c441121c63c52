// The contract between this extension and the real server, without VS Code: `khabar lsp` is
// started the way the extension starts it (logic.serverExecutable), given the
// initializationOptions the extension sends, then the didChangeConfiguration it sends, over
// vscode-languageserver-protocol (what vscode-languageclient itself is built on).
// Runs when KHABAR_BIN names the binary (tests/editor_vscode.rs sets it); skips otherwise.

import { spawn } from "node:child_process";
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
  type InlayHint,
} from "vscode-languageserver-protocol/node";
import * as logic from "../logic";

const bin = process.env.KHABAR_BIN;

// Own text: a space before the Arabic comma (rule `spacing`) and a person the embedded KB knows.
const ARTICLE = "زيارة\n\nقال مسؤول ، إن علي شمخاني زار سوريا في أيار 2017.\n";

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

test("the server takes the extension's settings at start and on change", { skip: !bin && "KHABAR_BIN is not set (tests/editor_vscode.rs sets it)" }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "khabar-vscode-lsp-"));
  fs.writeFileSync(path.join(dir, "khabar.toml"), 'include = ["**/*.txt"]\n');
  const article = path.join(dir, "visit.txt");
  fs.writeFileSync(article, ARTICLE);
  const uri = pathToFileURL(article).href;

  const exe = logic.serverExecutable(bin as string);
  const child = spawn(exe.command, exe.args, { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d.toString()));
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const warnings: string[] = [];
  conn.onNotification("window/logMessage", (p: { type: number; message: string }) => {
    if (p.type <= 2) warnings.push(p.message);
  });
  conn.onNotification("window/showMessage", (p: { type: number; message: string }) => {
    if (p.type <= 2) warnings.push(p.message);
  });
  // Requests the server may send; answered as VS Code would.
  conn.onRequest("client/registerCapability", () => null);
  conn.onRequest("workspace/inlayHint/refresh", () => null);
  conn.onRequest("workspace/semanticTokens/refresh", () => null);
  conn.onRequest("window/workDoneProgress/create", () => null);
  conn.onRequest("workspace/configuration", (p: { items: unknown[] }) => p.items.map(() => null));

  const published: PublishDiagnosticsParams[] = [];
  const waiters: Array<() => void> = [];
  conn.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
    if (p.uri.toLowerCase() !== uri.toLowerCase()) return;
    published.push(p);
    for (const w of waiters.splice(0)) w();
  });
  /** The first diagnostics published after `from` that satisfy `ok`. */
  const diagnostics = (from: number, ok: (p: PublishDiagnosticsParams) => boolean, what: string) =>
    within(
      20000,
      what,
      new Promise<PublishDiagnosticsParams>((resolve) => {
        const look = () => {
          const hit = published.slice(from).find(ok);
          if (hit) resolve(hit);
          else waiters.push(look);
        };
        look();
      }),
    );
  const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));
  conn.listen();

  try {
    const init = (await within(
      20000,
      "initialize",
      conn.sendRequest("initialize", {
        processId: process.pid,
        rootUri: pathToFileURL(dir).href,
        workspaceFolders: [{ uri: pathToFileURL(dir).href, name: "corpus" }],
        capabilities: {
          textDocument: {
            synchronization: { dynamicRegistration: false },
            publishDiagnostics: { versionSupport: true },
            inlayHint: { dynamicRegistration: false },
          },
          workspace: { configuration: true, workspaceFolders: true, inlayHint: { refreshSupport: true } },
        },
        initializationOptions: logic.initializationOptions({ rules: { spacing: "off" }, inlayHints: true }),
      }),
    )) as { capabilities: { inlayHintProvider?: unknown; semanticTokensProvider?: { legend: { tokenTypes: string[]; tokenModifiers: string[] } } } };
    // The legend the extension's package.json contributes names and scopes for.
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    const legend = init.capabilities.semanticTokensProvider?.legend;
    assert.ok(legend, "the server offers semantic tokens");
    // Every type and modifier the server sends must be contributed (an extra contribution is
    // harmless): else VS Code has no name, super type or colour for it.
    const types: string[] = pkg.contributes.semanticTokenTypes.map((t: { id: string }) => t.id);
    const modifiers: string[] = pkg.contributes.semanticTokenModifiers.map((t: { id: string }) => t.id);
    const fix = "add it to contributes in editors/vscode/package.json (and semanticTokenScopes)";
    for (const t of legend.tokenTypes) assert.ok(types.includes(t), `server token type ${t} is not contributed: ${fix}`);
    for (const m of legend.tokenModifiers) assert.ok(modifiers.includes(m), `server token modifier ${m} is not contributed: ${fix}`);
    for (const t of ["person", "organization", "place", "country", "source", "event", "other"]) {
      assert.ok(legend.tokenTypes.includes(t), `the server's legend has ${t}`);
    }
    assert.ok(legend.tokenModifiers.includes("ambiguous") && legend.tokenModifiers.includes("glued"));
    assert.ok(init.capabilities.inlayHintProvider, "the server offers inlay hints");

    await conn.sendNotification("initialized", {});
    await conn.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "plaintext", version: 1, text: ARTICLE },
    });
    const first = await diagnostics(0, () => true, "the first diagnostics");
    assert.ok(!codes(first).includes("spacing"), `spacing is off at start: ${codes(first)}`);

    const range = { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } };
    const hints = (await conn.sendRequest("textDocument/inlayHint", { textDocument: { uri }, range })) as InlayHint[] | null;
    const labels = (hints ?? []).map((h) => (typeof h.label === "string" ? h.label : h.label.map((l) => l.value).join("")));
    assert.ok(labels.some((l) => /Shamkhani/.test(l)), `an English label after the mention: ${JSON.stringify(labels)}`);

    // A change, as the extension sends it: spacing back on as an error, inlay hints off.
    const before = published.length;
    await conn.sendNotification(
      "workspace/didChangeConfiguration",
      logic.didChangeConfigurationParams({ rules: { spacing: "error" }, inlayHints: false }),
    );
    const after = await diagnostics(before, (p) => codes(p).includes("spacing"), "spacing diagnostics after the change");
    const spacing = after.diagnostics.find((d) => d.code === "spacing");
    assert.equal(spacing?.severity, 1, "spacing is an error now");
    const none = (await conn.sendRequest("textDocument/inlayHint", { textDocument: { uri }, range })) as InlayHint[] | null;
    assert.equal((none ?? []).length, 0, "no inlay hints once they are turned off");

    assert.deepEqual(warnings, [], "the server accepted every setting");
    await within(10000, "shutdown", conn.sendRequest("shutdown"));
    await conn.sendNotification("exit");
    await within(
      10000,
      "the server to exit",
      new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.on("exit", () => resolve()))),
    );
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nserver stderr:\n${stderr}`, { cause: e });
  } finally {
    conn.dispose();
    if (child.exitCode === null) child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
