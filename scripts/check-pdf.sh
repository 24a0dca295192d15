#!/usr/bin/env bash
# Checks a PDF the way a person would before sending it out (for CI and by hand):
# every font embedded and subset with a ToUnicode map (pdffonts), the file structure
# sound (qpdf --check), and the text extractable (pdftotext).
# Needs Debian's poppler-utils and qpdf. Usage: scripts/check-pdf.sh report.pdf [expected-text-file]
set -euo pipefail
pdf="${1:?usage: $0 file.pdf [expected.txt]}"
fail=0

fonts="$(pdffonts "$pdf")"
echo "$fonts"
# rows after the two header lines: columns emb, sub, uni are "yes"
if echo "$fonts" | tail -n +3 | awk '{ n = NF; if ($(n-4) != "yes" || $(n-3) != "yes" || $(n-2) != "yes") bad = 1 } END { exit bad }'; then
  echo "fonts: all embedded, subset, with ToUnicode"
else
  echo "FAIL: a font is not embedded, not subset or has no ToUnicode map" >&2
  fail=1
fi

if qpdf --check "$pdf" >/tmp/check-pdf.$$ 2>&1; then
  tail -n 2 /tmp/check-pdf.$$
else
  cat /tmp/check-pdf.$$ >&2
  echo "FAIL: qpdf --check" >&2
  fail=1
fi
rm -f /tmp/check-pdf.$$

text="$(pdftotext -enc UTF-8 "$pdf" -)"
chars="$(printf '%s' "$text" | tr -d '[:space:]' | wc -m)"
echo "pdftotext: $chars characters"
if [ "$chars" -eq 0 ]; then
  echo "FAIL: no extractable text" >&2
  fail=1
fi
if [ -n "${2:-}" ]; then
  want="$(tr -d '[:space:]' < "$2")"
  got="$(printf '%s' "$text" | tr -d '[:space:]' | sed 's/—[0-9]*—//g')"
  if [ "$got" = "$want" ]; then echo "text: matches $2"; else echo "FAIL: text differs from $2" >&2; fail=1; fi
fi
exit "$fail"
