#!/usr/bin/env bash
# Times `khabar mentions` and `khabar check` against `rg -c -F -f` (given `khabar kb aliases`) on the
# unpacked ../shared/corpora day, on the same files, and prints medians and ratios.
# Targets on 2 cores: mentions <= 1.5x rg, check <= 3x rg.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${KHABAR_BENCH_DIR:-target/bench/corpus}
runs=${RUNS:-10}
mkdir -p target/bench
cargo build --release --quiet
if ! python3 benches/unpack-corpus.py "$dir"; then
  if [ "${KHABAR_REQUIRE_ALL:-}" = 1 ]; then echo "../shared/corpora absent" >&2; exit 1; fi
  echo "skipped: ../shared/corpora absent"; exit 0
fi
command -v rg >/dev/null || { echo "ripgrep (rg) is needed: apt-get install ripgrep" >&2; exit 1; }
bin=${CARGO_TARGET_DIR:-target}/release/khabar
$bin kb aliases --root "$dir" > target/bench/aliases.txt
files=$(find "$dir" -name '*.txt' | wc -l); mb=$(find "$dir" -name '*.txt' -printf '%s\n' | awk '{s += $1} END {printf "%.1f", s / 1e6}')
echo "corpus: $files articles, ${mb} MB; $(wc -l < target/bench/aliases.txt) aliases; $(nproc) cores; $runs runs each, $(command -v hyperfine >/dev/null && echo "hyperfine -N" || echo "bash loop: install hyperfine for exact figures")"

# median, min and max wall time in ms of a command over $runs runs (after warm-ups). hyperfine
# runs it without a shell (-N), so no shell start-up is added to both sides of the ratio; without
# hyperfine, a plain loop times it through bash, which adds a few ms to every command and so
# flatters the ratios a little.
median() {
  if command -v hyperfine >/dev/null; then
    local json
    json=$(mktemp)
    hyperfine -N --style none -w 3 -r "$runs" --export-json "$json" "$1" >/dev/null 2>&1 || true
    python3 - "$json" <<'PY'
import json, statistics, sys
t = sorted(x * 1000 for x in json.load(open(sys.argv[1]))["results"][0]["times"])
print(f"{statistics.median(t):.1f} {t[0]:.1f} {t[-1]:.1f}")
PY
    rm -f "$json"
    return
  fi
  local times=()
  bash -c "$1" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N); bash -c "$1" >/dev/null 2>&1 || true; t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%d %d %d\n", m, a[1], a[NR]}'
}

read -r rg_med rg_min rg_max < <(median "rg -c -F -f target/bench/aliases.txt $dir")
read -r m_med m_min m_max < <(median "$bin mentions $dir --format json")
read -r c_med c_min c_max < <(median "$bin check $dir --format json")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "| command | median ms | min | max | ratio to rg |"
echo "|---|---|---|---|---|"
echo "| rg -c -F -f aliases | $rg_med | $rg_min | $rg_max | 1.00 |"
echo "| khabar mentions --format json | $m_med | $m_min | $m_max | $(ratio "$m_med" "$rg_med") |"
echo "| khabar check --format json | $c_med | $c_min | $c_max | $(ratio "$c_med" "$rg_med") |"
echo
echo "mentions/rg = $(ratio "$m_med" "$rg_med") (target <= 1.5); check/rg = $(ratio "$c_med" "$rg_med") (target <= 3)"
