#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Draws the dashboard's icons (anti-aliased discs and rings) as PNGs with the standard library
# only, so they can be regenerated anywhere: python3 make-icons.py
import math
import struct
import zlib


def png(path, size, pixel):
    rows = b''
    for y in range(size):
        rows += b'\0' + b''.join(bytes(pixel(x + 0.5, y + 0.5)) for x in range(size))
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 6, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b''))


def coverage(d, edge):
    return max(0.0, min(1.0, edge - d + 0.5))


def disc(colour, ring=None, size=32):
    c = size / 2
    r = size / 2 - 2
    def pixel(x, y):
        d = math.hypot(x - c, y - c)
        a = coverage(d, r)
        rgb = colour
        if ring is not None and d < r * 0.55:
            k = coverage(d, r * 0.45)
            rgb = tuple(int(ring[i] * k + colour[i] * (1 - k)) for i in range(3))
        return (*rgb, int(255 * a))
    return size, pixel


ICONS = {
    'lock-held.png': disc((0x2e, 0x9e, 0x44)),
    'lock-free.png': disc((0x9e, 0x9e, 0x9e)),
    'lock-delay.png': disc((0xe6, 0x9a, 0x00)),
    'unknown.png': disc((0xc6, 0x28, 0x28)),
    'stale.png': disc((0xc6, 0x28, 0x28), ring=(0xff, 0xff, 0xff)),
    'jobslib-dashboard.png': disc((0x1e, 0x5a, 0xa8), ring=(0xff, 0xff, 0xff), size=128),
}

if __name__ == '__main__':
    for name, (size, pixel) in ICONS.items():
        png(name, size, pixel)
