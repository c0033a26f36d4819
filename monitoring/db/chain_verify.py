"""Recompute a trial's history chain and name the first broken link (``audit verify``).

Every link's hash is recomputed from its predecessor; every linked row's content is read
and hashed again; every history row must be linked exactly once, in id order; a report's
sent and signed-off fields must match their latest link; each superseded row version must
end exactly when its successor starts (the current one never); and each report's recorded
chain head must be a head the chain had before the report. What the chain cannot show: a
history rewritten and re-chained as a whole, which is why reports (and the files sent out)
carry the head — compare it with ``audit verify``'s list of heads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa

from monitoring.data_dictionary import TABLES
from monitoring.db.chain import CHAINED, PARTS, Chained, empty_part_hash, part_hash, row_hashes
from monitoring.db.chain_content import raw
from monitoring.db.chain_links import GENESIS, ROW, link_hash, unpack_hashes, unpack_ids
from monitoring.db.schema import DATA_TABLES, history_chain, reports, trials


class BreakKind(Enum):
    """What a broken link shows."""

    LINK_CHANGED = "link changed"
    LINK_MISSING = "link missing"
    CONTENT_CHANGED = "content changed"
    ROW_MISSING = "row missing"
    ROW_INSERTED = "row inserted"
    ORDER = "order"
    VERSION_END = "version end"
    HEAD_UNKNOWN = "head unknown"


@dataclass(frozen=True)
class ChainBreak:
    """One place where the history differs from its chain."""

    seq: int
    """The link concerned (for an inserted row: the link it would precede)."""
    table: str
    row_id: int | None
    kind: BreakKind
    detail: str

    @property
    def line(self) -> str:
        row = f" row {self.row_id}" if self.row_id is not None else ""
        return f"link {self.seq}: {self.table}{row}: {self.kind.value}: {self.detail}"


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int


@dataclass(frozen=True)
class ChainVerification:
    """The result of recomputing one trial's chain; ``ok`` when nothing differs."""

    trial_id: str
    links: int
    linked: int
    """Rows (and report parts) the links name."""
    head: str
    """The recomputed head (the stored one when the links are intact)."""
    rows: tuple[TableCount, ...]
    breaks: tuple[ChainBreak, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None


@dataclass(frozen=True)
class _Link:
    """One linked row (or report part): the link (``seq``) that holds it and its hash."""

    seq: int
    table: str
    row_id: int | None
    part: str
    content_hash: str


@dataclass(frozen=True)
class _Stored:
    """One stored link: what it names, its rows' ids and content hashes, its hash."""

    seq: int
    table: str
    part: str
    rows: int
    row_ids: bytes
    row_hashes: bytes
    link_hash: str

    def items(self) -> list[_Link]:
        ids: list[int | None] = list(unpack_ids(self.row_ids))
        if self.table == "trials":
            ids = [None] * len(ids)
        hashes = unpack_hashes(self.row_hashes)
        if len(ids) != len(hashes):
            return []  # the link's hash no longer matches: reported by ``_walk``
        pairs = zip(ids, hashes, strict=True)
        return [_Link(self.seq, self.table, i, self.part, h) for i, h in pairs]


def _read_links(conn: sa.Connection, trial_id: str) -> list[_Stored]:
    c = history_chain.c
    query = (
        sa.select(c.seq, c.table_name, c.part, c.rows, c.row_ids, c.row_hashes, c.link_hash)
        .where(c.trial_id == trial_id)
        .order_by(c.seq)
    )
    return [
        _Stored(int(r[0]), str(r[1]), str(r[2]), int(r[3]), bytes(r[4]), bytes(r[5]), str(r[6]))
        for r in conn.execute(query)
    ]


def _walk(links: Sequence[_Stored]) -> Iterator[tuple[ChainBreak | None, str]]:
    """Each link's break (if any) and the recomputed hash after it."""
    previous = GENESIS
    for position, link in enumerate(links, start=1):
        problem = None
        if link.seq != position:
            problem = ChainBreak(
                link.seq,
                link.table,
                None,
                BreakKind.LINK_MISSING,
                f"link {link.seq} is at position {position}: links are missing or out of order",
            )
        expected = link_hash(
            previous, link.seq, link.table, link.part, link.rows, link.row_ids, link.row_hashes
        )
        sizes = (len(link.row_ids), len(link.row_hashes)) == (8 * link.rows, 32 * link.rows)
        if problem is None and (expected != link.link_hash or not sizes):
            problem = ChainBreak(
                link.seq,
                link.table,
                None,
                BreakKind.LINK_CHANGED,
                f"stored link hash {link.link_hash[:12]} differs from the recomputed "
                f"{expected[:12]}",
            )
        # Later links are checked against the stored hash: one edit is one break.
        previous = link.link_hash
        yield problem, expected


def _trial_filter(table: sa.Table, trial_id: str) -> sa.ColumnElement[bool]:
    return (table.c.id if table is trials else table.c.trial_id) == trial_id


def _current_rows(conn: sa.Connection, trial_id: str, chained: Chained) -> dict[int | None, str]:
    """Row id (``None`` for the trial row) -> content hash, of every row of the trial."""
    table = chained.table
    query = sa.select(*(raw(table.c[n]) for n in chained.content_columns)).where(
        _trial_filter(table, trial_id)
    )
    if not chained.keyed_by_text:
        query = query.order_by(table.c[chained.id_column])
    rows = conn.execute(query).all()
    hashes = row_hashes(chained, conn, rows)
    if chained.keyed_by_text:
        return dict.fromkeys([None], hashes[0]) if hashes else {}
    return {int(r[chained.id_index]): h for r, h in zip(rows, hashes, strict=True)}


def _row_breaks(
    chained: Chained, rows: dict[int | None, str], links: list[_Link], end: int
) -> list[ChainBreak]:
    """Linked rows changed, missing, linked twice or out of order; rows never linked."""
    found: list[ChainBreak] = []
    seen: set[int | None] = set()
    last_id = -1
    name = chained.name
    for link in links:
        if link.row_id in seen or (link.row_id is not None and link.row_id < last_id):
            found.append(
                ChainBreak(link.seq, name, link.row_id, BreakKind.ORDER, "linked out of id order")
            )
        seen.add(link.row_id)
        last_id = max(last_id, link.row_id if link.row_id is not None else -1)
        if link.row_id not in rows:
            found.append(
                ChainBreak(link.seq, name, link.row_id, BreakKind.ROW_MISSING, "linked row is gone")
            )
        elif rows[link.row_id] != link.content_hash:
            found.append(
                ChainBreak(
                    link.seq,
                    name,
                    link.row_id,
                    BreakKind.CONTENT_CHANGED,
                    f"content hash {rows[link.row_id][:12]} differs from the linked "
                    f"{link.content_hash[:12]}",
                )
            )
    ends = sorted((lk.row_id if lk.row_id is not None else -1, lk.seq) for lk in links)
    for row_id in sorted((r for r in rows if r not in seen), key=lambda r: r or -1):
        after = [seq for linked, seq in ends if linked > (row_id or -1)]
        found.append(
            ChainBreak(
                min(after) if after else end,
                name,
                row_id,
                BreakKind.ROW_INSERTED,
                "row is in the table but not in the chain",
            )
        )
    return found


def _part_breaks(
    conn: sa.Connection, trial_id: str, links: Sequence[_Link], end: int
) -> list[ChainBreak]:
    """Reports' sent and signed-off fields against their latest link."""
    found = []
    for part in PARTS:
        latest: dict[int, _Link] = {}
        for link in links:
            if link.table == part.chained.name and link.part == part.name and link.row_id:
                latest[link.row_id] = link
        table = part.chained.table
        query = sa.select(table.c.id, *(raw(table.c[n]) for n in part.columns)).where(
            table.c.trial_id == trial_id
        )
        for row in conn.execute(query):
            row_id = int(row[0])
            found_link = latest.get(row_id)
            expected = found_link.content_hash if found_link else empty_part_hash(part)
            if part_hash(part, row[1:]) != expected:
                found.append(
                    ChainBreak(
                        found_link.seq if found_link else end,
                        part.chained.name,
                        row_id,
                        BreakKind.CONTENT_CHANGED,
                        f"{', '.join(part.columns)} differ from the chain",
                    )
                )
    return found


def _version_breaks(
    conn: sa.Connection, trial_id: str, name: str, seq_of: dict[int | None, int], end: int
) -> list[ChainBreak]:
    """Each superseded version ends when the next version of its key starts; the last never."""
    table, spec = DATA_TABLES[name], TABLES[name]
    query = (
        sa.select(
            table.c.version_id,
            table.c.valid_from,
            table.c.valid_to,
            *(table.c[k] for k in spec.key),
        )
        .where(table.c.trial_id == trial_id)
        .order_by(table.c.version_id)
    )
    versions: dict[tuple[Any, ...], list[tuple[int, datetime, datetime | None]]] = defaultdict(list)
    for row in conn.execute(query):
        versions[tuple(row[3:])].append((int(row[0]), row[1], row[2]))
    found = []
    for chain in versions.values():
        successors = [start for _, start, _ in chain[1:]] + [None]
        for (version_id, _, valid_to), expected in zip(chain, successors, strict=True):
            if valid_to != expected:
                found.append(
                    ChainBreak(
                        seq_of.get(version_id, end),
                        name,
                        version_id,
                        BreakKind.VERSION_END,
                        f"valid_to {valid_to} should be {expected} (start of the next version)",
                    )
                )
    return found


def _head_breaks(
    conn: sa.Connection,
    trial_id: str,
    stored: Sequence[_Stored],
    links: Sequence[_Link],
    end: int,
) -> list[ChainBreak]:
    """A report's recorded head must be the head of the chain at a link before the report."""
    seq_of_head = {GENESIS: 0, **{s.link_hash: s.seq for s in stored}}
    report_seq = {lk.row_id: lk.seq for lk in links if lk.table == "reports" and lk.part == ROW}
    query = sa.select(reports.c.id, reports.c.chain_head).where(
        reports.c.trial_id == trial_id, reports.c.chain_head.is_not(None)
    )
    found = []
    for row_id, head in conn.execute(query):
        at = report_seq.get(int(row_id), end)
        if seq_of_head.get(head, end + 1) >= at:
            found.append(
                ChainBreak(
                    at,
                    "reports",
                    int(row_id),
                    BreakKind.HEAD_UNKNOWN,
                    f"recorded chain head {head[:12]} is not a head the chain had before it",
                )
            )
    return found


def verify_chain(engine: sa.Engine, trial_id: str) -> ChainVerification:
    """Recompute the chain of ``trial_id`` against its history (one read transaction)."""
    with engine.connect() as conn, conn.begin():
        stored = _read_links(conn, trial_id)
        links = [item for link in stored for item in link.items()]
        end = len(stored) + 1
        breaks: list[ChainBreak] = []
        walked = list(_walk(stored))
        breaks += [problem for problem, _ in walked if problem is not None]
        head = walked[-1][1] if walked else GENESIS
        by_table: dict[str, list[_Link]] = defaultdict(list)
        for link in links:
            if link.part == ROW:
                by_table[link.table].append(link)
        counts = []
        for chained in CHAINED:
            rows = _current_rows(conn, trial_id, chained)
            counts.append(TableCount(chained.name, len(rows)))
            breaks += _row_breaks(chained, rows, by_table.get(chained.name, []), end)
        for name in DATA_TABLES:
            seq_of = {lk.row_id: lk.seq for lk in by_table.get(name, [])}
            breaks += _version_breaks(conn, trial_id, name, seq_of, end)
        breaks += _part_breaks(conn, trial_id, links, end)
        breaks += _head_breaks(conn, trial_id, stored, links, end)
    order = {c.name: i for i, c in enumerate(CHAINED)}
    kinds = list(BreakKind)  # at one link, a broken link first: it explains the rest
    breaks.sort(key=lambda b: (b.seq, kinds.index(b.kind), order.get(b.table, 0), b.row_id or -1))
    return ChainVerification(trial_id, len(stored), len(links), head, tuple(counts), tuple(breaks))


def verify_all(engine: sa.Engine, trial_ids: Sequence[str]) -> tuple[ChainVerification, ...]:
    return tuple(verify_chain(engine, t) for t in trial_ids)
