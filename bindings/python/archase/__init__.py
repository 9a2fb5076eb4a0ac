"""archase: decide which unpaid invoices to chase, how, when and with whose sign-off.

The Python face of libarchase (see docs/python.md). Money is exact
(:class:`Money`, ``decimal.Decimal`` at the boundary), dates are
:class:`datetime.date`, and every failing call raises a subclass of
:class:`Error` (see :mod:`archase.errors`).

The generated module :mod:`archase.capi` mirrors the C API one to one; the
names exported here are the API to use.
"""

from __future__ import annotations

from . import capi
from .dates import (Calendar, Roll, Weekday, add_business_days, add_months,
                    business_days_between, parse_date)
from .errors import (ArithmeticOverflow, BufferTooSmall, BusyError, CallbackError,
                     ConflictError, CurrencyError, Diagnostic, Error, Expired,
                     InputOutputError, InvalidArgument, NotFound, OutOfMemory, OutOfRange,
                     ParseError, PermissionDenied, PolicyError, StateError, StorageError,
                     TransportError, Unsupported, VerificationError, VersionError)
from .hashing import sha256
from .money import Currency, Money, currencies, currency
from .enums import *  # noqa: F401,F403  (every IntEnum of the C API)
from .enums import __all__ as _enum_names
from .facts import (Contact, Customer, CustomerFlags, Dispute, Instalment, Invoice, Note,
                    Payment, Promise)
from .engine import (Approval, ApprovalRequest, Assessment, Batch, BatchSummary,
                     CadenceUpdate, Coverage, Decision, DecisionInvoice, Engine, Evaluation,
                     Policy, PreviewSource, Vote, WorklistLine, from_local, open, preview,
                     to_local)
from .audit import merkle_leaf_hash, merkle_root, merkle_prove_inclusion, merkle_verify_inclusion
from .interop import from_pandas, to_pandas
from .callbacks import AuditEntry, MemoryStorage, Message, Record, ScanFilter, Storage, Transport


def version() -> str:
    """The version of the library inside this package, ``"MAJOR.MINOR.PATCH"``."""
    return capi.archase_version_string()


__version__: str = version()

__all__ = [
    "__version__",
    "version",
    # money
    "Money",
    "Currency",
    "currency",
    "currencies",
    # dates
    "Calendar",
    "Roll",
    "Weekday",
    "add_business_days",
    "business_days_between",
    "add_months",
    "parse_date",
    # hashing
    "sha256",
    # errors
    "Error",
    "Diagnostic",
    "InvalidArgument",
    "OutOfMemory",
    "ConflictError",
    "PolicyError",
    "StorageError",
    "NotFound",
    "Unsupported",
    "CurrencyError",
    "ArithmeticOverflow",
    "ParseError",
    "StateError",
    "PermissionDenied",
    "VerificationError",
    "BusyError",
    "TransportError",
    "VersionError",
    "CallbackError",
    "InputOutputError",
    "OutOfRange",
    "BufferTooSmall",
    "Expired",
    # engines and the ledger
    "open",
    "to_local",
    "from_local",
    "Engine",
    "Batch",
    "BatchSummary",
    "Policy",
    "Customer",
    "Contact",
    "CustomerFlags",
    "Invoice",
    "Payment",
    "Instalment",
    "Promise",
    "Dispute",
    "Note",
    # evaluation
    "Evaluation",
    "preview",
    "PreviewSource",
    "Decision",
    "DecisionInvoice",
    "Assessment",
    "CadenceUpdate",
    "Coverage",
    "WorklistLine",
    # approvals
    "ApprovalRequest",
    "Vote",
    "Approval",
    # audit
    "merkle_leaf_hash",
    "merkle_root",
    "merkle_prove_inclusion",
    "merkle_verify_inclusion",
    # a host's storage
    "Storage",
    "MemoryStorage",
    "Record",
    "ScanFilter",
    "AuditEntry",
    # pandas (optional)
    "to_pandas",
    "from_pandas",
    # a host's transport
    "Transport",
    "Message",
] + list(_enum_names)
