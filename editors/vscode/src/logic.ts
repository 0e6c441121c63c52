// Everything the extension decides without VS Code: where the server binary is, what settings
// it is sent, and what is wrong with them. This module must not import `vscode`, so that
// `node --test` can run its tests without an editor (see src/test/logic.test.ts).

import * as fs from "node:fs";
import * as path from "node:path";

/** The severities a rule can be given, in the server's words (`khabar.toml` uses the same). */
export const SEVERITIES = ["off", "hint", "info", "warning", "error"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The server's rules (`khabar rules`), as this version of the extension knows them. A rule id
 * missing here is still sent: the server has the last word and logs what it does not know. */
export const RULES: readonly string[] = [
  "mixed-orthography",
  "mixed-digits",
  "scraper-boilerplate",
  "duplicate-line",
  "near-duplicate-paragraph",
  "repeated-phrase",
  "spacing",
  "missing-space",
  "zwnj",
  "unbalanced-quotes",
  "unknown-source",
  "unattributed-quote",
  "missing-provenance",
  "entity-variant",
  "ann-malformed-line",
  "ann-span-out-of-range",
  "ann-text-mismatch",
  "ann-unknown-type",
  "ann-unknown-entity",
  "ann-duplicate-id",
  "ann-overlap",
  "ann-dangling-reference",
  "stale-annotation",
  "uncurated-mention",
];

export const INSTALL_HINT =
  "Install it with `cargo install --path .` in a checkout of the khabar repository " +
  "(it puts `khabar` in ~/.cargo/bin, which must be on PATH), " +
  "or set `khabar.server.path` to the binary.";

// ---------------------------------------------------------------------------------------------
// Finding the server

/** What finding the binary may look at; each part can be replaced in tests. */
export interface ResolveInput {
  /** `khabar.server.path`; empty or blank means "search PATH". */
  setting?: string;
  /** The environment (PATH, and PATHEXT on Windows). */
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** The home directory, for a setting that starts with `~`. */
  home?: string;
  /** The first workspace folder, against which a relative setting is resolved. */
  workspaceFolder?: string;
  /** Whether `p` is a file that can be run; defaults to a check on the real file system. */
  isExecutable?: (p: string, platform: NodeJS.Platform) => boolean;
}

export type ResolveResult =
  | { ok: true; command: string; from: "setting" | "PATH" }
  | { ok: false; message: string; searched: string[] };

/** Whether `p` is a regular file that can be run (on Windows: a file at all). */
export function isExecutableFile(p: string, platform: NodeJS.Platform): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (platform === "win32") return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** Looks up PATH case-insensitively on Windows, where the variable is often `Path`. */
function envValue(
  env: Record<string, string | undefined>,
  name: string,
  platform: NodeJS.Platform,
): string | undefined {
  if (platform !== "win32") return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/** The file names to try for `khabar` in one directory (`khabar.exe` and the like on Windows). */
export function candidateNames(
  name: string,
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
): string[] {
  if (platform !== "win32") return [name];
  const pathext = envValue(env, "PATHEXT", platform) ?? ".COM;.EXE;.BAT;.CMD";
  const exts = pathext
    .split(";")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (path.win32.extname(name) !== "") return [name];
  return exts.map((e) => name + e.toLowerCase());
}

/** The directories of PATH, in order, without empty entries (an empty entry means the current
 * directory, which is not where a language server should be picked up from) or quotes. */
export function pathDirectories(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
): string[] {
  const raw = envValue(env, "PATH", platform) ?? "";
  const delimiter = platform === "win32" ? ";" : ":";
  return raw
    .split(delimiter)
    .map((d) => (platform === "win32" ? d.trim().replace(/^"(.*)"$/, "$1") : d))
    .filter((d) => d.length > 0);
}

/** Expands a leading `~` and resolves a relative path against the workspace folder. */
export function expandSetting(
  setting: string,
  platform: NodeJS.Platform,
  home?: string,
  workspaceFolder?: string,
): string {
  const p = pathApi(platform);
  let s = setting.trim();
  if (home && (s === "~" || s.startsWith("~/") || (platform === "win32" && s.startsWith("~\\")))) {
    s = p.join(home, s.slice(1));
  }
  if (!p.isAbsolute(s) && workspaceFolder) {
    s = p.resolve(workspaceFolder, s);
  }
  return s;
}

/** Where the `khabar` binary is: `khabar.server.path` when set (it must exist), else the first
 * `khabar` on PATH. The failure says what was searched and how to install the server. */
export function resolveServerPath(input: ResolveInput): ResolveResult {
  const { platform, env } = input;
  const isExec = input.isExecutable ?? isExecutableFile;
  const setting = (input.setting ?? "").trim();
  if (setting.length > 0) {
    const full = expandSetting(setting, platform, input.home, input.workspaceFolder);
    // On Windows a setting of `C:\bin\khabar` finds `C:\bin\khabar.exe`.
    const candidates = platform === "win32" ? [full, ...candidateNames(full, platform, env)] : [full];
    for (const c of candidates) {
      if (isExec(c, platform)) return { ok: true, command: c, from: "setting" };
    }
    return {
      ok: false,
      searched: [full],
      message:
        `khabar: the setting khabar.server.path is "${setting}", but ${full} is not a file ` +
        `that can be run. ${INSTALL_HINT}`,
    };
  }
  const p = pathApi(platform);
  const dirs = pathDirectories(env, platform);
  const names = candidateNames("khabar", platform, env);
  for (const dir of dirs) {
    for (const name of names) {
      const c = p.join(dir, name);
      if (isExec(c, platform)) return { ok: true, command: c, from: "PATH" };
    }
  }
  return {
    ok: false,
    searched: dirs,
    message:
      dirs.length === 0
        ? `khabar: the language server \`khabar\` was not found: PATH is empty. ${INSTALL_HINT}`
        : `khabar: the language server \`khabar\` was not found on PATH ` +
          `(${dirs.length} director${dirs.length === 1 ? "y" : "ies"} searched). ${INSTALL_HINT}`,
  };
}

/** How the server is started: `khabar lsp`, talking over stdio. No `transport` is given on
 * purpose: vscode-languageclient would append `--stdio`, which `khabar lsp` does not take. */
export function serverExecutable(command: string): { command: string; args: string[] } {
  return { command, args: ["lsp"] };
}

// ---------------------------------------------------------------------------------------------
// Settings

/** What the server reads (`initializationOptions`, or `settings.khabar` on a change). */
export interface ServerSettings {
  rules: Record<string, Severity>;
  inlayHints: boolean;
  /** Sent only when set, so the server's defaults stay the server's. */
  curationHints?: boolean;
  annotator?: string;
}

export interface Validated {
  settings: ServerSettings;
  /** Problems to show; each entry that caused one was left out (except an unknown rule id,
   * which is sent anyway). */
  problems: string[];
}

export function isSeverity(v: unknown): v is Severity {
  return typeof v === "string" && (SEVERITIES as readonly string[]).includes(v);
}

/** Checks `khabar.rules`: an object from rule id to severity. A bad severity is dropped (the
 * rule keeps its `khabar.toml` or built-in level); an unknown id is kept with a warning, since
 * a newer server may know it. */
export function validateRules(value: unknown): { rules: Record<string, Severity>; problems: string[] } {
  const rules: Record<string, Severity> = {};
  const problems: string[] = [];
  if (value === undefined || value === null) return { rules, problems };
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push(
      `khabar.rules must be an object from rule id to severity (${SEVERITIES.join(", ")}); ignored`,
    );
    return { rules, problems };
  }
  for (const [id, level] of Object.entries(value as Record<string, unknown>)) {
    if (!isSeverity(level)) {
      problems.push(
        `khabar.rules.${id}: ${JSON.stringify(level)} is not one of ${SEVERITIES.join(", ")}; ignored`,
      );
      continue;
    }
    if (!RULES.includes(id)) {
      problems.push(`khabar.rules.${id}: not a rule this extension knows; sent to the server anyway`);
    }
    rules[id] = level;
  }
  return { rules, problems };
}

/** The editor's `khabar.*` settings as read from VS Code (any of them may be missing). */
export interface EditorSettings {
  rules?: unknown;
  inlayHints?: unknown;
  curationHints?: unknown;
  annotator?: unknown;
}

/** Maps the editor settings to what the server takes. */
export function toServerSettings(editor: EditorSettings): Validated {
  const { rules, problems } = validateRules(editor.rules);
  let inlayHints = false;
  if (typeof editor.inlayHints === "boolean") {
    inlayHints = editor.inlayHints;
  } else if (editor.inlayHints !== undefined && editor.inlayHints !== null) {
    problems.push(`khabar.inlayHints must be true or false; ignored`);
  }
  const settings: ServerSettings = { rules, inlayHints };
  if (typeof editor.curationHints === "boolean") {
    if (editor.curationHints) settings.curationHints = true;
  } else if (editor.curationHints !== undefined && editor.curationHints !== null) {
    problems.push(`khabar.curationHints must be true or false; ignored`);
  }
  if (typeof editor.annotator === "string") {
    if (editor.annotator.trim() !== "") settings.annotator = editor.annotator.trim();
  } else if (editor.annotator !== undefined && editor.annotator !== null) {
    problems.push(`khabar.annotator must be a name; ignored`);
  }
  return { settings, problems };
}

/** `initializationOptions` for `initialize`: the settings object itself. */
export function initializationOptions(editor: EditorSettings): ServerSettings {
  return toServerSettings(editor).settings;
}

/** The params of `workspace/didChangeConfiguration`: the settings under `khabar`. */
export function didChangeConfigurationParams(editor: EditorSettings): {
  settings: { khabar: ServerSettings };
} {
  return { settings: { khabar: toServerSettings(editor).settings } };
}

/** Whether a change to this setting needs the server restarted (a new binary), rather than
 * being sent to the running one. */
export function needsRestart(section: string): boolean {
  return section === "khabar.server.path" || section === "khabar.server";
}
