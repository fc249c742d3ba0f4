"""One check for "go back to" URLs (``next=``, ``back=``), shared by the plugin, the demo host
and the sandbox: a plain path on this site, and nothing a browser would read differently.

Browsers drop tabs and line breaks from URLs and read a backslash as a slash, so
``/%09/attacker.example`` or ``/\\attacker.example`` would become ``//attacker.example`` — another
host. Such targets are refused before parsing, not repaired.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2048


def is_safe_path(target) -> bool:
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return False
    if any(ord(c) < 0x20 or ord(c) == 0x7f or c.isspace() or c == "\\" for c in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target, default: str) -> str:
    return target if is_safe_path(target) else default
