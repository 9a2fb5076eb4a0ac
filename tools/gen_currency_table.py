#!/usr/bin/env python3
"""Generates libarchase/core/currency_table.c from the ISO 4217 code list.

usage: gen_currency_table.py [--input CODES_CSV] [--output TABLE_C]

The input is the ISO 4217 list as CSV (RFC 4180, UTF-8) with the columns
Entity, Currency, AlphabeticCode, NumericCode, MinorUnit, WithdrawalDate; the
default is ../shared/data/iso4217/codes.csv beside the repository. Only current
rows are kept (empty WithdrawalDate) that carry a code; codes are deduplicated
(one row per entity uses them) and must agree on numeric code, minor unit and
name. MinorUnit "-" (no minor unit) becomes -1. The output is sorted by code.
"""
import argparse
import csv
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFAULT_INPUT = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "iso4217", "codes.csv"))
DEFAULT_OUTPUT = os.path.join(ROOT, "libarchase", "core", "currency_table.c")
COLUMNS = ("Currency", "AlphabeticCode", "NumericCode", "MinorUnit", "WithdrawalDate")

HEADER = """\
/* libarchase/core/currency_table.c — the ISO 4217 currency table.
 *
 * GENERATED FILE, do not edit: tools/gen_currency_table.py writes it from the
 * ISO 4217 code list (current codes, Table A.1: code, numeric code, minor
 * units, name), which is public domain (ODC-PDDL-1.0). To regenerate after the
 * list changes:
 *
 *     python3 tools/gen_currency_table.py --input PATH/TO/iso4217/codes.csv
 *
 * Sorted by code: archase_currency_lookup searches it by bisection.
 * minor_units is -1 for codes with no minor unit (precious metals, SDR,
 * testing and "no currency" codes). */
"""


def fail(message):
    sys.exit(f"gen_currency_table: {message}")


def c_string(text):
    """A C string literal; UTF-8 is kept as is, only '"' and '\\' are escaped."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        fail(f"control character in name {text!r}")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_currencies(path):
    currencies = {}
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            fail(f"{path}: missing column(s) {', '.join(missing)}")
        for line_no, row in enumerate(reader, start=2):
            code = row["AlphabeticCode"].strip()
            if row["WithdrawalDate"].strip() or not code:
                continue
            where = f"{path}:{line_no}"
            if not re.fullmatch(r"[A-Z]{3}", code):
                fail(f"{where}: bad code {code!r}")
            numeric = row["NumericCode"].strip()
            if not re.fullmatch(r"[0-9]{3}", numeric):
                fail(f"{where}: {code}: bad numeric code {numeric!r}")
            minor = row["MinorUnit"].strip()
            if minor == "-":
                minor_units = -1
            elif re.fullmatch(r"[0-9]", minor):
                minor_units = int(minor)
            else:
                fail(f"{where}: {code}: bad minor unit {minor!r}")
            entry = (int(numeric), minor_units, row["Currency"].strip())
            if code in currencies and currencies[code] != entry:
                fail(f"{where}: {code}: rows disagree: {currencies[code]} vs {entry}")
            currencies[code] = entry
    if not currencies:
        fail(f"{path}: no current currency codes")
    return currencies


def render(currencies):
    lines = [HEADER, '#include "core/money.h"', "", "const archase_currency ar_currency_table[] = {"]
    for code in sorted(currencies):
        numeric, minor_units, name = currencies[code]
        lines.append(f'    {{ "{code}", {numeric}, {minor_units}, {c_string(name)} }},')
    lines += [
        "};",
        "",
        "const size_t ar_currency_table_size = sizeof ar_currency_table / sizeof ar_currency_table[0];",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", default=DEFAULT_INPUT, help="ISO 4217 codes.csv")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="C file to write")
    args = parser.parse_args()
    if not os.path.exists(args.input):
        fail(f"{args.input}: not found (pass --input)")
    text = render(read_currencies(args.input))
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"gen_currency_table: wrote {args.output}")


if __name__ == "__main__":
    main()
