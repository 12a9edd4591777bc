"""A minimal HWP 5.0 file written from scratch for the tests.

HWP 5.0 is an OLE compound file (MS-CFB); olefile can read but not create one, so this
writes a version-3 compound file by hand: one FAT sector, one directory sector, and
streams padded to at least 4096 bytes so that none lives in the mini stream.
Entries: Root > FileHeader, Root > BodyText > Section0.
"""

from __future__ import annotations

import struct
import zlib

SECTOR = 512
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _record(tag: int, payload: bytes, level: int = 0) -> bytes:
    if len(payload) >= 0xFFF:
        return struct.pack("<II", tag | (level << 10) | (0xFFF << 20), len(payload)) + payload
    return struct.pack("<I", tag | (level << 10) | (len(payload) << 20)) + payload


def section_stream(paragraphs: list[str]) -> bytes:
    out = b""
    for text in paragraphs:
        out += _record(66, b"\x00" * 22)  # PARA_HEADER
        out += _record(67, text.encode("utf-16-le") + struct.pack("<H", 13), level=1)  # PARA_TEXT
    return out


def _entry(name: str, kind: int, left=NOSTREAM, right=NOSTREAM, child=NOSTREAM, start=ENDOFCHAIN, size=0) -> bytes:
    raw = (name.encode("utf-16-le") + b"\x00\x00") if name else b""
    e = raw.ljust(64, b"\x00") + struct.pack("<HBB3I", len(raw), kind, 1, left, right, child)
    e += b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<IQ", start, size)
    assert len(e) == 128
    return e


def make_hwp(paragraphs: list[str], compressed: bool = True, flags: int = 0) -> bytes:
    header = b"HWP Document File".ljust(32, b"\x00") + struct.pack("<II", 0x05000300, flags | int(compressed))
    header = header.ljust(4096, b"\x00")
    body = section_stream(paragraphs)
    if compressed:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = c.compress(body) + c.flush()
    body_padded = body.ljust(max(4096, -(-len(body) // SECTOR) * SECTOR), b"\x00")
    # Streams under 4096 bytes would live in the mini stream: declare the padded size
    # instead (zeros after the deflate end, or empty tag-0 records, are ignored by readers).
    size_body = max(len(body), 4096)

    streams = [header, body_padded]
    fat: list[int] = [FATSECT, ENDOFCHAIN]  # sector 0: FAT, sector 1: directory
    starts = []
    for data in streams:
        n = len(data) // SECTOR
        start = len(fat)
        starts.append(start)
        fat.extend(range(start + 1, start + n))
        fat.append(ENDOFCHAIN)
    assert len(fat) <= SECTOR // 4, "one FAT sector only"
    fat += [FREESECT] * (SECTOR // 4 - len(fat))

    directory = b"".join(
        [
            _entry("Root Entry", 5, child=1),
            _entry("FileHeader", 2, left=2, start=starts[0], size=len(header)),
            _entry("BodyText", 1, child=3),
            _entry("Section0", 2, start=starts[1], size=size_body),
        ]
    )
    hdr = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16
    hdr += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
    hdr += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    hdr += struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108
    assert len(hdr) == SECTOR
    return hdr + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + b"".join(streams)
