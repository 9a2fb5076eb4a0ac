"""Errors raised by archase: one class per error code of the C library.

Every failing call raises a subclass of :class:`Error`. Catch ``archase.Error``
for any failure, or the class of one code::

    try:
        archase.Money.parse(text)
    except archase.ParseError as e:
        print(e.code, e.name, e.message)   # -10 ARCHASE_EPARSE malformed input

The classes that stand for bad values also derive from the built-in
exception Python code already expects (``ParseError`` is a ``ValueError``,
``ArithmeticOverflow`` an ``OverflowError``, ``NotFound`` a ``LookupError``,
``OutOfMemory`` a ``MemoryError``). Codes are pinned forever in
``include/archase/errors.h``; a code this version does not know raises
:class:`Error` itself.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence

from . import capi

__all__ = [
    "Error",
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
    "Diagnostic",
    "error_class",
]


class Diagnostic(NamedTuple):
    """One problem a loader found: where it is and what is wrong.

    ``line`` and ``column`` are 1-based; 0 means "not tied to a line (column)".
    """

    code: int
    line: int
    column: int
    source: str
    message: str

    def __str__(self) -> str:
        where = [self.source] if self.source else []
        if self.line:
            where.append(str(self.line))
            if self.column:
                where.append(str(self.column))
        return ":".join(where + [" " + self.message]) if where else self.message


class Error(Exception):
    """A call into the archase library failed.

    Attributes:
        code: the negative ``ARCHASE_E*`` code (``archase.capi.ARCHASE_EINVAL``...).
        name: its symbolic name, e.g. ``"ARCHASE_EINVAL"``.
        message: what went wrong: the handle's own message when the call had
            one (an engine's), else the code's description.
        function: the C function that failed, e.g. ``"archase_money_parse"``
            (``None`` when the error was raised by the Python layer).
    """

    #: The code of the class; an instance carries the code of its failure.
    code: int = 0
    #: What a loader or an import found, one entry per problem (may be empty).
    diagnostics: Sequence["Diagnostic"] = ()
    name: str
    message: str
    function: Optional[str]

    def __init__(self, message: Optional[str] = None, *, code: Optional[int] = None,
                 function: Optional[str] = None) -> None:
        if code is None:
            code = type(self).code
        self.code = code
        self.name = capi.archase_error_name(code)
        self.message = message if message else capi.archase_strerror(code)
        self.function = function
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code})"


def _code(name: str) -> int:
    return int(getattr(capi, "ARCHASE_" + name))


class InvalidArgument(Error, ValueError):
    """A value the call does not accept (ARCHASE_EINVAL)."""
    code = _code("EINVAL")


class OutOfMemory(Error, MemoryError):
    """The library could not allocate memory (ARCHASE_ENOMEM)."""
    code = _code("ENOMEM")


class ConflictError(Error):
    """The same id with different content at the same revision (ARCHASE_ECONFLICT)."""
    code = _code("ECONFLICT")


class PolicyError(Error, ValueError):
    """The policy is invalid (ARCHASE_EPOLICY).

    ``diagnostics`` lists every problem found (up to the loader's limit;
    ``dropped`` counts the rest); ``file``, ``line`` and ``column`` are those
    of the first, and ``str()`` shows it as ``file:line:column: message``.
    """
    code = _code("EPOLICY")

    diagnostics: Sequence[Diagnostic]
    dropped: int

    def __init__(self, message: Optional[str] = None, *, code: Optional[int] = None,
                 function: Optional[str] = None,
                 diagnostics: Sequence[Diagnostic] = (), dropped: int = 0) -> None:
        self.diagnostics = tuple(diagnostics)
        self.dropped = dropped
        if not message and self.diagnostics:
            message = str(self.diagnostics[0])
            more = len(self.diagnostics) - 1 + dropped
            if more:
                message += f" (and {more} more)"
        super().__init__(message, code=code, function=function)

    @property
    def file(self) -> Optional[str]:
        return self.diagnostics[0].source if self.diagnostics else None

    @property
    def line(self) -> int:
        return self.diagnostics[0].line if self.diagnostics else 0

    @property
    def column(self) -> int:
        return self.diagnostics[0].column if self.diagnostics else 0


class StorageError(Error):
    """The storage backend failed (ARCHASE_ESTORAGE)."""
    code = _code("ESTORAGE")


class NotFound(Error, LookupError):
    """No such record, file or name (ARCHASE_ENOTFOUND)."""
    code = _code("ENOTFOUND")


class Unsupported(Error):
    """Not supported by this backend or build (ARCHASE_EUNSUPPORTED)."""
    code = _code("EUNSUPPORTED")


class CurrencyError(Error, ValueError):
    """An unknown currency, or amounts in different currencies (ARCHASE_ECURRENCY)."""
    code = _code("ECURRENCY")


class ArithmeticOverflow(Error, OverflowError):
    """The result does not fit in 64-bit minor units; never wraps (ARCHASE_EOVERFLOW)."""
    code = _code("EOVERFLOW")


class ParseError(Error, ValueError):
    """Malformed text: money, a date, a CSV row (ARCHASE_EPARSE)."""
    code = _code("EPARSE")


class StateError(Error):
    """Not allowed in the current state, e.g. a second open batch (ARCHASE_ESTATE)."""
    code = _code("ESTATE")


class PermissionDenied(Error):
    """Not permitted for this actor, e.g. approving one's own request (ARCHASE_EDENIED)."""
    code = _code("EDENIED")


class VerificationError(Error):
    """Verification failed: an audit log or a checkpoint (ARCHASE_EVERIFY)."""
    code = _code("EVERIFY")


class BusyError(Error):
    """The resource is busy, e.g. another writer holds the store (ARCHASE_EBUSY)."""
    code = _code("EBUSY")


class TransportError(Error):
    """The message transport failed (ARCHASE_ETRANSPORT)."""
    code = _code("ETRANSPORT")


class VersionError(Error):
    """An unsupported version of a struct, file or schema (ARCHASE_EVERSION)."""
    code = _code("EVERSION")


class CallbackError(Error):
    """A host callback failed (ARCHASE_ECALLBACK)."""
    code = _code("ECALLBACK")


class InputOutputError(Error):
    """Reading or writing a file failed (ARCHASE_EIO)."""
    code = _code("EIO")


class OutOfRange(Error, ValueError):
    """A value out of range, e.g. a date past 9999-12-31 (ARCHASE_ERANGE)."""
    code = _code("ERANGE")


class BufferTooSmall(Error):
    """A buffer too small for the result (ARCHASE_EBUFSIZE)."""
    code = _code("EBUFSIZE")


class Expired(Error):
    """Expired, e.g. an approval past its expiry (ARCHASE_EEXPIRED)."""
    code = _code("EEXPIRED")


_BY_CODE = {cls.code: cls for cls in (
    InvalidArgument, OutOfMemory, ConflictError, PolicyError, StorageError, NotFound,
    Unsupported, CurrencyError, ArithmeticOverflow, ParseError, StateError,
    PermissionDenied, VerificationError, BusyError, TransportError, VersionError,
    CallbackError, InputOutputError, OutOfRange, BufferTooSmall, Expired)}


def error_class(code: int) -> type:
    """The exception class raised for ``code`` (:class:`Error` for an unknown one)."""
    return _BY_CODE.get(code, Error)


def _from_status(code: int, function: str, detail: Optional[str],
                 diagnostics: Sequence[tuple], dropped: int) -> Error:
    """Makes the exception for a failed call; the generated module calls this."""
    cls = error_class(code)
    if diagnostics or cls is PolicyError:
        diags = [Diagnostic(*d) for d in diagnostics]
        if issubclass(cls, PolicyError):
            return cls(detail, code=code, function=function, diagnostics=diags, dropped=dropped)
        if not detail and diags:
            detail = str(diags[0])
        err = cls(detail, code=code, function=function)
        err.diagnostics = diags
        return err
    return cls(detail, code=code, function=function)
