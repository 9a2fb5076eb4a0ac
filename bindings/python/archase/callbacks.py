"""A host's own storage, written in Python (``include/archase/sys/storage.h``).

Subclass :class:`Storage` (or start from :class:`MemoryStorage`, a complete
one on dicts) and open an engine over it::

    eng = archase.open(storage=MyStorage())

The engine calls the methods below from its own calls, with the GIL taken.
A method signals a storage result by raising the matching
:class:`archase.Error` subclass (``NotFound``, ``ConflictError``,
``StateError``...). Any other exception stops the operation cleanly (a
batch is rolled back) and is re-raised, with its traceback, by the engine
call that was running::

    try:
        eng.put(invoice)
    except ZeroDivisionError:   # raised inside MyStorage.put
        ...

Records and audit entries are :class:`Record` and :class:`AuditEntry`
tuples; their dates are the library's day numbers (days since 1970-01-01),
opaque keys a store compares and filters on.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Tuple

from . import capi
from .errors import ConflictError, NotFound, StateError

__all__ = ["Record", "ScanFilter", "AuditEntry", "Storage", "MemoryStorage", "Message", "Transport"]

DATE_NONE = -2147483648  # ARCHASE_DATE_NONE


class Record(NamedTuple):
    """One stored record: a typed envelope and the engine's bytes."""
    family: int
    id: str
    customer_id: Optional[str]
    invoice_id: Optional[str]
    revision: int
    status: int
    date: int
    date2: int
    date3: int
    amount: int
    amount2: int
    currency: Optional[str]
    instant: int
    data: Optional[bytes]


class ScanFilter(NamedTuple):
    """What a scan selects (see ``archase_scan_filter``)."""
    family: int
    customer_id: Optional[str]
    invoice_id: Optional[str]
    status: int
    date_from: int
    date_to: int
    flags: int

    def matches(self, r: Record) -> bool:
        if r.family != self.family:
            return False
        if self.customer_id is not None and r.customer_id != self.customer_id:
            return False
        if self.invoice_id is not None and r.invoice_id != self.invoice_id:
            return False
        if self.status and r.status != self.status:
            return False
        bounded = self.date_from != DATE_NONE or self.date_to != DATE_NONE
        if bounded and r.date == DATE_NONE:
            return False
        if self.date_from != DATE_NONE and r.date < self.date_from:
            return False
        if self.date_to != DATE_NONE and r.date > self.date_to:
            return False
        return True


class AuditEntry(NamedTuple):
    """One entry of the append-only audit log, as the engine computed it."""
    index: int
    kind: int
    actor: str
    instant: int
    data: bytes
    links: Tuple[str, ...]
    nodes: bytes
    leaf_hash: bytes
    prev_hash: bytes


class Storage:
    """The storage interface. Every method must be implemented (MemoryStorage
    shows how); transactions are one at a time."""

    def get(self, family: int, id: str) -> Optional[Record]:
        """The record, or None."""
        raise NotImplementedError

    def put(self, record: Record) -> None:
        """Inserts or replaces the record of (family, id)."""
        raise NotImplementedError

    def delete(self, family: int, id: str) -> bool:
        """Removes a record; False when there was none."""
        raise NotImplementedError

    def scan(self, flt: ScanFilter) -> Iterable[Record]:
        """Matching records in id order (``flt.matches`` applies the filter)."""
        raise NotImplementedError

    def audit_append(self, entry: AuditEntry) -> None:
        """Appends an entry whose index equals the size (else ConflictError)."""
        raise NotImplementedError

    def audit_read(self, start: int, end: int) -> Iterable[AuditEntry]:
        raise NotImplementedError

    def audit_size(self) -> int:
        raise NotImplementedError

    def outbox_claim(self, now: int, limit: int) -> List[Record]:
        """Moves up to ``limit`` due outbox records to sending and returns them."""
        raise NotImplementedError

    def outbox_unclaim(self, records: List[Record]) -> None:
        """Undoes a claim the engine could not take."""
        raise NotImplementedError

    def outbox_ack(self, id: str, status: int, at: int) -> None:
        raise NotImplementedError

    def outbox_mark_in_doubt(self, id: str, at: int) -> None:
        raise NotImplementedError

    def begin(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError

    def schema_version(self) -> int:
        return 1

    def close(self) -> None:
        """Called once when the engine is closed."""


_PENDING, _SENDING, _SENT, _RETRY, _DEAD, _DOUBT, _CANCELLED = 1, 2, 3, 4, 5, 6, 7


class MemoryStorage(Storage):
    """A complete storage on Python dicts: records by (family, id), the audit
    log as a list, transactions as copies taken at ``begin``."""

    def __init__(self) -> None:
        self.records: Dict[Tuple[int, str], Record] = {}
        self.log: List[AuditEntry] = []
        self._saved: Optional[Tuple[Dict[Tuple[int, str], Record], int]] = None
        self.closed = False

    def get(self, family: int, id: str) -> Optional[Record]:
        return self.records.get((family, id))

    def put(self, record: Record) -> None:
        self.records[(record.family, record.id)] = record

    def delete(self, family: int, id: str) -> bool:
        return self.records.pop((family, id), None) is not None

    def scan(self, flt: ScanFilter) -> Iterable[Record]:
        hits = [r for r in self.records.values() if flt.matches(r)]
        hits.sort(key=lambda r: r.id.encode())
        if flt.flags & 1:  # ARCHASE_SCAN_NO_DATA
            return [r._replace(data=None) for r in hits]
        return hits

    def audit_append(self, entry: AuditEntry) -> None:
        if entry.index != len(self.log):
            raise ConflictError(f"audit index {entry.index}, size {len(self.log)}",
                                code=capi.ARCHASE_ECONFLICT)
        self.log.append(entry)

    def audit_read(self, start: int, end: int) -> Iterable[AuditEntry]:
        return self.log[start:end]

    def audit_size(self) -> int:
        return len(self.log)

    def outbox_claim(self, now: int, limit: int) -> List[Record]:
        due = [r for (fam, _), r in self.records.items()
               if fam == capi.ARCHASE_FAMILY_OUTBOX and r.status in (_PENDING, _RETRY)
               and r.instant <= now]
        due.sort(key=lambda r: (r.instant, r.id.encode()))
        claimed = [r._replace(status=_SENDING) for r in due[:limit]]
        for r in claimed:
            self.records[(r.family, r.id)] = r
        return claimed

    def outbox_unclaim(self, records: List[Record]) -> None:
        for r in records:
            self.records[(r.family, r.id)] = r._replace(status=_PENDING)

    def _sending(self, id: str) -> Record:
        r = self.records.get((capi.ARCHASE_FAMILY_OUTBOX, id))
        if r is None:
            raise NotFound(f"no outbox item {id}", code=capi.ARCHASE_ENOTFOUND)
        if r.status != _SENDING:
            raise StateError(f"outbox item {id} is not sending", code=capi.ARCHASE_ESTATE)
        return r

    def outbox_ack(self, id: str, status: int, at: int) -> None:
        r = self._sending(id)
        if status not in (_SENT, _RETRY, _DEAD, _CANCELLED):
            raise StateError(f"cannot acknowledge with status {status}", code=capi.ARCHASE_ESTATE)
        self.records[(r.family, id)] = r._replace(status=status, instant=at)

    def outbox_mark_in_doubt(self, id: str, at: int) -> None:
        r = self._sending(id)
        self.records[(r.family, id)] = r._replace(status=_DOUBT, instant=at)

    def begin(self) -> None:
        if self._saved is not None:
            raise StateError("a transaction is open", code=capi.ARCHASE_ESTATE)
        self._saved = (dict(self.records), len(self.log))

    def commit(self) -> None:
        if self._saved is None:
            raise StateError("no transaction", code=capi.ARCHASE_ESTATE)
        self._saved = None

    def rollback(self) -> None:
        if self._saved is None:
            raise StateError("no transaction", code=capi.ARCHASE_ESTATE)
        self.records, size = self._saved
        del self.log[size:]
        self._saved = None

    def close(self) -> None:
        self.closed = True


class _StorageAdapter:
    """What the C trampolines call: tuples in and out."""

    def __init__(self, storage: Any) -> None:
        self.s = storage

    def get(self, family: int, id: str) -> Optional[Record]:
        return self.s.get(family, id)

    def put(self, t: tuple) -> None:
        self.s.put(Record._make(t))

    def delete(self, family: int, id: str) -> bool:
        return bool(self.s.delete(family, id))

    def scan(self, *t: Any) -> Iterable[Record]:
        return self.s.scan(ScanFilter._make(t))

    def audit_append(self, t: tuple) -> None:
        self.s.audit_append(AuditEntry._make(t))

    def audit_read(self, start: int, end: int) -> Iterable[AuditEntry]:
        return self.s.audit_read(start, end)

    def audit_size(self) -> int:
        return int(self.s.audit_size())

    def outbox_claim(self, now: int, limit: int) -> List[Record]:
        return list(self.s.outbox_claim(now, limit))

    def outbox_unclaim(self, records: List[Record]) -> None:
        self.s.outbox_unclaim(records)

    def outbox_ack(self, id: str, status: int, at: int) -> None:
        self.s.outbox_ack(id, status, at)

    def outbox_mark_in_doubt(self, id: str, at: int) -> None:
        self.s.outbox_mark_in_doubt(id, at)

    def begin(self) -> None:
        self.s.begin()

    def commit(self) -> None:
        self.s.commit()

    def rollback(self) -> None:
        self.s.rollback()

    def schema_version(self) -> int:
        return int(self.s.schema_version())

    def close(self) -> None:
        self.s.close()


def open_storage(storage: Any, actor: Optional[str], now: int) -> Tuple[Any, Any]:
    """An engine handle over ``storage``, and what must live as long as it."""
    adapter = _StorageAdapter(storage)
    return capi.archase_py_open_storage(adapter, actor, now), adapter


# ---- a host's transport -----------------------------------------------------


class Message(NamedTuple):
    """One message the daily cycle hands to a transport (``archase_message``)."""
    idempotency_key: str
    outbox_id: Optional[str]
    attempt: int
    kind: int
    channel: int
    customer_id: Optional[str]
    customer_name: Optional[str]
    invoice_ids: Tuple[str, ...]
    contact_id: Optional[str]
    address: Optional[str]
    recipient_name: Optional[str]
    template: Optional[str]
    tone: int
    subject: Optional[str]
    body: Optional[str]
    link_placeholder: Optional[str]
    scheduled_at: int
    timezone: Optional[str]
    local_date: Any
    local_seconds: int
    amount: Any
    reasons: Tuple[int, ...]
    owner: Optional[str]


class Transport:
    """Delivers the cycle's messages. ``send`` returns an
    :class:`archase.SendResult` or ``(result, detail)``; the same
    ``idempotency_key`` comes on every attempt for one decision. Define
    ``lookup(key) -> archase.LookupResult`` when the channel can tell whether
    it has a message (items in doubt are then reconciled, never resent
    blindly)."""

    def send(self, message: Message) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        """Called once when the engine lets the transport go."""


class _TransportAdapter:
    def __init__(self, transport: Any) -> None:
        self.t = transport

    def send(self, d: Dict[str, Any]) -> Any:
        from datetime import date, timedelta
        from .money import Money
        from .enums import Channel, DecisionKind, Reason
        minor, cur = d.pop("amount_minor"), d.pop("currency")
        d["amount"] = Money.from_minor(minor, cur) if cur else None
        ld = d["local_date"]
        d["local_date"] = None if ld == DATE_NONE else date(1970, 1, 1) + timedelta(days=ld)
        d["template"] = d.pop("template")
        try:
            d["kind"], d["channel"] = DecisionKind(d["kind"]), Channel(d["channel"])
            d["reasons"] = tuple(Reason(r) for r in d["reasons"])
        except ValueError:
            pass
        return self.t.send(Message(**d))

    def lookup(self, key: str) -> int:
        return int(self.t.lookup(key))

    def close(self) -> None:
        close = getattr(self.t, "close", None)
        if close:
            close()


def set_transport(engine_handle: Any, transport: Any) -> None:
    if transport is None:
        capi.archase_py_set_transport(engine_handle, None, 0)
        return
    has_lookup = callable(getattr(transport, "lookup", None))
    capi.archase_py_set_transport(engine_handle, _TransportAdapter(transport), 1 if has_lookup else 0)
