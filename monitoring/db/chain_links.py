"""The links of the history chain: how a run of rows is packed and hashed into one link.

A link holds the rows one change wrote to one table (or report part), in id order: their
ids as 8-byte little-endian integers and their content hashes as 32 bytes each, and
``link_hash = SHA-256(previous link hash, seq, table, part, row count, ids, hashes)``.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

GENESIS = "0" * 64
"""The "previous hash" of a chain's first link."""
ROW = "row"
"""The part of a row hashed when it is written (every column but the mutable ones)."""


def pack_ids(ids: Sequence[int | None]) -> bytes:
    """Row ids as 8-byte little-endian integers (the trial row, whose id is text, as 0)."""
    return struct.pack(f"<{len(ids)}q", *(0 if i is None else i for i in ids))


def unpack_ids(blob: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(blob) // 8}q", blob))


def pack_hashes(hashes: Sequence[str]) -> bytes:
    """Content hashes (hex) as 32 bytes each."""
    return bytes.fromhex("".join(hashes))


def unpack_hashes(blob: bytes) -> list[str]:
    return [blob[i : i + 32].hex() for i in range(0, len(blob), 32)]


def link_hash(
    previous: str, seq: int, table: str, part: str, rows: int, ids: bytes, hashes: bytes
) -> str:
    """The hash of one link: the previous link's hash, what the link names, and the ids and
    content hashes of its rows."""
    head = f"{previous}\n{seq}\n{len(table)}:{table}\n{part}\n{rows}\n".encode()
    return hashlib.sha256(head + ids + hashes).hexdigest()


@dataclass(frozen=True)
class Pending:
    """A link to be written: which row and part, and its content hash."""

    table: str
    row_id: int | None
    part: str
    content_hash: str


@dataclass(frozen=True)
class ChainHead:
    """The chain's length (links) and the hash of its last link (``GENESIS`` when empty)."""

    length: int
    hash: str


def links(head: ChainHead, pending: Sequence[Pending], trial_id: str) -> list[dict[str, object]]:
    """The rows of ``history_chain`` that append ``pending`` after ``head``: one link per
    run of pending rows of the same table and part."""
    out: list[dict[str, object]] = []
    previous, seq = head.hash, head.length
    for (table, part), group in groupby(pending, key=lambda p: (p.table, p.part)):
        items = list(group)
        seq += 1
        ids = pack_ids([p.row_id for p in items])
        hashes = pack_hashes([p.content_hash for p in items])
        previous = link_hash(previous, seq, table, part, len(items), ids, hashes)
        out.append(
            {
                "trial_id": trial_id,
                "seq": seq,
                "table_name": table,
                "part": part,
                "rows": len(items),
                "last_row_id": max(p.row_id or 0 for p in items),
                "row_ids": ids,
                "row_hashes": hashes,
                "link_hash": previous,
            }
        )
    return out
