// The VS Code side: starts `khabar lsp` with vscode-languageclient, sends the settings, and
// offers the two commands. What can be decided without VS Code lives in ./logic.

import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import * as logic from "./logic";

const CLIENT_ID = "khabar";
const CLIENT_NAME = "khabar";
const OPEN_SETTINGS = "Open settings";
const SHOW_OUTPUT = "Show output";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
/** Serialises starts and stops, so that a restart during a start waits for it. */
let pending: Promise<void> = Promise.resolve();

function channel(): vscode.OutputChannel {
  if (!output) output = vscode.window.createOutputChannel(CLIENT_NAME);
  return output;
}

function editorSettings(): logic.EditorSettings {
  // One server serves every folder, so the settings are read without a resource (the
  // workspace's, or the user's); each folder's khabar.toml still comes first on the server.
  const cfg = vscode.workspace.getConfiguration("khabar");
  return {
    rules: cfg.get("rules"),
    inlayHints: cfg.get("inlayHints"),
    curationHints: cfg.get("curationHints"),
    annotator: cfg.get("annotator"),
  };
}

function reportProblems(problems: string[]): void {
  if (problems.length === 0) return;
  for (const p of problems) channel().appendLine(`khabar: ${p}`);
  void vscode.window
    .showWarningMessage(`khabar: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`, OPEN_SETTINGS, SHOW_OUTPUT)
    .then((choice) => {
      if (choice === OPEN_SETTINGS) void vscode.commands.executeCommand("workbench.action.openSettings", "khabar.rules");
      if (choice === SHOW_OUTPUT) channel().show(true);
    });
}

async function start(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration("khabar");
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const resolved = logic.resolveServerPath({
    setting: cfg.get<string>("server.path", ""),
    env: process.env,
    platform: process.platform,
    home: os.homedir(),
    workspaceFolder: folder?.scheme === "file" ? folder.fsPath : undefined,
  });
  if (!resolved.ok) {
    channel().appendLine(resolved.message);
    if (resolved.searched.length > 0) channel().appendLine(`searched: ${resolved.searched.join(", ")}`);
    // Not awaited: a restart (after the setting is fixed) must not wait for this message.
    void vscode.window.showErrorMessage(resolved.message, OPEN_SETTINGS, SHOW_OUTPUT).then((choice) => {
      if (choice === OPEN_SETTINGS) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "khabar.server.path");
      } else if (choice === SHOW_OUTPUT) {
        channel().show(true);
      }
    });
    return;
  }
  channel().appendLine(`khabar: starting ${resolved.command} lsp (found via ${resolved.from})`);

  const exe = logic.serverExecutable(resolved.command);
  const serverOptions: ServerOptions = { run: exe, debug: exe };
  const { settings, problems } = logic.toServerSettings(editorSettings());
  reportProblems(problems);
  const clientOptions: LanguageClientOptions = {
    // Articles are `*.txt`, which VS Code opens as plaintext.
    documentSelector: [{ scheme: "file", language: "plaintext" }],
    initializationOptions: settings,
    outputChannel: channel(),
    // Settings changes are sent by onConfigurationChanged below, validated first.
  };
  const c = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = c;
  try {
    await c.start();
  } catch (e) {
    const message = `khabar: the language server (${resolved.command} lsp) did not start: ${e instanceof Error ? e.message : String(e)}`;
    // vscode-languageclient has already shown "Starting client failed"; the log says which binary.
    channel().appendLine(message);
  }
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) {
    try {
      await c.stop();
    } catch (e) {
      channel().appendLine(`khabar: stopping the server: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

function queue(work: () => Promise<void>): Promise<void> {
  pending = pending.then(work, work);
  return pending;
}

function restart(): Promise<void> {
  return queue(async () => {
    await stop();
    await start();
  });
}

async function onConfigurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
  if (!e.affectsConfiguration("khabar")) return;
  if (e.affectsConfiguration("khabar.server.path")) {
    await restart();
    return;
  }
  if (
    e.affectsConfiguration("khabar.rules") ||
    e.affectsConfiguration("khabar.inlayHints") ||
    e.affectsConfiguration("khabar.curationHints") ||
    e.affectsConfiguration("khabar.annotator")
  ) {
    const { problems } = logic.toServerSettings(editorSettings());
    reportProblems(problems);
    const c = client;
    if (c && c.state === State.Running) {
      await c.sendNotification(DidChangeConfigurationNotification.type, logic.didChangeConfigurationParams(editorSettings()));
    }
  }
  // khabar.trace.server is read by vscode-languageclient itself.
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    channel(),
    vscode.commands.registerCommand("khabar.restartServer", () => restart()),
    vscode.commands.registerCommand("khabar.showOutput", () => channel().show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => onConfigurationChanged(e)),
  );
  await queue(start);
}

export function deactivate(): Promise<void> {
  return queue(stop);
}
