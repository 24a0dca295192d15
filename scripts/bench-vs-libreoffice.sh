#!/usr/bin/env bash
# Compares, on this machine and in one run, our own PDF export of the demo reports with
# LibreOffice converting our DOCX of the same report: wall time in milliseconds (median of
# 9 runs, taken with bash's EPOCHREALTIME, as GNU time rounds to 10 ms), peak memory (GNU
# time's maximum resident set, median) and file size, and the ratios.
# Needs a release build (cargo build --release), soffice and /usr/bin/time.
# Usage: scripts/bench-vs-libreoffice.sh [template-id ...]
set -euo pipefail
bin="${CARGO_TARGET_DIR:-target}/release/nianbao"
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
work="$(mktemp -d)"
"$bin" demo --db "$work/demo.db" >/dev/null
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# Runs "$@" under GNU time; prints "<wall ms> <peak KiB>".
measure() {
  local start end peak
  start=$EPOCHREALTIME
  peak=$(/usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1)
  end=$EPOCHREALTIME
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }') $peak"
}
for id in "${@:-annual-report work-summary}"; do
  for id1 in $id; do
    "$bin" export --db "$work/demo.db" --year 2019 --template "$id1" --docx "$work/$id1.docx" >/dev/null
    ours=$(for _ in 1 2 3 4 5 6 7 8 9; do
      measure "$bin" export --db "$work/demo.db" --year 2019 --template "$id1" --pdf "$work/$id1.pdf"
    done)
    lo=$(for _ in 1 2 3 4 5 6 7 8 9; do
      measure soffice --headless --convert-to pdf --outdir "$work/lo" "$work/$id1.docx"
    done)
    ours_ms=$(echo "$ours" | awk '{print $1}' | median)
    lo_ms=$(echo "$lo" | awk '{print $1}' | median)
    ours_kib=$(echo "$ours" | awk '{print $2}' | median)
    lo_kib=$(echo "$lo" | awk '{print $2}' | median)
    printf '%s\n' "$id1"
    ours_size=$(stat -c %s "$work/$id1.pdf")
    lo_size=$(stat -c %s "$work/lo/$id1.pdf")
    printf '  nianbao export --pdf: %s ms, %s KiB peak, %s bytes, %s pages\n' \
      "$ours_ms" "$ours_kib" "$ours_size" "$(pdfinfo "$work/$id1.pdf" | awk '/^Pages/ {print $2}')"
    printf '  soffice DOCX → PDF:   %s ms, %s KiB peak, %s bytes, %s pages\n' \
      "$lo_ms" "$lo_kib" "$lo_size" "$(pdfinfo "$work/lo/$id1.pdf" | awk '/^Pages/ {print $2}')"
    awk -v a="$ours_ms" -v b="$lo_ms" -v c="$ours_kib" -v d="$lo_kib" -v e="$ours_size" -v f="$lo_size" \
      'BEGIN { printf "  ours / LibreOffice:   time 1/%.0f, memory %.2f, size %.2f\n", b / a, c / d, e / f }'
  done
done
