#!/usr/bin/env bash
# System packages the tests and CI use: poppler-utils and qpdf (PDF checks), LibreOffice
# Writer with CJK fonts (the DOCX → PDF comparison: `#[ignore]`d tests that `.ci/run` runs
# with `-- --ignored`, failing when a tool is absent), and PostgreSQL (the store tests'
# second engine, started by scripts/start-test-pg.sh, with openssl for its certificates). Installs only what is missing;
# `--postgresql` looks at PostgreSQL alone.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# the test cluster's throw-away CA and certificate
command -v openssl >/dev/null || need+=(openssl)
if [ "${1:-}" != "--postgresql" ]; then
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  command -v qpdf >/dev/null || need+=(qpdf)
  command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
  # Calc: collection workbooks re-saved as a division contact's LibreOffice would (tests/sheet.rs)
  [ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)
  fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || need+=(fonts-noto-cjk)
fi
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
