"""SHA-256, the hash of the audit log and of policies (through OpenSSL)."""

from __future__ import annotations

from typing import Union

from . import capi

__all__ = ["sha256"]


def sha256(data: Union[bytes, bytearray, memoryview]) -> bytes:
    """The 32-byte SHA-256 digest of ``data`` (any bytes-like object).
    ``sha256(b"abc").hex()`` is the hex form."""
    if isinstance(data, str):
        raise TypeError("sha256 takes bytes, not str: encode the text first")
    return capi.archase_sha256(data)
