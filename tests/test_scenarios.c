/* tests/test_scenarios.c — runs every scenario file of tests/scenarios as
 * its own test case.
 *
 * A scenario is a ledger, a policy and a sequence of days (the format is in
 * tests/scenarios/README.md). For each day listed, the runner adds the facts
 * that arrived, loads the snapshot, evaluates, checks the decisions (every
 * one expected must be there and, unless the day says `others: allowed`,
 * nothing else), the coverage and the cadence states, then stores the
 * cadence states and touches as the daily cycle would. Days not listed are
 * days the engine did not run. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "engine/apply.h"
#include "policy/arena.h"
#include "policy/ytree.h"
#include "support/testutil.h"

#define MAX_SCENARIOS 256
#define MAX_ITEMS 64

typedef struct runner {
    const char        *path;
    char               dir[1024];
    ar_arena           arena;
    const ar_ynode    *root;
    archase_engine    *eng;
    archase_policy    *policy;
    archase_date       today;
    char               failure[8192];
    size_t             flen;
} runner;

/* ---- reporting ------------------------------------------------------------ */

static void note(runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(runner *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (r->flen < sizeof r->failure) {
        int n = vsnprintf(r->failure + r->flen, sizeof r->failure - r->flen, fmt, ap);
        if (n > 0)
            r->flen += (size_t)n;
    }
    va_end(ap);
}

#define CHECK(r, cond, ...)                     \
    do {                                        \
        if (!(cond)) {                          \
            note(r, __VA_ARGS__);               \
            return -1;                          \
        }                                       \
    } while (0)

/* ---- reading the YAML ------------------------------------------------------ */

static const char *text_of(const ar_ynode *map, const char *key) {
    const ar_ynode *n = map ? ar_ynode_get(map, key) : NULL;
    return n && n->kind == AR_Y_SCALAR && !ar_ynode_is_null(n) ? n->text : NULL;
}

static int flag_of(const ar_ynode *map, const char *key, int dflt) {
    const char *t = text_of(map, key);
    return t ? !strcmp(t, "true") : dflt;
}

static int date_of(runner *r, const ar_ynode *map, const char *key, archase_date dflt, archase_date *out) {
    const char *t = text_of(map, key);
    *out = dflt;
    if (!t)
        return 0;
    CHECK(r, archase_date_parse(t, out) == 0, "line %u: %s: '%s' is not a date\n", map->line, key, t);
    return 0;
}

static int money_of(runner *r, const ar_ynode *map, const char *key, archase_money *out) {
    const char *t = text_of(map, key);
    archase_money none = { 0, "" };
    *out = none;
    if (!t)
        return 0;
    CHECK(r, archase_money_parse(t, out) == 0, "line %u: %s: '%s' is not an amount\n", map->line, key, t);
    return 0;
}

/* A list of names, or one name. */
static size_t names_of(const ar_ynode *map, const char *key, const char **out, size_t max) {
    const ar_ynode *n = map ? ar_ynode_get(map, key) : NULL;
    size_t count = 0;
    if (!n)
        return 0;
    if (n->kind == AR_Y_SCALAR) {
        out[count++] = n->text;
        return count;
    }
    for (const ar_ynode *c = n->first; c && count < max; c = c->next)
        if (c->kind == AR_Y_SCALAR)
            out[count++] = c->text;
    return count;
}

static int channel_of(runner *r, const ar_ynode *map, const char *key, int dflt, int *out) {
    const char *t = text_of(map, key);
    *out = dflt;
    if (!t)
        return 0;
    if (!strcmp(t, "internal")) {
        *out = ARCHASE_CHANNEL_INTERNAL;
        return 0;
    }
    CHECK(r, archase_channel_from_name(t, out) == 0, "line %u: unknown channel '%s'\n", map->line, t);
    return 0;
}

/* ---- facts ------------------------------------------------------------------ */

static int put_rc(runner *r, int rc, const ar_ynode *n, const char *what) {
    CHECK(r, rc == 0, "line %u: %s refused: %s (%s)\n", n->line, what, archase_strerror(rc),
          archase_engine_errmsg(r->eng));
    return 0;
}

static int add_customer(runner *r, const ar_ynode *n) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = text_of(n, "id");
    c.name = text_of(n, "name") ? text_of(n, "name") : c.id;
    c.tier = text_of(n, "tier");
    c.owner = text_of(n, "owner");
    c.collector = text_of(n, "collector");
    c.timezone = text_of(n, "timezone");
    c.locale = text_of(n, "locale");
    c.country = text_of(n, "country");
    c.revision = text_of(n, "revision") ? atoll(text_of(n, "revision")) : 0;
    if (money_of(r, n, "credit_limit", &c.credit_limit))
        return -1;
    return put_rc(r, archase_customer_put(r->eng, &c, NULL), n, "customer");
}

static int add_contact(runner *r, const ar_ynode *n) {
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = text_of(n, "id");
    k.customer_id = text_of(n, "customer");
    k.address = text_of(n, "address") ? text_of(n, "address") : "someone@example.com";
    k.consent = flag_of(n, "consent", 1);
    k.primary = flag_of(n, "primary", 0);
    if (channel_of(r, n, "channel", ARCHASE_CHANNEL_EMAIL, &k.channel))
        return -1;
    return put_rc(r, archase_contact_put(r->eng, &k, NULL), n, "contact");
}

static int add_flags(runner *r, const ar_ynode *n) {
    archase_customer_flags f = ARCHASE_CUSTOMER_FLAGS_INIT;
    f.customer_id = text_of(n, "customer");
    f.hold = flag_of(n, "hold", 0);
    f.expansion = flag_of(n, "expansion", 0);
    f.strategic = flag_of(n, "strategic", 0);
    f.service_issue = flag_of(n, "service_issue", 0);
    f.reason = text_of(n, "reason");
    f.revision = text_of(n, "revision") ? atoll(text_of(n, "revision")) : 0;
    if (date_of(r, n, "paused_until", ARCHASE_DATE_NONE, &f.paused_until))
        return -1;
    return put_rc(r, archase_customer_flags_put(r->eng, &f, NULL), n, "flags");
}

static int add_invoice(runner *r, const ar_ynode *n) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = text_of(n, "id");
    inv.customer_id = text_of(n, "customer");
    inv.number = text_of(n, "number") ? text_of(n, "number") : inv.id;
    inv.po_ref = text_of(n, "po");
    inv.source_link = text_of(n, "link");
    if (date_of(r, n, "due", ARCHASE_DATE_NONE, &inv.due_date) ||
        date_of(r, n, "issued", inv.due_date - 30, &inv.issue_date) || money_of(r, n, "amount", &inv.amount))
        return -1;
    return put_rc(r, archase_invoice_put(r->eng, &inv, NULL), n, "invoice");
}

static int invoice_customer(void *userdata, const archase_fact *f) {
    *(char **)userdata = strdup(f->invoice->customer_id);
    return 0;
}

static int add_payment(runner *r, const ar_ynode *n) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    char *customer = NULL;
    p.id = text_of(n, "id");
    p.invoice_id = text_of(n, "invoice");
    p.customer_id = text_of(n, "customer");
    if (!p.customer_id && p.invoice_id &&
        archase_fact_get(r->eng, ARCHASE_FAMILY_INVOICE, p.invoice_id, invoice_customer, &customer) == 0)
        p.customer_id = customer;
    const char *kind = text_of(n, "kind");
    int rc = kind ? archase_payment_kind_from_name(kind, &p.kind) : 0;
    if (!rc && date_of(r, n, "date", r->today, &p.date))
        rc = -1;
    if (!rc && money_of(r, n, "amount", &p.amount))
        rc = -1;
    p.reference = text_of(n, "reference");
    p.overpayment = flag_of(n, "overpayment", 0);
    if (!rc)
        rc = put_rc(r, archase_payment_put(r->eng, &p, NULL), n, "payment");
    free(customer);
    return rc;
}

static int add_promise(runner *r, const ar_ynode *n) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    const char *invoices[MAX_ITEMS];
    p.id = text_of(n, "id");
    p.customer_id = text_of(n, "customer");
    p.invoice_count = names_of(n, "invoices", invoices, MAX_ITEMS);
    p.invoice_ids = invoices;
    p.taken_by = text_of(n, "taken_by");
    if (text_of(n, "grace_days"))
        p.grace_days = atoi(text_of(n, "grace_days"));
    archase_instalment plan[MAX_ITEMS];
    const ar_ynode *inst = ar_ynode_get(n, "instalments");
    for (const ar_ynode *i = inst ? inst->first : NULL; i && p.instalment_count < MAX_ITEMS; i = i->next) {
        if (date_of(r, i, "date", ARCHASE_DATE_NONE, &plan[p.instalment_count].date) ||
            money_of(r, i, "amount", &plan[p.instalment_count].amount))
            return -1;
        p.instalment_count++;
    }
    p.instalments = p.instalment_count ? plan : NULL;
    if (money_of(r, n, "amount", &p.amount) || date_of(r, n, "date", ARCHASE_DATE_NONE, &p.promised_date) ||
        date_of(r, n, "recorded", r->today, &p.recorded_on))
        return -1;
    return put_rc(r, archase_promise_put(r->eng, &p, NULL), n, "promise");
}

static int add_dispute(runner *r, const ar_ynode *n) {
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    const char *invoices[MAX_ITEMS];
    d.id = text_of(n, "id");
    d.customer_id = text_of(n, "customer");
    d.invoice_count = names_of(n, "invoices", invoices, MAX_ITEMS);
    d.invoice_ids = invoices;
    d.reason_code = text_of(n, "reason") ? text_of(n, "reason") : "other";
    d.owner = text_of(n, "owner");
    d.root_cause = text_of(n, "root_cause");
    d.revision = text_of(n, "revision") ? atoll(text_of(n, "revision")) : 0;
    const char *status = text_of(n, "status");
    if (status && !strcmp(status, "resolved")) {
        d.status = ARCHASE_DISPUTE_RESOLVED;
        d.resolution = ARCHASE_RESOLUTION_REJECTED;
    }
    if (money_of(r, n, "amount", &d.amount) || date_of(r, n, "opened", r->today, &d.opened_on) ||
        date_of(r, n, "resolved", ARCHASE_DATE_NONE, &d.resolved_on))
        return -1;
    return put_rc(r, archase_dispute_put(r->eng, &d, NULL), n, "dispute");
}

/* A dispute resolved that day under the scenario's policy (credits may wait
 * for an approval: `pending: true` says so). */
static int resolve_dispute(runner *r, const ar_ynode *n) {
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = text_of(n, "id");
    o.root_cause = text_of(n, "root_cause");
    o.by = text_of(n, "by") ? text_of(n, "by") : "owner";
    const char *res = text_of(n, "resolution");
    for (int k = ARCHASE_RESOLUTION_CREDIT_ISSUED; res && k <= ARCHASE_RESOLUTION_PARTIAL; k++)
        if (!strcmp(archase_dispute_resolution_name(k), res))
            o.resolution = k;
    if (text_of(n, "credit") && money_of(r, n, "credit", &o.credited))
        return -1;
    int pending = 0;
    char id[ARCHASE_APPROVAL_ID_MAX];
    int rc = archase_dispute_resolve(r->eng, r->policy, &o, r->today, id, &pending);
    CHECK(r, rc == 0, "line %u: resolving dispute %s: %s\n", n->line, o.id ? o.id : "?",
          archase_engine_errmsg(r->eng));
    CHECK(r, pending == flag_of(n, "pending", 0), "line %u: dispute %s: the credit %s for an approval\n",
          n->line, o.id, pending ? "waits" : "does not wait");
    return 0;
}

static int add_note(runner *r, const ar_ynode *n) {
    archase_note x = ARCHASE_NOTE_INIT;
    x.id = text_of(n, "id");
    x.customer_id = text_of(n, "customer");
    x.invoice_id = text_of(n, "invoice");
    x.author = text_of(n, "author");
    x.text = text_of(n, "text");
    x.at = (archase_instant)r->today * 86400 + 12 * 3600;
    return put_rc(r, archase_note_put(r->eng, &x, NULL), n, "note");
}

/* Every fact under `facts` (a mapping of kind to a list), kinds in this order. */
static int add_facts(runner *r, const ar_ynode *facts) {
    static const struct {
        const char *key;
        int (*add)(runner *, const ar_ynode *);
    } kinds[] = {
        { "customers", add_customer }, { "contacts", add_contact }, { "flags", add_flags },
        { "invoices", add_invoice },   { "payments", add_payment }, { "promises", add_promise },
        { "disputes", add_dispute },   { "notes", add_note },
        { "dispute_resolutions", resolve_dispute },
    };
    if (!facts)
        return 0;
    for (const ar_ynode *k = facts->first; k; k = k->next) {
        size_t i = 0;
        while (i < sizeof kinds / sizeof kinds[0] && strcmp(kinds[i].key, k->key))
            i++;
        CHECK(r, i < sizeof kinds / sizeof kinds[0], "line %u: unknown kind of fact '%s'\n", k->key_line, k->key);
        for (const ar_ynode *item = k->first; item; item = item->next)
            if (kinds[i].add(r, item))
                return -1;
    }
    return 0;
}

/* ---- checking decisions ------------------------------------------------------------ */

static void describe(runner *r, const archase_decisions *ds, size_t i) {
    archase_decision d = ARCHASE_DECISION_INIT;
    if (archase_decision_get(ds, i, &d))
        return;
    note(r, "    %s %s [", archase_decision_kind_name(d.kind), d.customer_id);
    for (size_t j = 0; j < d.invoice_count; j++) {
        archase_decision_invoice di = ARCHASE_DECISION_INVOICE_INIT;
        archase_decision_invoice_get(ds, i, j, &di);
        note(r, "%s%s", j ? " " : "", di.invoice_id);
    }
    char at[ARCHASE_INSTANT_FORMAT_MAX] = "", amount[ARCHASE_MONEY_FORMAT_MAX] = "";
    archase_instant_format(d.scheduled_at, at, sizeof at);
    archase_money_format(&d.amount, amount, sizeof amount);
    note(r, "] %s template=%s tone=%s rule=%s owner=%s at=%s amount=%s reasons=",
         d.channel == ARCHASE_CHANNEL_INTERNAL ? "internal" : archase_channel_name(d.channel),
         d.template_name ? d.template_name : "-", d.tone ? archase_tone_name(d.tone) : "-", d.rule,
         d.owner ? d.owner : "-", at, amount);
    for (size_t j = 0; j < d.reason_count; j++) {
        int reason;
        archase_decision_reason(ds, i, j, &reason);
        note(r, "%s%s", j ? "," : "", archase_reason_name(reason));
    }
    note(r, "\n");
}

static int has_reason(const archase_decisions *ds, size_t i, size_t count, const char *name) {
    for (size_t j = 0; j < count; j++) {
        int reason;
        if (archase_decision_reason(ds, i, j, &reason) == 0 && !strcmp(archase_reason_name(reason), name))
            return 1;
    }
    return 0;
}

static void fact_text(const archase_decision_fact *f, char *buf, size_t size) {
    switch (f->type) {
    case ARCHASE_VALUE_MONEY: {
        archase_money m;
        m.minor = f->number;
        memcpy(m.currency, f->currency, 4);
        archase_money_format(&m, buf, size);
        break;
    }
    case ARCHASE_VALUE_DATE: archase_date_format((archase_date)f->number, buf, size); break;
    case ARCHASE_VALUE_BOOL: snprintf(buf, size, "%s", f->number ? "true" : "false"); break;
    case ARCHASE_VALUE_TEXT: snprintf(buf, size, "%s", f->text ? f->text : ""); break;
    default: snprintf(buf, size, "%lld", (long long)f->number); break;
    }
}

static int str_is(const char *want, const char *have) {
    return !want || (have && !strcmp(want, have));
}

/* 1 when decision i is what `e` describes. */
static int matches(runner *r, const archase_decisions *ds, size_t i, const ar_ynode *e) {
    archase_decision d = ARCHASE_DECISION_INIT;
    if (archase_decision_get(ds, i, &d))
        return 0;
    const char *kind = text_of(e, "kind");
    if (!str_is(kind, archase_decision_kind_name(d.kind)) || !str_is(text_of(e, "customer"), d.customer_id) ||
        !str_is(text_of(e, "template"), d.template_name) || !str_is(text_of(e, "step"), d.step) ||
        !str_is(text_of(e, "rule"), d.rule) || !str_is(text_of(e, "owner"), d.owner) ||
        !str_is(text_of(e, "contact"), d.contact_id))
        return 0;
    if (text_of(e, "tone") && (!d.tone || strcmp(text_of(e, "tone"), archase_tone_name(d.tone))))
        return 0;
    int channel;
    if (channel_of(r, e, "channel", d.channel, &channel) || channel != d.channel)
        return 0;
    const char *want[MAX_ITEMS];
    size_t n = names_of(e, "invoices", want, MAX_ITEMS);
    if (ar_ynode_get(e, "invoices")) {
        if (n != d.invoice_count)
            return 0;
        for (size_t k = 0; k < n; k++) {
            int found = 0;
            for (size_t j = 0; j < d.invoice_count && !found; j++) {
                archase_decision_invoice di = ARCHASE_DECISION_INVOICE_INIT;
                archase_decision_invoice_get(ds, i, j, &di);
                found = !strcmp(di.invoice_id, want[k]);
            }
            if (!found)
                return 0;
        }
    }
    n = names_of(e, "reasons", want, MAX_ITEMS);
    for (size_t k = 0; k < n; k++)
        if (!has_reason(ds, i, d.reason_count, want[k]))
            return 0;
    n = names_of(e, "not_reasons", want, MAX_ITEMS);
    for (size_t k = 0; k < n; k++)
        if (has_reason(ds, i, d.reason_count, want[k]))
            return 0;
    n = names_of(e, "roles", want, MAX_ITEMS);
    for (size_t k = 0; k < n; k++) {
        int found = 0;
        for (size_t j = 0; j < d.role_count && !found; j++) {
            const char *role;
            found = archase_decision_role(ds, i, j, &role) == 0 && !strcmp(role, want[k]);
        }
        if (!found)
            return 0;
    }
    char buf[64];
    const char *t;
    if ((t = text_of(e, "at"))) {
        archase_instant_format(d.scheduled_at, buf, sizeof buf);
        if (strcmp(t, buf))
            return 0;
    }
    if ((t = text_of(e, "local"))) {
        char date[ARCHASE_DATE_FORMAT_MAX] = "";
        archase_date_format(d.local_date, date, sizeof date);
        snprintf(buf, sizeof buf, "%s %02d:%02d", date, (int)(d.local_seconds / 3600), (int)(d.local_seconds / 60 % 60));
        if (strcmp(t, buf))
            return 0;
    }
    if ((t = text_of(e, "due_by"))) {
        archase_date_format(d.due_by, buf, sizeof buf);
        if (strcmp(t, buf))
            return 0;
    }
    if ((t = text_of(e, "amount"))) {
        archase_money_format(&d.amount, buf, sizeof buf);
        if (strcmp(t, buf))
            return 0;
    }
    if ((t = text_of(e, "approvers")) && (uint32_t)atoi(t) != d.approvers)
        return 0;
    if (ar_ynode_get(e, "recovery_plan") && flag_of(e, "recovery_plan", 0) != d.recovery_plan)
        return 0;
    const ar_ynode *facts = ar_ynode_get(e, "facts");
    for (const ar_ynode *f = facts ? facts->first : NULL; f; f = f->next) {
        int found = 0;
        for (size_t j = 0; j < d.fact_count && !found; j++) {
            archase_decision_fact fact = ARCHASE_DECISION_FACT_INIT;
            archase_decision_fact_get(ds, i, j, &fact);
            if (strcmp(fact.name, f->key))
                continue;
            fact_text(&fact, buf, sizeof buf);
            found = !strcmp(buf, f->text);
        }
        if (!found)
            return 0;
    }
    return 1;
}

static int check_decisions(runner *r, const archase_decisions *ds, const ar_ynode *dayn) {
    const ar_ynode *expect = ar_ynode_get(dayn, "expect");
    if (!expect)
        return 0; /* the day checks nothing about decisions */
    size_t count = archase_decisions_count(ds);
    unsigned char *taken = calloc(count ? count : 1, 1);
    int bad = 0;
    for (const ar_ynode *e = expect->first; e; e = e->next) {
        size_t i = 0;
        while (i < count && (taken[i] || !matches(r, ds, i, e)))
            i++;
        if (i < count) {
            taken[i] = 1;
            continue;
        }
        note(r, "  line %u: expected %s not decided\n", e->line, text_of(e, "kind"));
        bad = 1;
    }
    const char *others = text_of(dayn, "others");
    if (!others || strcmp(others, "allowed")) {
        for (size_t i = 0; i < count; i++) {
            if (!taken[i]) {
                note(r, "  decided but not expected:\n");
                describe(r, ds, i);
                bad = 1;
            }
        }
    }
    if (bad) {
        note(r, "  every decision of the day:\n");
        for (size_t i = 0; i < count; i++)
            describe(r, ds, i);
    }
    free(taken);
    return bad ? -1 : 0;
}

/* `coverage: {INV-1: hold, INV-2: exception/no_consented_contact}` */
static int check_coverage(runner *r, const archase_decisions *ds, const ar_ynode *dayn) {
    const ar_ynode *cov = ar_ynode_get(dayn, "coverage");
    for (const ar_ynode *c = cov ? cov->first : NULL; c; c = c->next) {
        size_t i;
        archase_invoice_assessment a = ARCHASE_INVOICE_ASSESSMENT_INIT;
        CHECK(r, archase_assessment_find(ds, c->key, &i) == 0 && archase_assessment_get(ds, i, &a) == 0,
              "  line %u: %s is not an open invoice\n", c->line, c->key);
        char have[128];
        snprintf(have, sizeof have, "%s/%s", archase_coverage_state_name(a.coverage),
                 a.reason ? archase_reason_name(a.reason) : "");
        size_t len = strlen(c->text);
        CHECK(r, !strncmp(have, c->text, len) && (have[len] == '/' || have[len] == '\0'),
              "  line %u: %s is %s, expected %s\n", c->line, c->key, have, c->text);
    }
    archase_coverage report = ARCHASE_COVERAGE_INIT;
    CHECK(r, archase_coverage_report(ds, &report) == 0 && report.unaccounted == 0,
          "  an overdue invoice is in no state\n");
    return 0;
}

/* `cadence: {INV-1: closed, INV-2: active}`: the day's new states. */
static int check_cadence(runner *r, const archase_decisions *ds, const ar_ynode *dayn) {
    const ar_ynode *cad = ar_ynode_get(dayn, "cadence");
    for (const ar_ynode *c = cad ? cad->first : NULL; c; c = c->next) {
        const char *have = "unchanged";
        for (size_t i = 0; i < archase_cadence_update_count(ds); i++) {
            archase_cadence_update u = ARCHASE_CADENCE_UPDATE_INIT;
            if (archase_cadence_update_get(ds, i, &u) == 0 && !strcmp(u.invoice_id, c->key))
                have = archase_cadence_status_name(u.status);
        }
        CHECK(r, !strcmp(have, c->text), "  line %u: the cadence of %s is %s, expected %s\n", c->line, c->key,
              have, c->text);
    }
    return 0;
}

/* `worklist: [{owner: olaf, customer: ACME, next_action: escalate}]` */
static int check_worklist(runner *r, const archase_decisions *ds, const ar_ynode *dayn) {
    const ar_ynode *want = ar_ynode_get(dayn, "worklist");
    if (!want)
        return 0;
    archase_worklist *wl = NULL;
    CHECK(r, archase_worklist_build(ds, NULL, &wl) == 0, "  the worklist cannot be built\n");
    int bad = 0;
    for (const ar_ynode *e = want->first; e; e = e->next) {
        int found = 0;
        for (size_t i = 0; i < archase_worklist_count(wl) && !found; i++) {
            archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
            archase_worklist_line_get(wl, i, &l);
            char due[ARCHASE_DATE_FORMAT_MAX] = "";
            archase_date_format(l.due_by, due, sizeof due);
            found = str_is(text_of(e, "owner"), l.owner) && str_is(text_of(e, "customer"), l.customer_id) &&
                    str_is(text_of(e, "next_action"), l.next_action) && str_is(text_of(e, "due_by"), due);
        }
        if (!found) {
            note(r, "  line %u: no worklist line for %s %s\n", e->line, text_of(e, "owner"), text_of(e, "next_action"));
            bad = 1;
        }
    }
    for (size_t i = 0; bad && i < archase_worklist_count(wl); i++) {
        archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
        archase_worklist_line_get(wl, i, &l);
        note(r, "    %u %s %s %s\n", l.rank, l.owner, l.customer_id, l.next_action);
    }
    archase_worklist_free(wl);
    return bad ? -1 : 0;
}

/* ---- a scenario ---------------------------------------------------------------- */

/* ---- promises, disputes and reconciliation (scenarios with `lifecycle: true`) ---- */

static int promise_state(void *userdata, const archase_promise_info *info) {
    *(int *)userdata = info->state;
    return 0;
}

/* `promises: {ID: state}`: each promise's state after the day. */
static int check_promises(runner *r, const ar_ynode *dayn) {
    const ar_ynode *want = ar_ynode_get(dayn, "promises");
    for (const ar_ynode *p = want ? want->first : NULL; p; p = p->next) {
        int state = 0;
        CHECK(r, archase_promise_get(r->eng, p->key, promise_state, &state) == 0, "  no promise %s\n", p->key);
        CHECK(r, str_is(p->text, archase_promise_state_name(state)), "  promise %s is %s, expected %s\n", p->key,
              archase_promise_state_name(state), p->text);
    }
    return 0;
}

typedef struct recon_list {
    char text[1024];
} recon_list;

static int recon_item(void *userdata, const archase_recon_item *it) {
    recon_list *l = userdata;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%s%s", n ? ", " : "", it->id);
    return 0;
}

/* `recon: [ID, ...]`: exactly these reconciliation items are open, in id order. */
static int check_recon(runner *r, const ar_ynode *dayn) {
    const ar_ynode *want = ar_ynode_get(dayn, "recon");
    if (!want)
        return 0;
    recon_list have, expect;
    memset(&have, 0, sizeof have);
    memset(&expect, 0, sizeof expect);
    CHECK(r, archase_recon_scan(r->eng, r->policy, ARCHASE_RECON_STATUS_OPEN, recon_item, &have) == 0,
          "  the reconciliation queue cannot be read\n");
    for (const ar_ynode *i = want->first; i; i = i->next) {
        size_t n = strlen(expect.text);
        snprintf(expect.text + n, sizeof expect.text - n, "%s%s", n ? ", " : "", i->text);
    }
    CHECK(r, !strcmp(have.text, expect.text), "  open reconciliation items [%s], expected [%s]\n", have.text,
          expect.text);
    return 0;
}

/* `lifecycle: {kept: N, ...}`: what the day's move changed. */
static int check_lifecycle(runner *r, const ar_ynode *dayn, const archase_lifecycle_counts *c) {
    const ar_ynode *want = ar_ynode_get(dayn, "lifecycle");
    const struct {
        const char *key;
        uint64_t    value;
    } counts[] = {
        { "kept", c->promises_kept },         { "partially_kept", c->promises_partially_kept },
        { "broken", c->promises_broken },     { "sla_reminders", c->disputes_sla_reminders },
        { "sla_breached", c->disputes_sla_breached }, { "recon_opened", c->recon_opened },
    };
    for (const ar_ynode *k = want ? want->first : NULL; k; k = k->next) {
        size_t i = 0;
        while (i < sizeof counts / sizeof counts[0] && strcmp(counts[i].key, k->key))
            i++;
        CHECK(r, i < sizeof counts / sizeof counts[0], "line %u: unknown lifecycle count '%s'\n", k->key_line,
              k->key);
        CHECK(r, counts[i].value == (uint64_t)atoll(k->text), "  %s: %llu, expected %s\n", k->key,
              (unsigned long long)counts[i].value, k->text);
    }
    return 0;
}

/* After the day's evaluation, as the daily cycle does: promises, disputes
 * and the reconciliation queue move to the day. */
static int run_lifecycle(runner *r, const ar_ynode *dayn) {
    if (!flag_of(r->root, "lifecycle", 0))
        return 0;
    archase_lifecycle_counts c;
    memset(&c, 0, sizeof c);
    c.version = ARCHASE_LIFECYCLE_COUNTS_VERSION;
    CHECK(r, archase_lifecycle_update(r->eng, r->policy, r->today, &c) == 0, "  the lifecycle failed: %s\n",
          archase_engine_errmsg(r->eng));
    if (check_lifecycle(r, dayn, &c) || check_promises(r, dayn) || check_recon(r, dayn))
        return -1;
    return 0;
}

static int load_policy(runner *r) {
    const char *inline_text = text_of(r->root, "policy");
    const char *file = text_of(r->root, "policy_file");
    archase_diag_list *diags = NULL;
    archase_diag_list_new(NULL, 0, &diags);
    int rc;
    if (inline_text) {
        rc = archase_policy_load_buffer(inline_text, strlen(inline_text), "policy", NULL, &r->policy, diags);
    } else {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", r->dir, file ? file : "policies/standard.yaml");
        rc = archase_policy_load_file(path, NULL, &r->policy, diags);
    }
    for (size_t i = 0; rc && i < archase_diag_list_count(diags); i++) {
        char line[1024];
        archase_diag_format(archase_diag_list_get(diags, i), line, sizeof line);
        note(r, "  policy: %s\n", line);
    }
    archase_diag_list_free(diags);
    CHECK(r, rc == 0, "  the policy does not load: %s\n", archase_strerror(rc));
    return 0;
}

static int run_day(runner *r, const ar_ynode *dayn) {
    if (date_of(r, dayn, "date", ARCHASE_DATE_NONE, &r->today))
        return -1;
    CHECK(r, r->today != ARCHASE_DATE_NONE, "line %u: a day needs its date\n", dayn->line);
    char date[ARCHASE_DATE_FORMAT_MAX];
    archase_date_format(r->today, date, sizeof date);
    if (add_facts(r, ar_ynode_get(dayn, "facts")))
        return -1;
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = r->policy;
    int rc = archase_snapshot_load(r->eng, r->today, &so, &snap);
    if (rc) {
        note(r, "%s: the snapshot does not load: %s\n", date, archase_engine_errmsg(r->eng));
        return -1;
    }
    rc = archase_evaluate(snap, r->policy, r->today, NULL, &ds);
    if (rc) {
        note(r, "%s: evaluation failed: %s\n", date, archase_strerror(rc));
    } else {
        size_t before = r->flen;
        note(r, "%s (line %u):\n", date, dayn->line);
        size_t header = r->flen;
        rc = check_decisions(r, ds, dayn);
        if (!rc)
            rc = check_coverage(r, ds, dayn);
        if (!rc)
            rc = check_cadence(r, ds, dayn);
        if (!rc)
            rc = check_worklist(r, ds, dayn);
        if (!rc && (rc = ar_apply_cadence(r->eng, ds)) != 0)
            note(r, "%s: storing the cadence failed: %s\n", date, archase_engine_errmsg(r->eng));
        if (!rc)
            rc = run_lifecycle(r, dayn);
        if (!rc && r->flen == header)
            r->flen = before; /* nothing to say about a day that passed */
    }
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
    return rc ? -1 : 0;
}

static void run_scenario(void **state) {
    runner *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->path = *state;
    snprintf(r->dir, sizeof r->dir, "%s", r->path);
    char *slash = strrchr(r->dir, '/');
    if (slash)
        *slash = '\0';
    ar_arena_init(&r->arena, NULL);
    FILE *f = fopen(r->path, "rb");
    assert_non_null(f);
    static char data[1 << 20];
    size_t size = fread(data, 1, sizeof data, f);
    fclose(f);
    archase_diag_list *diags = NULL;
    archase_diag_list_new(NULL, 0, &diags);
    int errors = 0;
    ar_ynode *root = NULL;
    assert_int_equal(ar_ytree_parse(&r->arena, data, size, r->path, 64, diags, &errors, &root), 0);
    for (size_t i = 0; errors && i < archase_diag_list_count(diags); i++) {
        char line[1024];
        archase_diag_format(archase_diag_list_get(diags, i), line, sizeof line);
        print_error("%s\n", line);
    }
    archase_diag_list_free(diags);
    assert_int_equal(errors, 0);
    assert_non_null(root);
    r->root = root;
    assert_int_equal(archase_open_memory(NULL, &r->eng), 0);
    int rc = load_policy(r);
    const ar_ynode *days = ar_ynode_get(root, "days");
    if (!rc) {
        const ar_ynode *first = days ? days->first : NULL;
        if (first && date_of(r, first, "date", ARCHASE_DATE_NONE, &r->today) == 0)
            rc = add_facts(r, ar_ynode_get(root, "ledger"));
        else
            rc = -1, note(r, "the scenario needs days\n");
    }
    for (const ar_ynode *d = days ? days->first : NULL; d && !rc; d = d->next)
        rc = run_day(r, d);
    if (rc)
        print_error("%s:\n%s", r->path, r->failure);
    archase_policy_free(r->policy);
    archase_engine_free(r->eng);
    ar_arena_free(&r->arena);
    free(r);
    if (rc)
        fail();
}

/* ---- every scenario ---------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/scenarios", root ? root : ".");
    char *paths[MAX_SCENARIOS];
    char *names[MAX_SCENARIOS];
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "no scenarios in %s\n", dir);
        return 1;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL && n < MAX_SCENARIOS;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml"))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    struct CMUnitTest *tests = calloc(n ? n : 1, sizeof *tests);
    for (size_t i = 0; i < n; i++) {
        size_t size = strlen(dir) + strlen(names[i]) + 2;
        paths[i] = malloc(size);
        snprintf(paths[i], size, "%s/%s", dir, names[i]);
        names[i][strlen(names[i]) - 5] = '\0';
        tests[i].name = names[i];
        tests[i].test_func = run_scenario;
        tests[i].initial_state = paths[i];
    }
    cmocka_set_message_output(CM_OUTPUT_TAP);
    int rc = _cmocka_run_group_tests("scenarios", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free(paths[i]);
        free(names[i]);
    }
    free(tests);
    return rc;
}
