#!/usr/bin/env python3
"""False-positive report: findings per rule per 10,000 words of ordinary, well-edited news.

usage: false-positives.py [DIR] [--khabar PATH] [--sample RULE N] [--json]

DIR defaults to target/bench/corpus (the ../shared/corpora day, unpacked by unpack-corpus.py).
--sample prints N random findings of RULE with their line, for reading them while tuning.
"""
import argparse, collections, json, os, random, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
ap = argparse.ArgumentParser()
ap.add_argument("dir", nargs="?", default=os.path.join(repo, "target", "bench", "corpus"))
ap.add_argument("--khabar", default=os.path.join(repo, "target", "release", "khabar"))
ap.add_argument("--sample", nargs=2, metavar=("RULE", "N"))
ap.add_argument("--json", action="store_true")
a = ap.parse_args()

if not os.path.isdir(a.dir) or not os.listdir(a.dir):
    r = subprocess.run([sys.executable, os.path.join(here, "unpack-corpus.py"), a.dir])
    if r.returncode == 3:
        print("skipped: ../shared/corpora absent")
        sys.exit(0)

proc = subprocess.run([a.khabar, "check", a.dir, "--format", "json"], capture_output=True, text=True)
if proc.returncode not in (0, 1):
    print(proc.stderr, file=sys.stderr)
report = json.loads(proc.stdout)

words = 0
for root, _, files in os.walk(a.dir):
    for f in files:
        if f.endswith(".txt"):
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                words += len(fh.read().split())

by_rule = collections.defaultdict(list)
for d in report["diagnostics"]:
    by_rule[d["rule"]].append(d)

rows = []
for rule, ds in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
    sev = collections.Counter(d["severity"] for d in ds).most_common(1)[0][0]
    rows.append({"rule": rule, "severity": sev, "findings": len(ds),
                 "per_10k_words": round(len(ds) * 10000 / max(words, 1), 2),
                 "files": len({d["path"] for d in ds})})

if a.json:
    print(json.dumps({"files": report["files"], "words": words, "rules": rows}, ensure_ascii=False))
else:
    print(f"{report['files']} articles, {words} words\n")
    print("| rule | severity | findings | per 10,000 words | articles |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['rule']} | {r['severity']} | {r['findings']} | {r['per_10k_words']} | {r['files']} |")

if a.sample:
    rule, n = a.sample[0], int(a.sample[1])
    rnd = random.Random(7)
    ds = by_rule.get(rule, [])
    for d in rnd.sample(ds, min(n, len(ds))):
        with open(os.path.join(a.dir, d["path"]), encoding="utf-8") as fh:
            line = fh.read().splitlines()[d["line"] - 1] if d["line"] >= 1 else ""
        print(f"\n{d['path']}:{d['line']}:{d['column']} {d['message']}\n    {line[:300]}")
