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

echo
echo "== dates: business days over weekends and holidays, local time in the customer's zone"
echo '$ archase date business-days 2026-04-02 3 --holiday 2026-04-03 --holiday 2026-04-06    (due in 3 business days over Easter)'
"$A" date business-days 2026-04-02 3 --holiday 2026-04-03 --holiday 2026-04-06
echo '$ archase date add-months 2026-01-31 1    (end of month clamps)'
"$A" date add-months 2026-01-31 1
echo '$ archase date local 2026-03-29T00:30:00Z 2026-03-29T01:30:00Z --tz Europe/Berlin    (Berlin springs forward)'
"$A" date local 2026-03-29T00:30:00Z 2026-03-29T01:30:00Z --tz Europe/Berlin
echo '$ archase date instant 2026-03-29 09:00 --tz Europe/Berlin    (a 09:00 send window, after the change)'
"$A" date instant 2026-03-29 09:00 --tz Europe/Berlin
echo '$ archase date instant 2026-03-29 02:30 --tz Europe/Berlin    (02:30 does not exist that night: moved to 03:30)'
"$A" date instant 2026-03-29 02:30 --tz Europe/Berlin
