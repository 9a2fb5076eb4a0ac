/* tests/test_facts.c — facts entering the ledger through the public API:
 * idempotency, revisions, validation, payments applied to invoices,
 * reconciliation items, audit records, reading facts back. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

static archase_instant fixed_now(void *userdata) {
    return *(const archase_instant *)userdata;
}

typedef struct fixture {
    archase_storage store; /* a copy of the backend's table, to look inside */
    archase_engine *eng;
    archase_instant now;
    archase_clock   clock;
} fixture;

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    f->now = 1767225600; /* 2026-01-01T00:00:00Z */
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "importer";
    assert_int_equal(archase_memory_storage_new(NULL, &f->store), 0);
    assert_int_equal(archase_engine_open(&f->store, &o, &f->eng), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    test_free(f);
    return 0;
}

static archase_money money(int64_t minor, const char *cur) {
    archase_money m;
    m.minor = minor;
    snprintf(m.currency, sizeof m.currency, "%s", cur);
    return m;
}

static archase_date day(int y, int m, int d) {
    archase_date out = ARCHASE_DATE_NONE;
    assert_int_equal(archase_date_from_ymd(y, m, d, &out), 0);
    return out;
}

static void given_customer(fixture *f, const char *id) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = "ACME GmbH";
    archase_outcome o;
    assert_int_equal(archase_customer_put(f->eng, &c, &o), 0);
}

static archase_invoice invoice(const char *id, const char *customer, int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.issue_date = day(2026, 1, 1);
    inv.due_date = day(2026, 1, 31);
    inv.amount = money(minor, "EUR");
    return inv;
}

static void given_invoice(fixture *f, const char *id, const char *customer, int64_t minor) {
    archase_invoice inv = invoice(id, customer, minor);
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
}

static archase_payment payment(const char *id, const char *customer, const char *inv, int64_t minor) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = customer;
    p.invoice_id = inv;
    p.date = day(2026, 2, 10);
    p.amount = money(minor, "EUR");
    return p;
}

static uint64_t audit_size(fixture *f) {
    uint64_t n = 0;
    assert_int_equal(f->store.audit_size(f->store.userdata, &n), 0);
    return n;
}

/* Reads the derived state of an invoice through the public API. */
typedef struct invoice_seen {
    int                   found;
    archase_invoice_state state;
    char                  number[64];
    int64_t               revision;
} invoice_seen;

static int see_invoice(void *userdata, const archase_fact *fact) {
    invoice_seen *s = userdata;
    s->found = 1;
    s->state = *fact->invoice_state;
    s->revision = fact->invoice->revision;
    snprintf(s->number, sizeof s->number, "%s", fact->invoice->number ? fact->invoice->number : "");
    return 0;
}

static invoice_seen invoice_state(fixture *f, const char *id) {
    invoice_seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_fact_get(f->eng, ARCHASE_FAMILY_INVOICE, id, see_invoice, &s), 0);
    return s;
}

/* ---- idempotency and revisions ------------------------------------------ */

static void the_same_fact_twice_is_a_duplicate_and_audited_once(void **state) {
    fixture *f = *state;
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    archase_outcome o = 0;
    assert_int_equal(archase_customer_put(f->eng, &c, &o), 0);
    assert_int_equal(o, ARCHASE_OUTCOME_INSERTED);
    assert_int_equal(archase_customer_put(f->eng, &c, &o), 0);
    assert_int_equal(o, ARCHASE_OUTCOME_DUPLICATE);
    assert_int_equal(audit_size(f), 1);
}

static void different_content_at_the_same_revision_conflicts(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "Another name";
    archase_outcome o = 0;
    assert_int_equal(archase_customer_put(f->eng, &c, &o), ARCHASE_ECONFLICT);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "C1"));
    assert_int_equal(o, 0);
    assert_int_equal(audit_size(f), 1);
}

static void a_newer_revision_replaces_and_an_older_one_is_stale(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    archase_invoice inv = invoice("I1", "C1", 10000);
    inv.revision = 2;
    inv.number = "R2";
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    archase_invoice newer = inv;
    newer.revision = 3;
    newer.number = "R3";
    archase_outcome o;
    assert_int_equal(archase_invoice_put(f->eng, &newer, &o), 0);
    assert_int_equal(o, ARCHASE_OUTCOME_UPDATED);
    archase_invoice older = inv;
    older.revision = 1;
    older.number = "R1";
    assert_int_equal(archase_invoice_put(f->eng, &older, &o), 0);
    assert_int_equal(o, ARCHASE_OUTCOME_STALE);
    invoice_seen s = invoice_state(f, "I1");
    assert_string_equal(s.number, "R3");
    assert_int_equal(s.revision, 3);
    assert_int_equal(audit_size(f), 3); /* customer, invoice, revision 3 */
}

/* ---- validation ----------------------------------------------------------- */

static void an_invoice_needs_an_existing_customer(void **state) {
    fixture *f = *state;
    archase_invoice inv = invoice("I1", "NOPE", 100);
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_ENOTFOUND);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "customer 'NOPE' does not exist"));
    assert_int_equal(audit_size(f), 0);
}

/* Customer ids short and long (the engine keeps the ids it knows, short ones
 * apart from long ones), many of them: each is found, and an id one
 * character longer or shorter, or differing in its last one, is found only
 * when it is one of them too. */
#define ID_ROUNDS 40
static const size_t id_lengths[] = { 1, 18, 19, 20, 21, 64, 255 };
#define ID_LENGTHS (sizeof id_lengths / sizeof *id_lengths)

static void make_id(char *out, int round, size_t n) {
    memset(out, 'a' + round % 26, n);
    out[0] = (char)('A' + round / 26);
    out[n] = '\0';
}

static int is_made_id(const char *s) {
    char id[300];
    for (int round = 0; round < ID_ROUNDS; round++) {
        for (size_t k = 0; k < ID_LENGTHS; k++) {
            make_id(id, round, id_lengths[k]);
            if (!strcmp(id, s))
                return 1;
        }
    }
    return 0;
}

static void customer_ids_of_every_length_are_told_apart(void **state) {
    fixture *f = *state;
    char id[300], probe[3][300], inv_id[32];
    size_t invoices = 0;
    for (int round = 0; round < ID_ROUNDS; round++) {
        for (size_t k = 0; k < ID_LENGTHS; k++) {
            make_id(id, round, id_lengths[k]);
            given_customer(f, id);
        }
    }
    for (int round = 0; round < ID_ROUNDS; round++) {
        for (size_t k = 0; k < ID_LENGTHS; k++) {
            size_t n = id_lengths[k];
            make_id(id, round, n);
            snprintf(inv_id, sizeof inv_id, "I%zu", invoices++);
            archase_invoice inv = invoice(inv_id, id, 100);
            assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
            snprintf(probe[0], sizeof probe[0], "%sa", id); /* one longer */
            memcpy(probe[1], id, n + 1);                    /* one shorter */
            probe[1][n - 1] = '\0';
            memcpy(probe[2], id, n + 1);                    /* the last one changed */
            probe[2][n - 1] = (char)(id[n - 1] + 1);
            for (int p = 0; p < 3; p++) {
                if (!probe[p][0])
                    continue;
                snprintf(inv_id, sizeof inv_id, "I%zu", invoices++);
                inv = invoice(inv_id, probe[p], 100);
                int rc = archase_invoice_put(f->eng, &inv, NULL);
                if (is_made_id(probe[p])) {
                    assert_int_equal(rc, 0);
                } else {
                    assert_int_equal(rc, ARCHASE_ENOTFOUND);
                    assert_non_null(strstr(archase_engine_errmsg(f->eng), "does not exist"));
                }
            }
        }
    }
}

static void a_due_date_before_the_issue_date_is_rejected(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    archase_invoice inv = invoice("I1", "C1", 100);
    inv.due_date = day(2025, 12, 31);
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "due_date is before issue_date"));
}

static void required_fields_unknown_currencies_and_ranges_are_checked(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    archase_invoice inv = invoice("I1", "C1", 100);
    inv.amount = money(100, "XYZ");
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_ECURRENCY);
    inv = invoice("I1", "C1", 0);
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL);
    inv = invoice("I1", "C1", INT64_C(1000000000000000));
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL);
    inv = invoice(NULL, "C1", 100);
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL);
    inv = invoice("I1", "C1", 100);
    inv.issue_date = ARCHASE_DATE_NONE;
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL);
    inv = invoice("I\x01", "C1", 100);
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL);
    inv = invoice("I1", "C1", 100);
    inv.po_ref = "\xff\xfe";
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C2";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL); /* no name */
    c.name = "x";
    c.version = 99;
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), ARCHASE_EVERSION);
    assert_int_equal(audit_size(f), 1);
}

/* ---- payments ------------------------------------------------------------- */

static int copy_amount(void *ctx, const archase_record *r) {
    *(int64_t *)ctx = r->amount;
    return 0;
}

static void payments_reduce_the_open_amount_and_the_last_one_settles(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    given_invoice(f, "I1", "C1", 10000);
    archase_payment p = payment("P1", "C1", "I1", 4000);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    invoice_seen s = invoice_state(f, "I1");
    assert_int_equal(s.state.status, ARCHASE_INVOICE_OPEN);
    assert_int_equal(s.state.open_amount.minor, 6000);
    assert_int_equal(s.state.settled_date, ARCHASE_DATE_NONE);
    p = payment("P2", "C1", "I1", 6000);
    p.date = day(2026, 3, 1);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    s = invoice_state(f, "I1");
    assert_int_equal(s.state.status, ARCHASE_INVOICE_SETTLED);
    assert_int_equal(s.state.open_amount.minor, 0);
    assert_int_equal(s.state.settled_date, day(2026, 3, 1));
}

static void a_payment_above_the_open_amount_needs_the_overpayment_mark(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    given_invoice(f, "I1", "C1", 10000);
    archase_payment p = payment("P1", "C1", "I1", 12000);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "more than the open amount"));
    assert_int_equal(invoice_state(f, "I1").state.open_amount.minor, 10000);
    p.overpayment = 1;
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    assert_int_equal(invoice_state(f, "I1").state.status, ARCHASE_INVOICE_SETTLED);
    /* The excess waits in the reconciliation queue. */
    int64_t excess = 0;
    assert_int_equal(f->store.get(f->store.userdata, ARCHASE_FAMILY_RECON, "payment:P1", copy_amount, &excess), 0);
    assert_int_equal(excess, 2000);
}

static void unapplied_cash_and_overpayments_become_reconciliation_items(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    given_invoice(f, "I1", "C1", 10000);
    archase_payment cash = payment("P1", "C1", NULL, 2500);
    assert_int_equal(archase_payment_put(f->eng, &cash, NULL), 0);
    int64_t amount = 0;
    assert_int_equal(f->store.get(f->store.userdata, ARCHASE_FAMILY_RECON, "payment:P1", copy_amount, &amount), 0);
    assert_int_equal(amount, 2500);
    archase_payment over = payment("P2", "C1", "I1", 10100);
    over.overpayment = 1;
    assert_int_equal(archase_payment_put(f->eng, &over, NULL), 0);
    assert_int_equal(f->store.get(f->store.userdata, ARCHASE_FAMILY_RECON, "payment:P2", copy_amount, &amount), 0);
    assert_int_equal(amount, 100);
}

static void a_payment_must_match_its_invoice_currency_and_customer(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    given_customer(f, "C2");
    given_invoice(f, "I1", "C1", 10000);
    archase_payment p = payment("P1", "C1", "I1", 100);
    p.amount = money(100, "USD");
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), ARCHASE_ECURRENCY);
    p = payment("P1", "C2", "I1", 100);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "belongs to customer 'C1'"));
    p = payment("P1", "C1", "NOPE", 100);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), ARCHASE_ENOTFOUND);
}

static void a_newer_payment_revision_moves_what_it_applied(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    given_invoice(f, "I1", "C1", 10000);
    given_invoice(f, "I2", "C1", 5000);
    archase_payment p = payment("P1", "C1", "I1", 10000);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    assert_int_equal(invoice_state(f, "I1").state.status, ARCHASE_INVOICE_SETTLED);
    /* The source corrects the payment: it was 3000 for I2. */
    p = payment("P1", "C1", "I2", 3000);
    p.revision = 1;
    archase_outcome o;
    assert_int_equal(archase_payment_put(f->eng, &p, &o), 0);
    assert_int_equal(o, ARCHASE_OUTCOME_UPDATED);
    invoice_seen s1 = invoice_state(f, "I1"), s2 = invoice_state(f, "I2");
    assert_int_equal(s1.state.status, ARCHASE_INVOICE_OPEN);
    assert_int_equal(s1.state.open_amount.minor, 10000);
    assert_int_equal(s1.state.last_payment_date, ARCHASE_DATE_NONE);
    assert_int_equal(s2.state.open_amount.minor, 2000);
    /* And again on the same invoice, now in full. */
    p.amount = money(5000, "EUR");
    p.revision = 2;
    assert_int_equal(archase_payment_put(f->eng, &p, &o), 0);
    assert_int_equal(invoice_state(f, "I2").state.status, ARCHASE_INVOICE_SETTLED);
}

static void an_invoice_revision_recomputes_the_open_amount(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    given_invoice(f, "I1", "C1", 10000);
    archase_payment p = payment("P1", "C1", "I1", 4000);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    archase_invoice inv = invoice("I1", "C1", 4000);
    inv.revision = 1;
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    assert_int_equal(invoice_state(f, "I1").state.status, ARCHASE_INVOICE_SETTLED);
    inv = invoice("I1", "C1", 3000); /* below what was paid */
    inv.revision = 2;
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL);
    inv = invoice("I1", "C1", 4000);
    inv.amount = money(4000, "USD");
    inv.revision = 2;
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_ECURRENCY);
    inv = invoice("I1", "C1", 4000);
    inv.source_status = ARCHASE_INVOICE_VOID;
    inv.revision = 2;
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    invoice_seen s = invoice_state(f, "I1");
    assert_int_equal(s.state.status, ARCHASE_INVOICE_VOID);
    assert_int_equal(s.state.open_amount.minor, 0);
    p = payment("P2", "C1", "I1", 1);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL);
}

static void credits_write_offs_and_adjustments_move_the_open_amount(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    given_invoice(f, "I1", "C1", 10000);
    archase_payment p = payment("CN1", "C1", "I1", 1000);
    p.kind = ARCHASE_CREDIT_NOTE;
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    p = payment("ADJ1", "C1", "I1", -500);
    p.kind = ARCHASE_ADJUSTMENT;
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    assert_int_equal(invoice_state(f, "I1").state.open_amount.minor, 9500);
    p = payment("WO1", "C1", "I1", 9500);
    p.kind = ARCHASE_WRITE_OFF;
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    assert_int_equal(invoice_state(f, "I1").state.status, ARCHASE_INVOICE_SETTLED);
    p = payment("P9", "C1", "I1", -5);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL); /* only adjustments are negative */
}

/* ---- promises, disputes, flags, contacts, notes ---------------------------- */

static void promises_and_disputes_cover_invoices_of_their_customer(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    given_customer(f, "C2");
    given_invoice(f, "I1", "C1", 10000);
    given_invoice(f, "I2", "C1", 5000);
    given_invoice(f, "J1", "C2", 5000);
    const char *ids[] = { "I1", "I2" };
    archase_instalment plan[] = { { day(2026, 3, 1), money(7000, "EUR") },
                                  { day(2026, 4, 1), money(8000, "EUR") } };
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = "PTP1";
    p.customer_id = "C1";
    p.invoice_ids = ids;
    p.invoice_count = 2;
    p.amount = money(15000, "EUR");
    p.promised_date = day(2026, 4, 1);
    p.instalments = plan;
    p.instalment_count = 2;
    p.taken_by = "anna";
    p.channel = ARCHASE_CHANNEL_CALL;
    p.grace_days = 2;
    assert_int_equal(archase_promise_put(f->eng, &p, NULL), 0);
    archase_promise bad = p;
    bad.id = "PTP2";
    bad.amount = money(15001, "EUR");
    assert_int_equal(archase_promise_put(f->eng, &bad, NULL), ARCHASE_EINVAL); /* instalments do not add up */
    bad.instalment_count = 0;
    assert_int_equal(archase_promise_put(f->eng, &bad, NULL), ARCHASE_EINVAL); /* above the invoices */
    const char *other[] = { "J1" };
    bad = p;
    bad.id = "PTP3";
    bad.invoice_ids = other;
    bad.invoice_count = 1;
    bad.instalment_count = 0;
    bad.amount = money(100, "EUR");
    assert_int_equal(archase_promise_put(f->eng, &bad, NULL), ARCHASE_EINVAL); /* another customer's */

    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "D1";
    d.customer_id = "C1";
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount = money(2500, "EUR");
    d.reason_code = "pricing";
    d.opened_on = day(2026, 2, 1);
    assert_int_equal(archase_dispute_put(f->eng, &d, NULL), 0);
    d.revision = 1;
    d.status = ARCHASE_DISPUTE_RESOLVED;
    assert_int_equal(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL); /* no resolution */
    d.resolution = ARCHASE_RESOLUTION_PARTIAL;
    d.root_cause = "price_list_outdated";
    d.resolved_on = day(2026, 2, 20);
    assert_int_equal(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL); /* no credited amount */
    d.credited = money(1000, "EUR");
    assert_int_equal(archase_dispute_put(f->eng, &d, NULL), 0);
    d.reason_code = "Pricing!";
    d.revision = 2;
    assert_int_equal(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL);
}

static void flags_contacts_and_notes_need_their_customer(void **state) {
    fixture *f = *state;
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "C1";
    fl.hold = 1;
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_ENOTFOUND);
    given_customer(f, "C1");
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
    archase_contact c = ARCHASE_CONTACT_INIT;
    c.id = "C1:email";
    c.customer_id = "C1";
    c.channel = ARCHASE_CHANNEL_EMAIL;
    c.address = "ap@acme.example";
    c.consent = 1;
    assert_int_equal(archase_contact_put(f->eng, &c, NULL), 0);
    c.channel = 9;
    c.revision = 1;
    assert_int_equal(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL);
    archase_note n = ARCHASE_NOTE_INIT;
    n.id = "N1";
    n.customer_id = "C1";
    n.invoice_id = "I9";
    n.text = "called, will pay Friday";
    assert_int_equal(archase_note_put(f->eng, &n, NULL), ARCHASE_ENOTFOUND);
    n.invoice_id = NULL;
    assert_int_equal(archase_note_put(f->eng, &n, NULL), 0);
}

/* ---- the audit log ----------------------------------------------------------- */

typedef struct audit_seen {
    uint64_t count;
    uint32_t kind;
    int      record_kind;  /* the record kind of the stored bytes: "AU", an audit record */
    char     actor[32];
    int64_t  instant;
} audit_seen;

static int see_audit(void *ctx, const archase_audit_entry *e) {
    audit_seen *s = ctx;
    assert_int_equal(e->index, s->count);
    s->count++;
    s->kind = e->kind;
    s->record_kind = e->size >= 3 ? (((const uint8_t *)e->data)[1] << 8) | ((const uint8_t *)e->data)[2] : -1;
    s->instant = e->instant;
    snprintf(s->actor, sizeof s->actor, "%s", e->actor);
    return 0;
}

static void every_accepted_fact_is_an_audit_record_with_actor_and_clock(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    f->now += 60;
    given_invoice(f, "I1", "C1", 100);
    audit_seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(f->store.audit_read(f->store.userdata, 0, 100, see_audit, &s), 0);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.kind, ARCHASE_AUDIT_FACT_ACCEPTED);
    assert_int_equal(s.record_kind, 0x4155);
    assert_string_equal(s.actor, "importer");
    assert_int_equal(s.instant, 1767225660);
}

/* ---- reading back ----------------------------------------------------------- */

static int check_customer_round_trip(void *userdata, const archase_fact *fact) {
    const archase_customer *want = userdata, *got = fact->customer;
    assert_int_equal(fact->family, ARCHASE_FAMILY_CUSTOMER);
    assert_string_equal(got->id, want->id);
    assert_string_equal(got->name, want->name);
    assert_string_equal(got->tier, want->tier);
    assert_string_equal(got->timezone, want->timezone);
    assert_null(got->owner);
    assert_int_equal(got->credit_limit.minor, want->credit_limit.minor);
    assert_string_equal(got->credit_limit.currency, want->credit_limit.currency);
    assert_int_equal(got->tag_count, 2);
    assert_string_equal(got->tags[0], "key");
    assert_string_equal(got->tags[1], "eu");
    assert_int_equal(got->revision, 7);
    return 0;
}

static void a_fact_reads_back_as_it_was_put(void **state) {
    fixture *f = *state;
    const char *tags[] = { "key", "eu" };
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "Müller & Söhne";
    c.tier = "gold";
    c.timezone = "Europe/Berlin";
    c.credit_limit = money(5000000, "EUR");
    c.tags = tags;
    c.tag_count = 2;
    c.revision = 7;
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    assert_int_equal(archase_fact_get(f->eng, ARCHASE_FAMILY_CUSTOMER, "C1", check_customer_round_trip, &c), 0);
    assert_int_equal(archase_fact_get(f->eng, ARCHASE_FAMILY_CUSTOMER, "C2", check_customer_round_trip, &c),
                     ARCHASE_ENOTFOUND);
}

typedef struct ids_seen {
    char ids[16][16];
    int  n;
} ids_seen;

static int collect_ids(void *userdata, const archase_fact *fact) {
    ids_seen *s = userdata;
    const char *id = fact->invoice ? fact->invoice->id : fact->promise ? fact->promise->id : "?";
    snprintf(s->ids[s->n++], sizeof s->ids[0], "%s", id);
    return s->n == 16 ? ARCHASE_SCAN_STOP : 0;
}

static void scans_return_facts_in_id_order_filtered(void **state) {
    fixture *f = *state;
    given_customer(f, "C1");
    given_customer(f, "C2");
    given_invoice(f, "I3", "C1", 100);
    given_invoice(f, "I1", "C1", 100);
    given_invoice(f, "I2", "C2", 100);
    archase_invoice late = invoice("I4", "C1", 100);
    late.due_date = day(2026, 6, 30);
    assert_int_equal(archase_invoice_put(f->eng, &late, NULL), 0);
    archase_payment p = payment("P1", "C1", "I3", 100);
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);

    ids_seen s;
    memset(&s, 0, sizeof s);
    archase_fact_filter flt = ARCHASE_FACT_FILTER_INIT;
    flt.family = ARCHASE_FAMILY_INVOICE;
    assert_int_equal(archase_facts_scan(f->eng, &flt, collect_ids, &s), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.ids[0], "I1");
    assert_string_equal(s.ids[3], "I4");
    memset(&s, 0, sizeof s);
    flt.customer_id = "C1";
    flt.status = ARCHASE_INVOICE_OPEN;
    assert_int_equal(archase_facts_scan(f->eng, &flt, collect_ids, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.ids[0], "I1");
    assert_string_equal(s.ids[1], "I4");
    memset(&s, 0, sizeof s);
    flt.date_from = day(2026, 3, 1);
    assert_int_equal(archase_facts_scan(f->eng, &flt, collect_ids, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.ids[0], "I4");
}

/* ---- batches ----------------------------------------------------------------- */

static void a_batch_with_one_invalid_row_writes_nothing_and_reports_every_row(void **state) {
    fixture *f = *state;
    archase_diag_list *diags;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_batch *b;
    assert_int_equal(archase_batch_begin(f->eng, diags, "invoices.csv", &b), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_batch_add_customer(b, &c, 2), 0);
    archase_invoice ok = invoice("I1", "C1", 100);
    assert_int_equal(archase_batch_add_invoice(b, &ok, 3), 0); /* sees C1 from row 2 */
    archase_invoice bad = invoice("I2", "C9", 100);
    assert_int_equal(archase_batch_add_invoice(b, &bad, 4), ARCHASE_ENOTFOUND);
    archase_invoice bad2 = invoice("I3", "C1", 100);
    bad2.due_date = day(2025, 1, 1);
    assert_int_equal(archase_batch_add_invoice(b, &bad2, 5), ARCHASE_EINVAL);
    archase_batch_summary sum;
    assert_int_equal(archase_batch_commit(b, &sum), ARCHASE_EINVAL);
    archase_batch_free(b);
    assert_int_equal(sum.rejected, 2);
    assert_int_equal(sum.inserted, 0);
    assert_int_equal(archase_diag_list_count(diags), 2);
    assert_int_equal(archase_diag_list_get(diags, 0)->line, 4);
    assert_string_equal(archase_diag_list_get(diags, 0)->source, "invoices.csv");
    assert_int_equal(archase_diag_list_get(diags, 1)->line, 5);
    assert_int_equal(audit_size(f), 0);
    assert_int_equal(archase_fact_get(f->eng, ARCHASE_FAMILY_CUSTOMER, "C1", check_customer_round_trip, NULL),
                     ARCHASE_ENOTFOUND);
    archase_diag_list_free(diags);
}

static void a_valid_batch_commits_and_counts_each_outcome(void **state) {
    fixture *f = *state;
    given_customer(f, "C0");
    archase_batch *b;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    /* Single puts wait while a batch is open. */
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), ARCHASE_ESTATE);
    assert_int_equal(archase_batch_add_customer(b, &c, 1), 0);
    assert_int_equal(archase_batch_add_customer(b, &c, 2), 0);
    c.revision = 1;
    c.name = "ACME Corp";
    assert_int_equal(archase_batch_add_customer(b, &c, 3), 0);
    c.revision = 0;
    c.name = "ACME";
    assert_int_equal(archase_batch_add_customer(b, &c, 4), 0);
    archase_batch_summary sum;
    assert_int_equal(archase_batch_commit(b, &sum), 0);
    assert_int_equal(archase_batch_commit(b, &sum), ARCHASE_ESTATE);
    archase_batch_free(b);
    assert_int_equal(sum.inserted, 1);
    assert_int_equal(sum.duplicates, 1);
    assert_int_equal(sum.updated, 1);
    assert_int_equal(sum.stale, 1);
    assert_int_equal(sum.rejected, 0);
    assert_int_equal(audit_size(f), 3);
}

static void freeing_an_open_batch_rolls_it_back(void **state) {
    fixture *f = *state;
    archase_batch *b;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_batch_add_customer(b, &c, 1), 0);
    archase_batch_free(b);
    assert_int_equal(audit_size(f), 0);
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
}

/* ---- backends without optional slots ------------------------------------------ */

static void a_missing_slot_is_reported_by_name(void **state) {
    (void)state;
    archase_storage s;
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    s.audit_append = NULL;
    archase_engine *eng;
    assert_int_equal(archase_engine_open(&s, NULL, &eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(eng, &c, NULL), ARCHASE_EUNSUPPORTED);
    assert_non_null(strstr(archase_engine_errmsg(eng), "audit_append"));
    archase_engine_free(eng);
    archase_storage bad;
    assert_int_equal(archase_memory_storage_new(NULL, &bad), 0);
    archase_storage copy = bad;
    copy.get = NULL;
    assert_int_equal(archase_engine_open(&copy, NULL, &eng), ARCHASE_EINVAL);
    copy = bad;
    copy.version = 99;
    assert_int_equal(archase_engine_open(&copy, NULL, &eng), ARCHASE_EVERSION);
    bad.close(bad.userdata);
}

static void a_backend_without_insert_gets_the_same_outcomes(void **state) {
    (void)state;
    archase_storage s;
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    s.insert = NULL; /* the engine reads before it writes */
    archase_engine *eng;
    assert_int_equal(archase_engine_open(&s, NULL, &eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    archase_outcome o = 0;
    assert_int_equal(archase_customer_put(eng, &c, &o), 0);
    assert_int_equal(o, ARCHASE_OUTCOME_INSERTED);
    assert_int_equal(archase_customer_put(eng, &c, &o), 0);
    assert_int_equal(o, ARCHASE_OUTCOME_DUPLICATE);
    c.name = "ACME Corp";
    assert_int_equal(archase_customer_put(eng, &c, &o), ARCHASE_ECONFLICT);
    c.revision = 1;
    assert_int_equal(archase_customer_put(eng, &c, &o), 0);
    assert_int_equal(o, ARCHASE_OUTCOME_UPDATED);
    archase_invoice inv = invoice("I1", "C1", 500);
    assert_int_equal(archase_invoice_put(eng, &inv, &o), 0);
    assert_int_equal(o, ARCHASE_OUTCOME_INSERTED);
    uint64_t n = 0;
    assert_int_equal(s.audit_size(s.userdata, &n), 0);
    assert_int_equal(n, 3);
    archase_engine_free(eng);
}

/* ---- allocation failure --------------------------------------------------------- */

static int import_with(const archase_allocator *a, void *ctx) {
    (void)ctx;
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.allocator = a;
    archase_engine *eng = NULL;
    int rc = archase_open_memory(&o, &eng);
    if (rc)
        return rc;
    archase_diag_list *diags = NULL;
    rc = archase_diag_list_new(a, 0, &diags);
    archase_batch *b = NULL;
    if (!rc)
        rc = archase_batch_begin(eng, diags, "mem", &b);
    if (!rc) {
        archase_customer c = ARCHASE_CUSTOMER_INIT;
        c.id = "C1";
        c.name = "ACME";
        const char *tags[] = { "a", "b" };
        c.tags = tags;
        c.tag_count = 2;
        rc = archase_batch_add_customer(b, &c, 1);
        archase_invoice inv = invoice("I1", "C1", 1000);
        if (!rc)
            rc = archase_batch_add_invoice(b, &inv, 2);
        archase_payment p = payment("P1", "C1", "I1", 1200);
        p.overpayment = 1;
        if (!rc)
            rc = archase_batch_add_payment(b, &p, 3);
        archase_batch_summary sum;
        int crc = archase_batch_commit(b, &sum);
        if (!rc)
            rc = crc;
    }
    archase_batch_free(b);
    if (!rc) {
        invoice_seen s;
        memset(&s, 0, sizeof s);
        rc = archase_fact_get(eng, ARCHASE_FAMILY_INVOICE, "I1", see_invoice, &s);
        if (!rc && s.state.status != ARCHASE_INVOICE_SETTLED)
            rc = ARCHASE_EINVAL;
    }
    archase_diag_list_free(diags);
    archase_engine_free(eng);
    return rc;
}

static void opening_and_importing_survive_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(import_with, NULL, NULL) > 10);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(the_same_fact_twice_is_a_duplicate_and_audited_once),
    T(customer_ids_of_every_length_are_told_apart),
    T(different_content_at_the_same_revision_conflicts),
    T(a_newer_revision_replaces_and_an_older_one_is_stale),
    T(an_invoice_needs_an_existing_customer),
    T(a_due_date_before_the_issue_date_is_rejected),
    T(required_fields_unknown_currencies_and_ranges_are_checked),
    T(payments_reduce_the_open_amount_and_the_last_one_settles),
    T(a_payment_above_the_open_amount_needs_the_overpayment_mark),
    T(unapplied_cash_and_overpayments_become_reconciliation_items),
    T(a_payment_must_match_its_invoice_currency_and_customer),
    T(a_newer_payment_revision_moves_what_it_applied),
    T(an_invoice_revision_recomputes_the_open_amount),
    T(credits_write_offs_and_adjustments_move_the_open_amount),
    T(promises_and_disputes_cover_invoices_of_their_customer),
    T(flags_contacts_and_notes_need_their_customer),
    T(every_accepted_fact_is_an_audit_record_with_actor_and_clock),
    T(a_fact_reads_back_as_it_was_put),
    T(scans_return_facts_in_id_order_filtered),
    T(a_batch_with_one_invalid_row_writes_nothing_and_reports_every_row),
    T(a_valid_batch_commits_and_counts_each_outcome),
    T(freeing_an_open_batch_rolls_it_back),
    cmocka_unit_test(a_missing_slot_is_reported_by_name),
    cmocka_unit_test(a_backend_without_insert_gets_the_same_outcomes),
    cmocka_unit_test(opening_and_importing_survive_every_allocation_failure),
};

AR_TEST_MAIN(tests)
