#!/usr/bin/env python3
"""The bindings' benchmark, Python side (run by bench/bench_bindings, which
times the same work in C and Go in the same run; docs/perf.md, "Bindings").

  bench_bindings.py --dir DIR --policy FILE --as-of YYYY-MM-DD [--runs R] [--pandas]

Times are CPU seconds of the process. archase: open an in-memory engine, import DIR/customers.csv and
DIR/invoices.csv, evaluate as of the date, build the worklist and read every
line into Python objects, then run the day's cycle on that ledger (timed
apart, "cycle_s"); then the same job as a preview (archase.preview: the
files straight into a snapshot, no ledger). Prints one JSON object of timings
(seconds).

--pandas: the same job written the obvious way with pandas instead (load the
invoices from CSV, age them, assign a segment and a stage, rank a worklist),
against archase from Python doing it; skipped, and said so, without pandas.

Each job (the import, the preview, pandas) runs in a Python process of its
own (--job), R times; the output merges their figures.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date

import archase


clock = time.process_time  # CPU seconds, as the C and Go sides measure


def archase_run(d, policy, as_of):
    t0 = clock()
    eng = archase.open()
    eng.import_csv(os.path.join(d, "customers.csv"), archase.Kind.CUSTOMERS)
    eng.import_csv(os.path.join(d, "invoices.csv"), archase.Kind.INVOICES)
    t1 = clock()
    ev = eng.evaluate(as_of, policy)
    lines = ev.worklist()
    t2 = clock()
    decisions, worklist_lines = len(ev), len(lines)
    del lines, ev
    t3 = clock()
    eng.run_cycle(as_of, policy)  # the day's cycle on the imported ledger; no transport
    t4 = clock()
    out = {"import_s": t1 - t0, "evaluate_s": t2 - t1, "total_s": t2 - t0,
           "decisions": decisions, "worklist_lines": worklist_lines, "cycle_s": t4 - t3}
    eng.close()
    return out


def archase_preview_run(d, policy, as_of):
    """The same job as a preview: the files straight into a snapshot, no ledger."""
    t0 = clock()
    ev = archase.preview(as_of, policy, customers=os.path.join(d, "customers.csv"),
                         invoices=os.path.join(d, "invoices.csv"))
    t1 = clock()
    lines = ev.worklist()
    t2 = clock()
    out = {"import_s": t1 - t0, "evaluate_s": t2 - t1, "total_s": t2 - t0,
           "decisions": len(ev), "worklist_lines": len(lines)}
    del lines, ev
    return out


def pandas_job(d, as_of):
    """Load, age, segment, stage and rank, the way a pandas user writes it."""
    import pandas as pd
    t0 = clock()
    inv = pd.read_csv(os.path.join(d, "invoices.csv"), parse_dates=["issue_date", "due_date"],
                      dtype={"amount": "string"})
    cust = pd.read_csv(os.path.join(d, "customers.csv"), usecols=["customer_id", "tier"])
    # Money stays exact: integer cents from the decimal text.
    parts = inv["amount"].str.split(".", expand=True)
    inv["cents"] = parts[0].astype("int64") * 100 + parts[1].str.ljust(2, "0").astype("int64")
    ts = pd.Timestamp(as_of)
    inv["days_overdue"] = (ts - inv["due_date"]).dt.days
    inv = inv[inv["days_overdue"] > 0].merge(cust, on="customer_id", how="left")
    inv["segment"] = "standard"
    inv.loc[inv["tier"] == "gold", "segment"] = "key_accounts"
    inv.loc[inv["cents"] >= 5_000_000, "segment"] = "high_value"
    inv["stage"] = pd.cut(inv["days_overdue"], [0, 7, 30, 60, 90, 10**6],
                          labels=["reminder", "firm", "final", "escalation", "collections"])
    per_customer = inv.groupby("customer_id").agg(
        cents=("cents", "sum"), days_overdue=("days_overdue", "max"), invoices=("invoice_id", "count"),
        stage=("stage", "max"), segment=("segment", "first"))
    per_customer["score"] = per_customer["days_overdue"] * 10 + (per_customer["cents"] // 100_000)
    worklist = per_customer.sort_values(["score", "cents"], ascending=False).reset_index()
    worklist["rank"] = range(1, len(worklist) + 1)
    rows = worklist.to_dict("records")
    return {"total_s": clock() - t0, "worklist_lines": len(rows)}


def best_and_median(runs, key="total_s"):
    times = sorted(r[key] for r in runs)
    return times[0], statistics.median(times)


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--policy", required=True)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pandas", action="store_true")
    ap.add_argument("--job", choices=["import", "preview", "pandas"])
    a = ap.parse_args(argv)
    if a.job is None:
        # Each job in a process of its own, so that none runs in a heap
        # another left behind.
        out = {}
        for job in ["import", "preview"] + (["pandas"] if a.pandas else []):
            child = subprocess.run([sys.executable, __file__, *argv, "--job", job], check=True,
                                   capture_output=True, text=True)
            out.update(json.loads(child.stdout))
        json.dump(out, sys.stdout)
        print()
        return 0
    as_of = date.fromisoformat(a.as_of)
    policy = archase.Policy.load(a.policy)
    if a.job == "import":
        out = {"python": [archase_run(a.dir, policy, as_of) for _ in range(a.runs)]}
    elif a.job == "preview":
        out = {"python_preview": [archase_preview_run(a.dir, policy, as_of) for _ in range(a.runs)]}
    else:
        try:
            import pandas
        except ImportError:
            out = {"pandas": None}
        else:
            out = {"pandas": [pandas_job(a.dir, as_of) for _ in range(a.runs)],
                   "pandas_version": pandas.__version__}
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
