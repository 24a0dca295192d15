#!/usr/bin/env bash
# Starts the Windows exe's desktop app under wine in a virtual X display (Xvfb) on the
# demo file, waits for its window, and saves a screenshot of the screen as a PNG — to
# look at by eye (the Chinese UI, no tofu boxes). Not part of CI.
# Needs what scripts/wine-smoke.sh needs, plus xdotool and ImageMagick's `import`.
# Usage: scripts/wine-screenshot.sh path/to/nianbao.exe out.png [seconds to wait, default 60]
set -euo pipefail
exe="$(realpath "${1:?usage: $0 nianbao.exe out.png}")"
png="$(realpath -m "${2:?usage: $0 nianbao.exe out.png}")"
wait_s="${3:-60}"
export WINEPREFIX="${WINEPREFIX:-/var/tmp/nianbao-wine}" WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=" LC_ALL=C.UTF-8
[ -f "$WINEPREFIX/system.reg" ] && [ -e "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ] ||
  { echo "run scripts/wine-smoke.sh first (it prepares the wine prefix)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dir="$work/年报 界面"
mkdir -p "$dir"
cp "$exe" "$dir/nianbao.exe"
db="$(winepath -w "$dir")\\演示 数据.db"
wine "$dir/nianbao.exe" demo --db "$db" >/dev/null
# The wineserver of that run has no display; the app must start a new one under Xvfb,
# or its window goes nowhere ("no window").
wineserver -k || true
export EXE="$dir/nianbao.exe" DB="$db" PNG="$png" WAIT_S="$wait_s"
xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
  wine "$EXE" --db "$DB" & app=$!
  start=$(date +%s)
  until xdotool search --onlyvisible --name "年报" >/dev/null 2>&1; do
    [ $(($(date +%s) - start)) -lt "$WAIT_S" ] || { echo "no window after $WAIT_S s" >&2; kill $app; exit 1; }
    sleep 1
  done
  echo "window after $(($(date +%s) - start)) s"
  sleep 5   # let it draw a few frames
  import -window root "$PNG"
  kill $app; wait $app 2>/dev/null || true
'
wineserver -k || true
echo "saved $png"
