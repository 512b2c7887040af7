"""Uploaded result files: only PDF, JPEG and PNG, recognised by their first bytes, not their name."""

from __future__ import annotations

from typing import IO

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
)
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
EXTENSIONS = {".pdf": "pdf", ".png": "png", ".jpg": "jpg", ".jpeg": "jpg"}
HEAD_BYTES = 16


def kind_of(head: bytes) -> str | None:
    """'pdf', 'png' or 'jpg' when the bytes start like one of those files, else None."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def sniff(handle: IO[bytes]) -> str | None:
    """The kind of an open file from its first bytes; the position is put back at the start."""
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    return kind_of(head)


def extension_kind(filename: str) -> str | None:
    dot = filename.rfind(".")
    return EXTENSIONS.get(filename[dot:].lower()) if dot >= 0 else None
