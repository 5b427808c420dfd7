"""Text from files and metadata printed to a terminal: control characters shown, never obeyed.

A title, outlet or file name can carry escape sequences (ESC [ ... clears the screen or recolours
it), a carriage return or newline (a fake "Added 999 articles." line), or bidirectional overrides
that reorder what the reader sees. The CLI prints every such value through `printable`.
"""
from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text) -> str:
    """text with every control, line-break and direction character written as its escape (\\x1b, \\n)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


_JSON_RAW = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_printable(text: str) -> str:
    """json.dumps(..., ensure_ascii=False) output with the control characters it leaves raw (C1, line
    and direction marks; C0 it escapes itself) as JSON escapes: still valid JSON, the same data."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
