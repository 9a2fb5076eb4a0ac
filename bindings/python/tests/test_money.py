import copy
import pickle
from decimal import Decimal

import pytest

import archase
from archase import Money


def eur(text):
    return Money.parse(text + " EUR")


def test_parse_and_str_round_trip():
    for text in ["1234.56 EUR", "-0.500 KWD", "100 JPY", "0.0001 CLF", "10.00 EUR"]:
        assert str(Money.parse(text)) == text


def test_parse_is_strict():
    for text in ["12,50 EUR", "1.234 EUR", "1 eur", "1. EUR", ".5 EUR", "+1 EUR", " 1 EUR",
                 "1  EUR", "1e3 EUR", "", "1 XAU"]:
        with pytest.raises((archase.ParseError, archase.CurrencyError)):
            Money.parse(text)


def test_unknown_currency_is_a_currency_error():
    with pytest.raises(archase.CurrencyError):
        Money.parse("1.00 ABC")
    with pytest.raises(archase.CurrencyError):
        Money(Decimal("1"), "ABC")


def test_amount_is_an_exact_decimal():
    m = Money(Decimal("1234.56"), "EUR")
    assert m.amount == Decimal("1234.56")
    assert isinstance(m.amount, Decimal)
    assert str(eur("10.00").amount) == "10.00"
    assert m.minor == 123456
    assert m.currency == "EUR"
    assert Money(Decimal("-0.5"), "KWD").minor == -500


def test_exact_decimals_are_accepted_whatever_their_exponent():
    assert Money(Decimal("100.00"), "JPY") == Money.parse("100 JPY")
    assert Money(Decimal("1E+3"), "EUR").minor == 100000
    assert Money(12, "EUR").minor == 1200


def test_amounts_finer_than_the_minor_unit_are_refused():
    with pytest.raises(archase.InvalidArgument):
        Money(Decimal("0.001"), "EUR")
    with pytest.raises(archase.InvalidArgument):
        Money(Decimal("NaN"), "EUR")


def test_float_is_refused_at_the_boundary():
    with pytest.raises(TypeError):
        Money(0.1, "EUR")
    with pytest.raises(TypeError):
        Money("12.50", "EUR")
    with pytest.raises(TypeError):
        Money(True, "EUR")
    with pytest.raises(TypeError):
        Money.from_minor(1.0, "EUR")


def test_add_and_sub_are_exact():
    assert Money(Decimal("0.10"), "EUR") + Money(Decimal("0.20"), "EUR") == eur("0.30")
    assert eur("1.00") - eur("2.50") == eur("-1.50")
    assert -eur("1.50") == eur("-1.50")
    assert abs(eur("-1.50")) == eur("1.50")
    assert sum([eur("1.00"), eur("2.00"), eur("3.00")]) == eur("6.00")


def test_different_currencies_do_not_mix():
    with pytest.raises(archase.CurrencyError):
        eur("1.00") + Money.parse("1.00 USD")
    with pytest.raises(archase.CurrencyError):
        eur("1.00") - Money.parse("1.00 USD")
    with pytest.raises(archase.CurrencyError):
        eur("1.00") < Money.parse("1.00 USD")
    assert eur("1.00") != Money.parse("1.00 USD")


def test_overflow_raises_instead_of_wrapping():
    biggest = Money.from_minor(2**63 - 1, "EUR")
    with pytest.raises(archase.ArithmeticOverflow):
        biggest + eur("0.01")
    with pytest.raises(archase.ArithmeticOverflow):
        -Money.from_minor(-2**63, "EUR")
    with pytest.raises(archase.ArithmeticOverflow):
        Money.from_minor(2**63, "EUR")
    with pytest.raises(archase.ArithmeticOverflow):
        Money(Decimal("1E+30"), "EUR")
    with pytest.raises(archase.ArithmeticOverflow):
        Money.parse("92233720368547758.08 EUR")


def test_comparisons_order_amounts_of_one_currency():
    assert eur("1.00") < eur("2.00") <= eur("2.00") < eur("10.00")
    assert eur("3.00") > eur("-3.00") >= eur("-3.00")
    assert sorted([eur("3.00"), eur("-1.00"), eur("2.00")]) == [eur("-1.00"), eur("2.00"), eur("3.00")]
    assert eur("1.00") != 1
    assert bool(eur("0.00")) is False and bool(eur("0.01")) is True


def test_money_is_immutable_hashable_and_picklable():
    m = eur("12.34")
    with pytest.raises(AttributeError):
        m.minor = 5
    with pytest.raises(AttributeError):
        m.extra = 5
    assert {m: "x"}[eur("12.34")] == "x"
    assert pickle.loads(pickle.dumps(m)) == m
    assert copy.deepcopy(m) == m


def test_split_never_loses_a_minor_unit():
    assert [str(p) for p in eur("100.00").split(3)] == ["33.34 EUR", "33.33 EUR", "33.33 EUR"]
    assert [str(p) for p in eur("-1.00").split(3)] == ["-0.34 EUR", "-0.33 EUR", "-0.33 EUR"]
    for n in (1, 2, 7, 97, 1000):
        parts = eur("1234.57").split(n)
        assert len(parts) == n
        assert sum(parts) == eur("1234.57")
    with pytest.raises(archase.InvalidArgument):
        eur("1.00").split(0)
    with pytest.raises(TypeError):
        eur("1.00").split(2.0)


def test_allocate_by_weights_and_apply_rate():
    assert [str(p) for p in eur("100.00").allocate([1, 1, 1])] == ["33.34 EUR", "33.33 EUR", "33.33 EUR"]
    assert [str(p) for p in eur("10.00").allocate([3, 1])] == ["7.50 EUR", "2.50 EUR"]
    with pytest.raises(archase.InvalidArgument):
        eur("10.00").allocate([0, 0])
    with pytest.raises(archase.InvalidArgument):
        eur("10.00").allocate([1, -1])
    with pytest.raises(TypeError):
        eur("10.00").allocate([1.5, 1])
    # 8.25% for 30 days of a 365-day year on 10,000.00 EUR: 67.808... rounds to 67.81.
    assert str(eur("10000.00").apply_rate(825 * 30, 10000 * 365)) == "67.81 EUR"


def test_currencies_come_from_the_iso_table():
    assert archase.currency("EUR") == archase.Currency("EUR", 978, 2, "Euro")
    assert archase.currency("JPY").minor_units == 0
    assert archase.currency("KWD").minor_units == 3
    table = list(archase.currencies())
    assert len(table) > 150
    assert [c.code for c in table] == sorted(c.code for c in table)
    with pytest.raises(archase.CurrencyError):
        archase.currency("eur")


def test_repr_reads_back():
    m = Money(Decimal("-7.50"), "EUR")
    assert repr(m) == "Money(Decimal('-7.50'), 'EUR')"
    assert eval(repr(m), {"Money": Money, "Decimal": Decimal}) == m
    assert f"{m:>12}" == "   -7.50 EUR"
