/* examples/c/embed.c — a vendor embeds libarchase: its own storage layer (here
 * one that meters every write and commit before handing it to the built-in
 * memory store) and its own transport (here its outbound queue, printed), a
 * fixed clock, one day of the cycle, then the audit check.
 * Usage: embed POLICY.yaml   (exit 0 when a message went out and the log verifies) */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"

/* ---- storage: forward every slot to the inner store, count what is written -- */
typedef struct metered { archase_storage inner; unsigned long writes, commits; } metered;
#define IN(u) (((metered *)(u))->inner)
#define FWD(u, slot, ...) IN(u).slot(IN(u).userdata, __VA_ARGS__)
#define COUNT(u, what) (((metered *)(u))->what++)
static int m_get(void *u, int f, const char *id, archase_record_fn fn, void *c) { return FWD(u, get, f, id, fn, c); }
static int m_put(void *u, const archase_record *r) { COUNT(u, writes); return FWD(u, put, r); }
static int m_insert(void *u, const archase_record *r) { COUNT(u, writes); return FWD(u, insert, r); }
static int m_del(void *u, int f, const char *id) { return FWD(u, del, f, id); }
static int m_scan(void *u, const archase_scan_filter *f, archase_record_fn fn, void *c) {
    return FWD(u, scan, f, fn, c);
}
static int m_count(void *u, const archase_scan_filter *f, uint64_t *n) { return FWD(u, count, f, n); }
static int m_append(void *u, const archase_audit_entry *e) { COUNT(u, writes); return FWD(u, audit_append, e); }
static int m_read(void *u, uint64_t a, uint64_t b, archase_audit_fn fn, void *c) {
    return FWD(u, audit_read, a, b, fn, c);
}
static int m_size(void *u, uint64_t *n) { return FWD(u, audit_size, n); }
static int m_claim(void *u, archase_instant now, uint32_t limit, archase_record_fn fn, void *c) {
    return FWD(u, outbox_claim, now, limit, fn, c);
}
static int m_ack(void *u, const char *id, int st, archase_instant at) { return FWD(u, outbox_ack, id, st, at); }
static int m_doubt(void *u, const char *id, archase_instant at) { return FWD(u, outbox_mark_in_doubt, id, at); }
static int m_begin(void *u) { return IN(u).begin(IN(u).userdata); }
static int m_commit(void *u) { COUNT(u, commits); return IN(u).commit(IN(u).userdata); }
static int m_rollback(void *u) { return IN(u).rollback(IN(u).userdata); }
static int m_schema(void *u, int64_t *v) { return FWD(u, schema_version, v); }
static const char *m_errmsg(void *u) { return IN(u).errmsg(IN(u).userdata); }
static void m_close(void *u) { IN(u).close(IN(u).userdata); }

/* ---- transport: the vendor's outbound queue; remembers keys for lookup ---- */
typedef struct outbound { char keys[64][ARCHASE_IDEMPOTENCY_KEY_MAX]; size_t n; } outbound;
static int q_send(void *u, const archase_message *m, int *result, char *detail, size_t size) {
    outbound *q = u;
    const char *channel = m->channel == ARCHASE_CHANNEL_INTERNAL ? "internal" : archase_channel_name(m->channel);
    printf("  -> %-8s %-28s %-22s %s\n", channel, m->address ? m->address : "",
           m->template_name ? m->template_name : "", m->subject ? m->subject : "");
    if (q->n < 64)
        snprintf(q->keys[q->n++], ARCHASE_IDEMPOTENCY_KEY_MAX, "%s", m->idempotency_key);
    snprintf(detail, size, "queued");
    *result = ARCHASE_SEND_SENT;
    return 0;
}
static int q_lookup(void *u, const char *key, int *result) {
    outbound *q = u;
    *result = ARCHASE_LOOKUP_NOT_SENT;
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->keys[i], key))
            *result = ARCHASE_LOOKUP_SENT;
    return 0;
}

static archase_instant fixed_now(void *u) { return *(archase_instant *)u; }

static const char customers[] = "customer_id,name,tier,timezone,email\n"
                                "C1,Northwind Ltd,silver,Europe/London,ap@northwind.example\n"
                                "C2,Globex GmbH,gold,Europe/Berlin,ap@globex.example\n";
static const char invoices[] = "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                               "I1,C1,2026-01-05,2026-02-04,1200.00,EUR\n"
                               "I2,C2,2026-01-20,2026-02-19,18500.00,EUR\n";

static int load(archase_engine *eng, int kind, const char *csv) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = kind;
    return archase_import_buffer(eng, &o, csv, strlen(csv), NULL, NULL);
}

int main(int argc, char **argv) {
    static metered store;
    static outbound queue;
    archase_engine *eng = NULL;
    archase_policy *policy = NULL;
    archase_date today;
    archase_date_parse("2026-03-02", &today);
    archase_instant now = (archase_instant)today * 86400 + 86399; /* the end of that day */
    archase_clock clock = { ARCHASE_CLOCK_VERSION, &now, fixed_now };
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.clock = &clock;
    archase_storage s = { ARCHASE_STORAGE_VERSION, &store, m_get, m_put, m_insert, m_del, m_scan,
                          m_count, m_append, m_read, m_size, m_claim, m_ack, m_doubt, m_begin,
                          m_commit, m_rollback, m_schema, m_errmsg, m_close,
                          NULL /* outbox_settle: optional, the engine acknowledges item by item */ };
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, &queue, q_send, q_lookup, NULL };
    archase_cycle_report day = { .version = ARCHASE_CYCLE_REPORT_VERSION };
    archase_audit_report audit = { .version = ARCHASE_AUDIT_REPORT_VERSION };
    int rc = argc == 2 ? 0 : ARCHASE_EINVAL;
    if (!rc) rc = archase_memory_storage_new(NULL, &store.inner);
    if (!rc && (rc = archase_engine_open(&s, &eo, &eng))) m_close(&store);
    if (!rc) rc = archase_policy_load_file(argv[1], NULL, &policy, NULL);
    if (!rc) rc = load(eng, ARCHASE_KIND_CUSTOMERS, customers);
    if (!rc) rc = load(eng, ARCHASE_KIND_INVOICES, invoices);
    if (!rc) rc = archase_engine_set_transport(eng, &t);
    if (!rc) rc = archase_run_cycle(eng, policy, today, NULL, &day);
    if (!rc) rc = archase_audit_verify(eng, NULL, &audit);
    if (!rc)
        printf("%llu decisions, %llu sent; storage saw %lu writes in %lu commits; audit: %s\n",
               (unsigned long long)day.decisions, (unsigned long long)day.dispatch.sent, store.writes,
               store.commits, audit.message);
    else
        fprintf(stderr, "embed: %s: %s\n", archase_strerror(rc), eng ? archase_engine_errmsg(eng) : "");
    int ok = !rc && day.dispatch.sent > 0 && queue.n > 0 && audit.problem == ARCHASE_AUDIT_PROBLEM_NONE &&
             store.commits > 0;
    archase_policy_free(policy);
    archase_engine_free(eng);
    return ok ? 0 : 1;
}
