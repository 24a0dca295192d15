#!/usr/bin/env bash
# Smoke test of the Windows exe under wine, against the Linux build of the same source.
# In a folder whose name has Chinese characters and a space, the exe (run by wine, from
# a copy in that folder) creates the demo file, checks it and exports both templates to
# PDF, DOCX and text; then, on Linux:
#   - `check` prints the same findings with the same exit status as the Linux build;
#   - the text pdftotext extracts from each wine-made PDF equals the Linux-made one's;
#   - each DOCX is a sound zip whose word/document.xml equals the Linux-made one's;
#   - `--version` prints through the GUI-subsystem exe, and a missing file exits 2.
# Needs wine (64-bit), MinGW, poppler-utils and unzip: scripts/install-windows-deps.sh --wine.
# The wine prefix is $WINEPREFIX, default /var/tmp/nianbao-wine (made on first use, kept).
# Usage: scripts/wine-smoke.sh path/to/nianbao.exe path/to/linux/nianbao
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exe="$(realpath "${1:?usage: $0 nianbao.exe linux-nianbao}")"
linux="$(realpath "${2:?usage: $0 nianbao.exe linux-nianbao}")"
export WINEPREFIX="${WINEPREFIX:-/var/tmp/nianbao-wine}"
export WINEDEBUG=-all
# no Mono/Gecko install prompts; nothing here needs them
export WINEDLLOVERRIDES="mscoree,mshtml="
# wine converts the arguments from the Unix locale: it must be UTF-8 for 年报
export LC_ALL=C.UTF-8
unset DISPLAY
fail=0
t0=$(date +%s)

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "== wineboot: new prefix $WINEPREFIX"
  wineboot --init
  wineserver --wait
fi
sys32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -e "$sys32/bcryptprimitives.dll" ]; then
  # wine 8 lacks ProcessPrng, which Rust's std needs to start (FINDINGS.md)
  echo "== installing the test-only bcryptprimitives.dll stub in the prefix"
  x86_64-w64-mingw32-gcc -O2 -shared -o "$sys32/bcryptprimitives.dll" \
    "$here/wine/bcryptprimitives.c" -ladvapi32
fi
t1=$(date +%s)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dir="$work/年报 测试"
mkdir -p "$dir" "$work/linux"
cp "$exe" "$dir/nianbao.exe"
win() { wine "$dir/nianbao.exe" "$@"; }
wdir="$(winepath -w "$dir")"
echo "== wine folder: $wdir"

echo "== demo, check and export under wine"
win demo --db "$wdir\\演示 数据.db"
"$linux" demo --db "$work/linux/demo.db" >/dev/null
set +e
win check --db "$wdir\\演示 数据.db" --year 2019 >"$work/check-wine.txt"
wine_status=$?
"$linux" check --db "$work/linux/demo.db" --year 2019 >"$work/check-linux.txt"
linux_status=$?
set -e
if [ "$wine_status" = "$linux_status" ] && [ -s "$work/check-linux.txt" ] && cmp -s "$work/check-wine.txt" "$work/check-linux.txt"; then
  echo "check: same findings and exit status ($wine_status) as on Linux"
else
  echo "FAIL: check differs (wine exit $wine_status, Linux exit $linux_status)" >&2
  diff "$work/check-linux.txt" "$work/check-wine.txt" >&2 || true
  fail=1
fi

for t in annual-report work-summary; do
  win export --db "$wdir\\演示 数据.db" --year 2019 --template "$t" \
    --pdf "$wdir\\$t 报告.pdf" --docx "$wdir\\$t 报告.docx" --text "$wdir\\$t 报告.txt"
  "$linux" export --db "$work/linux/demo.db" --year 2019 --template "$t" \
    --pdf "$work/linux/$t.pdf" --docx "$work/linux/$t.docx" --text "$work/linux/$t.txt" >/dev/null
  if pdftotext -enc UTF-8 "$dir/$t 报告.pdf" "$work/$t-wine.txt" &&
    pdftotext -enc UTF-8 "$work/linux/$t.pdf" "$work/$t-linux.txt" &&
    [ -s "$work/$t-linux.txt" ] && cmp -s "$work/$t-wine.txt" "$work/$t-linux.txt"; then
    echo "$t: PDF text equals the Linux PDF's ($(wc -m <"$work/$t-wine.txt") characters)"
  else
    echo "FAIL: $t: the wine PDF's text differs from the Linux PDF's" >&2
    diff "$work/$t-linux.txt" "$work/$t-wine.txt" | head -20 >&2 || true
    fail=1
  fi
  if unzip -tq "$dir/$t 报告.docx" >/dev/null &&
    cmp -s <(unzip -p "$dir/$t 报告.docx" word/document.xml) \
      <(unzip -p "$work/linux/$t.docx" word/document.xml); then
    echo "$t: DOCX is a sound zip; word/document.xml equals the Linux one"
  else
    echo "FAIL: $t: the wine DOCX is broken or differs from the Linux one" >&2
    fail=1
  fi
  if ! cmp -s "$dir/$t 报告.txt" "$work/linux/$t.txt"; then
    echo "FAIL: $t: --text output differs" >&2
    fail=1
  fi
done

echo "== console output and exit status of the GUI-subsystem exe"
version="$(win --version)"
if [ "$version" = "$("$linux" --version)" ]; then
  echo "--version: $version"
else
  echo "FAIL: --version printed '$version'" >&2
  fail=1
fi
set +e
win check --db "$wdir\\没有 这个.db" --year 2019 >/dev/null 2>"$work/missing.txt"
status=$?
set -e
if [ "$status" = 2 ] && grep -q "没有 这个.db" "$work/missing.txt"; then
  echo "missing file: exit 2, message: $(head -1 "$work/missing.txt")"
else
  echo "FAIL: a missing file gave exit $status and: $(cat "$work/missing.txt")" >&2
  fail=1
fi

wineserver --wait || true
echo "wine smoke test: prefix setup $((t1 - t0)) s, tests $(($(date +%s) - t1)) s"
if [ "$fail" = 0 ]; then echo "wine smoke test passed"; else echo "wine smoke test FAILED" >&2; fi
exit "$fail"
