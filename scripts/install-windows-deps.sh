#!/usr/bin/env bash
# What the Windows build and its wine smoke test need on a Debian machine: the Rust
# standard library for x86_64-pc-windows-gnu (rustup), the MinGW-w64 cross compiler and
# linker (gcc-mingw-w64-x86-64), and — only with `--wine` — Debian's 64-bit wine and
# Xvfb for the smoke test and the GUI screenshot. Installs only what is missing.
# Usage: scripts/install-windows-deps.sh [--wine]
set -euo pipefail
rustup target list --installed | grep -qx x86_64-pc-windows-gnu ||
  rustup target add x86_64-pc-windows-gnu
need=()
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
if [ "${1:-}" = "--wine" ]; then
  command -v wine >/dev/null || need+=(wine wine64)
  command -v xvfb-run >/dev/null || need+=(xvfb xauth)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  command -v unzip >/dev/null || need+=(unzip)
fi
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
