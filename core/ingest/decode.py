"""Bytes of an input file -> text, or a clear refusal (empty, binary, unknown encoding).

Users save articles from browsers, word processors and old Windows tools, so the same story
arrives as UTF-8, UTF-8 with a BOM, UTF-16 with a BOM, Windows-1252 (curly quotes and dashes in
bytes 0x80-0x9F) or Latin-1 (and UTF-16 without a BOM, recognised by its NUL bytes). Latin-1 never uses 0x80-0x9F for text (they are control codes
there), so decoding single-byte Western text as Windows-1252 is right for both. Text where most
bytes are high (Chinese, Cyrillic, ...) is handed to charset-normalizer, which is reliable on
such text and unreliable on short Western text. Binary files renamed .txt (PDF, images,
archives, Word documents) are recognised by their magic numbers or NUL bytes and refused with
a message that says what the file looks like.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from core.errors import InputError

CONVERT = "convert it to .txt or .html first"

# Leading bytes of common binary formats, and what to call them in a message.
MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive or Office document (.docx, .xlsx, .epub)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc, .xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"ID3", "an MP3 audio file"),
    (b"\x00\x00\x01\x00", "an icon image"),
)
# RIFF containers carry their type at offset 8.
RIFF = {b"WEBP": "a WEBP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
UTF16_NUL_SHARE = 0.5  # share of NUL bytes at odd (LE) or even (BE) offsets in BOM-less UTF-16
MULTIBYTE_SHARE = 0.2  # above this share of bytes >= 0x80, the text is not Western single-byte
MAX_CONTROL_SHARE = 0.02  # decoded text with more control characters than this is binary
_HIGH_BYTES = bytes(range(0x80, 0x100))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_NEWLINES = re.compile(r"\r\n?|[\x0c\x85\u2028\u2029]")


def binary_kind(data: bytes) -> str | None:
    """What a binary file looks like ('a PDF document'), or None for plausible text."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] in RIFF:
        return RIFF[data[8:12]]
    if data[4:8] == b"ftyp":
        return "a video or HEIC image"
    return None


def detect_encoding(data: bytes, declared: str | None = None) -> str:
    """The codec to decode data with: its BOM, UTF-8, the charset the file declares (an HTML
    page's meta charset), Windows-1252/Latin-1, or charset-normalizer's guess."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return codec
    if len(data) >= 4:  # UTF-16 without a BOM: mostly-Latin text has a NUL in every other byte
        even, odd = data[0::2].count(0) / (len(data) / 2), data[1::2].count(0) / (len(data) / 2)
        if min(even, odd) < 0.05 and max(even, odd) > UTF16_NUL_SHARE:
            return "utf-16-le" if odd > even else "utf-16-be"
    for codec in ("utf-8", declared):
        if codec:
            try:
                data.decode(codec)
                return codec
            except (UnicodeError, LookupError):  # a page may declare any name: 'undefined' always fails
                pass
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if high > MULTIBYTE_SHARE * len(data):
        best = from_bytes(data).best()
        if best is not None:
            return best.encoding
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def decode_bytes(data: bytes, source: str, declared: str | None = None) -> str:
    """Decoded, newline-normalised text of a file's bytes; InputError when it is not text.

    source: the file name used in messages; declared: a charset the file itself names.
    """
    if not data:
        raise InputError(source, "the file is empty (0 bytes): nothing to ingest")
    kind = binary_kind(data)
    if kind:
        raise InputError(source, f"looks like {kind}, not text: {CONVERT}")
    encoding = detect_encoding(data, declared)
    if b"\x00" in data and not encoding.startswith(("utf-16", "utf-32")):
        raise InputError(source, f"looks like a binary file (it contains NUL bytes), not text: {CONVERT}")
    try:
        text = data.decode(encoding)
    except (UnicodeError, LookupError):
        raise InputError(source, f"cannot be decoded as text (tried {encoding}): save it as UTF-8") from None
    text = _NEWLINES.sub("\n", text).lstrip("\ufeff")
    controls = len(_CONTROL.findall(text))
    if controls > max(3, MAX_CONTROL_SHARE * len(text)):
        raise InputError(source, f"looks like a binary file (it is mostly control characters), not text: {CONVERT}")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


def require_text(text: str, source: str) -> str:
    """Refuse text with nothing to analyse (only whitespace, or invisible characters)."""
    if not text.strip() or not any(ch.isalnum() for ch in text):
        if text.strip():
            raise InputError(source, "the file has no letters or digits (only punctuation or symbols): nothing to ingest")
        raise InputError(source, "the file contains only whitespace: nothing to ingest")
    return text
