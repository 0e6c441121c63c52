#!/usr/bin/env python3
"""Unpack the ../shared/corpora day to one .txt per article (title, blank line, content).

usage: unpack-corpus.py OUT_DIR [--zip ZIP] [--copies N] [--big-article PATH MB]

Exits 3 with a message when the zip is absent, so callers can decide whether that is a skip.
"""
import argparse, json, os, sys, zipfile

here = os.path.dirname(os.path.abspath(__file__))
default_zip = os.path.join(here, "..", "..", "shared", "corpora", "saudinewsnet-2015-07-21.zip")

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--zip", default=default_zip)
ap.add_argument("--copies", type=int, default=1, help="write N copies in copy-NNN/ folders")
ap.add_argument("--big-article", nargs=2, metavar=("PATH", "MB"), help="also write one article of about MB megabytes")
a = ap.parse_args()

if not os.path.isfile(a.zip):
    print(f"unpack-corpus: {a.zip} is absent (../shared/corpora)", file=sys.stderr)
    sys.exit(3)

with zipfile.ZipFile(a.zip) as z:
    name = next(n for n in z.namelist() if n.endswith(".json"))
    articles = json.loads(z.read(name))

texts = []
for i, art in enumerate(articles):
    title = (art.get("title") or "").strip()
    content = (art.get("content") or "").strip()
    if title or content:
        texts.append((f"{i:05d}-{art.get('source') or 'unknown'}.txt", f"{title}\n\n{content}\n"))

marker = os.path.join(a.out, ".complete")
want = f"{len(texts)} x {a.copies}"
if os.path.isfile(marker) and open(marker).read() == want:
    print(f"{a.out}: already unpacked ({want})")
else:
    for c in range(a.copies):
        d = a.out if a.copies == 1 else os.path.join(a.out, f"copy-{c:03d}")
        os.makedirs(d, exist_ok=True)
        for fname, text in texts:
            with open(os.path.join(d, fname), "w", encoding="utf-8") as f:
                f.write(text)
    with open(marker, "w") as f:
        f.write(want)
    size = sum(len(t.encode()) for _, t in texts) * a.copies
    print(f"{a.out}: {len(texts) * a.copies} articles, {size / 1e6:.1f} MB ({len(articles) - len(texts)} empty skipped)")

if a.big_article:
    path, mb = a.big_article[0], float(a.big_article[1])
    target = int(mb * 1e6)
    with open(path, "w", encoding="utf-8") as f:
        n = 0
        while n < target:
            for _, t in texts:
                for para in t.split("\n"):
                    if para.strip():
                        line = para.strip() + "\n"
                        f.write(line)
                        n += len(line.encode())
                if n >= target:
                    break
    print(f"{path}: {n / 1e6:.2f} MB in one article")
