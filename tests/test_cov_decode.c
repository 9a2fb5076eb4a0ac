/* tests/test_cov_decode.c — what the engine does with what it reads back:
 * a ledger of every fact family, cadence state and approval requests is
 * loaded into a snapshot, evaluated and turned into a worklist with every
 * allocation failing in turn; then each stored record, cut short at every
 * length, is refused by every reader (snapshot, fact get and scan, approval
 * get) as a storage error naming the record, never read as something else,
 * and the same calls work again once the record is whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

#define DAY 86400
#define AS_OF 20500 /* 2026-02-16 */

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: s}]\n"
    "sequences: {s: {steps: [{offset: 1, action: alert_owner}, {offset: 5, action: queue_call},\n"
    "                        {offset: 30, channel: email, template: t}, {offset: 31, action: escalate}]}}\n"
    "templates:\n"
    "  definitions:\n"
    "    t: {stage: overdue, tone: firm, email: {en: {subject: 'Invoice', body: 'Please pay.'}}}\n"
    "approvals:\n"
    "  materiality: [1000 EUR]\n"
    "  roles: [finance_lead]\n";

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    archase_storage store; /* the backend's own table: the test reads and writes it directly */
    archase_instant now;
    archase_clock   clock;
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static const char *const tags[] = { "vip" };
static const char *const c1_invoices[] = { "I1", "I2" };
static const char *const one_invoice[] = { "I1" };

/* Customers (one with a zone, tags and a limit), flags, contacts, invoices
 * (open, paid in part, void), payments of every kind, a promise with a plan,
 * disputes open and resolved, a note. */
static int put_ledger(archase_engine *eng) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    c.tier = "gold";
    c.owner = "olga";
    c.collector = "kim";
    c.timezone = "UTC";
    c.locale = "en-GB";
    c.country = "GB";
    c.credit_limit = (archase_money){ 500000, "EUR" };
    c.tags = tags;
    c.tag_count = 1;
    c.source_link = "https://erp/c/1";
    int rc = archase_customer_put(eng, &c, NULL);
    archase_customer c2 = ARCHASE_CUSTOMER_INIT;
    c2.id = "C2";
    c2.name = "Globex";
    if (!rc)
        rc = archase_customer_put(eng, &c2, NULL);
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "C2";
    fl.paused_until = AS_OF + 3;
    fl.strategic = 1;
    fl.reason = "renewal talks";
    if (!rc)
        rc = archase_customer_flags_put(eng, &fl, NULL);
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = "K1";
    k.customer_id = "C1";
    k.name = "Jo";
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = "ap@acme.example";
    k.consent = 1;
    k.primary = 1;
    if (!rc)
        rc = archase_contact_put(eng, &k, NULL);
    k.id = "K2";
    k.channel = ARCHASE_CHANNEL_SMS;
    k.address = "+441234";
    k.primary = 0;
    if (!rc)
        rc = archase_contact_put(eng, &k, NULL);
    const char *ids[] = { "I1", "I2", "I3", "J1" };
    const char *cust[] = { "C1", "C1", "C1", "C2" };
    for (int i = 0; i < 4 && !rc; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = ids[i];
        inv.customer_id = cust[i];
        inv.number = ids[i];
        inv.issue_date = AS_OF - 60 + i;
        inv.due_date = AS_OF - 30 + i;
        inv.amount = (archase_money){ 150000, "EUR" };
        inv.terms = "net 30";
        inv.po_ref = "PO-1";
        inv.source_link = "https://erp/i";
        inv.source_status = i == 2 ? ARCHASE_INVOICE_VOID : ARCHASE_INVOICE_OPEN;
        rc = archase_invoice_put(eng, &inv, NULL);
    }
    archase_invoice i4 = ARCHASE_INVOICE_INIT; /* neither promised nor disputed: e-mailed */
    i4.id = "I4";
    i4.customer_id = "C1";
    i4.issue_date = AS_OF - 60;
    i4.due_date = AS_OF - 30;
    i4.amount = (archase_money){ 70000, "EUR" };
    if (!rc)
        rc = archase_invoice_put(eng, &i4, NULL);
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P1";
    p.customer_id = "C1";
    p.invoice_id = "I2";
    p.date = AS_OF - 10;
    p.amount = (archase_money){ 50000, "EUR" };
    p.reference = "bank 1";
    if (!rc)
        rc = archase_payment_put(eng, &p, NULL);
    p.id = "P2";
    p.kind = ARCHASE_CREDIT_NOTE;
    p.amount.minor = 1000;
    if (!rc)
        rc = archase_payment_put(eng, &p, NULL);
    p.id = "P3";
    p.kind = ARCHASE_PAYMENT;
    p.invoice_id = NULL; /* unapplied cash */
    if (!rc)
        rc = archase_payment_put(eng, &p, NULL);
    p.id = "P4";
    p.date = AS_OF + 5; /* after the day: not in the snapshot */
    p.invoice_id = "J1";
    p.customer_id = "C2";
    if (!rc)
        rc = archase_payment_put(eng, &p, NULL);
    archase_instalment plan[2] = { { AS_OF + 5, { 40000, "EUR" } }, { AS_OF + 20, { 60000, "EUR" } } };
    archase_promise pr = ARCHASE_PROMISE_INIT;
    pr.id = "PR1";
    pr.customer_id = "C1";
    pr.invoice_ids = c1_invoices;
    pr.invoice_count = 2;
    pr.amount = (archase_money){ 100000, "EUR" };
    pr.promised_date = AS_OF + 5;
    pr.instalments = plan;
    pr.instalment_count = 2;
    pr.taken_by = "kim";
    pr.channel = ARCHASE_CHANNEL_CALL;
    pr.note = "two parts";
    pr.recorded_on = AS_OF - 2;
    if (!rc)
        rc = archase_promise_put(eng, &pr, NULL);
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "D1";
    d.customer_id = "C1";
    d.invoice_ids = one_invoice;
    d.invoice_count = 1;
    d.amount = (archase_money){ 20000, "EUR" };
    d.reason_code = "pricing";
    d.evidence = "mail";
    d.opened_by = "kim";
    d.opened_on = AS_OF - 5;
    d.owner = "olga";
    if (!rc)
        rc = archase_dispute_put(eng, &d, NULL);
    d.id = "D2";
    d.status = ARCHASE_DISPUTE_RESOLVED;
    d.resolution = ARCHASE_RESOLUTION_PARTIAL;
    d.root_cause = "price_list";
    d.resolved_on = AS_OF - 1;
    d.credited = (archase_money){ 5000, "EUR" };
    if (!rc)
        rc = archase_dispute_put(eng, &d, NULL);
    archase_note n = ARCHASE_NOTE_INIT;
    n.id = "N1";
    n.customer_id = "C1";
    n.invoice_id = "I1";
    n.author = "kim";
    n.text = "called";
    if (!rc)
        rc = archase_note_put(eng, &n, NULL);
    return rc;
}

static int open_fixture(fixture *f, const archase_allocator *a) {
    f->now = (archase_instant)AS_OF * DAY;
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.allocator = a;
    int rc = archase_memory_storage_new(a, &f->store);
    if (rc)
        return rc;
    rc = archase_engine_open(&f->store, &o, &f->eng);
    if (rc) {
        f->store.close(f->store.userdata);
        return rc;
    }
    if (!f->policy)
        rc = archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &f->policy, NULL);
    if (!rc)
        rc = put_ledger(f->eng);
    return rc;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(open_fixture(f, NULL), 0);
    /* A day of the cycle (cadence state and touches), an approval request. */
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    int rc = archase_run_cycle(f->eng, f->policy, AS_OF, &co, NULL);
    if (rc)
        fail_msg("cycle: %s", archase_engine_errmsg(f->eng));
    archase_approval_request r = ARCHASE_APPROVAL_REQUEST_INIT;
    r.action = ARCHASE_ACTION_WRITE_OFF;
    r.customer_id = "C1";
    r.invoice_ids = one_invoice;
    r.invoice_count = 1;
    r.amount = (archase_money){ 150000, "EUR" };
    r.requester = "anna";
    r.requester_role = "collector";
    r.justification = "customer insolvent, the administrator confirmed no dividend";
    r.customer_impact = "account closed; no further dunning";
    char id[ARCHASE_APPROVAL_ID_MAX];
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
    free(f);
    return 0;
}

/* ---- the readers under allocation failure ------------------------------------ */

typedef struct loaded {
    size_t customers, invoices, promises, disputes, cadence, decisions, lines;
} loaded;

/* Loads, evaluates and builds the worklist; counts what came out. */
static int read_all(fixture *f, loaded *out) {
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_worklist *wl = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = f->policy;
    int rc = archase_snapshot_load(f->eng, AS_OF + 1, &so, &snap);
    if (!rc)
        rc = archase_evaluate(snap, f->policy, AS_OF + 1, NULL, &ds);
    if (!rc)
        rc = archase_worklist_build(ds, NULL, &wl);
    if (!rc) {
        archase_snapshot_info info = ARCHASE_SNAPSHOT_INFO_INIT;
        assert_int_equal(archase_snapshot_info_get(snap, &info), 0);
        out->customers = info.customers;
        out->invoices = info.open_invoices;
        out->promises = info.promises;
        out->disputes = info.disputes;
        out->cadence = info.cadence_records;
        out->decisions = archase_decisions_count(ds);
        out->lines = archase_worklist_count(wl);
    }
    archase_worklist_free(wl);
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
    return rc;
}

static void reading_survives_every_allocation_failure(void **state) {
    fixture *base = *state;
    loaded want;
    memset(&want, 0, sizeof want);
    assert_int_equal(read_all(base, &want), 0);
    assert_int_equal(want.customers, 2);
    assert_int_equal(want.invoices, 4);
    assert_int_equal(want.promises, 1);
    assert_int_equal(want.disputes, 1);
    assert_true(want.cadence > 0);
    assert_true(want.decisions > 0);
    int step = test_under_valgrind() ? 7 : 1;
    size_t runs = 0;
    for (int persistent = 1; persistent >= 0; persistent--) {
        for (size_t n = 1;; n += (size_t)step) {
            failalloc fa;
            failalloc_init(&fa);
            fixture f;
            memset(&f, 0, sizeof f);
            f.policy = base->policy;
            assert_int_equal(open_fixture(&f, &fa.allocator), 0);
            archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
            co.dispatch = 0;
            assert_int_equal(archase_run_cycle(f.eng, f.policy, AS_OF, &co, NULL), 0);
            loaded got;
            memset(&got, 0, sizeof got);
            failalloc_arm(&fa, n, persistent);
            int rc = read_all(&f, &got);
            size_t failures = fa.failures;
            failalloc_arm(&fa, 0, 0);
            if (failures == 0 || rc == 0) {
                if (rc || memcmp(&got, &want, sizeof got) != 0)
                    fail_msg("allocation %zu failing: %s: %s; %zu %zu %zu %zu %zu %zu %zu", n, archase_error_name(rc),
                             archase_engine_errmsg(f.eng), got.customers, got.invoices, got.promises, got.disputes,
                             got.cadence, got.decisions, got.lines);
            } else if (rc != ARCHASE_ENOMEM) {
                fail_msg("allocation %zu failing: %s: %s", n, archase_error_name(rc),
                         archase_engine_errmsg(f.eng));
            }
            archase_engine_free(f.eng);
            assert_int_equal(fa.live, 0);
            runs++;
            if (failures == 0)
                break;
        }
    }
    assert_true(runs > (test_under_valgrind() ? 5u : 20u));
}

/* ---- records cut short --------------------------------------------------------- */

typedef struct saved {
    archase_record rec;
    char           id[300], customer_id[300], invoice_id[300];
    unsigned char *data;
} saved;

static int save_fn(void *ctx, const archase_record *rec) {
    saved *s = ctx;
    s->rec = *rec;
    snprintf(s->id, sizeof s->id, "%s", rec->id);
    snprintf(s->customer_id, sizeof s->customer_id, "%s", rec->customer_id ? rec->customer_id : "");
    snprintf(s->invoice_id, sizeof s->invoice_id, "%s", rec->invoice_id ? rec->invoice_id : "");
    s->rec.id = s->id;
    s->rec.customer_id = rec->customer_id ? s->customer_id : NULL;
    s->rec.invoice_id = rec->invoice_id ? s->invoice_id : NULL;
    s->data = malloc(rec->size ? rec->size : 1);
    assert_non_null(s->data);
    memcpy(s->data, rec->data, rec->size);
    s->rec.data = s->data;
    return ARCHASE_SCAN_STOP;
}

/* The first record of `family` with `status` (0 = any) in the store, copied. */
static void first_record_with(fixture *f, int family, int32_t status, saved *out) {
    memset(out, 0, sizeof *out);
    archase_scan_filter flt = ARCHASE_SCAN_FILTER_INIT;
    flt.family = family;
    flt.status = status;
    assert_int_equal(f->store.scan(f->store.userdata, &flt, save_fn, out), 0);
    assert_non_null(out->data);
}

static void first_record(fixture *f, int family, saved *out) {
    first_record_with(f, family, 0, out);
}

/* The record of a customer's touches: the engine keeps it with the cadence
 * records, under a status of its own. */
#define TOUCHES_STATUS 16

/* Stores the record with only its first `size` bytes. */
static void put_cut(fixture *f, const saved *s, size_t size) {
    archase_record r = s->rec;
    r.size = size;
    assert_int_equal(f->store.put(f->store.userdata, &r), 0);
}

static int ignore_fact(void *userdata, const archase_fact *fact) {
    (void)userdata, (void)fact;
    return 0;
}

static int ignore_request(void *userdata, const archase_approval_info *info) {
    (void)userdata, (void)info;
    return 0;
}

static void expect_undecodable(fixture *f, int line, int rc, const saved *s, size_t cut) {
    if (rc != ARCHASE_ESTORAGE)
        fail_msg("line %d: '%s' cut to %zu of %zu bytes: %s: %s", line, s->id, cut, s->rec.size,
                 archase_error_name(rc), archase_engine_errmsg(f->eng));
    if (!strstr(archase_engine_errmsg(f->eng), "cannot be decoded") ||
        !strstr(archase_engine_errmsg(f->eng), s->id))
        fail_msg("line %d: '%s' cut to %zu: %s", line, s->id, cut, archase_engine_errmsg(f->eng));
}

static void each_fact_cut_short_is_refused_by_every_reader(void **state) {
    fixture *f = *state;
    static const int families[] = { ARCHASE_FAMILY_CUSTOMER, ARCHASE_FAMILY_CONTACT, ARCHASE_FAMILY_FLAGS,
                                    ARCHASE_FAMILY_INVOICE,  ARCHASE_FAMILY_PAYMENT, ARCHASE_FAMILY_PROMISE,
                                    ARCHASE_FAMILY_DISPUTE,  ARCHASE_FAMILY_NOTE };
    int step = test_under_valgrind() ? 4 : 1;
    loaded want, got;
    memset(&want, 0, sizeof want);
    assert_int_equal(read_all(f, &want), 0);
    for (size_t k = 0; k < sizeof families / sizeof *families; k++) {
        saved s;
        first_record(f, families[k], &s);
        for (size_t cut = 0; cut < s.rec.size; cut += (size_t)step) {
            put_cut(f, &s, cut);
            archase_snapshot *snap = (archase_snapshot *)0x1;
            int rc = archase_snapshot_load(f->eng, AS_OF + 1, NULL, &snap);
            /* Payments enter a snapshot from what the store keeps beside
             * the record (date, amount, invoice): their bytes are not read. */
            if (families[k] == ARCHASE_FAMILY_PAYMENT) {
                assert_int_equal(rc, 0);
                archase_snapshot_free(snap);
            } else {
                expect_undecodable(f, __LINE__, rc, &s, cut);
                assert_ptr_equal(snap, (archase_snapshot *)0x1);
            }
            rc = archase_fact_get(f->eng, families[k], s.id, ignore_fact, NULL);
            expect_undecodable(f, __LINE__, rc, &s, cut);
            archase_fact_filter flt = ARCHASE_FACT_FILTER_INIT;
            flt.family = families[k];
            rc = archase_facts_scan(f->eng, &flt, ignore_fact, NULL);
            expect_undecodable(f, __LINE__, rc, &s, cut);
        }
        put_cut(f, &s, s.rec.size);
        assert_int_equal(archase_fact_get(f->eng, families[k], s.id, ignore_fact, NULL), 0);
        free(s.data);
    }
    memset(&got, 0, sizeof got);
    assert_int_equal(read_all(f, &got), 0);
    assert_memory_equal(&got, &want, sizeof got);
}

static void engine_records_cut_short_are_refused(void **state) {
    fixture *f = *state;
    int step = test_under_valgrind() ? 4 : 1;
    /* The cadence state the cycle wrote: the snapshot carries it. */
    saved s;
    first_record(f, ARCHASE_FAMILY_CADENCE, &s);
    for (size_t cut = 0; cut < s.rec.size; cut += (size_t)step) {
        put_cut(f, &s, cut);
        archase_snapshot *snap = NULL;
        int rc = archase_snapshot_load(f->eng, AS_OF + 1, NULL, &snap);
        expect_undecodable(f, __LINE__, rc, &s, cut);
    }
    put_cut(f, &s, s.rec.size);
    free(s.data);
    /* A customer's touches. */
    first_record_with(f, ARCHASE_FAMILY_CADENCE, TOUCHES_STATUS, &s);
    for (size_t cut = 0; cut < s.rec.size; cut += (size_t)step) {
        put_cut(f, &s, cut);
        archase_snapshot *snap = NULL;
        int rc = archase_snapshot_load(f->eng, AS_OF + 1, NULL, &snap);
        expect_undecodable(f, __LINE__, rc, &s, cut);
    }
    put_cut(f, &s, s.rec.size);
    free(s.data);
    /* An approval request. */
    first_record(f, ARCHASE_FAMILY_APPROVAL, &s);
    for (size_t cut = 0; cut < s.rec.size; cut += (size_t)step) {
        put_cut(f, &s, cut);
        int rc = archase_approval_get(f->eng, s.id, ignore_request, NULL);
        expect_undecodable(f, __LINE__, rc, &s, cut);
        rc = archase_approvals_scan(f->eng, 0, ignore_request, NULL);
        expect_undecodable(f, __LINE__, rc, &s, cut);
    }
    put_cut(f, &s, s.rec.size);
    assert_int_equal(archase_approval_get(f->eng, s.id, ignore_request, NULL), 0);
    free(s.data);
    loaded got;
    assert_int_equal(read_all(f, &got), 0);
}

/* ---- records with a byte changed ----------------------------------------------- */

/* Every byte of a record of each family set to a few other values: every
 * reader either reads a record (the change made another valid one) or
 * refuses it as a storage error naming it; nothing else, and nothing read
 * past the record (ASan and valgrind watch). */
static void each_record_with_a_byte_changed_is_read_or_refused(void **state) {
    fixture *f = *state;
    static const int families[] = { ARCHASE_FAMILY_CUSTOMER, ARCHASE_FAMILY_CONTACT, ARCHASE_FAMILY_FLAGS,
                                    ARCHASE_FAMILY_INVOICE,  ARCHASE_FAMILY_PAYMENT, ARCHASE_FAMILY_PROMISE,
                                    ARCHASE_FAMILY_DISPUTE,  ARCHASE_FAMILY_NOTE,    ARCHASE_FAMILY_CADENCE,
                                    ARCHASE_FAMILY_APPROVAL, -ARCHASE_FAMILY_CADENCE /* the touches */ };
    static const unsigned char masks[] = { 0x01, 0x02, 0x10, 0x80, 0xff };
    int step = test_under_valgrind() ? 11 : 1;
    size_t refused = 0, read = 0;
    for (size_t k = 0; k < sizeof families / sizeof *families; k++) {
        int fam = families[k] < 0 ? -families[k] : families[k];
        saved s;
        first_record_with(f, fam, families[k] < 0 ? TOUCHES_STATUS : 0, &s);
        for (size_t at = 0; at < s.rec.size; at += (size_t)step) {
            for (size_t m = 0; m < sizeof masks; m++) {
                unsigned char was = s.data[at];
                s.data[at] = (unsigned char)(was ^ masks[m]);
                put_cut(f, &s, s.rec.size);
                int rc;
                if (fam == ARCHASE_FAMILY_APPROVAL) {
                    rc = archase_approval_get(f->eng, s.id, ignore_request, NULL);
                } else if (fam == ARCHASE_FAMILY_CADENCE) {
                    archase_snapshot *snap = NULL;
                    rc = archase_snapshot_load(f->eng, AS_OF + 1, NULL, &snap);
                    archase_snapshot_free(snap);
                } else {
                    rc = archase_fact_get(f->eng, fam, s.id, ignore_fact, NULL);
                }
                s.data[at] = was;
                if (rc == 0) {
                    read++;
                    continue;
                }
                expect_undecodable(f, __LINE__, rc, &s, at);
                refused++;
            }
        }
        put_cut(f, &s, s.rec.size);
        free(s.data);
    }
    assert_true(refused > 100);
    loaded got;
    assert_int_equal(read_all(f, &got), 0);
}

/* ---- which contact a message goes to -------------------------------------------- */

static int put_contact(archase_engine *eng, const char *id, const char *customer, int channel, int consent,
                       int primary) {
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = id;
    k.customer_id = customer;
    k.channel = channel;
    k.address = "someone@example.com";
    k.consent = consent;
    k.primary = primary;
    return archase_contact_put(eng, &k, NULL);
}

/* Per customer and channel: the first consented primary contact, else the
 * first consented one (in id order); never one without consent. */
static void a_message_goes_to_the_consented_primary_contact(void **state) {
    fixture *base = *state;
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    const char *customers[] = { "X", "Y", "Z" };
    for (int i = 0; i < 3; i++) {
        archase_customer c = ARCHASE_CUSTOMER_INIT;
        c.id = customers[i];
        c.name = customers[i];
        assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        char id[8];
        snprintf(id, sizeof id, "%s-1", customers[i]);
        inv.id = id;
        inv.customer_id = customers[i];
        inv.issue_date = AS_OF - 60;
        inv.due_date = AS_OF - 30;
        inv.amount = (archase_money){ 10000, "EUR" };
        assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
    }
    assert_int_equal(put_contact(eng, "A0", "X", ARCHASE_CHANNEL_EMAIL, 0, 1), 0); /* no consent */
    assert_int_equal(put_contact(eng, "B1", "X", ARCHASE_CHANNEL_EMAIL, 1, 0), 0);
    assert_int_equal(put_contact(eng, "C2", "X", ARCHASE_CHANNEL_EMAIL, 1, 1), 0);
    assert_int_equal(put_contact(eng, "D3", "X", ARCHASE_CHANNEL_EMAIL, 1, 1), 0); /* a second primary */
    assert_int_equal(put_contact(eng, "E4", "X", ARCHASE_CHANNEL_SMS, 1, 1), 0);
    assert_int_equal(put_contact(eng, "F1", "Y", ARCHASE_CHANNEL_EMAIL, 1, 0), 0);
    assert_int_equal(put_contact(eng, "G2", "Y", ARCHASE_CHANNEL_EMAIL, 1, 0), 0);
    assert_int_equal(put_contact(eng, "H1", "Z", ARCHASE_CHANNEL_EMAIL, 0, 0), 0); /* nobody consented */
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = base->policy;
    assert_int_equal(archase_snapshot_load(eng, AS_OF, &so, &snap), 0);
    assert_int_equal(archase_evaluate(snap, base->policy, AS_OF, NULL, &ds), 0);
    char seen[128] = "";
    for (size_t i = 0; i < archase_decisions_count(ds); i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        assert_int_equal(archase_decision_get(ds, i, &d), 0);
        if (d.kind != ARCHASE_DECISION_SEND_MESSAGE)
            continue;
        size_t n = strlen(seen);
        snprintf(seen + n, sizeof seen - n, "%s:%s;", d.customer_id, d.contact_id ? d.contact_id : "-");
    }
    assert_string_equal(seen, "X:C2;Y:F1;");
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
    archase_engine_free(eng);
}

/* ---- arguments ------------------------------------------------------------------- */

static void the_snapshot_checks_its_arguments(void **state) {
    fixture *f = *state;
    archase_snapshot *snap = (archase_snapshot *)0x1;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    assert_int_equal(archase_snapshot_load(NULL, AS_OF, NULL, &snap), ARCHASE_EINVAL);
    assert_int_equal(archase_snapshot_load(f->eng, AS_OF, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_snapshot_load(f->eng, ARCHASE_DATE_NONE, NULL, &snap), ARCHASE_EINVAL);
    assert_int_equal(archase_snapshot_load(f->eng, ARCHASE_DATE_MAX + 1, NULL, &snap), ARCHASE_EINVAL);
    so.version = 9;
    assert_int_equal(archase_snapshot_load(f->eng, AS_OF, &so, &snap), ARCHASE_EVERSION);
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    assert_int_equal(archase_snapshot_load(f->eng, AS_OF, NULL, &snap), ARCHASE_EINVAL);
    archase_batch_free(b);
    assert_ptr_equal(snap, (archase_snapshot *)0x1);
    /* A day before anything was issued: customers, no invoices. */
    snap = NULL;
    assert_int_equal(archase_snapshot_load(f->eng, AS_OF - 100, NULL, &snap), 0);
    archase_snapshot_info info = ARCHASE_SNAPSHOT_INFO_INIT;
    assert_int_equal(archase_snapshot_info_get(snap, &info), 0);
    assert_int_equal(info.customers, 2);
    assert_int_equal(info.open_invoices, 0);
    archase_snapshot_free(snap);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
static const struct CMUnitTest tests[] = {
    T(the_snapshot_checks_its_arguments),
    T(reading_survives_every_allocation_failure),
    T(each_fact_cut_short_is_refused_by_every_reader),
    T(engine_records_cut_short_are_refused),
    T(each_record_with_a_byte_changed_is_read_or_refused),
    T(a_message_goes_to_the_consented_primary_contact),
};

AR_TEST_MAIN(tests)
