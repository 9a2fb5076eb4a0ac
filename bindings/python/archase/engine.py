"""Engines, policies, evaluations, worklists, KPIs, audit and approvals.

An :class:`Engine` is one ledger (SQLite or in memory) with its clock and
actor::

    with archase.open("ledger.db", policy="policy.yaml") as eng:
        eng.import_csv("invoices.csv", kind=archase.Kind.INVOICES)
        ev = eng.evaluate(as_of=date(2026, 3, 31))
        for line in eng.worklist(as_of=date(2026, 3, 31)):
            print(line.rank, line.owner, line.customer_id, line.amount)
        print(eng.kpi(date(2026, 3, 1), date(2026, 3, 31))["EUR"]["dso_standard_days"])

Every method raises the :class:`archase.Error` subclass of the failing call's
code with the engine's own message.
"""

from __future__ import annotations

import gc
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import (Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple,
                    Union)

from . import capi
from .enums import (Action, ApprovalStatus, CadenceStatus, Channel, CoverageState, CreditAction,
                    DecisionKind, DisputeStatus, Family, Format, Kind, KpiInterval, Outcome,
                    PromiseState, Reason, ReconReason, Tone, WorkKind)
from .errors import InvalidArgument
from .facts import Fact, class_of, fact_from_json, family_of, set_field, to_input
from .money import Money

__all__ = [
    "open", "Engine", "Policy", "Batch", "BatchSummary", "Evaluation", "Decision",
    "DecisionInvoice", "Assessment", "CadenceUpdate", "Coverage", "WorklistLine",
    "ApprovalRequest", "Vote", "Approval", "to_local", "from_local",
]

PathLike = Union[str, "os.PathLike[str]"]


def _money(v: Any) -> Optional[Money]:
    return None if v is None else Money.from_minor(v["minor"], v["currency"])


def _date(v: Optional[str]) -> Optional[date]:
    return None if v is None else date.fromisoformat(v)


def _instant(v: Union[None, int, datetime]) -> int:
    if v is None:
        return 0
    if isinstance(v, datetime):
        if v.tzinfo is None:
            raise TypeError("a naive datetime has no instant: give it a tzinfo")
        return int(v.timestamp())
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"expected seconds since the epoch or an aware datetime, not {type(v).__name__}")
    return v


def _enum(cls: Any, v: int) -> Any:
    # A value newer than this package stays an int.
    return cls._value2member_map_.get(v, v)


# ---- policies -----------------------------------------------------------------


class Policy:
    """A loaded collection policy (immutable; may be shared by engines).

    ``Policy.load(path)`` and ``Policy.from_text(text)`` raise
    :class:`archase.PolicyError` with ``.file``, ``.line``, ``.column`` and
    every ``.diagnostics`` entry when the policy is invalid.
    """

    def __init__(self, handle: Any) -> None:
        self._h = handle
        self._info: Optional[Dict[str, Any]] = None

    @classmethod
    def load(cls, path: PathLike) -> "Policy":
        return cls(capi.archase_policy_load_file(os.fspath(path), None))

    @classmethod
    def from_text(cls, text: Union[str, bytes], source: str = "<policy>") -> "Policy":
        data = text.encode() if isinstance(text, str) else bytes(text)
        return cls(capi.archase_policy_load_buffer(data, source, None))

    def _json(self) -> Dict[str, Any]:
        if self._info is None:
            self._info = json.loads(capi.archase_bind_policy_json(self._h))
        return self._info

    @property
    def name(self) -> str:
        return capi.archase_policy_name(self._h)

    @property
    def version(self) -> int:
        return capi.archase_policy_version(self._h)

    @property
    def hash(self) -> bytes:
        """SHA-256 of the policy's canonical form: its identity in decisions."""
        return capi.archase_policy_hash(self._h)

    @property
    def default_currency(self) -> Optional[str]:
        return capi.archase_policy_default_currency(self._h)

    @property
    def default_locale(self) -> Optional[str]:
        return capi.archase_policy_default_locale(self._h)

    @property
    def segments(self) -> List[Dict[str, Any]]:
        """Segments in order: name, condition (canonical text), sequence."""
        return self._json()["segments"]

    @property
    def sequences(self) -> List[Dict[str, Any]]:
        """Sequences with their steps (id, offset, channel, action, tone, ...)."""
        return self._json()["sequences"]

    @property
    def approvals(self) -> List[Dict[str, Any]]:
        return self._json()["approvals"]

    @property
    def materiality(self) -> List[Money]:
        return [_money(m) for m in self._json()["materiality"]]

    @property
    def sensitive_actions(self) -> List[Action]:
        return [_enum(Action, a) for a in self._json()["sensitive_actions"]]

    @property
    def templates(self) -> List[Dict[str, Any]]:
        return self._json()["templates"]

    @property
    def calendars(self) -> List[Dict[str, Any]]:
        return self._json()["calendars"]

    @property
    def settings(self) -> Dict[str, str]:
        """Every setting by its path ("promises.grace_days": "2")."""
        return self._json()["settings"]

    def __repr__(self) -> str:
        return f"Policy({self.name!r}, version={self.version})"


def _policy(p: Union[None, Policy, PathLike]) -> Optional[Policy]:
    if p is None or isinstance(p, Policy):
        return p
    return Policy.load(p)


# ---- results ---------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    """What a batch or an import did (``rejected``: what it refused)."""
    inserted: int
    updated: int
    duplicates: int
    stale: int
    rejected: int


def _summary(s: Any) -> BatchSummary:
    return BatchSummary(s.inserted, s.updated, s.duplicates, s.stale, s.rejected)


@dataclass(frozen=True)
class DecisionInvoice:
    invoice_id: str
    number: Optional[str]
    source_link: Optional[str]
    due_date: Optional[date]
    days_overdue: int
    amount: Optional[Money]
    open_amount: Optional[Money]
    disputed_amount: Optional[Money]


@dataclass(frozen=True)
class Decision:
    """One decision of an evaluation (see ``archase_decision`` in evaluate.h)."""
    key: str
    kind: DecisionKind
    action: int
    customer_id: str
    channel: Channel
    contact_id: Optional[str]
    template: Optional[str]
    tone: int
    segment: Optional[str]
    sequence: Optional[str]
    step: Optional[str]
    rule: Optional[str]
    policy_hash: str
    score: Optional[int]
    owner: Optional[str]
    due_by: Optional[date]
    scheduled_at: int
    timezone: Optional[str]
    local_date: Optional[date]
    local_seconds: int
    amount: Optional[Money]
    recovery_plan: bool
    approvers: int
    fast_lane: bool
    payload_hash: str
    invoices: Tuple[DecisionInvoice, ...]
    reasons: Tuple[Reason, ...]
    drivers: Tuple[Tuple[str, int], ...]
    facts: Tuple[Tuple[str, Optional[str], Any], ...]
    roles: Tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    """What evaluation found for one open invoice."""
    invoice_id: str
    customer_id: str
    days_overdue: int
    open_amount: Optional[Money]
    disputed_amount: Optional[Money]
    segment: Optional[str]
    sequence: Optional[str]
    score: int
    coverage: CoverageState
    reason: Reason
    step_index: int
    next_step: Optional[str]
    next_date: Optional[date]
    drivers: Tuple[Tuple[str, int], ...]
    decisions: Tuple[int, ...]


@dataclass(frozen=True)
class CadenceUpdate:
    invoice_id: str
    customer_id: str
    status: CadenceStatus
    reason: Reason
    sequence: Optional[str]
    last_step: Optional[str]
    last_offset: Optional[int]
    last_date: Optional[date]
    next_step: Optional[str]
    next_date: Optional[date]


@dataclass(frozen=True)
class Coverage:
    """The no-silent-drops proof: every open overdue invoice in one state."""
    open_invoices: int
    overdue_invoices: int
    unaccounted: int
    by_state: Dict[str, int]
    by_reason: Dict[str, int]


@dataclass(frozen=True)
class WorklistLine:
    """One line of a worklist: exactly one owner, in rank order."""
    rank: int
    owner: str
    customer_id: str
    kind: WorkKind
    next_action: str
    due_by: Optional[date]
    score: int
    amount: Optional[Money]
    days_overdue: int
    decision: Optional[int]
    invoice_ids: Tuple[str, ...]
    reasons: Tuple[Reason, ...]


def _fact_value(f: Dict[str, Any]) -> Any:
    v = f["value"]
    if isinstance(v, dict):
        return _money(v)
    if f["type"] == 5 and isinstance(v, str):  # ARCHASE_VALUE_DATE
        return _date(v)
    return v


def _decision(d: Dict[str, Any]) -> Decision:
    return Decision(
        key=d["key"], kind=_enum(DecisionKind, d["kind"]), action=d["action"],
        customer_id=d["customer_id"], channel=_enum(Channel, d["channel"]),
        contact_id=d["contact_id"], template=d["template"], tone=d["tone"],
        segment=d["segment"], sequence=d["sequence"], step=d["step"], rule=d["rule"],
        policy_hash=d["policy_hash"], score=d["score"], owner=d["owner"],
        due_by=_date(d["due_by"]), scheduled_at=d["scheduled_at"], timezone=d["timezone"],
        local_date=_date(d["local_date"]), local_seconds=d["local_seconds"],
        amount=_money(d["amount"]), recovery_plan=d["recovery_plan"], approvers=d["approvers"],
        fast_lane=d["fast_lane"], payload_hash=d["payload_hash"],
        invoices=tuple(DecisionInvoice(
            i["invoice_id"], i["number"], i["source_link"], _date(i["due_date"]),
            i["days_overdue"], _money(i["amount"]), _money(i["open_amount"]),
            _money(i["disputed_amount"])) for i in d["invoices"]),
        reasons=tuple(_enum(Reason, r) for r in d["reasons"]),
        drivers=tuple((x["name"], x["points"]) for x in d["drivers"]),
        facts=tuple((f["name"], f["invoice_id"], _fact_value(f)) for f in d["facts"]),
        roles=tuple(d["roles"]))


def _code_of(code: str) -> str:
    return Money.from_minor(0, code)._code


def _lines(wl: Any) -> List[WorklistLine]:
    """A built worklist's lines as :class:`WorklistLine` objects.

    A worklist may have hundreds of thousands of lines, so they are made in C
    (``capi.worklist_lines``, bindings/python/worklist.swg): each line's
    object without the frozen dataclass's per-field ``__init__`` (its
    attributes set with ``object.__setattr__`` in field order, as the
    constructor sets them, so the lines share one table of attribute names
    instead of a dict each), each date, enum member and currency made once.
    The cyclic garbage collector, which would otherwise walk the growing list
    again and again, waits until the list is made."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return capi.worklist_lines(wl, WorklistLine, lambda v: _enum(WorkKind, v),
                                   lambda v: _enum(Reason, v), _code_of, Money)
    finally:
        if collecting:
            gc.enable()


class Evaluation:
    """The result of one evaluation: decisions, assessments, the cadence
    updates, the coverage proof and the decisions' hash. Build worklists
    from it with :meth:`worklist`."""

    def __init__(self, snapshot: Any, decisions: Any, policy: Policy, as_of: date) -> None:
        self._h = decisions
        self._snap = snapshot  # the decisions' strings live in the snapshot; freed after them
        self.policy = policy
        self.as_of = as_of
        self._data: Optional[Dict[str, Any]] = None

    def _json(self) -> Dict[str, Any]:
        if self._data is None:
            self._data = json.loads(capi.archase_bind_decisions_json(self._h))
        return self._data

    def __len__(self) -> int:
        return capi.archase_decisions_count(self._h)

    def __iter__(self) -> Iterator[Decision]:
        return iter(self.decisions)

    @property
    def decisions(self) -> List[Decision]:
        return [_decision(d) for d in self._json()["decisions"]]

    @property
    def assessments(self) -> List[Assessment]:
        return [Assessment(
            a["invoice_id"], a["customer_id"], a["days_overdue"], _money(a["open_amount"]),
            _money(a["disputed_amount"]), a["segment"], a["sequence"], a["score"],
            _enum(CoverageState, a["coverage"]), _enum(Reason, a["reason"]), a["step_index"],
            a["next_step"], _date(a["next_date"]),
            tuple((x["name"], x["points"]) for x in a["drivers"]), tuple(a["decisions"]))
            for a in self._json()["assessments"]]

    @property
    def cadence(self) -> List[CadenceUpdate]:
        return [CadenceUpdate(
            c["invoice_id"], c["customer_id"], _enum(CadenceStatus, c["status"]),
            _enum(Reason, c["reason"]), c["sequence"], c["last_step"], c["last_offset"],
            _date(c["last_date"]), c["next_step"], _date(c["next_date"]))
            for c in self._json()["cadence"]]

    @property
    def coverage(self) -> Coverage:
        c = self._json()["coverage"]
        return Coverage(c["open_invoices"], c["overdue_invoices"], c["unaccounted"],
                        c["by_state"], c["by_reason"])

    @property
    def hash(self) -> bytes:
        """SHA-256 of the canonical encoding: equal for equal evaluations."""
        return capi.archase_decisions_hash(self._h)

    def encode(self) -> bytes:
        """The canonical encoding of the whole result (docs/engine.md)."""
        return bytes.fromhex(capi.archase_bind_decisions_encode(self._h))

    def worklist(self, owner: Optional[str] = None) -> List[WorklistLine]:
        """The people's side: one line per piece of work, ranked; ``owner``
        keeps only that owner's lines."""
        wl = capi.archase_bind_worklist_build(self._h, owner)
        return _lines(wl)


# ---- approvals --------------------------------------------------------------------------


@dataclass
class ApprovalRequest:
    """A sensitive action to be approved (``archase_approval_request``)."""
    action: Action
    customer_id: str
    justification: str
    customer_impact: str
    invoice_ids: Sequence[str] = ()
    amount: Optional[Money] = None
    requester: Optional[str] = None
    requester_role: Optional[str] = None
    rule: Optional[str] = None
    reason_code: Optional[str] = None
    detail: Optional[str] = None
    decision_id: Optional[str] = None


@dataclass
class Vote:
    """Who approves or rejects, in which role, and why."""
    actor: Optional[str] = None
    role: Optional[str] = None
    reason: Optional[str] = None


@dataclass(frozen=True)
class Approval:
    """A stored approval request and where it stands."""
    id: str
    status: ApprovalStatus
    action: Action
    customer_id: str
    invoice_ids: Tuple[str, ...]
    amount: Optional[Money]
    requester: str
    requester_role: Optional[str]
    justification: str
    customer_impact: str
    rule: Optional[str]
    reason_code: Optional[str]
    detail: Optional[str]
    decision_id: Optional[str]
    approval_rule: Optional[str]
    fast_lane: bool
    approvals_required: int
    approvals: int
    roles: Tuple[str, ...]
    votes: Tuple[Dict[str, Any], ...]
    created: int
    expires: int
    closed: int
    replaces: Optional[str]
    replaced_by: Optional[str]
    payload_hash: str
    policy_hash: str


def _approval(a: Dict[str, Any]) -> Approval:
    a = dict(a)
    a["status"] = _enum(ApprovalStatus, a["status"])
    a["action"] = _enum(Action, a["action"])
    a["amount"] = _money(a["amount"])
    a["invoice_ids"] = tuple(a["invoice_ids"])
    a["roles"] = tuple(a["roles"])
    a["votes"] = tuple(a["votes"])
    return Approval(**a)


def _input(obj: Any, kind: int) -> Any:
    h = capi.archase_bind_input_new(kind)
    for name in obj.__dataclass_fields__:
        set_field(h, name, getattr(obj, name))
    return h


# ---- the engine -------------------------------------------------------------------------


class Batch:
    """Facts written all together or not at all: ``with eng.batch() as b:
    b.add(fact)``; leaving the block commits (``b.summary`` says what it
    did), an exception rolls back."""

    def __init__(self, engine: "Engine", source: Optional[str]) -> None:
        eh = engine._handle()
        # The batch is freed before the engine it refers to (attributes are
        # released in the order they were set).
        self._h = capi.archase_batch_begin(eh, None, source)
        self._eh = eh
        self.summary: Optional[BatchSummary] = None

    def add(self, fact: Fact, line: int = 0) -> None:
        capi.archase_bind_batch_add(self._h, to_input(fact), line)

    def commit(self) -> BatchSummary:
        s = capi.archase_batch_summary()
        capi.archase_batch_commit(self._h, s)
        self.summary = _summary(s)
        return self.summary

    def rollback(self) -> None:
        """Drops what was added (and closes the batch)."""
        self._h = None  # archase_batch_free rolls back
        self._eh = None

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None and self.summary is None:
                self.commit()
        finally:
            self.rollback()


class Engine:
    """One ledger with its store, clock and actor. Use :func:`archase.open`."""

    def __init__(self, handle: Any, policy: Optional[Policy] = None, storage: Any = None) -> None:
        self._h = handle
        self._storage = storage  # a host's storage lives as long as the engine
        self.policy = policy

    # -- life --------------------------------------------------------------

    def _handle(self) -> Any:
        if self._h is None:
            raise InvalidArgument("the engine is closed", code=capi.ARCHASE_EINVAL)
        return self._h

    def close(self) -> None:
        """Closes the engine and its store (idempotent)."""
        self._h = None

    @property
    def closed(self) -> bool:
        return self._h is None

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def actor(self) -> str:
        return capi.archase_engine_actor(self._handle())

    @property
    def errmsg(self) -> str:
        """The message of the engine's last failure ("" when it worked)."""
        return capi.archase_engine_errmsg(self._handle())

    @property
    def schema_version(self) -> int:
        return capi.archase_engine_schema_version(self._handle())

    def _policy(self, policy: Union[None, Policy, PathLike]) -> Policy:
        p = _policy(policy) or self.policy
        if p is None:
            raise InvalidArgument("no policy: give one to archase.open() or to this call",
                                  code=capi.ARCHASE_EINVAL)
        return p

    # -- facts -------------------------------------------------------------

    def put(self, fact: Fact) -> Outcome:
        """Stores one fact in its own transaction; says what it did."""
        return Outcome(capi.archase_bind_put(self._handle(), to_input(fact)))

    def batch(self, source: Optional[str] = None) -> Batch:
        return Batch(self, source)

    def get(self, family: Union[Family, type], id: str) -> Fact:
        """The fact of that family (or class: ``archase.Invoice``) with ``id``;
        :class:`archase.NotFound` when there is none."""
        fam = family if isinstance(family, int) else family_of(family)
        return fact_from_json(json.loads(capi.archase_bind_facts(
            self._handle(), int(fam), id, None, None, 0, None, None))[0])

    def facts(self, family: Union[Family, type], *, customer_id: Optional[str] = None,
              invoice_id: Optional[str] = None, status: int = 0,
              date_from: Optional[date] = None, date_to: Optional[date] = None) -> List[Fact]:
        """Every fact of a family matching the filter, in id order."""
        fam = family if isinstance(family, int) else family_of(family)
        return [fact_from_json(o) for o in json.loads(capi.archase_bind_facts(
            self._handle(), int(fam), None, customer_id, invoice_id, int(status), date_from,
            date_to))]

    # -- import and export --------------------------------------------------

    def import_csv(self, source: Union[PathLike, bytes, str], kind: Optional[Kind] = None, *,
                   mapping: Optional[PathLike] = None, name: Optional[str] = None,
                   as_of: Optional[date] = None, edits: bool = False,
                   format: Format = Format.CSV) -> BatchSummary:
        """Imports a file (a path) or its content (bytes) in one batch.

        ``kind`` says what the file holds (a :class:`Kind`), unless a
        ``mapping`` (YAML, docs/import.md) names it. Problems raise the
        error of the first with every row's ``.diagnostics``."""
        if kind is None and mapping is None:
            raise InvalidArgument("say what the file holds: kind=archase.Kind.INVOICES, ...",
                                  code=capi.ARCHASE_EINVAL)
        m = capi.archase_mapping_load_file(os.fspath(mapping)) if mapping else None
        if isinstance(source, (bytes, bytearray, memoryview)):
            path, data = None, source
        elif isinstance(source, str) and "\n" in source:
            path, data = None, source.encode()
        else:
            path, data = os.fspath(source), b""
        s = capi.archase_bind_import(self._handle(), int(kind or 0), int(format), m, name, as_of,
                                     1 if edits else 0, path, data)
        return _summary(s)

    def import_jsonl(self, source: Union[PathLike, bytes], kind: Kind, **kw: Any) -> BatchSummary:
        return self.import_csv(source, kind, format=Format.JSONL, **kw)

    def export(self, kind: Kind, format: Format = Format.CSV) -> str:
        """Every fact of the kind in its native format (what import reads)."""
        return capi.archase_bind_export(self._handle(), int(kind), int(format))

    # -- evaluation ---------------------------------------------------------

    def evaluate(self, as_of: date, policy: Union[None, Policy, PathLike] = None, *,
                 tzdir: Optional[str] = None) -> Evaluation:
        """Decides what happens next for every open invoice as of ``as_of``
        (a pure computation: nothing is stored or sent)."""
        p = self._policy(policy)
        snap = capi.archase_bind_snapshot_load(self._handle(), as_of, p._h, tzdir)
        return Evaluation(snap, capi.archase_evaluate(snap, p._h, as_of, None), p, as_of)

    def preview(self, as_of: date, policy: Union[None, Policy, PathLike] = None, *,
                customers: Optional[FileSource] = None, contacts: Optional[FileSource] = None,
                flags: Optional[FileSource] = None, invoices: Optional[FileSource] = None,
                sources: Sequence["PreviewSource"] = (), tzdir: Optional[str] = None) -> Evaluation:
        """What ``policy`` would decide on exported files, without importing
        them: the same decisions as importing the files into an empty ledger
        and :meth:`evaluate`, made without a store, an audit log or any write
        (``archase_snapshot_preview``, docs/engine.md "Previews").

        ``customers``, ``contacts``, ``flags`` and ``invoices`` are native CSV
        files (a path, or the content as bytes), read in that order; then
        ``sources``, each a :class:`PreviewSource` (a mapping, JSON Lines, more
        files). A preview takes customers, contacts, flags and invoices;
        a row that would need stored state (a payment, a promise, a dispute,
        a note) is refused with its file, line and column, as a bad row is:
        the error carries every row's ``.diagnostics``. This engine's own
        ledger is neither read nor written."""
        p = self._policy(policy)
        given = [PreviewSource(src, kind) for src, kind in (
            (customers, Kind.CUSTOMERS), (contacts, Kind.CONTACTS), (flags, Kind.FLAGS),
            (invoices, Kind.INVOICES)) if src is not None]
        return _preview(self._handle(), as_of, p, given + list(sources), tzdir)

    def worklist(self, as_of: date, owner: Optional[str] = None,
                 policy: Union[None, Policy, PathLike] = None) -> List[WorklistLine]:
        """The ranked worklist of an evaluation as of ``as_of``."""
        return self.evaluate(as_of, policy).worklist(owner)

    # -- the daily cycle ---------------------------------------------------------

    def set_transport(self, transport: Any) -> None:
        """Gives the engine the transport the cycle delivers through: an
        :class:`archase.Transport` (any object with ``send``), or None to
        remove it. The engine keeps it until replaced or closed."""
        from .callbacks import set_transport
        set_transport(self._handle(), transport)

    def use_file_transport(self, path: PathLike, eml: bool = False) -> None:
        """The shipped file transport: JSON lines appended to ``path``, or one
        .eml file per message in the directory ``path``."""
        capi.archase_bind_set_file_transport(self._handle(), 2 if eml else 1, os.fspath(path))

    def run_cycle(self, as_of: date, policy: Union[None, Policy, PathLike] = None, *,
                  review: bool = False, dispatch: bool = True,
                  tzdir: Optional[str] = None) -> Dict[str, Any]:
        """Runs the day ``as_of``: evaluates, stores the cadence state, writes
        the outbox, raises approvals and appends the audit in one
        transaction, then (``dispatch``) delivers through the transport. The
        same day twice writes nothing new. Returns the report."""
        p = self._policy(policy)
        return _convert(json.loads(capi.archase_bind_run_cycle(
            self._handle(), p._h, as_of, 1 if review else 0, 1 if dispatch else 0, tzdir)))

    def dispatch(self, *, now: Union[None, int, datetime] = None, limit: int = 0,
                 policy: Union[None, Policy, PathLike] = None) -> Dict[str, int]:
        """Delivers what is due through the transport; the report."""
        p = _policy(policy) or self.policy
        return json.loads(capi.archase_bind_dispatch(self._handle(), p._h if p else None,
                                                     _instant(now), limit))

    def outbox(self, status: Optional[int] = None) -> List[Dict[str, Any]]:
        """Outbox items (of an :class:`archase.OutboxStatus`), in id order."""
        return [_convert(o) for o in json.loads(capi.archase_bind_outbox_json(
            self._handle(), None, int(status or 0)))]

    def outbox_item(self, id: str) -> Dict[str, Any]:
        return _convert(json.loads(capi.archase_bind_outbox_json(self._handle(), id, 0))[0])

    def resolve_outbox(self, id: str, resolution: int, reason: str,
                       actor: Optional[str] = None) -> None:
        """A person settles an item in doubt or dead (archase_outbox_resolution:
        1 sent, 2 resend, 3 cancel)."""
        capi.archase_outbox_resolve(self._handle(), id, int(resolution), actor, reason)

    def review_approve(self, id: str, reviewer: str, note: Optional[str] = None) -> None:
        capi.archase_bind_review(self._handle(), id, 1, reviewer, note, None, None)

    def review_edit(self, id: str, reviewer: str, *, subject: Optional[str] = None,
                    body: Optional[str] = None, note: Optional[str] = None) -> None:
        capi.archase_bind_review(self._handle(), id, 2, reviewer, note, subject, body)

    def review_reject(self, id: str, reviewer: str, note: str) -> None:
        capi.archase_bind_review(self._handle(), id, 3, reviewer, note, None, None)

    # -- promises, disputes, reconciliation, credit ------------------------------

    def record_promise(self, promise: Any, as_of: date,
                       policy: Union[None, Policy, PathLike] = None) -> None:
        """Records a promise taken on ``as_of``, checked against the policy
        (archase_promise_record; :meth:`put` stores one without the checks)."""
        p = self._policy(policy)
        capi.archase_bind_promise_record(self._handle(), p._h, to_input(promise), as_of)

    def cancel_promise(self, id: str, reason: str, as_of: date) -> None:
        capi.archase_promise_cancel(self._handle(), id, reason, as_of)

    def promises(self, *, customer_id: Optional[str] = None, invoice_id: Optional[str] = None,
                 state: Optional[int] = None) -> List[Dict[str, Any]]:
        """Promises with where they stand: ``promise`` (an :class:`archase.Promise`),
        ``state`` (:class:`archase.PromiseState`), ``state_date``, ``paid``."""
        return [_promise_info(x) for x in json.loads(capi.archase_bind_promises_json(
            self._handle(), None, customer_id, invoice_id, int(state or 0)))]

    def promise(self, id: str) -> Dict[str, Any]:
        return _promise_info(json.loads(capi.archase_bind_promises_json(
            self._handle(), id, None, None, 0))[0])

    def open_dispute(self, dispute: Any, as_of: date,
                     policy: Union[None, Policy, PathLike] = None) -> None:
        """Opens a dispute under the policy's playbook (archase_dispute_open)."""
        p = self._policy(policy)
        capi.archase_bind_dispute_open(self._handle(), p._h, to_input(dispute), as_of)

    def update_dispute(self, id: str, by: str, as_of: date, *, in_review: bool = False,
                       owner: Optional[str] = None, evidence: Optional[str] = None,
                       policy: Union[None, Policy, PathLike] = None) -> None:
        p = self._policy(policy)
        capi.archase_bind_dispute_update(self._handle(), p._h, id,
                                         int(DisputeStatus.IN_REVIEW) if in_review else 0,
                                         owner, evidence, by, as_of)

    def resolve_dispute(self, id: str, resolution: int, root_cause: str, by: str, as_of: date, *,
                        credited: Optional[Money] = None, justification: Optional[str] = None,
                        policy: Union[None, Policy, PathLike] = None) -> Tuple[Optional[str], bool]:
        """Resolves a dispute; a credit above the policy's limits waits for an
        approval: returns (approval id, pending)."""
        p = self._policy(policy)
        r = json.loads(capi.archase_bind_dispute_resolve(
            self._handle(), p._h, id, int(resolution), credited.minor if credited else 0,
            credited.currency if credited else None, root_cause, by, justification, as_of))
        return r["approval_id"], r["pending"]

    def disputes(self, as_of: date, *, customer_id: Optional[str] = None, status: int = 0,
                 policy: Union[None, Policy, PathLike] = None) -> List[Dict[str, Any]]:
        """Disputes with their SLA (``sla_due``, ``sla_state``, ``age_days``)."""
        p = self._policy(policy)
        return [_convert_dispute(x) for x in json.loads(capi.archase_bind_disputes_json(
            self._handle(), p._h, customer_id, int(status), as_of))]

    def dispute_report(self, as_of: date,
                       policy: Union[None, Policy, PathLike] = None) -> List[Dict[str, Any]]:
        p = self._policy(policy)
        return json.loads(capi.archase_bind_dispute_report_json(self._handle(), p._h, as_of))

    def reconciliation(self, status: int = 0,
                       policy: Union[None, Policy, PathLike] = None) -> List[Dict[str, Any]]:
        """The reconciliation queue (``status`` 1 open, 2 resolved, 0 all)."""
        p = self._policy(policy)
        items = [_convert(x) for x in json.loads(capi.archase_bind_recon_json(
            self._handle(), p._h, int(status)))]
        for it in items:
            it["reason"] = _enum(ReconReason, it["reason"])
        return items

    def resolve_reconciliation(self, id: str, resolution: int, by: str, as_of: date, *,
                               invoice_id: Optional[str] = None, note: Optional[str] = None,
                               justification: Optional[str] = None,
                               customer_impact: Optional[str] = None,
                               policy: Union[None, Policy, PathLike] = None
                               ) -> Tuple[Optional[str], bool]:
        p = self._policy(policy)
        r = json.loads(capi.archase_bind_recon_resolve(
            self._handle(), p._h, id, int(resolution), invoice_id, by, note, justification,
            customer_impact, as_of))
        return r["approval_id"], r["pending"]

    def credit_recommendation(self, customer_id: str, as_of: date, *, request: bool = False,
                              requester: Optional[str] = None,
                              justification: Optional[str] = None,
                              policy: Union[None, Policy, PathLike] = None) -> Dict[str, Any]:
        """The credit recommendation of a customer (``action``: a
        :class:`archase.CreditAction`); ``request=True`` also raises the
        approval request a lowering or hold needs."""
        p = self._policy(policy)
        r = _convert(json.loads(capi.archase_bind_credit_json(
            self._handle(), p._h, customer_id, as_of, 1 if request else 0, requester,
            justification)))
        r["action"] = _enum(CreditAction, r["action"])
        return r

    def update_lifecycle(self, as_of: date,
                         policy: Union[None, Policy, PathLike] = None) -> Dict[str, int]:
        """Moves promises, disputes and the reconciliation queue forward to
        ``as_of`` (the daily cycle does it too); the counts."""
        p = self._policy(policy)
        return json.loads(capi.archase_bind_lifecycle_json(self._handle(), p._h, as_of))

    # -- KPIs, forecast, replay ----------------------------------------------

    def kpi(self, start: date, end: date, *, currency: Optional[str] = None,
            by: Optional[str] = None, policy: Union[None, Policy, PathLike] = None,
            grace_days: Optional[int] = None) -> Dict[str, Any]:
        """Every KPI of [start, end] per currency: ``{"EUR": {...}}`` with the
        keys of ``archase kpi --json``; money as :class:`Money`, days and
        percents as :class:`Decimal`, undefined figures as ``None``.

        ``by="week"`` or ``"month"``: the trend series instead, a list of
        periods per currency."""
        interval = {None: 0, "week": int(KpiInterval.WEEKLY), "month": int(KpiInterval.MONTHLY)}
        if by not in interval:
            raise InvalidArgument(f"by must be 'week' or 'month', not {by!r}", code=capi.ARCHASE_EINVAL)
        p = _policy(policy) or self.policy
        rows = json.loads(capi.archase_bind_kpi_json(
            self._handle(), start, end, interval[by], currency, p._h if p else None,
            -1 if grace_days is None else grace_days, 0), parse_float=Decimal)
        out: Dict[str, Any] = {}
        for row in rows:
            cur = row["currency"]
            conv = _kpi_row(row, cur)
            if by:
                out.setdefault(cur, []).append(conv)
            else:
                out[cur] = conv
        return out

    def kpi_json(self, start: date, end: date, *, currency: Optional[str] = None,
                 by: Optional[str] = None, policy: Union[None, Policy, PathLike] = None,
                 grace_days: Optional[int] = None, customers: bool = False) -> str:
        """The JSON of ``archase kpi --json`` for the same arguments: the same
        keys in the same order and the same values, compact."""
        interval = {None: 0, "week": int(KpiInterval.WEEKLY), "month": int(KpiInterval.MONTHLY)}[by]
        p = _policy(policy) or self.policy
        return capi.archase_bind_kpi_json(self._handle(), start, end, interval, currency,
                                          p._h if p else None,
                                          -1 if grace_days is None else grace_days,
                                          1 if customers else 0)

    def payment_patterns(self, start: date, end: date, **kw: Any) -> List[Dict[str, Any]]:
        """Each customer's payment pattern as of ``end``."""
        return json.loads(self.kpi_json(start, end, customers=True, **kw), parse_float=Decimal)

    def forecast(self, as_of: date, *, currency: Optional[str] = None, weeks: int = 0,
                 policy: Union[None, Policy, PathLike] = None, discount_disputed: int = 0
                 ) -> List[Dict[str, Any]]:
        """The cash forecast per currency: expected receipts week by week with
        their largest drivers and the back-test's error."""
        p = _policy(policy) or self.policy
        rows = json.loads(capi.archase_bind_forecast_json(
            self._handle(), as_of, currency, p._h if p else None, weeks,
            1 if discount_disputed else 0, discount_disputed), parse_float=Decimal)
        return [_convert(r) for r in rows]

    def replay(self, start: date, end: date, policy: Union[None, Policy, PathLike] = None, *,
               late_days: int = 0) -> Dict[str, Any]:
        """The policy re-run day by day over the ledger's history."""
        p = self._policy(policy)
        return _convert(json.loads(capi.archase_bind_replay_json(
            self._handle(), p._h, start, end, late_days), parse_float=Decimal))

    # -- audit ------------------------------------------------------------------

    @property
    def audit_size(self) -> int:
        return capi.archase_audit_size(self._handle())

    def audit_verify(self, trusted_keys: Sequence[bytes] = ()) -> Dict[str, Any]:
        """Verifies the whole log; ``verified`` is False (with ``problem`` and
        ``message``) when it was tampered with."""
        keys = b"".join(bytes(k) for k in trusted_keys)
        if any(len(k) != 32 for k in trusted_keys):
            raise InvalidArgument("a trusted key is 32 bytes (raw Ed25519)", code=capi.ARCHASE_EINVAL)
        return json.loads(capi.archase_bind_audit_verify_json(self._handle(), keys))

    def audit_root(self, size: Optional[int] = None) -> bytes:
        n = self.audit_size if size is None else size
        return bytes.fromhex(json.loads(capi.archase_bind_audit_prove_json(
            self._handle(), 1, n, n))["root"])

    def audit_prove_inclusion(self, index: int, size: Optional[int] = None) -> Dict[str, bytes]:
        """``leaf_hash``, ``proof`` and ``root`` of record ``index`` in the
        first ``size`` records (check with :func:`archase.merkle_verify_inclusion`)."""
        n = self.audit_size if size is None else size
        p = json.loads(capi.archase_bind_audit_prove_json(self._handle(), 0, index, n))
        return {k: bytes.fromhex(v) for k, v in p.items()}

    def audit_prove_consistency(self, size1: int, size2: Optional[int] = None) -> Dict[str, bytes]:
        n = self.audit_size if size2 is None else size2
        p = json.loads(capi.archase_bind_audit_prove_json(self._handle(), 1, size1, n))
        return {k: bytes.fromhex(v) for k, v in p.items()}

    def audit_checkpoint(self, private_key_pem: str) -> str:
        """Signs a checkpoint of the log with an Ed25519 key (PEM); its text."""
        return capi.archase_bind_audit_checkpoint_pem(self._handle(), private_key_pem)

    def audit_checkpoints(self) -> List[Dict[str, Any]]:
        return json.loads(capi.archase_bind_audit_checkpoints_json(self._handle()))

    def audit_export(self) -> str:
        """The log as JSON Lines (docs/audit-format.md, "Export")."""
        return capi.archase_bind_audit_export(self._handle())

    # -- approvals ---------------------------------------------------------------

    def request_approval(self, request: ApprovalRequest,
                         policy: Union[None, Policy, PathLike] = None) -> Tuple[str, bool]:
        """Raises a request; returns its id and whether it is new (the same
        request twice gives the first one's id)."""
        p = self._policy(policy)
        r = json.loads(capi.archase_bind_approval_raise(
            self._handle(), p._h, _input(request, capi.ARCHASE_BIND_APPROVAL_REQUEST)))
        return r["id"], r["created"]

    def approve(self, id: str, vote: Vote) -> ApprovalStatus:
        return _enum(ApprovalStatus, capi.archase_bind_approval_vote(
            self._handle(), id, 1, _input(vote, capi.ARCHASE_BIND_APPROVAL_VOTE)))

    def reject(self, id: str, vote: Vote) -> ApprovalStatus:
        return _enum(ApprovalStatus, capi.archase_bind_approval_vote(
            self._handle(), id, 0, _input(vote, capi.ARCHASE_BIND_APPROVAL_VOTE)))

    def dispatch_approval(self, id: str, actor: Optional[str] = None) -> str:
        """Marks an approved request carried out; the id of what replaced it
        when the facts changed ("" when none)."""
        return json.loads(capi.archase_bind_approval_dispatch(self._handle(), id, actor))

    def expire_approvals(self) -> int:
        return capi.archase_approvals_expire(self._handle())

    def approval(self, id: str) -> Approval:
        return _approval(json.loads(capi.archase_bind_approvals_json(
            self._handle(), id, 0, None, None, 0, 0))[0])

    def approvals(self, status: Optional[ApprovalStatus] = None) -> List[Approval]:
        return [_approval(a) for a in json.loads(capi.archase_bind_approvals_json(
            self._handle(), None, int(status or 0), None, None, 0, 0))]

    def override_sample(self, start: date, end: date, n: int, seed: int = 0) -> List[Approval]:
        """A reproducible random sample of the overrides made in [start, end]."""
        if n <= 0:
            raise InvalidArgument("the sample needs n > 0", code=capi.ARCHASE_EINVAL)
        return [_approval(a) for a in json.loads(capi.archase_bind_approvals_json(
            self._handle(), None, 0, start, end, n, seed))]


def _promise_info(x: Dict[str, Any]) -> Dict[str, Any]:
    info = {"state": _enum(PromiseState, x.pop("state")), "state_date": _date(x.pop("state_date")),
            "paid": _money(x.pop("paid"))}
    x["family"] = int(Family.PROMISE)
    info["promise"] = fact_from_json(x)
    return info


def _convert_dispute(x: Dict[str, Any]) -> Dict[str, Any]:
    extra = {k: x.pop(k) for k in ("sla_owner", "sla_due", "sla_state", "age_days",
                                   "pending_approval")}
    x["family"] = int(Family.DISPUTE)
    return {"dispute": fact_from_json(x), "owner": extra["sla_owner"],
            "sla_due": _date(extra["sla_due"]), "sla_state": extra["sla_state"],
            "age_days": extra["age_days"], "pending_approval": extra["pending_approval"]}


def _kpi_row(row: Dict[str, Any], currency: str) -> Dict[str, Any]:
    """Money strings become Money; everything else stays as the CLI writes it
    (Decimal for days and percents, None for undefined)."""
    out: Dict[str, Any] = {}
    for k, v in row.items():
        if k in ("currency",):
            out[k] = v
        elif k in ("from", "to"):
            out[k] = _date(v)
        elif isinstance(v, dict):
            out[k] = _kpi_row(v, currency)
        elif isinstance(v, list):
            out[k] = [_kpi_row(x, currency) for x in v]
        elif isinstance(v, str) and k != "name":
            out[k] = Money(Decimal(v), currency)
        else:
            out[k] = v
    return out


_DATE_KEYS = {"as_of", "from", "to", "backtest_first", "backtest_last", "expected_on", "date",
              "local_date", "sla_due", "resolved_on", "effective_on"}


def _convert(v: Any, k: str = "") -> Any:
    if isinstance(v, dict):
        if set(v) == {"minor", "currency"}:
            return _money(v)
        return {key: _convert(x, key) for key, x in v.items()}
    if isinstance(v, list):
        return [_convert(x, k) for x in v]
    if isinstance(v, str) and k in _DATE_KEYS:
        return _date(v)
    return v


def to_local(instant: Union[int, datetime], zone: str, tzdir: Optional[str] = None) -> Dict[str, Any]:
    """The wall-clock time of an instant in an IANA zone: ``date``,
    ``seconds_of_day``, ``utc_offset``, ``is_dst``, ``abbreviation``."""
    r = json.loads(capi.archase_bind_tz_to_local(tzdir, zone, _instant(instant)))
    r["date"] = _date(r["date"])
    return r


def from_local(day: date, seconds_of_day: int, zone: str, tzdir: Optional[str] = None) -> int:
    """The instant (seconds since the epoch) of a local time in an IANA zone
    (a time skipped by a clock change moves forward, an ambiguous one takes
    the first)."""
    return capi.archase_bind_tz_from_local(tzdir, zone, day, seconds_of_day)


FileSource = Union[PathLike, bytes, bytearray, memoryview]


@dataclass(frozen=True)
class PreviewSource:
    """One file of a preview, given as to :meth:`Engine.import_csv`: a path
    or the content as bytes, what it holds (``kind``, unless a ``mapping``
    names it), its ``format``, the ``name`` diagnostics give it and the
    export's ``as_of`` date (a mapping's amounts due)."""
    source: FileSource
    kind: Optional[Kind] = None
    mapping: Optional[PathLike] = None
    name: Optional[str] = None
    as_of: Optional[date] = None
    format: Format = Format.CSV


def _preview(handle: Any, as_of: date, policy: Policy, sources: Sequence[PreviewSource],
             tzdir: Optional[str]) -> Evaluation:
    pv = capi.archase_bind_preview_new()
    keep = []  # the mappings stay alive until the preview has run
    for s in sources:
        if s.kind is None and s.mapping is None:
            raise InvalidArgument("say what each preview source holds: kind=archase.Kind.INVOICES, ...",
                                  code=capi.ARCHASE_EINVAL)
        m = capi.archase_mapping_load_file(os.fspath(s.mapping)) if s.mapping else None
        keep.append(m)
        if isinstance(s.source, (bytes, bytearray, memoryview)):
            path, data = None, s.source
        else:
            path, data = os.fspath(s.source), b""
        capi.archase_bind_preview_add(pv, int(s.kind or 0), int(s.format), m, s.name, s.as_of, path, data)
    snap = capi.archase_bind_preview_run(pv, handle, as_of, policy._h, tzdir)
    del keep
    return Evaluation(snap, capi.archase_evaluate(snap, policy._h, as_of, None), policy, as_of)


def preview(as_of: date, policy: Union[Policy, PathLike], *, customers: Optional[FileSource] = None,
            contacts: Optional[FileSource] = None, flags: Optional[FileSource] = None,
            invoices: Optional[FileSource] = None, sources: Sequence[PreviewSource] = (),
            tzdir: Optional[str] = None) -> Evaluation:
    """:meth:`Engine.preview` without an engine of one's own: what ``policy``
    would decide on exported files, nothing imported, stored or audited."""
    with open(policy=policy) as eng:
        return eng.preview(as_of, customers=customers, contacts=contacts, flags=flags,
                           invoices=invoices, sources=sources, tzdir=tzdir)


def open(path: Optional[PathLike] = None, *, policy: Union[None, Policy, PathLike] = None,
         actor: Optional[str] = None, now: Union[None, int, datetime] = None,
         read_only: bool = False, storage: Any = None) -> Engine:
    """Opens an engine: SQLite at ``path`` (created when missing), in memory
    when ``path`` is None, or over a host's ``storage`` object
    (:class:`archase.Storage`). ``policy`` (a path or a :class:`Policy`) is
    the default of the calls that need one; ``actor`` is who the audit log
    names; ``now`` fixes the clock (seconds or an aware datetime)."""
    p = _policy(policy)
    if storage is not None:
        from .callbacks import open_storage
        handle, keep = open_storage(storage, actor, _instant(now))
        return Engine(handle, p, keep)
    handle = capi.archase_bind_open(None if path is None else os.fspath(path), actor,
                                    _instant(now), 1 if read_only else 0)
    return Engine(handle, p)
