"""Text encoding of uploaded files: UTF-8, UTF-8 with BOM, or Windows-1256 (Persian Windows)."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

UTF8_BOM = b"\xef\xbb\xbf"
HEAD_BYTES = 256 * 1024


class EncodingError(ValueError):
    pass


def utf16_name(head: bytes) -> str | None:
    """'UTF-16 (little-endian)' etc. when the bytes are UTF-16 or UTF-32 text, else None.

    By the byte-order mark, or without one by the NUL bytes every other byte of ASCII text has
    in UTF-16 (a CSV with a stray NUL in a cell is not mistaken: it needs a third of the bytes)."""
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"), (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
                      (b"\xff\xfe", "UTF-16 (little-endian)"), (b"\xfe\xff", "UTF-16 (big-endian)")):
        if head.startswith(bom):
            return name
    sample = head[:4096]
    if len(sample) >= 16 and sample.count(0) > len(sample) // 3:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        return "UTF-16 (little-endian)" if odd > even else "UTF-16 (big-endian)"
    return None


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def detect_encoding(head: bytes) -> str:
    """Return a Python codec name: 'utf-8-sig', 'utf-8' or 'cp1256' (or charset-normalizer's guess).

    UTF-8 is tried strictly first (a head cut in the middle of a character is tolerated), since
    Windows-1256 bytes are almost never valid UTF-8 and charset-normalizer is slow on big heads.
    """
    if head.startswith(UTF8_BOM):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3 and error.reason == "unexpected end of data":
            return "utf-8"
    try:
        text = head.decode("cp1256")
        # Persian text in cp1256 decodes to Arabic-script letters; accept when most non-ASCII is.
        non_ascii = [c for c in text if ord(c) > 127]
        if not non_ascii or sum("\u0600" <= c <= "\u06ff" or c in "\u200c\u200f" for c in non_ascii) / len(non_ascii) > 0.6:
            return "cp1256"
    except UnicodeDecodeError:
        pass
    best = from_bytes(head[:65536]).best()
    if best is None:
        raise EncodingError("cannot tell the text encoding of the file")
    return best.encoding


def line_encoding(line: bytes) -> str:
    """A reader's name for the encoding one line's bytes are in (for the message about a file that
    mixes encodings): UTF-8, Windows-1256 (Persian Windows), else charset-normalizer's guess."""
    try:
        line.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = line.decode("cp1256")
        non_ascii = [c for c in text if ord(c) > 127]
        if non_ascii and sum("\u0600" <= c <= "\u06ff" or c in "\u200c\u200f" for c in non_ascii) / len(non_ascii) > 0.6:
            return "Windows-1256"
    except UnicodeDecodeError:
        pass
    best = from_bytes(line).best()
    return best.encoding if best is not None else "unknown"


def decode_head(head: bytes, encoding: str) -> str:
    return head.decode(encoding, errors="ignore")
