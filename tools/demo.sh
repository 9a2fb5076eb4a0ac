#!/usr/bin/env bash
# demo.sh BUILDDIR — the main job on the example ledger, through the `archase`
# command only: a SQLite ledger in demo/, the example history imported as it
# arrived, the enterprise-formal policy run day by day over 60 days, then
# today's work, the KPIs and their change, the audit check and an HTML report.
# docs/getting-started.md explains every step.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
A="$BUILD/cli/archase"
OUT=${ARCHASE_DEMO_DIR:-demo}   # where the ledger, the outbox and the reports go
DB=$OUT/ledger.db
POLICY=examples/policies/enterprise-formal.yaml
DATA=examples/data
OPENING=2026-01-30   # facts dated up to here are the ledger on the first day
FIRST=2026-01-31     # the first day the policy runs
TODAY=2026-03-31     # the last one: "today" at the end of the demo
IBM=../shared/data/ibm-ar/invoices.csv

if [ ! -x "$A" ]; then
  echo "demo: $A is missing; build first (make build)" >&2
  exit 1
fi
started=$(date +%s)
step() { printf '\n== %s\n' "$*"; }

if [ -d "$OUT" ] && [ -n "$(ls -A "$OUT")" ] && [ ! -f "$OUT/ledger.db" ]; then
  echo "demo: $OUT holds files that are not a demo's; choose another ARCHASE_DEMO_DIR" >&2
  exit 1
fi
rm -rf "$OUT"
mkdir -p "$OUT/days"

step "a new ledger ($DB) and the policy ($POLICY)"
"$A" init "$DB"
"$A" policy check "$POLICY"

# Each file is cut into the slices of the days its rows arrive on (the
# column that dates them), so every day imports only what arrived that day.
# Facts dated up to $OPENING make the opening ledger.
slice() { # FILE DATE_COLUMN
  awk -F, -v col="$2" -v opening="$OPENING" -v out="$OUT/days" -v name="$(basename "$1")" '
    NR == 1 { header = $0; for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
    { day = ($c <= opening) ? "opening" : $c
      f = out "/" day "/" name
      if (!(f in seen)) { seen[f] = 1; system("mkdir -p " out "/" day); print header > f }
      print >> f; close(f) }' "$1"
}
FILES=(invoices.csv:invoices:issue_date payments.csv:payments:date credits.csv:credits:date
       promises.csv:promises:recorded_on disputes.csv:disputes:opened_on
       dispute_updates.csv:disputes:resolved_on)
for spec in "${FILES[@]}"; do
  IFS=: read -r file _ column <<<"$spec"
  slice "$DATA/$file" "$column"
done

# Imports the slices of one day in the order facts depend on each other and
# sets ARRIVED to "N invoices, N payments, ..." (bash builtins only: a busy
# machine makes every extra process slow).
import_day() { # DAY
  local file kind rows
  ARRIVED=""
  for spec in "${FILES[@]}"; do
    IFS=: read -r file kind _ <<<"$spec"
    [ -f "$OUT/days/$1/$file" ] || continue
    if ! "$A" import "$DB" --kind "$kind" "$OUT/days/$1/$file" >"$OUT/import.json"; then
      cat "$OUT/import.json" >&2   # the rows refused, with their lines
      exit 1
    fi
    mapfile -t rows <"$OUT/days/$1/$file"
    ARRIVED+="${ARRIVED:+, }$((${#rows[@]} - 1)) ${file%.csv}"
  done
  ARRIVED=${ARRIVED:-nothing new}
}

step "the example ledger: 300 customers, their invoices, payments, promises and disputes up to $OPENING"
"$A" import "$DB" --kind customers "$DATA/customers.csv" >"$OUT/import.json"
echo "customers: $(cat "$OUT/import.json")"
import_day opening
echo "opening ledger: $ARRIVED"

# The daily cycle: decisions, cadence, approvals and audit records stored in
# one transaction, then the day's messages handed to the file transport.
RUN=(run "$DB" --policy "$POLICY" --transport "jsonl:$OUT/outbox.jsonl")
MODE="the daily cycle (decisions stored, messages written to $OUT/outbox.jsonl)"

step "60 days, $FIRST to $TODAY: each day's facts arrive, then $MODE"
days=60
bar() { # DONE DAY TEXT
  local filled=$(($1 * 30 / days)) hashes="##############################"
  printf '\r[%-30s] %2d/%d %s %-48.48s' "${hashes:0:filled}" "$1" "$days" "$2" "$3"
}
mapfile -t DAYS < <(python3 -c 'import datetime as d, sys
first = d.date.fromisoformat(sys.argv[1])
print("\n".join(str(first + d.timedelta(days=i)) for i in range(int(sys.argv[2]))))' "$FIRST" "$days")
for ((i = 1; i <= days; i++)); do
  day=${DAYS[i - 1]}
  import_day "$day"
  "$A" "${RUN[@]}" --as-of "$day" --json >"$OUT/run.json"
  read -r -d "" result <"$OUT/run.json" || true
  did="? decisions"
  [[ $result =~ \"decisions\":\ *([0-9]+) ]] && did="${BASH_REMATCH[1]} decisions"
  [[ $result =~ \"sent\":\ *([0-9]+) ]] && did+=", ${BASH_REMATCH[1]} sent"
  if [ -t 1 ]; then
    bar "$i" "$day" "$ARRIVED; $did"
  else
    echo "$day  $ARRIVED; $did"
  fi
done
if [ -t 1 ]; then echo; fi
if [ -f "$OUT/outbox.jsonl" ]; then
  echo "$(wc -l <"$OUT/outbox.jsonl") messages, calls and alerts went to $OUT/outbox.jsonl (the demo's transport)"
fi

step "today's worklist ($TODAY), top 10: who does what, and why"
"$A" worklist "$DB" --policy "$POLICY" --as-of "$TODAY" >"$OUT/worklist.txt"
head -n 11 "$OUT/worklist.txt"
echo "($(($(wc -l <"$OUT/worklist.txt") - 1)) lines in all: $OUT/worklist.txt)"

step "approvals waiting for a decision today (legal notices, credit holds, escalations)"
"$A" approvals "$DB" --pending --json >"$OUT/approvals.json"
python3 - "$OUT/approvals.json" "$TODAY" <<'PY'
import json, sys
waiting = [a for a in json.load(open(sys.argv[1])) if a["expires"][:10] >= sys.argv[2]]
for a in waiting[:10]:
    print(f"  {a['id']:<18} {a['action']:<14} {a['customer_id']:<6} {a['amount']:>12} {a['currency']}  "
          f"{a['approvals']}/{a['approvals_required']} approvals, roles {', '.join(a['roles'])}, "
          f"expires {a['expires'][:10]}")
print(f"  {len(waiting)} waiting; `archase approve` and `archase reject` decide them")
PY

step "open promises to pay (the chase of their invoices waits for the promised date)"
"$A" promise list "$DB" --state open >"$OUT/promises.txt"
head -n 10 "$OUT/promises.txt"
echo "($(wc -l <"$OUT/promises.txt") open promises: $OUT/promises.txt)"

step "open disputes, with their owner and SLA"
"$A" dispute list "$DB" --policy "$POLICY" --status open --as-of "$TODAY" >"$OUT/disputes.txt"
head -n 10 "$OUT/disputes.txt"
echo "($(wc -l <"$OUT/disputes.txt") open disputes: $OUT/disputes.txt)"

"$A" run "$DB" --policy "$POLICY" --as-of "$TODAY" --dry-run --json >"$OUT/today.json"
"$A" kpi "$DB" --from 2026-01-01 --to "$OPENING" --policy "$POLICY" --json >"$OUT/kpi-before.json"
"$A" kpi "$DB" --from 2026-03-02 --to "$TODAY" --policy "$POLICY" --json >"$OUT/kpi-after.json"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
today = json.load(open(f"{out}/today.json"))
cov = today["coverage"]
print("\n== no silent drops: where every overdue invoice is today")
print(f"  {cov['overdue_invoices']} overdue invoices: {cov['active']} in a sequence, {cov['promise']} under a "
      f"promise, {cov['dispute']} disputed, {cov['hold']} on hold or paused, {cov['exception']} in the "
      f"exceptions queue, {cov['unaccounted']} unaccounted")
print("\n== KPIs: January (2026-01-01 to 2026-01-30) and the last 30 days (2026-03-02 to 2026-03-31)")
before = {r["currency"]: r for r in json.load(open(f"{out}/kpi-before.json"))}
after = {r["currency"]: r for r in json.load(open(f"{out}/kpi-after.json"))}
rows = [("open receivables", "open_ar", ""), ("DSO (standard), days", "dso_standard_days", ""),
        ("CEI, %", "cei_percent", ""), ("over 60 days past due, % of open", "over_60_share_percent", ""),
        ("promise-kept rate, % by count", "promise_kept_rate_count_percent", ""),
        ("open disputes", "open_disputes", "")]
for cur in sorted(after):
    print(f"  {cur}")
    for label, key, _ in rows:
        a, b = before.get(cur, {}).get(key), after[cur].get(key)
        change = ""
        if a is not None and b is not None:
            if isinstance(b, str):   # money: decimal strings, compared exactly in minor units
                units = lambda s: int(s.replace(".", "").replace("-", "")) * (-1 if s.startswith("-") else 1)
                diff = units(b) - units(a)
                decimals = len(b.split(".")[1]) if "." in b else 0
                sign = "-" if diff < 0 else "+"
                whole, frac = divmod(abs(diff), 10 ** decimals)
                change = f"{sign}{whole}" + (f".{frac:0{decimals}d}" if decimals else "")
            elif isinstance(b, float):
                change = f"{b - a:+.2f}"
            else:
                change = f"{b - a:+d}"
        fmt = lambda v: "n/a" if v is None else v if isinstance(v, str) else f"{v:.2f}" if isinstance(v, float) else str(v)
        print(f"    {label:<36} {fmt(a):>14} -> {fmt(b):>14}  ({change or 'n/a'})")
PY

step "audit log: every fact and decision, chained and in a Merkle tree"
"$A" audit verify "$DB"

step "the report"
"$A" report "$DB" --from 2026-01-01 --to "$TODAY" --policy "$POLICY" --out "$OUT/report.html"
"$A" report "$DB" --from 2026-01-01 --to "$TODAY" --policy "$POLICY" --format md --out "$OUT/report.md"
echo "$OUT/report.html (and the same figures in Markdown: $OUT/report.md)"

if [ -f "$IBM" ]; then
  step "a real data set: IBM's accounts-receivable sample through its mapping (its own ledger, $OUT/ibm-ar.db)"
  "$A" init "$OUT/ibm-ar.db" >/dev/null
  "$A" import "$OUT/ibm-ar.db" --mapping examples/mappings/ibm-ar.yaml "$IBM" >"$OUT/import.json"
  echo "imported: $(cat "$OUT/import.json")"
  "$A" kpi "$OUT/ibm-ar.db" --from 2013-01-01 --to 2013-12-31 --json >"$OUT/ibm-kpi.json"
  python3 - "$OUT/ibm-kpi.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    print(f"  {r['currency']} 2013: DSO {r['dso_standard_days']} days, CEI {r['cei_percent']} %, "
          f"average days late {r['avg_days_late']}, {r['resolved_disputes']} disputes resolved")
PY
  "$A" report "$OUT/ibm-ar.db" --from 2013-01-01 --to 2013-12-31 --out "$OUT/ibm-ar.html"
  echo "report: $OUT/ibm-ar.html"
fi

step "done in $(($(date +%s) - started)) s"
echo "open the report: $(realpath "$OUT/report.html")"
