"""Money: an exact amount in minor units of one ISO 4217 currency.

Amounts cross the boundary as :class:`decimal.Decimal` (or ``int``), never as
``float``; the arithmetic is the C library's, in 64-bit minor units, and an
overflow raises instead of wrapping::

    >>> from decimal import Decimal
    >>> total = Money.parse("100.00 EUR")
    >>> [str(p) for p in total.split(3)]
    ['33.34 EUR', '33.33 EUR', '33.33 EUR']
    >>> Money(Decimal("0.10"), "EUR") + Money(Decimal("0.20"), "EUR") == Money.parse("0.30 EUR")
    True
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Iterator, List, NamedTuple, Union

from . import capi
from .errors import ArithmeticOverflow, CurrencyError, InvalidArgument

__all__ = ["Money", "Currency", "currency", "currencies"]

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


class Currency(NamedTuple):
    """A currency of the ISO 4217 table the library carries."""

    code: str
    """The 3-letter code, e.g. ``"EUR"``."""
    numeric: int
    """The ISO numeric code, e.g. ``978``."""
    minor_units: int
    """Decimals of the minor unit (0, 2, 3 or 4); -1 for codes that are not money (XAU)."""
    name: str
    """The English name, e.g. ``"Euro"``."""


def _currency_from_c(c: Any) -> Currency:
    return Currency(c.code, c.numeric, c.minor_units, c.name)


_CURRENCIES: "dict[str, Currency]" = {}  # the table is fixed: codes found are kept


def currency(code: str) -> Currency:
    """Looks up a currency by its upper-case 3-letter code.

    Raises :class:`archase.CurrencyError` for a code not in the table.
    """
    found = _CURRENCIES.get(code)
    if found is None:
        found = _currency_from_c(capi.archase_currency_lookup(code))
        _CURRENCIES[code] = found
    return found


def currencies() -> Iterator[Currency]:
    """Every currency of the table, in code order (codes that are not money included)."""
    for i in range(capi.archase_currency_count()):
        yield _currency_from_c(capi.archase_currency_at(i))


def _money_currency(code: str) -> Currency:
    if not isinstance(code, str):
        raise TypeError(f"currency must be a str, not {type(code).__name__}")
    found = currency(code)
    if found.minor_units < 0:
        raise CurrencyError(f"{code} is not money (it has no minor unit)")
    return found


def _c_money(minor: int, code: str) -> Any:
    c = capi.archase_money()
    c.minor = minor
    c.currency = code
    return c


class Money:
    """An immutable amount of money: integer minor units of a currency.

    ``Money(Decimal("1234.56"), "EUR")`` or ``Money(1234, "JPY")``; the
    amount must be exact in the currency's minor unit (``Decimal("0.001")``
    EUR raises :class:`archase.InvalidArgument`: round it first, e.g. with
    ``quantize``). A ``float`` raises ``TypeError``: binary fractions are not
    money. Text goes through :meth:`parse` or :meth:`parse_amount`.

    ``+`` and ``-`` need the same currency (else :class:`archase.CurrencyError`)
    and raise :class:`archase.ArithmeticOverflow` past 64-bit minor units.
    ``==`` is False between currencies; ``<``, ``<=``, ``>``, ``>=`` between
    currencies raise :class:`archase.CurrencyError`, since there is no order.
    """

    # Minor units and code; the C struct the library's functions take is made
    # on first use only (most Money read from an engine is never computed with).
    __slots__ = ("_minor", "_code", "_cm")

    def __init__(self, amount: Union[Decimal, int], currency: str) -> None:
        cur = _money_currency(currency)
        self._minor = _minor_units(amount, cur)
        self._code = cur.code
        self._cm = None

    @property
    def _c(self) -> Any:
        if self._cm is None:
            self._cm = _c_money(self._minor, self._code)
        return self._cm

    @classmethod
    def _wrap(cls, c: Any) -> "Money":
        money = object.__new__(cls)
        money._minor = int(c.minor)
        money._code = str(c.currency)
        money._cm = c
        return money

    @classmethod
    def _of(cls, minor: int, code: str) -> "Money":
        money = object.__new__(cls)
        money._minor = minor
        money._code = code
        money._cm = None
        return money

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> "Money":
        """Money from its minor units: ``Money.from_minor(123456, "EUR")`` is 1234.56 EUR."""
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise TypeError(f"minor units must be an int, not {type(minor).__name__}")
        if not _INT64_MIN <= minor <= _INT64_MAX:
            raise ArithmeticOverflow(f"{minor} minor units do not fit in 64 bits")
        return cls._of(minor, _money_currency(currency).code)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        """No money in ``currency``."""
        return cls.from_minor(0, currency)

    @classmethod
    def parse(cls, text: str) -> "Money":
        """Reads ``"1234.56 EUR"`` strictly: an optional ``-``, digits, at most as
        many decimals as the currency has, one space, an upper-case code.

        Raises :class:`archase.ParseError` (malformed, too many decimals),
        :class:`archase.CurrencyError` or :class:`archase.ArithmeticOverflow`.
        """
        return cls._wrap(capi.archase_money_parse(text))

    @classmethod
    def parse_amount(cls, amount: str, currency: str) -> "Money":
        """Reads an amount without its code (``"1234.56"``) by the rules of :meth:`parse`."""
        return cls._wrap(capi.archase_money_parse_amount(amount, currency))

    @property
    def minor(self) -> int:
        """The amount in minor units (cents, yen, fils)."""
        return self._minor

    @property
    def currency(self) -> str:
        """The ISO 4217 code."""
        return self._code

    @property
    def amount(self) -> Decimal:
        """The amount as an exact Decimal with every minor digit (``Decimal('10.00')``)."""
        return Decimal(capi.archase_money_format_amount(self._c))

    def __str__(self) -> str:
        return capi.archase_money_format(self._c)

    def __repr__(self) -> str:
        return f"Money(Decimal('{capi.archase_money_format_amount(self._c)}'), {self.currency!r})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self) -> Any:
        return (Money.from_minor, (self.minor, self.currency))

    def __hash__(self) -> int:
        return hash((self.minor, self.currency))

    def __bool__(self) -> bool:
        return self.minor != 0

    def _other(self, other: Any) -> Any:
        return other._c if isinstance(other, Money) else None

    def __add__(self, other: Any) -> "Money":
        c = self._other(other)
        if c is None:
            return NotImplemented
        return Money._wrap(capi.archase_money_add(self._c, c))

    def __radd__(self, other: Any) -> "Money":
        # sum() starts from 0.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Any) -> "Money":
        c = self._other(other)
        if c is None:
            return NotImplemented
        return Money._wrap(capi.archase_money_sub(self._c, c))

    def __neg__(self) -> "Money":
        return Money._wrap(capi.archase_money_sub(_c_money(0, self.currency), self._c))

    def __pos__(self) -> "Money":
        return self

    def __abs__(self) -> "Money":
        return -self if self.minor < 0 else self

    def _cmp(self, other: Any) -> Any:
        c = self._other(other)
        if c is None:
            return NotImplemented
        return capi.archase_money_cmp(self._c, c)

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.minor == other.minor and self.currency == other.currency

    def __lt__(self, other: Any) -> bool:
        r = self._cmp(other)
        return r if r is NotImplemented else r < 0

    def __le__(self, other: Any) -> bool:
        r = self._cmp(other)
        return r if r is NotImplemented else r <= 0

    def __gt__(self, other: Any) -> bool:
        r = self._cmp(other)
        return r if r is NotImplemented else r > 0

    def __ge__(self, other: Any) -> bool:
        r = self._cmp(other)
        return r if r is NotImplemented else r >= 0

    def split(self, n: int) -> List["Money"]:
        """``n`` parts that differ by at most one minor unit and sum exactly to
        this amount; the first parts take the extra units (100.00 EUR in 3:
        33.34, 33.33, 33.33). Raises :class:`archase.InvalidArgument` for n < 1."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, not {type(n).__name__}")
        if n < 1:
            raise InvalidArgument(f"cannot split into {n} parts")
        return [Money._wrap(c) for c in capi.archase_money_split(self._c, n)]

    def allocate(self, weights: Iterable[int]) -> List["Money"]:
        """Parts in proportion to ``weights`` (ints >= 0, not all 0) by the
        largest-remainder method; they sum exactly to this amount."""
        return [Money._wrap(c) for c in capi.archase_money_split_weights(self._c, list(weights))]

    def apply_rate(self, numerator: int, denominator: int) -> "Money":
        """This amount × numerator ÷ denominator, rounded half to even, exactly.
        Interest at 8.25% for 30 days of a 365-day year:
        ``apply_rate(825 * 30, 10000 * 365)``."""
        return Money._wrap(capi.archase_money_apply_rate(self._c, numerator, denominator))


def _minor_units(amount: Union[Decimal, int], cur: Currency) -> int:
    """The exact minor units of ``amount`` in ``cur``, or an exception."""
    if isinstance(amount, bool):
        raise TypeError("amount must be a decimal.Decimal or an int, not bool")
    if isinstance(amount, int):
        units = amount * 10 ** cur.minor_units
    elif isinstance(amount, Decimal):
        if not amount.is_finite():
            raise InvalidArgument(f"amount must be finite, not {amount}")
        sign, digits, exponent = amount.as_tuple()
        assert isinstance(exponent, int)
        coefficient = int("".join(map(str, digits)) or "0")
        shift = exponent + cur.minor_units
        if shift >= 0:
            if coefficient and shift > 40:
                raise ArithmeticOverflow(f"{amount} {cur.code} does not fit in 64-bit minor units")
            units = coefficient * 10 ** shift
        else:
            units, rest = divmod(coefficient, 10 ** -shift)
            if rest:
                raise InvalidArgument(
                    f"{amount} has more decimals than {cur.code} has ({cur.minor_units}): "
                    "round it first (Decimal.quantize)")
        if sign:
            units = -units
    elif isinstance(amount, float):
        raise TypeError("amount must be a decimal.Decimal or an int, not float: "
                        "binary floating point cannot hold money exactly")
    elif isinstance(amount, str):
        raise TypeError("amount must be a decimal.Decimal or an int, not str: "
                        "use Money.parse() or Money.parse_amount() for text")
    else:
        raise TypeError(f"amount must be a decimal.Decimal or an int, not {type(amount).__name__}")
    if not _INT64_MIN <= units <= _INT64_MAX:
        raise ArithmeticOverflow(f"{amount} {cur.code} does not fit in 64-bit minor units")
    return units
