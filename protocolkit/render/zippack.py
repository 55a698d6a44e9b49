"""A .docx package written in one pass, with the parts that never change compressed once per process.

Hand-written rather than `zipfile`, because zipfile can only be handed uncompressed data: the styles, theme,
settings and the rest of a template are the same in every document, and compressing them again for each of
10,000 documents was a third of a build's time. The format written is the plain subset every reader takes:
deflate, no data descriptors, no zip64 (a package is refused long before 4 GB), ASCII names, one fixed time
(1980-01-01 00:00) on every entry so two builds of one input are byte-identical. It is checked by reading every
written package back with `zipfile` (tests) and by Word and LibreOffice opening them.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

# Deflate levels. The parts that change with each document (the main part, header, footer, properties) are
# compressed at level 1: measured on the shipped examples, the writer takes 6.1 ms a document against 8.5 ms at
# level 6, for packages 11 to 14% larger (Northgate's protocol 49 KB rather than 43 KB, its DSA 32 KB rather
# than 28 KB). The parts that never change are compressed once per process, so they get level 9 for nothing.
LEVEL = 1
STATIC_LEVEL = 9
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00
_VERSION = 20  # "2.0": deflate


@dataclass(frozen=True)
class Member:
    """One compressed part, ready to be written into any number of packages."""

    name: str
    crc: int
    size: int
    data: bytes


def member(name: str, raw: bytes, level: int = LEVEL) -> Member:
    """Compress one part."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Member(name, zlib.crc32(raw), len(raw), packer.compress(raw) + packer.flush())


def package(members: list[Member]) -> bytes:
    """The zip holding the members in the order given."""
    out: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for m in members:
        name = m.name.encode("ascii")
        local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", _VERSION, 0, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE,
                            m.crc, len(m.data), m.size, len(name), 0)
        directory.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", _VERSION, 0, _VERSION, 0, 0, zlib.DEFLATED,
                                     _DOS_TIME, _DOS_DATE, m.crc, len(m.data), m.size, len(name), 0, 0, 0, 0, 0,
                                     offset) + name)
        out += (local, name, m.data)
        offset += len(local) + len(name) + len(m.data)
    central = b"".join(directory)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), offset, 0)
    return b"".join(out) + central + end


def repack(data: bytes) -> bytes:
    """A zip's parts written again in this module's form: [Content_Types].xml first, the rest by name, each at
    STATIC_LEVEL (what it writes is a file kept, such as the shipped template, not a document written per build)."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        ordered = [n for n in names if n == "[Content_Types].xml"] + sorted(n for n in names if n != "[Content_Types].xml")
        return package([member(n, zf.read(n), STATIC_LEVEL) for n in ordered])
