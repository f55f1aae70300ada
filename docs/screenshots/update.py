"""Retake the screenshots in this folder from the browser journeys, and shrink them.

    .venv/bin/python docs/screenshots/update.py

runs tests/browser/test_journeys.py with JavaScript (desktop width, every page shot at
phone width too), then copies the pages listed in SHOTS here as 256-colour PNGs: the
pages are flat colour and text, so they look the same at about 40 % of the size.
"""

import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHOTS = [
    "newcomer-02-sign-up",
    "newcomer-06-waitlisted",
    "newcomer-10-search",
    "newcomer-11-voted",
    "organizer-02-series",
    "organizer-03-talks",
    "organizer-04-agenda",
    "organizer-07-report-published",
]
COLOURS = 256


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB pixels of an 8-bit RGB or RGBA PNG."""
    data, pos, idat = path.read_bytes(), 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour_type in (2, 6), f"{path}: not 8-bit RGB(A)"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 3 if colour_type == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        start = y * (stride + 1)
        line = unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, bpp)
        rows.append(bytes(line) if bpp == 3 else bytes(b for i, b in enumerate(line) if i % 4 < 3))
        previous = line
    return width, height, rows


def unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> bytearray:
    """Undo one row's PNG filter (RFC 2083, section 6)."""
    for x in range(len(line)):
        left = line[x - bpp] if x >= bpp else 0
        up, up_left = previous[x], previous[x - bpp] if x >= bpp else 0
        if kind == 1:
            line[x] = (line[x] + left) & 255
        elif kind == 2:
            line[x] = (line[x] + up) & 255
        elif kind == 3:
            line[x] = (line[x] + ((left + up) >> 1)) & 255
        elif kind == 4:
            guess = left + up - up_left
            near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up))
            near = min(near, (abs(guess - up_left), 2, up_left))
            line[x] = (line[x] + near[2]) & 255
    return line


def palette_for(counts: dict[bytes, int]) -> list[bytes]:
    """Up to COLOURS colours: the commonest first, then any far from all of those."""
    by_use, chosen, spread = sorted(counts, key=counts.get, reverse=True), [], 64
    while len(chosen) < min(COLOURS, len(by_use)):
        for colour in by_use:
            if len(chosen) == COLOURS:
                break
            if colour not in chosen and all(distance(colour, c) > spread for c in chosen):
                chosen.append(colour)
        spread = spread * 3 // 4 if spread > 1 else -1
    return chosen


def distance(a: bytes, b: bytes) -> int:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2


def write_indexed_png(path: Path, width: int, height: int, rows: list[bytes]) -> None:
    """Save the rows as an 8-bit palette PNG, each pixel its nearest palette colour."""
    counts: dict[bytes, int] = {}
    for row in rows:
        for x in range(0, len(row), 3):
            counts[row[x : x + 3]] = counts.get(row[x : x + 3], 0) + 1
    palette = palette_for(counts)
    index = {c: min(range(len(palette)), key=lambda i: distance(c, palette[i])) for c in counts}
    pixels = b"".join(
        b"\0" + bytes(index[row[x : x + 3]] for x in range(0, len(row), 3)) for row in rows
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
        + chunk(b"PLTE", b"".join(palette))
        + chunk(b"IDAT", zlib.compress(pixels, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as taken:
        environment = {**os.environ, "CHAPTERHOUSE_SCREENSHOT_DIR": taken}
        journeys = [sys.executable, "-m", "pytest", "-q", "tests/browser/test_journeys.py"]
        only_javascript = ["-k", "not no-javascript"]
        subprocess.run(journeys + only_javascript, cwd=ROOT, env=environment, check=True)  # noqa: S603 - fixed command
        for name in (f"{shot}-{width}.png" for shot in SHOTS for width in ("desktop", "phone")):
            write_indexed_png(HERE / name, *read_png(Path(taken) / name))
            print(name)


if __name__ == "__main__":
    main()
