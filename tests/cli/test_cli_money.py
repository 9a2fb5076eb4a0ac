"""`archase money`: amounts parsed, formatted and computed exactly, with errors
that name what is wrong and the usual exit codes (0 ok, 1 invalid data, 2 usage)."""
import pytest


def test_help_describes_every_action(archase):
    r = archase("money", "--help")
    assert r.code == 0
    assert r.out.startswith("usage: archase money")
    for action in ("parse", "format", "add", "sub", "split", "rate", "currency"):
        assert f"  {action} " in r.out, action


@pytest.mark.parametrize("text, minor, currency", [
    ("1234.56 EUR", 123456, "EUR"),
    ("-0.5 KWD", -500, "KWD"),
    ("100 JPY", 100, "JPY"),
    ("1.2345 CLF", 12345, "CLF"),
    ("-0.00 EUR", 0, "EUR"),
    ("-92233720368547758.08 EUR", -9223372036854775808, "EUR"),
])
def test_parse_prints_minor_units_and_currency(archase, text, minor, currency):
    r = archase("money", "parse", text)
    assert r.code == 0, r.err
    assert r.out == f"{minor} {currency}\n"
    data = archase("money", "parse", text, "--json").json()
    assert data["minor"] == minor
    assert data["currency"] == currency


def test_parse_json_carries_the_canonical_text(archase):
    data = archase("money", "parse", "-0.5 KWD", "--json").json()
    assert data == {"minor": -500, "currency": "KWD", "text": "-0.500 KWD"}


@pytest.mark.parametrize("text, why", [
    ("1.234 EUR", "EUR has 2 decimals"),
    ("1.5 JPY", "JPY has 0 decimals"),
    ("1.00 XYZ", 'unknown currency "XYZ"'),
    ("1.00 eur", 'unknown currency "eur" (codes are upper case: EUR)'),
    ("1 XAU", "XAU has no minor unit and is not money"),
    ("92233720368547758.08 EUR", "out of range"),
    ("1,000.00 EUR", "not an amount"),
    ("+1 EUR", "not an amount"),
    ("1e3 EUR", "not an amount"),
    ("1. EUR", "not an amount"),
    (".5 EUR", "not an amount"),
    (" 1.00 EUR", "not an amount"),
    ("1.00  EUR", "not an amount"),
    ("1.00EUR", "expected AMOUNT CODE"),
    ("", "empty amount"),
])
def test_parse_rejects_invalid_amounts_naming_the_problem(archase, text, why):
    r = archase("money", "parse", text)
    assert r.code == 1
    assert r.out == ""
    assert r.err.startswith(f'archase money: "{text}": ')
    assert why in r.err


def test_format_writes_every_minor_digit(archase):
    assert archase("money", "format", "1000", "EUR").out == "10.00 EUR\n"
    assert archase("money", "format", "-500", "KWD").out == "-0.500 KWD\n"
    assert archase("money", "format", "100", "JPY").out == "100 JPY\n"
    assert archase("money", "format", "-9223372036854775808", "CLF").out == "-922337203685477.5808 CLF\n"
    data = archase("money", "format", "1", "CLF", "--json").json()
    assert data == {"minor": 1, "currency": "CLF", "text": "0.0001 CLF"}


@pytest.mark.parametrize("minor, code, why", [
    ("12.5", "EUR", 'MINOR "12.5": not an integer'),
    ("1e3", "EUR", "not an integer"),
    ("", "EUR", "not an integer"),
    ("9223372036854775808", "EUR", "out of range"),
    ("100", "eur", 'unknown currency "eur"'),
    ("100", "XAU", "XAU has no minor unit"),
])
def test_format_rejects_bad_input(archase, minor, code, why):
    r = archase("money", "format", minor, code)
    assert r.code == 1
    assert why in r.err


def test_add_and_sub_stay_in_one_currency(archase):
    assert archase("money", "add", "1500 JPY", "250 JPY").out == "1750 JPY\n"
    assert archase("money", "sub", "10.00 EUR", "10.01 EUR").out == "-0.01 EUR\n"
    data = archase("money", "add", "0.001 KWD", "0.5 KWD", "--json").json()
    assert data == {"minor": 501, "currency": "KWD", "text": "0.501 KWD"}
    r = archase("money", "add", "1.00 EUR", "1.00 USD")
    assert r.code == 1
    assert 'archase money: "1.00 EUR" + "1.00 USD": currencies differ (EUR, USD)' in r.err


def test_add_overflow_is_an_error_not_a_wrap(archase):
    r = archase("money", "add", "9223372036854775807 JPY", "1 JPY")
    assert r.code == 1
    assert "out of range" in r.err
    r = archase("money", "sub", "-9223372036854775808 JPY", "1 JPY")
    assert r.code == 1


def test_split_loses_no_minor_unit(archase):
    r = archase("money", "split", "100.00 EUR", "3")
    assert r.code == 0
    assert r.out.splitlines() == ["33.34 EUR", "33.33 EUR", "33.33 EUR"]
    assert archase("money", "split", "-1.00 EUR", "3").out.splitlines() == [
        "-0.34 EUR", "-0.33 EUR", "-0.33 EUR"]
    data = archase("money", "split", "7 JPY", "4", "--json").json()
    assert [p["minor"] for p in data["parts"]] == [2, 2, 2, 1]
    assert sum(p["minor"] for p in data["parts"]) == 7


@pytest.mark.parametrize("n", ["0", "-1", "1000001", "two"])
def test_split_rejects_a_bad_count(archase, n):
    r = archase("money", "split", "1.00 EUR", n)
    assert r.code == 1
    assert f'N "{n}"' in r.err


def test_rate_rounds_half_to_even(archase):
    assert archase("money", "rate", "0.25 EUR", "1", "2").out == "0.12 EUR\n"
    assert archase("money", "rate", "0.35 EUR", "1", "2").out == "0.18 EUR\n"
    assert archase("money", "rate", "-0.25 EUR", "1", "2").out == "-0.12 EUR\n"
    # 8.25% interest for 30 days of a 365-day year.
    assert archase("money", "rate", "100000.00 EUR", "24750", "3650000").out == "678.08 EUR\n"
    data = archase("money", "rate", "10 JPY", "-1", "4", "--json").json()
    assert data["minor"] == -2  # -2.5 rounds to even


def test_rate_rejects_bad_denominators_and_overflow(archase):
    for den in ("0", "-3"):
        r = archase("money", "rate", "1.00 EUR", "1", den)
        assert r.code == 1
        assert "DENOMINATOR" in r.err and "must be positive" in r.err
    r = archase("money", "rate", "92233720368547758.07 EUR", "2", "1")
    assert r.code == 1
    assert "out of range" in r.err


def test_currency_shows_the_iso_entry(archase):
    r = archase("money", "currency", "KWD")
    assert r.code == 0
    assert r.out == "code: KWD\nnumeric: 414\nminor units: 3\nname: Kuwaiti Dinar\n"
    assert "numeric: 008" in archase("money", "currency", "ALL").out
    assert archase("money", "currency", "XAU", "--json").json() == {
        "code": "XAU", "numeric": 959, "minor_units": None, "name": "Gold"}
    assert archase("money", "currency", "VES", "--json").json()["name"] == "Bolívar Soberano"
    r = archase("money", "currency", "ZZZ")
    assert r.code == 1
    assert 'unknown currency "ZZZ"' in r.err


@pytest.mark.parametrize("args", [
    (),
    ("frobnicate",),
    ("parse",),
    ("add", "1.00 EUR"),
    ("rate", "1.00 EUR", "1"),
    ("split", "1.00 EUR", "2", "3"),
    ("parse", "1.00 EUR", "--bogus"),
])
def test_wrong_command_lines_are_usage_errors(archase, args):
    r = archase("money", *args)
    assert r.code == 2
    assert r.err.startswith("archase money: ")


def test_negative_amounts_are_arguments_not_options(archase):
    r = archase("money", "add", "-1.00 EUR", "-2.00 EUR")
    assert r.code == 0
    assert r.out == "-3.00 EUR\n"
