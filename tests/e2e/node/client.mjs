// End-to-end test of `khabar lsp` with a real client built on vscode-languageserver-protocol.
//
// usage: node client.mjs KHABAR_BINARY CORPUS_DIR
//
// Opens an article, waits for pushed diagnostics, hovers a name, asks for code actions at a
// finding and applies the quick fix to its own copy of the text, sends the edit incrementally,
// then one more edit, and checks that each new diagnostics set carries the version it answers.
// Then the corpus: references that reach the other article, a workspace symbol found by a Latin
// fragment, and a KB file changed on disk (announced as a watched-file change, as VS Code's
// watcher does) after which a new entity resolves.
// Prints one JSON summary line; exits non-zero on the first failed expectation.

import { spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node.js";

const [binary, corpus] = process.argv.slice(2);
if (!binary || !corpus) {
  console.error("usage: node client.mjs KHABAR_BINARY CORPUS_DIR");
  process.exit(2);
}

const summary = {};
function expect(cond, what) {
  if (!cond) {
    console.error(`expectation failed: ${what}`);
    console.log(JSON.stringify({ ok: false, failed: what, ...summary }));
    process.exit(1);
  }
}

const timer = setTimeout(() => expect(false, "finished within 60 s"), 60_000);

const proc = spawn(binary, ["lsp"], { cwd: corpus, stdio: ["pipe", "pipe", "inherit"] });
const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));

// Every publishDiagnostics, kept by URI, and waiters for a given version.
const published = new Map();
const waiters = [];
conn.onNotification("textDocument/publishDiagnostics", (p) => {
  published.set(p.uri, p);
  for (const w of waiters.splice(0)) {
    if (!w(p)) waiters.push(w);
  }
});
function diagnosticsFor(uri, version) {
  const have = published.get(uri);
  if (have && have.version === version) return Promise.resolve(have);
  return new Promise((resolve) => {
    waiters.push((p) => {
      if (p.uri === uri && p.version === version) {
        resolve(p);
        return true;
      }
      return false;
    });
  });
}
conn.onRequest("workspace/configuration", (p) => p.items.map(() => null));
conn.onRequest("client/registerCapability", () => null);
conn.onRequest("window/workDoneProgress/create", () => null);
conn.onNotification("window/logMessage", () => {});
conn.onNotification("window/showMessage", () => {});
conn.listen();

const rootUri = pathToFileURL(corpus).href;
const init = await conn.sendRequest("initialize", {
  processId: process.pid,
  rootUri,
  workspaceFolders: [{ uri: rootUri, name: "corpus" }],
  capabilities: {
    general: { positionEncodings: ["utf-16"] },
    textDocument: {
      synchronization: { didSave: true },
      publishDiagnostics: { versionSupport: true, relatedInformation: true },
      hover: { contentFormat: ["markdown", "plaintext"] },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "source"] } } },
    },
    workspace: { workspaceEdit: { documentChanges: true }, configuration: true },
  },
});
expect(init.capabilities.textDocumentSync, "server declares text sync");
expect(init.capabilities.hoverProvider, "server declares hover");
summary.positionEncoding = init.capabilities.positionEncoding ?? "utf-16";
conn.sendNotification("initialized", {});

// Open the Persian article.
const path = join(corpus, "fa-visit.txt");
const uri = pathToFileURL(path).href;
let text = readFileSync(path, "utf8");
let version = 1;
conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "plaintext", version, text } });
let diags = await diagnosticsFor(uri, version);
summary.firstDiagnostics = diags.diagnostics.length;
const misspelt = diags.diagnostics.find((d) => d.code === "unknown-source");
expect(misspelt, "the misspelt agency is reported (unknown-source)");
expect(diags.diagnostics.every((d) => d.source === "khabar"), "diagnostics come from khabar");

// Positions in UTF-16 code units: exactly what JavaScript string indices are.
function position(offset) {
  const before = text.slice(0, offset);
  const line = before.split(/\r\n|\r|\n/).length - 1;
  const lineStart = Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r")) + 1;
  return { line, character: offset - lineStart };
}
function offset(pos) {
  const lines = text.split(/(?<=\r\n|\r(?!\n)|\n)/);
  let off = 0;
  for (let i = 0; i < pos.line; i++) off += lines[i]?.length ?? 0;
  return off + pos.character;
}

// Hover a name.
const nameAt = text.indexOf("شمخانی", text.indexOf("\n"));
const hover = await conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: position(nameAt + 2) });
const hoverText = typeof hover?.contents === "string" ? hover.contents : hover?.contents?.value ?? "";
summary.hover = hoverText.split("\n")[0];
expect(hoverText.includes("Ali Shamkhani"), "hover on شمخانی names Ali Shamkhani");

// Code actions at the finding; apply the quick fix to our own text model.
const actions = await conn.sendRequest("textDocument/codeAction", {
  textDocument: { uri },
  range: misspelt.range,
  context: { diagnostics: [misspelt], only: ["quickfix"] },
});
const fix = actions.find((a) => a.kind === "quickfix" && a.edit && JSON.stringify(a.edit).includes("جام جم"));
expect(fix, "a quick fix offers جام جم آنلاین");
summary.fix = fix.title;
const edits = fix.edit.documentChanges
  ? fix.edit.documentChanges.flatMap((c) => c.edits)
  : fix.edit.changes[uri];
expect(edits?.length > 0, "the fix carries edits");
// Apply back to front so earlier ranges stay valid; send the same changes incrementally.
const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
const changes = [];
for (const e of sorted) {
  const s = offset(e.range.start);
  const t = offset(e.range.end);
  changes.push({ range: e.range, text: e.newText });
  text = text.slice(0, s) + e.newText + text.slice(t);
}
version += 1;
conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: changes });
diags = await diagnosticsFor(uri, version);
expect(diags.version === version, "diagnostics carry the version of the fixed text");
expect(!diags.diagnostics.some((d) => d.code === "unknown-source" && d.severity === 2), "the misspelt agency is gone after the fix");
expect(text.includes("جام جم آنلاین"), "our text holds the fixed name");

// One more edit: a doubled space, which the spacing rule reports.
const at = text.indexOf("دیدار کرد");
const p = position(at);
version += 1;
conn.sendNotification("textDocument/didChange", {
  textDocument: { uri, version },
  contentChanges: [{ range: { start: p, end: p }, text: "  " }],
});
text = text.slice(0, at) + "  " + text.slice(at);
diags = await diagnosticsFor(uri, version);
const spacing = diags.diagnostics.find((d) => d.code === "spacing");
expect(spacing, "the typed double space is reported");
expect(offset(spacing.range.start) === at - 1 || offset(spacing.range.start) === at, "the spacing finding is where the space was typed");
summary.lastVersion = diags.version;

// Poll until `check(result)` holds: the index builds in the background.
async function until(what, ask, check) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await ask();
    if (check(r)) return r;
    expect(Date.now() < deadline, what);
    await new Promise((res) => setTimeout(res, 50));
  }
}

// References from شمخانی reach the Arabic article, which was never opened.
const shamkhaniAt = text.indexOf("شمخانی", text.indexOf("\n"));
const refs = await until(
  "references reach both articles",
  () => conn.sendRequest("textDocument/references", {
    textDocument: { uri },
    position: position(shamkhaniAt + 2),
    context: { includeDeclaration: false },
  }),
  (r) => new Set((r ?? []).map((l) => l.uri.split("/").pop())).size === 2,
);
summary.references = [...new Set(refs.map((l) => l.uri.split("/").pop()))].sort();
const arUri = pathToFileURL(join(corpus, "ar-visit.txt")).href;
const arRef = refs.find((l) => l.uri === arUri);
const arText = readFileSync(join(corpus, "ar-visit.txt"), "utf8");
const arLines = arText.split("\n");
expect(arLines[arRef.range.start.line].slice(arRef.range.start.character, arRef.range.end.character) === "علي شمخاني",
  "the reference into ar-visit.txt covers علي شمخاني");

// A workspace symbol by a Latin fragment.
const symbols = await conn.sendRequest("workspace/symbol", { query: "shamk" });
summary.symbol = symbols[0]?.name;
expect(symbols.length === 1 && symbols[0].name.startsWith("Ali Shamkhani"), "shamk finds Ali Shamkhani");

// A KB change on disk: a new entity, then a hover on its name in the Arabic article.
appendFileSync(join(corpus, "kb.toml"),
  '\n[[entity]]\nid = "an-official"\nkind = "other"\nlabels = { ar = "مسؤول", en = "An official" }\n');
conn.sendNotification("workspace/didChangeWatchedFiles", {
  changes: [{ uri: pathToFileURL(join(corpus, "kb.toml")).href, type: 2 }],
});
conn.sendNotification("textDocument/didOpen", { textDocument: { uri: arUri, languageId: "plaintext", version: 1, text: arText } });
const officialAt = arLines.findIndex((l) => l.includes("مسؤول"));
const hoverNew = await until(
  "the new KB entity resolves after the watched change",
  () => conn.sendRequest("textDocument/hover", {
    textDocument: { uri: arUri },
    position: { line: officialAt, character: arLines[officialAt].indexOf("مسؤول") + 1 },
  }),
  (h) => (h?.contents?.value ?? "").includes("An official"),
);
summary.newEntity = hoverNew.contents.value.split("\n")[0];

await conn.sendRequest("shutdown");
conn.sendNotification("exit");
const code = await new Promise((resolve) => proc.on("exit", resolve));
expect(code === 0, `the server exits 0 after shutdown and exit (got ${code})`);
clearTimeout(timer);
console.log(JSON.stringify({ ok: true, ...summary }));
process.exit(0);
