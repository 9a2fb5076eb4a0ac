"""How long the daily cycle of N customers takes delivered through the SMTP
transport, beside the shipped file transport: each run imports a fresh
ledger of N customers with one overdue invoice each, then times one cycle
(decide, persist, dispatch N messages) on 127.0.0.1.

    python3 examples/transports/smtp/bench_cycle.py BUILD_DIR [N] [RUNS]

Prints the median seconds of RUNS runs (default 1000 customers, 3 runs) for
the file transport (jsonl), archase-smtp-run with its journal beside the
ledger, and with the journal on /dev/shm (no disk sync). The SMTP server is
Python's aiosmtpd in this process, so the figures include its time."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tests"))
from conftest import Server  # noqa: E402

POLICY = os.path.join(HERE, "tests", "data", "policy.yaml")


def make_ledger(cli, directory, n):
    db = os.path.join(directory, "ar.db")
    subprocess.run([cli, "init", db], check=True, capture_output=True)
    customers = os.path.join(directory, "customers.csv")
    invoices = os.path.join(directory, "invoices.csv")
    with open(customers, "w") as f:
        f.write("customer_id,name,timezone,email\n")
        for i in range(n):
            f.write("C%05d,Customer %d,UTC,ap%d@c%d.example\n" % (i, i, i, i))
    with open(invoices, "w") as f:
        f.write("invoice_id,customer_id,number,issue_date,due_date,amount,currency\n")
        for i in range(n):
            f.write("I%05d,C%05d,INV-%d,2026-02-01,2026-03-01,%d.50,EUR\n" % (i, i, i, 100 + i))
    for kind, path in (("customers", customers), ("invoices", invoices)):
        subprocess.run([cli, "import", db, "--kind", kind, path], check=True, capture_output=True)
    return db


def timed(args):
    start = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(args), p.stderr))
    return seconds, json.loads(p.stdout)["dispatch"]["sent"]


def main():
    build = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    cli = os.path.join(build, "cli", "archase")
    smtp_run = os.path.join(build, "examples", "transports", "smtp", "archase-smtp-run")
    day = ["--policy", POLICY, "--as-of", "2026-03-02", "--now", "2026-03-02T18:00:00Z"]
    results = {"file transport (jsonl)": [], "smtp, journal beside the ledger": [],
               "smtp, journal on /dev/shm": []}
    for _ in range(runs):
        for label in results:
            with tempfile.TemporaryDirectory() as directory:
                db = make_ledger(cli, directory, n)
                if label.startswith("file"):
                    args = [cli, "run", db, *day, "--json", "--transport",
                            "jsonl:" + os.path.join(directory, "out.jsonl")]
                    seconds, sent = timed(args)
                else:
                    server = Server().start()
                    journal = (os.path.join("/dev/shm", "archase-bench-%d" % os.getpid())
                               if "shm" in label else db + ".smtp-journal")
                    try:
                        seconds, sent = timed([smtp_run, db, *day, "--server", server.url,
                                               "--from", "ar@example.com", "--journal", journal])
                        if len(server.messages) != n:
                            raise SystemExit("the server got %d messages" % len(server.messages))
                    finally:
                        server.stop()
                        if os.path.exists(journal):
                            os.remove(journal)
                if sent != n:
                    raise SystemExit("%s sent %d of %d" % (label, sent, n))
                results[label].append(seconds)
    print("%d customers, %d messages, median of %d runs" % (n, n, runs))
    for label, times in results.items():
        median = statistics.median(times)
        print("  %-34s %6.2f s  %5.2f ms/message" % (label, median, median * 1000 / n))


if __name__ == "__main__":
    main()
