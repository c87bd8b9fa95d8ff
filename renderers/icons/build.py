"""Extract the AWS Architecture Icons the diagrams use from the ``diagrams`` wheel into data.py.

Run by a developer when the icon table (catalog.py) changes, never at run time:

    .venv/bin/python -m renderers.icons.build                 # downloads diagrams==VERSION with pip
    .venv/bin/python -m renderers.icons.build --wheel PATH    # or reads a wheel already on disk

Why a build step: awsscan must not depend on ``diagrams`` (34 MB of icons for every cloud)
at run time, and every SVG must stay self-contained, so the few icons needed are shrunk to
``SIZE`` x ``SIZE`` pixels and committed as base64 in ``data.py``. Only the standard library is
used (a small PNG decoder/encoder for 8-bit RGBA, area-averaged downscaling with
premultiplied alpha), so the output is the same bytes on every machine.
"""

from __future__ import annotations

import argparse
import base64
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

from renderers.icons.catalog import KIND_ICONS, PACKAGE, SOURCES, VARIANTS, VERSION

#: icon edge in pixels: drawn at 24-28 pt, so twice that stays sharp on high-density screens
SIZE = 48
OUT = Path(__file__).with_name("data.py")
_SIG = b"\x89PNG\r\n\x1a\n"


def decode_png(data: bytes) -> tuple[int, int, list[bytearray]]:
    """(width, height, rows of RGBA bytes) of an 8-bit RGBA or RGB, non-interlaced PNG."""
    if not data.startswith(_SIG):
        raise ValueError("not a PNG")
    pos, idat, width = 8, [], 0
    height = colour = 0
    while pos < len(data):
        length, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if tag == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
        elif tag == b"IDAT":
            idat.append(body)
        elif tag == b"IEND":
            break
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        prev = line
        if bpp == 3:
            rgba = bytearray()
            for x in range(width):
                rgba += line[x * 3:x * 3 + 3] + b"\xff"
            line = rgba
        rows.append(line)
    return width, height, rows


def downscale(width: int, height: int, rows: list[bytearray], size: int) -> list[bytearray]:
    """Area-average to ``size`` x ``size`` (premultiplied alpha: no dark fringes at the edges)."""
    out: list[bytearray] = []

    def spans(n: int) -> list[list[tuple[int, float]]]:
        scale = n / size
        result = []
        for o in range(size):
            lo, hi = o * scale, (o + 1) * scale
            cells = []
            for i in range(int(lo), min(n, int(hi) + 1)):
                w = min(hi, i + 1) - max(lo, i)
                if w > 1e-9:
                    cells.append((i, w))
            result.append(cells)
        return result

    xs, ys = spans(width), spans(height)
    for oy in range(size):
        line = bytearray()
        for ox in range(size):
            r = g = b = a = total = 0.0
            for sy, wy in ys[oy]:
                src = rows[sy]
                for sx, wx in xs[ox]:
                    w = wx * wy
                    alpha = src[sx * 4 + 3]
                    r += src[sx * 4] * alpha * w
                    g += src[sx * 4 + 1] * alpha * w
                    b += src[sx * 4 + 2] * alpha * w
                    a += alpha * w
                    total += w
            if a > 0:
                line += bytes((round(r / a), round(g / a), round(b / a), round(a / total)))
            else:
                line += b"\0\0\0\0"
        out.append(line)
    return out


def encode_png(size: int, rows: list[bytearray]) -> bytes:
    """A minimal RGBA PNG (filter "up" per row, maximum compression, no metadata)."""
    raw = bytearray()
    prev = bytearray(size * 4)
    for line in rows:
        raw.append(2)
        raw += bytes((line[i] - prev[i]) & 0xFF for i in range(len(line)))
        prev = line

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return _SIG + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def wheel_path(given: str | None) -> Path:
    if given:
        return Path(given)
    folder = Path(tempfile.mkdtemp(prefix="awsscan-icons-"))
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                    f"{PACKAGE}=={VERSION}", "-d", str(folder)], check=True)
    return next(folder.glob(f"{PACKAGE}-{VERSION}-*.whl"))


def used_keys() -> list[str]:
    keys = set(KIND_ICONS.values())
    for _, by_value in VARIANTS.values():
        keys.update(by_value.values())
    missing = keys - set(SOURCES)
    if missing:
        raise SystemExit(f"catalog.py names icons without a source: {sorted(missing)}")
    return sorted(keys)


def build(wheel: Path) -> str:
    """The text of data.py: key -> base64 PNG, sorted."""
    lines = [f'"""AWS Architecture Icons, shrunk to {SIZE}x{SIZE} PNG (generated by renderers/icons/build.py from',
             f'{PACKAGE}=={VERSION}; do not edit). Licence: see LICENSE-NOTE.md beside this file."""', "",
             f"SIZE = {SIZE}", "", "ICONS: dict[str, str] = {"]
    with zipfile.ZipFile(wheel) as z:
        for key in used_keys():
            w, h, rows = decode_png(z.read(SOURCES[key]))
            png = encode_png(SIZE, downscale(w, h, rows, SIZE))
            text = base64.b64encode(png).decode("ascii")
            lines.append(f'    "{key}": (')
            lines.extend(f'        "{text[i:i + 96]}"' for i in range(0, len(text), 96))
            lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--wheel", help=f"a {PACKAGE}-{VERSION} wheel on disk (default: pip download it)")
    parser.add_argument("--out", default=str(OUT), help="where to write the data module")
    args = parser.parse_args(argv)
    text = build(wheel_path(args.wheel))
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text) // 1024} KiB, {text.count(': (')} icons)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
