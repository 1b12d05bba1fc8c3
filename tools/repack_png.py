"""Re-encode 8-bit RGB PNGs losslessly, smaller: no filter, zlib level 9, in place.

Chromium's screenshots (make_icons.sh) are filtered for speed, not size; for
the flat-coloured icons no filter and the strongest zlib level are a quarter
smaller, and the 192 px icon is fetched on every first visit (the manifest).
The pixels are decoded again and compared before a file is replaced.

Usage: python3 tools/repack_png.py FILE.png [...]
"""
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks(data):
    i = len(SIGNATURE)
    while i < len(data):
        (n,) = struct.unpack(">I", data[i:i + 4])
        yield data[i + 4:i + 8], data[i + 8:i + 8 + n]
        i += 12 + n


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def decode(data):
    """(width, height, rows of RGB bytes) of an 8-bit RGB, non-interlaced PNG."""
    idat = b""
    for kind, body in chunks(data):
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    if (depth, colour, interlace) != (8, 2, 0):
        raise SystemExit(f"only 8-bit RGB, non-interlaced PNGs (got depth {depth}, colour type {colour})")
    raw, stride, rows, prev, i = zlib.decompress(idat), w * 3, [], bytearray(w * 3), 0
    for _ in range(h):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - 3] if x >= 3 else 0
            b, c = prev[x], (prev[x - 3] if x >= 3 else 0)
            line[x] = (line[x] + (0, a, b, (a + b) // 2, paeth(a, b, c))[kind]) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def encode(w, h, rows):
    body = zlib.compress(b"".join(b"\0" + r for r in rows), 9)
    return (SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


for path in sys.argv[1:]:
    before = open(path, "rb").read()
    image = decode(before)
    after = encode(*image)
    if decode(after) != image:
        raise SystemExit(f"{path}: re-encoding changed the pixels")
    if len(after) < len(before):
        open(path, "wb").write(after)
    print(f"{path}: {len(before)} -> {min(len(before), len(after))} bytes")
