#!/usr/bin/env bash
# Compares, on this machine and in one run, our own PDF export of the demo reports with
# LibreOffice converting our DOCX of the same report: wall time (median of 5), peak
# memory (GNU time's maximum resident set) and file size.
# Needs a release build (cargo build --release), soffice and /usr/bin/time.
# Usage: scripts/bench-vs-libreoffice.sh [template-id ...]
set -euo pipefail
bin="${CARGO_TARGET_DIR:-target}/release/nianbao"
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
work="$(mktemp -d)"
"$bin" demo --db "$work/demo.db" >/dev/null
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for id in "${@:-annual-report work-summary}"; do
  for id1 in $id; do
    "$bin" export --db "$work/demo.db" --year 2019 --template "$id1" --docx "$work/$id1.docx" >/dev/null
    ours=$(for _ in 1 2 3 4 5; do
      /usr/bin/time -f "%e %M" "$bin" export --db "$work/demo.db" --year 2019 --template "$id1" \
        --pdf "$work/$id1.pdf" 2>&1 >/dev/null | tail -1
    done)
    lo=$(for _ in 1 2 3 4 5; do
      /usr/bin/time -f "%e %M" soffice --headless --convert-to pdf --outdir "$work/lo" \
        "$work/$id1.docx" 2>&1 >/dev/null | tail -1
    done)
    printf '%s\n' "$id1"
    printf '  nianbao export --pdf: %ss (median), %s KiB peak, %s bytes, %s pages\n' \
      "$(echo "$ours" | awk '{print $1}' | median)" "$(echo "$ours" | awk '{print $2}' | median)" \
      "$(stat -c %s "$work/$id1.pdf")" "$(pdfinfo "$work/$id1.pdf" | awk '/^Pages/ {print $2}')"
    printf '  soffice DOCX → PDF:   %ss (median), %s KiB peak, %s bytes, %s pages\n' \
      "$(echo "$lo" | awk '{print $1}' | median)" "$(echo "$lo" | awk '{print $2}' | median)" \
      "$(stat -c %s "$work/lo/$id1.pdf")" "$(pdfinfo "$work/lo/$id1.pdf" | awk '/^Pages/ {print $2}')"
  done
done
