#!/usr/bin/env bash
# Builds the portable Windows program on this Linux machine: one nianbao.exe with the
# fonts, templates, icon and version information inside, cross-compiled for
# x86_64-pc-windows-gnu with MinGW-w64 (installed by scripts/install-windows-deps.sh).
# The C runtime and libgcc are linked statically (.cargo/config.toml); the script fails
# if the exe would need any DLL that is not part of Windows.
#
# Usage: scripts/build-windows.sh [--dev] [OUT_DIR]
#   --dev    the dev profile (dependencies at opt-level 2; what CI's wine smoke test runs)
#            instead of release
#   OUT_DIR  where nianbao.exe is copied (stripped), default dist/windows
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
if [ "${1:-}" = "--dev" ]; then
  profile=dev
  shift
fi
out="${1:-dist/windows}"
target=x86_64-pc-windows-gnu
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

scripts/install-windows-deps.sh

start=$(date +%s)
nice -n 10 cargo build --locked --target "$target" --profile "$profile" --bin nianbao
dir=$([ "$profile" = dev ] && echo debug || echo release)
built="$CARGO_TARGET_DIR/$target/$dir/nianbao.exe"
mkdir -p "$out"
x86_64-w64-mingw32-strip -o "$out/nianbao.exe" "$built"
echo "built in $(($(date +%s) - start)) s: $out/nianbao.exe ($(stat -c %s "$out/nianbao.exe") bytes, $profile)"

# DLLs the exe imports: every one must come with Windows. MinGW's own (libgcc_s_seh-1,
# libwinpthread-1, libstdc++-6) or anything else unknown means it would not run alone.
# (ncrypt: Windows' CNG key store, System32 since Vista; schannel, through which the
# server connection reads the system's root certificates, imports it.)
dlls=$(x86_64-w64-mingw32-objdump -p "$out/nianbao.exe" | awk '/DLL Name:/ { print $3 }' | sort -fu)
echo "imports: $(echo "$dlls" | tr '\n' ' ')"
system='^(advapi32|bcrypt|bcryptprimitives|combase|comctl32|comdlg32|crypt32|dwmapi|gdi32|imm32|kernel32|msvcrt|ncrypt|ntdll|ole32|oleaut32|opengl32|propsys|rpcrt4|secur32|setupapi|shell32|shlwapi|uiautomationcore|user32|userenv|uxtheme|version|winmm|ws2_32|api-ms-win-[a-z0-9-]+)\.dll$'
foreign=$(echo "$dlls" | grep -viE "$system" || true)
if [ -n "$foreign" ]; then
  echo "FAIL: nianbao.exe needs DLLs that Windows does not have: $foreign" >&2
  exit 1
fi
