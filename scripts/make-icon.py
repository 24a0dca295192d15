#!/usr/bin/env python3
"""Draws the application icon, assets/icon/nianbao.ico (documentation: the build never runs this;
build.rs embeds the committed .ico in the Windows exe).

A white 年 on a rounded red square (#C8161D, the red of official document headers), set in
the bundled Noto Sans CJK SC and thickened with a stroke so it stays legible at 16 px.
Each size is drawn at 8x and scaled down on its own, not shrunk from the 256 px image.
Needs Pillow (`pip install pillow`). Usage: scripts/make-icon.py
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "assets/fonts/NotoSansCJKsc-Regular.subset.otf"
OUT = ROOT / "assets/icon/nianbao.ico"
RED = (200, 22, 29, 255)
WHITE = (255, 255, 255, 255)
SIZES = [256, 128, 64, 48, 32, 24, 16]


def draw(size: int) -> Image.Image:
    s = size * 8
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([0, 0, s - 1, s - 1], radius=s * 0.18, fill=RED)
    # small sizes get a larger, bolder glyph: detail is lost there anyway
    scale, stroke = (0.78, 0.035) if size <= 32 else (0.70, 0.02)
    font = ImageFont.truetype(str(FONT), int(s * scale))
    d.text((s / 2, s / 2), "年", font=font, fill=WHITE, anchor="mm",
           stroke_width=max(1, int(s * stroke)), stroke_fill=WHITE)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    images = [draw(n) for n in SIZES]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(OUT, format="ICO", sizes=[(n, n) for n in SIZES], append_images=images[1:])
    images[0].save(OUT.with_suffix(".png"))
    print(f"{OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
