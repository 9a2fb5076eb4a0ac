/* tests/test_cov_worklist.c — who gets which line of a worklist and in what
 * order: the owner of calls, alerts and escalations, of disputes (the
 * dispute's owner, its playbook's role, the customer's collector or owner,
 * "unassigned") and of exceptions; the three orders of the call queue with
 * their tie-breaks; one owner's list; the accessors' bad arguments; and
 * every allocation failure of the build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

#define AS_OF 20500

static char *policy_text(const char *order) {
    static const char head[] =
        "version: 1\n"
        "currency: {default: EUR}\n"
        "segments: [{name: all, sequence: s}]\n"
        "sequences: {s: {steps: [{offset: 1, action: queue_call}, {offset: 2, action: alert_owner},\n"
        "                        {offset: 3, action: escalate}, {offset: 4, channel: email, template: t}]}}\n"
        "templates:\n"
        "  definitions:\n"
        "    t: {stage: overdue, tone: firm, email: {en: {subject: 'Invoice', body: 'Please pay.'}}}\n"
        "disputes:\n"
        "  playbooks:\n"
        "    pricing: {owner_role: pricing_desk}\n"
        "call_queue: {order: ";
    size_t n = sizeof head + strlen(order) + 8;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "%s%s}\n", head, order);
    return s;
}

typedef struct fixture {
    archase_engine *eng;
} fixture;

static int put_customer(archase_engine *eng, const char *id, const char *collector, const char *owner) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = id;
    c.collector = collector;
    c.owner = owner;
    int rc = archase_customer_put(eng, &c, NULL);
    archase_contact k = ARCHASE_CONTACT_INIT;
    char kid[16];
    snprintf(kid, sizeof kid, "K-%s", id);
    k.id = kid;
    k.customer_id = id;
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = "ap@example.com";
    k.consent = strcmp(id, "CD") != 0; /* CD has no consented contact: an exception */
    if (!rc)
        rc = archase_contact_put(eng, &k, NULL);
    return rc;
}

static int put_invoice(archase_engine *eng, const char *id, const char *customer, int overdue, int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.number = id;
    inv.issue_date = AS_OF - overdue - 30;
    inv.due_date = AS_OF - overdue;
    inv.amount = (archase_money){ minor, "EUR" };
    return archase_invoice_put(eng, &inv, NULL);
}

static int put_dispute(archase_engine *eng, const char *id, const char *customer, const char *invoice,
                       const char *reason, const char *owner) {
    const char *ids[] = { invoice };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = id;
    d.customer_id = customer;
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount = (archase_money){ 100, "EUR" };
    d.reason_code = reason;
    d.opened_on = AS_OF - 1;
    d.owner = owner;
    return archase_dispute_put(eng, &d, NULL);
}

/* Customers: CA with a collector, CB with an owner only, CC with neither, CD
 * without a consented contact; invoices whose steps fall due today, some
 * disputed. */
static int put_ledger(archase_engine *eng) {
    int rc = put_customer(eng, "CA", "kim", "olga");
    if (!rc)
        rc = put_customer(eng, "CB", NULL, "olga");
    if (!rc)
        rc = put_customer(eng, "CC", NULL, NULL);
    if (!rc)
        rc = put_customer(eng, "CD", "kim", NULL);
    /* Same amount and days as another line: the later tie-breaks decide. */
    if (!rc)
        rc = put_invoice(eng, "A1", "CA", 1, 50000);
    if (!rc)
        rc = put_invoice(eng, "A2", "CA", 2, 70000);
    if (!rc)
        rc = put_invoice(eng, "A3", "CA", 3, 20000);
    if (!rc)
        rc = put_invoice(eng, "B1", "CB", 1, 50000);
    if (!rc)
        rc = put_invoice(eng, "B2", "CB", 3, 90000);
    if (!rc)
        rc = put_invoice(eng, "C1", "CC", 1, 10000);
    if (!rc)
        rc = put_invoice(eng, "C2", "CC", 10, 10000);
    if (!rc)
        rc = put_invoice(eng, "D1", "CD", 4, 30000);
    if (!rc)
        rc = put_dispute(eng, "DA", "CA", "A3", "pricing", NULL);      /* the playbook's role */
    if (!rc)
        rc = put_dispute(eng, "DB", "CB", "B2", "short_ship", NULL);   /* collector role: the owner */
    if (!rc)
        rc = put_dispute(eng, "DC", "CC", "C2", "tax", NULL);          /* nobody: unassigned */
    if (!rc)
        rc = put_dispute(eng, "DD", "CA", "A2", "tax", "sam");         /* its own owner */
    if (!rc)
        rc = put_dispute(eng, "DE", "CD", "D1", "tax", NULL);          /* the collector */
    /* Lines alike in every figure: the customer, then the owner decide. */
    if (!rc)
        rc = put_customer(eng, "CE", "lee", NULL);
    if (!rc)
        rc = put_customer(eng, "CF", "lee", NULL);
    if (!rc)
        rc = put_invoice(eng, "E1", "CE", 20, 40000);
    if (!rc)
        rc = put_invoice(eng, "E2", "CE", 20, 40000);
    if (!rc)
        rc = put_invoice(eng, "F1", "CF", 20, 40000);
    if (!rc)
        rc = put_dispute(eng, "DE1", "CE", "E1", "tax", "bob");
    if (!rc)
        rc = put_dispute(eng, "DE2", "CE", "E2", "tax", "amy");
    if (!rc)
        rc = put_dispute(eng, "DF1", "CF", "F1", "tax", "amy");
    return rc;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(archase_open_memory(NULL, &f->eng), 0);
    assert_int_equal(put_ledger(f->eng), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    free(f);
    return 0;
}

typedef struct built {
    archase_policy    *policy;
    archase_snapshot  *snap;
    archase_decisions *ds;
    archase_worklist  *wl;
} built;

static int build(archase_engine *eng, const char *order, const char *owner, built *b) {
    memset(b, 0, sizeof *b);
    char *text = policy_text(order);
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    int rc = archase_policy_load_buffer(text, strlen(text), "p.yaml", NULL, &b->policy, diags);
    if (rc) {
        char line[512] = "";
        if (archase_diag_list_count(diags))
            archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
        fail_msg("policy: %s", line);
    }
    archase_diag_list_free(diags);
    free(text);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = b->policy;
    if (!rc)
        rc = archase_snapshot_load(eng, AS_OF, &so, &b->snap);
    if (!rc)
        rc = archase_evaluate(b->snap, b->policy, AS_OF, NULL, &b->ds);
    archase_worklist_options wo = ARCHASE_WORKLIST_OPTIONS_INIT;
    wo.owner = owner;
    if (!rc)
        rc = archase_worklist_build(b->ds, &wo, &b->wl);
    return rc;
}

static void unbuild(built *b) {
    archase_worklist_free(b->wl);
    archase_decisions_free(b->ds);
    archase_snapshot_free(b->snap);
    archase_policy_free(b->policy);
}

/* The list as text: "owner customer action invoices;" per line. */
static void describe(const archase_worklist *wl, char *out, size_t size) {
    out[0] = '\0';
    for (size_t i = 0; i < archase_worklist_count(wl); i++) {
        archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
        assert_int_equal(archase_worklist_line_get(wl, i, &l), 0);
        assert_int_equal(l.rank, i + 1);
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s %s %s", l.owner, l.customer_id, l.next_action);
        for (size_t j = 0; j < l.invoice_count; j++) {
            const char *inv = NULL;
            assert_int_equal(archase_worklist_line_invoice(wl, i, j, &inv), 0);
            n = strlen(out);
            snprintf(out + n, size - n, "%s%s", j ? "," : " ", inv);
        }
        n = strlen(out);
        snprintf(out + n, size - n, ";");
    }
}

static void owners_of_every_kind_of_line(void **state) {
    fixture *f = *state;
    built b;
    int rc = build(f->eng, "open_amount", NULL, &b);
    if (rc)
        fail_msg("%s", archase_engine_errmsg(f->eng));
    char text[2048];
    describe(b.wl, text, sizeof text);
    /* Each line's owner as the rules say. */
    static const char *const expected[] = {
        "pricing_desk CA resolve_dispute A3;", "sam CA resolve_dispute A2;", "olga CB resolve_dispute B2;",
        "unassigned CC resolve_dispute C2;",   "kim CD resolve_dispute D1;", "kim CD fix_exception D1;",
        "unassigned CC queue_call C1;",        "olga CB queue_call B1;",
    };
    for (size_t i = 0; i < sizeof expected / sizeof *expected; i++)
        if (!strstr(text, expected[i]))
            fail_msg("no line \"%s\" in %s", expected[i], text);
    /* Alike but for customer and owner: CE before CF, amy before bob. */
    if (!strstr(text, "amy CE resolve_dispute E2;bob CE resolve_dispute E1;amy CF resolve_dispute F1;"))
        fail_msg("ties broken otherwise: %s", text);
    /* The first line has the largest open amount. */
    archase_worklist_line first = ARCHASE_WORKLIST_LINE_INIT, next = ARCHASE_WORKLIST_LINE_INIT;
    assert_int_equal(archase_worklist_line_get(b.wl, 0, &first), 0);
    for (size_t i = 1; i < archase_worklist_count(b.wl); i++) {
        assert_int_equal(archase_worklist_line_get(b.wl, i, &next), 0);
        assert_true(next.amount.minor <= first.amount.minor);
    }
    unbuild(&b);
}

static void each_order_ranks_by_its_figure_then_the_others(void **state) {
    fixture *f = *state;
    static const char *const orders[] = { "risk_score", "open_amount", "days_overdue" };
    for (size_t k = 0; k < 3; k++) {
        built b;
        assert_int_equal(build(f->eng, orders[k], NULL, &b), 0);
        size_t n = archase_worklist_count(b.wl);
        assert_true(n >= 8);
        archase_worklist_line prev = ARCHASE_WORKLIST_LINE_INIT, cur = ARCHASE_WORKLIST_LINE_INIT;
        assert_int_equal(archase_worklist_line_get(b.wl, 0, &prev), 0);
        for (size_t i = 1; i < n; i++) {
            assert_int_equal(archase_worklist_line_get(b.wl, i, &cur), 0);
            int64_t a = k == 0 ? prev.score : k == 1 ? prev.amount.minor : prev.days_overdue;
            int64_t c = k == 0 ? cur.score : k == 1 ? cur.amount.minor : cur.days_overdue;
            assert_true(a >= c);
            if (a == c && prev.score == cur.score && prev.amount.minor == cur.amount.minor &&
                prev.days_overdue == cur.days_overdue && prev.due_by == cur.due_by &&
                strcmp(prev.customer_id, cur.customer_id) == 0 && prev.kind == cur.kind)
                assert_true(strcmp(prev.owner, cur.owner) < 0);
            prev = cur;
        }
        unbuild(&b);
    }
}

static void one_owners_list_and_bad_arguments(void **state) {
    fixture *f = *state;
    built b;
    assert_int_equal(build(f->eng, "risk_score", "kim", &b), 0);
    char text[1024];
    describe(b.wl, text, sizeof text);
    assert_non_null(strstr(text, "kim CD resolve_dispute D1;"));
    assert_null(strstr(text, "olga"));
    assert_null(strstr(text, "unassigned"));
    size_t n = archase_worklist_count(b.wl);
    assert_true(n > 0);
    archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
    const char *inv = NULL;
    int reason = 0;
    assert_int_equal(archase_worklist_line_get(b.wl, n, &l), ARCHASE_ERANGE);
    assert_int_equal(archase_worklist_line_get(NULL, 0, &l), ARCHASE_EINVAL);
    assert_int_equal(archase_worklist_line_get(b.wl, 0, NULL), ARCHASE_EINVAL);
    l.version = 2;
    assert_int_equal(archase_worklist_line_get(b.wl, 0, &l), ARCHASE_EVERSION);
    assert_int_equal(archase_worklist_line_invoice(b.wl, n, 0, &inv), ARCHASE_ERANGE);
    assert_int_equal(archase_worklist_line_invoice(b.wl, 0, 99, &inv), ARCHASE_ERANGE);
    assert_int_equal(archase_worklist_line_invoice(NULL, 0, 0, &inv), ARCHASE_EINVAL);
    assert_int_equal(archase_worklist_line_invoice(b.wl, 0, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_worklist_line_reason(b.wl, 0, 0, &reason), 0);
    assert_non_null(archase_reason_name(reason));
    assert_int_equal(archase_worklist_line_reason(b.wl, n, 0, &reason), ARCHASE_ERANGE);
    assert_int_equal(archase_worklist_line_reason(b.wl, 0, 99, &reason), ARCHASE_ERANGE);
    assert_int_equal(archase_worklist_line_reason(NULL, 0, 0, &reason), ARCHASE_EINVAL);
    assert_int_equal(archase_worklist_line_reason(b.wl, 0, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_worklist_count(NULL), 0);
    archase_worklist *wl = (archase_worklist *)0x1;
    archase_worklist_options wo = ARCHASE_WORKLIST_OPTIONS_INIT;
    assert_int_equal(archase_worklist_build(NULL, NULL, &wl), ARCHASE_EINVAL);
    assert_int_equal(archase_worklist_build(b.ds, NULL, NULL), ARCHASE_EINVAL);
    wo.version = 0;
    assert_int_equal(archase_worklist_build(b.ds, &wo, &wl), ARCHASE_EVERSION);
    assert_ptr_equal(wl, (archase_worklist *)0x1);
    assert_int_equal(archase_worklist_options_init(NULL, ARCHASE_WORKLIST_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_worklist_options_init(&wo, 5), ARCHASE_EVERSION);
    assert_int_equal(archase_worklist_options_init(&wo, ARCHASE_WORKLIST_OPTIONS_VERSION), 0);
    assert_null(wo.owner);
    assert_string_equal(archase_work_kind_name(ARCHASE_WORK_EXCEPTION), "exception");
    assert_null(archase_work_kind_name(0));
    assert_null(archase_work_kind_name(6));
    unbuild(&b);
    /* Nobody's list: empty. */
    assert_int_equal(build(f->eng, "risk_score", "nobody", &b), 0);
    assert_int_equal(archase_worklist_count(b.wl), 0);
    unbuild(&b);
}

/* ---- no memory ---------------------------------------------------------------- */

/* The build with allocation N failing (from N on, then only N) for every N
 * until it needs fewer: ENOMEM, nothing leaked, *out untouched; then the
 * same list as without failures. */
static void the_build_survives_every_allocation_failure(void **state) {
    (void)state;
    size_t runs = 0, want = 0;
    int step = test_under_valgrind() ? 3 : 1; /* every allocation in the plain and ASan runs */
    for (int persistent = 1; persistent >= 0; persistent--) {
        for (size_t n = 1;; n += (size_t)step) {
            failalloc fa;
            failalloc_init(&fa);
            archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
            o.allocator = &fa.allocator;
            archase_engine *eng = NULL;
            assert_int_equal(archase_open_memory(&o, &eng), 0);
            assert_int_equal(put_ledger(eng), 0);
            built b;
            assert_int_equal(build(eng, "days_overdue", "nobody", &b), 0);
            archase_worklist *wl = (archase_worklist *)0x1;
            failalloc_arm(&fa, n, persistent);
            int rc = archase_worklist_build(b.ds, NULL, &wl);
            size_t failures = fa.failures;
            failalloc_arm(&fa, 0, 0);
            if (failures) {
                assert_int_equal(rc, ARCHASE_ENOMEM);
                assert_ptr_equal(wl, (archase_worklist *)0x1);
            } else {
                assert_int_equal(rc, 0);
                if (!want)
                    want = archase_worklist_count(wl);
                assert_int_equal(archase_worklist_count(wl), want);
                archase_worklist_free(wl);
            }
            unbuild(&b);
            archase_engine_free(eng);
            assert_int_equal(fa.live, 0);
            runs++;
            if (!failures)
                break;
        }
    }
    assert_true(want >= 8);
    assert_true(runs > 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
static const struct CMUnitTest tests[] = {
    T(owners_of_every_kind_of_line),
    T(each_order_ranks_by_its_figure_then_the_others),
    T(one_owners_list_and_bad_arguments),
    cmocka_unit_test(the_build_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
