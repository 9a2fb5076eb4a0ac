"""Store-less Merkle trees (RFC 6962 / 9162), the audit log's hashing.

An engine's own log is verified and proved with :meth:`archase.Engine.audit_verify`,
:meth:`~archase.Engine.audit_prove_inclusion` and friends; these functions
work on hashes a verifier holds, without an engine.
"""

from __future__ import annotations

from typing import Sequence

from . import capi
from .errors import VerificationError

__all__ = ["merkle_leaf_hash", "merkle_node_hash", "merkle_root", "merkle_prove_inclusion",
           "merkle_prove_consistency", "merkle_verify_inclusion", "merkle_verify_consistency"]


def _leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    data = b"".join(bytes(h) for h in leaf_hashes)
    if any(len(h) != 32 for h in leaf_hashes):
        raise ValueError("every leaf hash is 32 bytes")
    return data


def merkle_leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf."""
    return capi.archase_merkle_leaf_hash(data)


def merkle_node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return capi.archase_bind_merkle_node(bytes(left) + bytes(right))


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root of the tree of these leaf hashes (SHA-256 of "" when empty)."""
    return capi.archase_bind_merkle_root(_leaves(leaf_hashes))


def merkle_prove_inclusion(leaf_hashes: Sequence[bytes], index: int) -> bytes:
    """The inclusion proof of leaf ``index`` (concatenated 32-byte nodes)."""
    data = _leaves(leaf_hashes)
    return bytes.fromhex(capi.archase_bind_merkle_prove(data, 0, index, len(leaf_hashes)))


def merkle_prove_consistency(leaf_hashes: Sequence[bytes], size1: int) -> bytes:
    """The proof that the first ``size1`` leaves are a prefix of all of them."""
    data = _leaves(leaf_hashes)
    return bytes.fromhex(capi.archase_bind_merkle_prove(data, 1, size1, len(leaf_hashes)))


def _verify(proof: bytes, consistency: int, a: int, b: int, h1: bytes, h2: bytes) -> bool:
    try:
        capi.archase_bind_merkle_verify(bytes(proof), consistency, a, b, bytes(h1).hex(),
                                        bytes(h2).hex())
    except VerificationError:
        return False
    return True


def merkle_verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: bytes,
                            root: bytes) -> bool:
    """Whether ``proof`` shows leaf ``index`` of a tree of ``size`` leaves
    with this ``root`` is ``leaf_hash``."""
    return _verify(proof, 0, index, size, leaf_hash, root)


def merkle_verify_consistency(size1: int, size2: int, proof: bytes, root1: bytes,
                              root2: bytes) -> bool:
    """Whether the tree (size2, root2) extends the tree (size1, root1)."""
    return _verify(proof, 1, size1, size2, root1, root2)
