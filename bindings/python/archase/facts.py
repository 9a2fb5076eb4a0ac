"""The ledger's facts as dataclasses: what :meth:`archase.Engine.put` takes
and what :meth:`archase.Engine.facts` returns.

Field names are those of the C structs (``include/archase/ledger.h``); money
is :class:`archase.Money`, dates are :class:`datetime.date`, enums are
:class:`enum.IntEnum`. Facts read back also carry what the engine derived
(an invoice's ``status`` and ``open_amount``, a payment's ``applied``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

from . import capi
from .enums import (Channel, DisputeStatus, Family, InvoiceStatus, PaymentKind, Resolution)
from .money import Money

__all__ = [
    "Customer", "Contact", "CustomerFlags", "Invoice", "Payment", "Instalment", "Promise",
    "Dispute", "Note", "Fact", "fact_from_json",
]


@dataclass
class Customer:
    """A customer: who owes. ``id`` and ``name`` are required."""
    id: str
    name: str
    revision: int = 0
    tier: Optional[str] = None
    owner: Optional[str] = None
    collector: Optional[str] = None
    timezone: Optional[str] = None
    locale: Optional[str] = None
    country: Optional[str] = None
    credit_limit: Optional[Money] = None
    tags: Sequence[str] = ()
    source_link: Optional[str] = None
    FAMILY = Family.CUSTOMER


@dataclass
class Contact:
    """A way to reach a customer on one channel."""
    id: str
    customer_id: str
    channel: Channel
    address: str
    revision: int = 0
    name: Optional[str] = None
    role: Optional[str] = None
    consent: bool = False
    primary: bool = False
    FAMILY = Family.CONTACT


@dataclass
class CustomerFlags:
    """Relationship flags of a customer (hold, paused until, ...)."""
    customer_id: str
    revision: int = 0
    hold: bool = False
    paused_until: Optional[date] = None
    expansion: bool = False
    strategic: bool = False
    service_issue: bool = False
    reason: Optional[str] = None
    set_by: Optional[str] = None
    FAMILY = Family.FLAGS


@dataclass
class Invoice:
    """An invoice. Read back, ``status``, ``open_amount``,
    ``last_payment_date`` and ``settled_date`` are what the engine derived."""
    id: str
    customer_id: str
    issue_date: date
    due_date: date
    amount: Money
    number: Optional[str] = None
    terms: Optional[str] = None
    po_ref: Optional[str] = None
    source_link: Optional[str] = None
    revision: int = 0
    source_status: InvoiceStatus = InvoiceStatus.OPEN
    status: Optional[InvoiceStatus] = None
    open_amount: Optional[Money] = None
    last_payment_date: Optional[date] = None
    settled_date: Optional[date] = None
    FAMILY = Family.INVOICE
    DERIVED = ("status", "open_amount", "last_payment_date", "settled_date")


@dataclass
class Payment:
    """A payment, credit note, adjustment or write-off."""
    id: str
    customer_id: str
    date: date
    amount: Money
    kind: PaymentKind = PaymentKind.PAYMENT
    invoice_id: Optional[str] = None
    reference: Optional[str] = None
    source_link: Optional[str] = None
    overpayment: bool = False
    revision: int = 0
    applied: Optional[Money] = None
    FAMILY = Family.PAYMENT
    DERIVED = ("applied",)


@dataclass
class Instalment:
    """One dated part of a promise's plan."""
    date: date
    amount: Money


@dataclass
class Promise:
    """A promise to pay ``amount`` by ``promised_date``."""
    id: str
    customer_id: str
    invoice_ids: Sequence[str]
    amount: Money
    promised_date: date
    instalments: Sequence[Instalment] = ()
    taken_by: Optional[str] = None
    channel: Channel = Channel.NONE
    note: Optional[str] = None
    grace_days: int = -1  # the policy's default
    recorded_on: Optional[date] = None
    revision: int = 0
    FAMILY = Family.PROMISE


@dataclass
class Dispute:
    """A dispute over some of a customer's invoices."""
    id: str
    customer_id: str
    invoice_ids: Sequence[str]
    amount: Money
    reason_code: str
    opened_on: date
    evidence: Optional[str] = None
    opened_by: Optional[str] = None
    owner: Optional[str] = None
    status: DisputeStatus = DisputeStatus.OPEN
    resolution: Resolution = Resolution.NONE
    root_cause: Optional[str] = None
    resolved_on: Optional[date] = None
    credited: Optional[Money] = None
    revision: int = 0
    FAMILY = Family.DISPUTE


@dataclass
class Note:
    """A note about a customer (or one of its invoices). ``at`` is seconds
    since the epoch (UTC)."""
    id: str
    customer_id: str
    text: str
    invoice_id: Optional[str] = None
    author: Optional[str] = None
    at: int = 0
    revision: int = 0
    FAMILY = Family.NOTE


Fact = Any  # one of the classes above

_CLASSES: Dict[int, Type[Any]] = {
    c.FAMILY: c for c in (Customer, Contact, CustomerFlags, Invoice, Payment, Promise, Dispute, Note)
}

_ENUM_FIELDS: Dict[str, Any] = {
    "channel": Channel, "source_status": InvoiceStatus, "status": None, "kind": PaymentKind,
    "resolution": Resolution,
}

_BOOL_FIELDS = {"consent", "primary", "hold", "expansion", "strategic", "service_issue",
                "overpayment"}


def family_of(cls_or_fact: Any) -> Family:
    fam = getattr(cls_or_fact, "FAMILY", None)
    if fam is None:
        raise TypeError(f"not a fact: {type(cls_or_fact).__name__}")
    return fam


def _money(v: Any) -> Optional[Money]:
    if v is None:
        return None
    return Money.from_minor(v["minor"], v["currency"])


def _date(v: Any) -> Optional[date]:
    return None if v is None else date.fromisoformat(v)


def fact_from_json(obj: Dict[str, Any]) -> Fact:
    """A fact object from one entry of archase_bind_facts' JSON."""
    fam = Family(obj.pop("family"))
    cls = _CLASSES[fam]
    kwargs: Dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in obj:
            continue
        v = obj[f.name]
        if isinstance(v, dict) and "minor" in v:
            v = _money(v)
        elif f.name == "instalments":
            v = tuple(Instalment(_date(i["date"]), _money(i["amount"])) for i in v)
        elif isinstance(v, str) and (f.name.endswith(("_date", "_on", "_until")) or f.name == "date"):
            v = _date(v)
        elif isinstance(v, list):
            v = tuple(v)
        elif f.name in _BOOL_FIELDS:
            v = bool(v)
        elif f.name == "status" and v is not None:
            v = {Family.INVOICE: InvoiceStatus, Family.DISPUTE: DisputeStatus}.get(fam, int)(v)
        elif f.name in _ENUM_FIELDS and _ENUM_FIELDS[f.name] and v is not None:
            v = _ENUM_FIELDS[f.name](v)
        kwargs[f.name] = v
    return cls(**kwargs)


def to_input(fact: Any, kind: Optional[int] = None) -> Any:
    """The fact (or approval request / vote) as a capi.archase_bind_input."""
    if kind is None:
        kind = family_of(fact)
    handle = capi.archase_bind_input_new(int(kind))
    derived = getattr(fact, "DERIVED", ())
    for f in dataclasses.fields(fact):
        if f.name in derived:
            continue
        set_field(handle, f.name, getattr(fact, f.name))
    return handle


def set_field(handle: Any, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Money):
        capi.archase_bind_input_set_money(handle, name, value.minor, value.currency)
    elif isinstance(value, date):
        capi.archase_bind_input_set_date(handle, name, value)
    elif isinstance(value, str):
        capi.archase_bind_input_set_text(handle, name, value)
    elif isinstance(value, int):  # bool and IntEnum too
        capi.archase_bind_input_set_int(handle, name, int(value))
    elif name == "instalments":
        for part in value:
            if not isinstance(part, Instalment) or not isinstance(part.amount, Money):
                raise TypeError("instalments must be archase.Instalment(date, Money)")
            capi.archase_bind_input_add_instalment(handle, part.date, part.amount.minor,
                                                   part.amount.currency)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if not isinstance(item, str):
                raise TypeError(f"{name} must be a sequence of str, not of {type(item).__name__}")
            capi.archase_bind_input_add_text(handle, name, item)
    else:
        raise TypeError(f"{name}: {type(value).__name__} is not accepted"
                        + (" (money is archase.Money, never a float)" if isinstance(value, float) else ""))


def class_of(family: int) -> Type[Any]:
    return _CLASSES[Family(family)]


def families() -> Tuple[Family, ...]:
    return tuple(_CLASSES)

