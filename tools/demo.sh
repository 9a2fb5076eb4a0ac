#!/usr/bin/env bash
# demo.sh BUILDDIR — the example run, driven through the `archase` CLI only.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
A="$BUILD/cli/archase"
echo "== libarchase demo"
"$A" version

echo
echo "== money: integer minor units of an ISO 4217 currency, exact to the unit"
echo '$ archase money split "100.00 EUR" 3'
"$A" money split "100.00 EUR" 3
echo '$ archase money add "1500 JPY" "250 JPY"'
"$A" money add "1500 JPY" "250 JPY"
echo '$ archase money parse "-0.5 KWD"    (KWD has 3 decimals: minor units and code)'
"$A" money parse "-0.5 KWD"
echo '$ archase money rate "100000.00 EUR" 24750 3650000    (8.25% for 30 of 365 days)'
"$A" money rate "100000.00 EUR" 24750 3650000
echo '$ archase money parse "1.234 EUR"    (rejected, exit status 1)'
"$A" money parse "1.234 EUR" 2>&1 || true
