#!/usr/bin/env bash
# Reproduces the bundled fonts in assets/fonts/ (documentation: the build never runs this).
#
# Needs Debian's fonts-noto-cjk and fonts-lxgw-wenkai and fonttools (`pip install fonttools`).
# Each face is cut down to: ASCII + Latin-1, general punctuation, CJK symbols and
# punctuation, full-width forms, GB 2312's characters, and the 8105 characters of the
# 通用规范汉字表 (2013, scripts/tongyong-8105.txt — includes rare name characters such as
# 璟 喆 堃). Only the `vert` layout feature is kept; layout does its own positioning.
# Outlines are desubroutinized and unhinted: a PDF subset that keeps the face's subroutines
# and hints (printpdf's did) put ~180 KB of Noto Serif into the work summary (~700
# glyphs); without them ~130 KB (the `subsetter` the export now uses desubroutinizes, and
# an unhinted face is less for it to rewrite). The bundled faces get smaller too (3.3 → 2.9 MB and
# 2.4 → 2.1 MB), and egui's rasterizer ignores hints anyway.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../assets/fonts"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

python3 - "$here/tongyong-8105.txt" "$tmp/unicodes.txt" <<'PY'
import sys
chars = set(open(sys.argv[1], encoding="utf-8").read().replace("\n", ""))
for b1 in range(0xA1, 0xF8):          # GB 2312: symbols (rows 1-9) and hanzi (16-87)
    for b2 in range(0xA1, 0xFF):
        try:
            chars.add(bytes([b1, b2]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
open(sys.argv[2], "w").write("\n".join("U+%04X" % ord(c) for c in sorted(chars)))
PY

ranges="U+0020-007E,U+00A0-00FF,U+2000-206F,U+2460-24FF,U+3000-303F,U+FF00-FFEF"
subset() { # source face-index output
  pyftsubset "$1" --font-number="$2" --unicodes-file="$tmp/unicodes.txt" --unicodes="$ranges" \
    --layout-features=vert --name-IDs='*' --notdef-outline --desubroutinize --no-hinting \
    --output-file="$out/$3"
}
subset /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc 2 NotoSerifCJKsc-Regular.subset.otf
subset /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc 2 NotoSansCJKsc-Regular.subset.otf
subset /usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf 0 NianbaoKai-Regular.subset.ttf
# LXGW WenKai reserves the font names "霞鹜" and "LXGW" (OFL-1.1 §3): a subset is a Modified
# Version, so it is renamed. Noto CJK has no Reserved Font Name.
python3 - "$out/NianbaoKai-Regular.subset.ttf" <<'PY'
import sys
from fontTools.ttLib import TTFont
f = TTFont(sys.argv[1])
for rec in f["name"].names:
    if rec.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
        new = "NianbaoKai-Regular" if rec.nameID in (3, 6) else (
            "Regular" if rec.nameID in (17, 22) else "Nianbao Kai")
        rec.string = new
f.save(sys.argv[1])
PY
ls -l "$out"
