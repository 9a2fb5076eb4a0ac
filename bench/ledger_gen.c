/* bench/ledger_gen.c — a seeded synthetic ledger for benchmarks. */
#include "ledger_gen.h"

#include <stdio.h>
#include <string.h>

void ledger_gen_defaults(ledger_gen_options *o) {
    memset(o, 0, sizeof *o);
    o->seed = 42;
    o->customers = 100000;
    o->invoices = 1000000;
    o->first_issue = 20089; /* 2025-01-01 */
    o->days = 365;
    o->as_of = 20484;       /* 2026-01-31 */
    o->currency = "EUR";
}

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r) {
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545f4914f6cdd1dull;
}

static uint32_t below(rng *r, uint32_t n) {
    return n ? (uint32_t)(next(r) % n) : 0;
}

/* A customer's habit, derived from its number so invoices need no table. */
typedef struct habit {
    int32_t mean_late; /* days after due */
    int32_t spread;
    int     never;     /* percent of invoices never paid */
    int     terms;     /* 14, 30, 45 or 60 days */
} habit;

static habit habit_of(uint64_t seed, uint32_t customer) {
    rng r = { (seed ^ (0x9e3779b97f4a7c15ull * (customer + 1))) | 1 };
    next(&r);
    habit h;
    uint32_t kind = below(&r, 100);
    if (kind < 55) {
        h.mean_late = (int32_t)below(&r, 5);      /* on time or nearly */
        h.spread = 5;
        h.never = 0;
    } else if (kind < 85) {
        h.mean_late = 10 + (int32_t)below(&r, 25); /* a bit late */
        h.spread = 10;
        h.never = 1;
    } else if (kind < 97) {
        h.mean_late = 40 + (int32_t)below(&r, 50); /* chronically late */
        h.spread = 20;
        h.never = 5;
    } else {
        h.mean_late = 120;                       /* in trouble */
        h.spread = 60;
        h.never = 40;
    }
    static const int terms[] = { 14, 30, 30, 30, 45, 60 };
    h.terms = terms[below(&r, 6)];
    return h;
}

int ledger_gen_run(const ledger_gen_options *o, const ledger_gen_sink *sink) {
    static const char *const tiers[] = { "bronze", "silver", "gold", "platinum" };
    static const char *const zones[] = { "Europe/Berlin", "Europe/Paris", "America/New_York", "Asia/Tokyo" };
    char id[32], name[48], cid[32], pid[40];
    rng r = { o->seed | 1 };
    for (uint32_t c = 0; c < o->customers; c++) {
        archase_customer cu = ARCHASE_CUSTOMER_INIT;
        snprintf(id, sizeof id, "C%07u", c);
        snprintf(name, sizeof name, "Customer %u GmbH", c);
        cu.id = id;
        cu.name = name;
        cu.tier = tiers[below(&r, 4)];
        cu.timezone = zones[below(&r, 4)];
        cu.credit_limit.minor = (int64_t)(1 + below(&r, 100)) * 1000000;
        snprintf(cu.credit_limit.currency, sizeof cu.credit_limit.currency, "%s", o->currency);
        int rc = sink->customer ? sink->customer(sink->userdata, &cu) : 0;
        if (rc)
            return rc;
    }
    for (uint32_t i = 0; i < o->invoices; i++) {
        uint32_t c = below(&r, o->customers);
        habit h = habit_of(o->seed, c);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        snprintf(id, sizeof id, "INV%08u", i);
        snprintf(cid, sizeof cid, "C%07u", c);
        inv.id = id;
        inv.customer_id = cid;
        inv.number = id + 3;
        inv.issue_date = o->first_issue + (archase_date)below(&r, o->days);
        inv.due_date = inv.issue_date + h.terms;
        /* Amounts: mostly small, a long tail of large ones. */
        uint32_t size = below(&r, 100);
        int64_t cents = size < 70 ? 5000 + below(&r, 200000) : size < 95 ? 200000 + below(&r, 2000000) : 2000000 + below(&r, 20000000);
        inv.amount.minor = cents;
        snprintf(inv.amount.currency, sizeof inv.amount.currency, "%s", o->currency);
        int rc = sink->invoice ? sink->invoice(sink->userdata, &inv) : 0;
        if (rc)
            return rc;
        if ((int)below(&r, 100) < h.never)
            continue;
        int32_t late = h.mean_late + (int32_t)below(&r, (uint32_t)(2 * h.spread + 1)) - h.spread;
        archase_date paid = inv.due_date + late;
        if (paid < inv.issue_date)
            paid = inv.issue_date;
        if (paid > o->as_of)
            continue; /* still open */
        int parts = below(&r, 100) < 5 ? 2 : 1;
        int64_t first = parts == 2 ? cents / 2 : cents;
        for (int k = 0; k < parts; k++) {
            archase_payment p = ARCHASE_PAYMENT_INIT;
            snprintf(pid, sizeof pid, "PAY%08u-%d", i, k);
            p.id = pid;
            p.customer_id = cid;
            p.invoice_id = id;
            p.date = k == 0 && parts == 2 ? paid - 10 > inv.issue_date ? paid - 10 : inv.issue_date : paid;
            p.amount = inv.amount;
            p.amount.minor = k == 0 ? first : cents - first;
            rc = sink->payment ? sink->payment(sink->userdata, &p) : 0;
            if (rc)
                return rc;
        }
    }
    return 0;
}
