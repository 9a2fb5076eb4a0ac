/* libarchase/engine/facts.c — the rules facts enter by: idempotency,
 * revisions, validation against the store, payments applied to invoices,
 * reconciliation items, one audit record per accepted fact. */
#include "engine/facts.h"

#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "audit/record.h"
#include "core/alloc.h"

/* A copy of a stored record, taken from a get callback. */
typedef struct snap {
    int            found;
    archase_record rec;
    char           id[AR_ID_MAX + 1];
    char           customer_id[AR_ID_MAX + 1];
    char           invoice_id[AR_ID_MAX + 1];
    ar_buf         data;
} snap;

static void snap_init(snap *s, archase_engine *e) {
    memset(s, 0, sizeof *s);
    ar_buf_init(&s->data, AR_ENGINE_ALLOC(e));
}

static void snap_free(snap *s) {
    ar_buf_free(&s->data);
}

static int copy_id(char *dst, const char *src) {
    if (!src) {
        dst[0] = '\0';
        return 0;
    }
    size_t n = strlen(src);
    if (n > AR_ID_MAX)
        return ARCHASE_EPARSE;
    memcpy(dst, src, n + 1);
    return 0;
}

static int snap_fn(void *ctx, const archase_record *r) {
    snap *s = ctx;
    s->rec = *r;
    if (copy_id(s->id, r->id) || copy_id(s->customer_id, r->customer_id) ||
        copy_id(s->invoice_id, r->invoice_id))
        return ARCHASE_EPARSE;
    s->rec.id = s->id;
    s->rec.customer_id = r->customer_id ? s->customer_id : NULL;
    s->rec.invoice_id = r->invoice_id ? s->invoice_id : NULL;
    ar_buf_reset(&s->data);
    ar_buf_put(&s->data, r->data, r->size);
    if (s->data.err)
        return s->data.err;
    s->rec.data = s->data.data;
    s->rec.size = r->size;
    s->found = 1;
    return 0;
}

/* Loads the record of `family` with `id` into s (s->found says whether there
 * is one). 0 or a failure. */
static int load(archase_engine *e, snap *s, int family, const char *id) {
    s->found = 0;
    int rc = ar_store_get(e, family, id, snap_fn, s);
    if (rc == ARCHASE_ENOTFOUND)
        return 0;
    if (rc == ARCHASE_EPARSE)
        return ar_error_set(&e->err, ARCHASE_ESTORAGE, "storage get: a stored %s record is malformed",
                            ar_family_name(family));
    return rc;
}

static int no_op(void *ctx, const archase_record *r) {
    (void)ctx;
    (void)r;
    return 0;
}

/* Rejects unless the customer exists. */
static int require_customer(archase_engine *e, ar_fact_error *why, uint16_t field, const char *id) {
    if (ar_idset_has(&e->customers, id))
        return 0;
    int rc = ar_store_get(e, ARCHASE_FAMILY_CUSTOMER, id, no_op, NULL);
    if (rc == ARCHASE_ENOTFOUND)
        return ar_fact_error_set(why, ARCHASE_ENOTFOUND, field, "customer '%s' does not exist", id);
    if (rc)
        return rc;
    if (ar_idset_add(&e->customers, id))
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    return 0;
}

/* Loads an invoice the fact refers to; rejects unless it exists and belongs
 * to `customer_id`. */
static int require_invoice(archase_engine *e, ar_fact_error *why, uint16_t field, const char *id,
                           const char *customer_id, snap *inv) {
    int rc = load(e, inv, ARCHASE_FAMILY_INVOICE, id);
    if (rc)
        return rc;
    if (!inv->found)
        return ar_fact_error_set(why, ARCHASE_ENOTFOUND, field, "invoice '%s' does not exist", id);
    if (!inv->rec.customer_id || strcmp(inv->rec.customer_id, customer_id) != 0)
        return ar_fact_error_set(why, ARCHASE_EINVAL, field,
                                 "invoice '%s' belongs to customer '%s', not '%s'", id,
                                 inv->rec.customer_id ? inv->rec.customer_id : "", customer_id);
    return 0;
}

static void format_minor(char *buf, size_t size, int64_t minor, const char *currency) {
    archase_money m;
    m.minor = minor;
    memcpy(m.currency, currency, 4);
    if (archase_money_format(&m, buf, size) != 0)
        snprintf(buf, size, "%lld %.3s", (long long)minor, currency);
}

/* Checks the invoices a promise or dispute covers: they exist, belong to its
 * customer, are in its currency, and their invoiced amounts cover `amount`. */
static int require_covered_invoices(archase_engine *e, ar_fact_error *why, uint16_t field,
                                    const char *customer_id, const char *const *ids, size_t count,
                                    const archase_money *amount, const char *what) {
    snap inv;
    snap_init(&inv, e);
    int64_t total = 0;
    int rc = 0;
    for (size_t i = 0; i < count && !rc; i++) {
        rc = require_invoice(e, why, field, ids[i], customer_id, &inv);
        if (rc)
            break;
        if (strcmp(inv.rec.currency, amount->currency) != 0) {
            rc = ar_fact_error_set(why, ARCHASE_ECURRENCY, field,
                                   "invoice '%s' is in %s, the %s in %s", ids[i], inv.rec.currency,
                                   what, amount->currency);
            break;
        }
        total += inv.rec.amount;
    }
    if (!rc && amount->minor > total) {
        char a[ARCHASE_MONEY_FORMAT_MAX], b[ARCHASE_MONEY_FORMAT_MAX];
        format_minor(a, sizeof a, amount->minor, amount->currency);
        format_minor(b, sizeof b, total, amount->currency);
        rc = ar_fact_error_set(why, ARCHASE_EINVAL, field,
                               "the %s amount %s is more than the invoiced amount %s", what, a, b);
    }
    snap_free(&inv);
    return rc;
}

/* ---- invoices ----------------------------------------------------------- */

typedef struct applied_sum {
    const char  *skip_id;     /* a payment to leave out, or NULL */
    int64_t      applied;
    uint64_t     count;
    archase_date latest;
} applied_sum;

static int add_applied(void *ctx, const archase_record *r) {
    applied_sum *s = ctx;
    if (s->skip_id && !strcmp(r->id, s->skip_id))
        return 0;
    s->count++;
    s->applied += r->amount2;
    if (r->amount2 != 0 && (s->latest == ARCHASE_DATE_NONE || r->date > s->latest))
        s->latest = r->date;
    return 0;
}

/* What the payments of an invoice (but `skip_id`) applied, and the latest date. */
static int sum_applied(archase_engine *e, const char *invoice_id, const char *skip_id,
                       applied_sum *out) {
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_PAYMENT;
    f.invoice_id = invoice_id;
    f.flags = ARCHASE_SCAN_NO_DATA;
    memset(out, 0, sizeof *out);
    out->skip_id = skip_id;
    out->latest = ARCHASE_DATE_NONE;
    return ar_store_scan(e, &f, add_applied, out);
}

static void set_invoice_state(archase_record *inv, int is_void) {
    if (is_void)
        inv->status = ARCHASE_INVOICE_STATUS_VOID;
    else
        inv->status = inv->amount2 == 0 ? ARCHASE_INVOICE_STATUS_SETTLED : ARCHASE_INVOICE_STATUS_OPEN;
}

static int apply_invoice(archase_engine *e, const archase_invoice *inv, const snap *old,
                         archase_record *env, ar_fact_error *why) {
    if (!old->found)
        return ar_store_put(e, env);
    applied_sum s;
    int rc = sum_applied(e, inv->id, NULL, &s);
    if (rc)
        return rc;
    if (s.count) {
        if (strcmp(old->rec.currency, inv->amount.currency) != 0)
            return ar_fact_error_set(why, ARCHASE_ECURRENCY, 7,
                                     "invoice '%s' has payments in %s; its currency cannot change",
                                     inv->id, old->rec.currency);
        if (!old->rec.customer_id || strcmp(old->rec.customer_id, inv->customer_id) != 0)
            return ar_fact_error_set(why, ARCHASE_ECONFLICT, 3,
                                     "invoice '%s' has payments from customer '%s'; its customer cannot change",
                                     inv->id, old->rec.customer_id ? old->rec.customer_id : "");
    }
    int is_void = inv->source_status == ARCHASE_INVOICE_VOID;
    int64_t open = inv->amount.minor - s.applied;
    if (!is_void && open < 0) {
        char a[ARCHASE_MONEY_FORMAT_MAX];
        format_minor(a, sizeof a, s.applied, inv->amount.currency);
        return ar_fact_error_set(why, ARCHASE_EINVAL, 7,
                                 "invoice '%s': the amount is less than the %s already applied to it",
                                 inv->id, a);
    }
    env->amount2 = is_void ? 0 : open;
    env->date3 = s.latest;
    set_invoice_state(env, is_void);
    return ar_store_put(e, env);
}

/* ---- payments ------------------------------------------------------------ */

#define AR_RECON_KIND ARCHASE_FAMILY_RECON

/* Writes the reconciliation item of a payment: open with `amount`, or
 * resolved when amount is 0 and there was one before. */
static int put_recon(archase_engine *e, const archase_payment *p, int64_t amount, int had_one) {
    if (amount == 0 && !had_one)
        return 0;
    char id[AR_ID_MAX + 16];
    snprintf(id, sizeof id, "payment:%s", p->id);
    const char *reason = p->invoice_id && *p->invoice_id ? "overpayment" : "unapplied_cash";
    archase_money m = p->amount;
    m.minor = amount;
    ar_canon c;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    ar_canon_begin_record(&c, AR_RECON_KIND);
    ar_canon_put_str(&c, 1, id);
    ar_canon_put_str(&c, 2, reason);
    ar_canon_put_str(&c, 3, p->customer_id);
    if (p->invoice_id && *p->invoice_id)
        ar_canon_put_str(&c, 4, p->invoice_id);
    ar_canon_put_str(&c, 5, p->id);
    ar_canon_put_money(&c, 6, &m);
    ar_canon_put_date(&c, 7, p->date);
    ar_canon_end_record(&c);
    const uint8_t *data;
    size_t size;
    int rc = ar_canon_finish(&c, &data, &size);
    if (rc) {
        rc = ar_error_set(&e->err, rc, "encoding a reconciliation item failed");
    } else {
        archase_record r = ARCHASE_RECORD_INIT;
        r.family = ARCHASE_FAMILY_RECON;
        r.id = id;
        r.customer_id = p->customer_id;
        r.invoice_id = p->invoice_id && *p->invoice_id ? p->invoice_id : NULL;
        r.status = amount ? ARCHASE_RECON_STATUS_OPEN : ARCHASE_RECON_STATUS_RESOLVED;
        r.date = p->date;
        r.amount = amount;
        memcpy(r.currency, p->amount.currency, 4);
        r.data = data;
        r.size = size;
        rc = ar_store_put(e, &r);
    }
    ar_canon_free(&c);
    return rc;
}

static int recon_exists(archase_engine *e, const char *payment_id, int *exists) {
    char id[AR_ID_MAX + 16];
    snprintf(id, sizeof id, "payment:%s", payment_id);
    int rc = ar_store_get(e, ARCHASE_FAMILY_RECON, id, no_op, NULL);
    *exists = rc == 0;
    return rc == ARCHASE_ENOTFOUND ? 0 : rc;
}

static int apply_payment(archase_engine *e, const archase_payment *p, const snap *old,
                         archase_record *env, ar_fact_error *why) {
    const int has_invoice = p->invoice_id && *p->invoice_id;
    const int64_t old_applied = old->found ? old->rec.amount2 : 0;
    const int same_invoice = old->found && has_invoice && old->rec.invoice_id &&
                             !strcmp(old->rec.invoice_id, p->invoice_id);
    snap inv, prev_inv;
    snap_init(&inv, e);
    snap_init(&prev_inv, e);
    int rc = 0;
    int64_t applied = 0, excess = has_invoice ? 0 : p->amount.minor;

    /* Every check first: nothing is written before the payment is known good. */
    if (has_invoice) {
        rc = require_invoice(e, why, 4, p->invoice_id, p->customer_id, &inv);
        if (rc)
            goto done;
        if (strcmp(inv.rec.currency, p->amount.currency) != 0) {
            rc = ar_fact_error_set(why, ARCHASE_ECURRENCY, 7, "invoice '%s' is in %s, the payment in %s",
                                   p->invoice_id, inv.rec.currency, p->amount.currency);
            goto done;
        }
        if (inv.rec.status == ARCHASE_INVOICE_STATUS_VOID) {
            rc = ar_fact_error_set(why, ARCHASE_EINVAL, 4, "invoice '%s' is void", p->invoice_id);
            goto done;
        }
        int64_t open = inv.rec.amount2 + (same_invoice ? old_applied : 0);
        if (p->amount.minor <= open) {
            applied = p->amount.minor;
        } else if (p->overpayment) {
            applied = open > 0 ? open : 0;
            excess = p->amount.minor - applied;
        } else {
            char a[ARCHASE_MONEY_FORMAT_MAX], b[ARCHASE_MONEY_FORMAT_MAX];
            format_minor(a, sizeof a, p->amount.minor, p->amount.currency);
            format_minor(b, sizeof b, open, p->amount.currency);
            rc = ar_fact_error_set(why, ARCHASE_EINVAL, 7,
                                   "the payment of %s is more than the open amount %s of invoice '%s' "
                                   "(mark it as an overpayment to accept it)",
                                   a, b, p->invoice_id);
            goto done;
        }
    }

    /* An update first takes back what the earlier revision applied. */
    if (old->found && old->rec.invoice_id && !same_invoice) {
        rc = load(e, &prev_inv, ARCHASE_FAMILY_INVOICE, old->rec.invoice_id);
        if (rc)
            goto done;
        if (prev_inv.found) {
            applied_sum s;
            rc = sum_applied(e, old->rec.invoice_id, p->id, &s);
            if (rc)
                goto done;
            if (prev_inv.rec.status != ARCHASE_INVOICE_STATUS_VOID)
                prev_inv.rec.amount2 += old_applied;
            prev_inv.rec.date3 = s.latest;
            set_invoice_state(&prev_inv.rec, prev_inv.rec.status == ARCHASE_INVOICE_STATUS_VOID);
            rc = ar_store_put(e, &prev_inv.rec);
            if (rc)
                goto done;
        }
    }
    if (has_invoice) {
        archase_date latest = inv.rec.date3;
        if (same_invoice) {
            applied_sum s;
            rc = sum_applied(e, p->invoice_id, p->id, &s);
            if (rc)
                goto done;
            latest = s.latest;
        }
        if (applied != 0 && (latest == ARCHASE_DATE_NONE || p->date > latest))
            latest = p->date;
        inv.rec.amount2 = inv.rec.amount2 + (same_invoice ? old_applied : 0) - applied;
        inv.rec.date3 = latest;
        set_invoice_state(&inv.rec, 0);
        rc = ar_store_put(e, &inv.rec);
        if (rc)
            goto done;
    }
    env->amount2 = applied;
    rc = ar_store_put(e, env);
    if (rc)
        goto done;
    int had_recon = 0;
    if (old->found) {
        rc = recon_exists(e, p->id, &had_recon);
        if (rc)
            goto done;
    }
    rc = put_recon(e, p, excess, had_recon);
done:
    snap_free(&inv);
    snap_free(&prev_inv);
    return rc;
}

/* ---- one fact -------------------------------------------------------------- */

static int check_references(archase_engine *e, ar_fact_ref ref, ar_fact_error *why) {
    int rc = 0;
    switch (ref.family) {
    case ARCHASE_FAMILY_CUSTOMER:
        return 0;
    case ARCHASE_FAMILY_FLAGS:
        return require_customer(e, why, 1, ar_fact_customer_id(ref));
    case ARCHASE_FAMILY_PROMISE: {
        const archase_promise *p = ref.fact;
        rc = require_customer(e, why, 3, p->customer_id);
        if (!rc)
            rc = require_covered_invoices(e, why, 4, p->customer_id, p->invoice_ids, p->invoice_count,
                                          &p->amount, "promised");
        return rc;
    }
    case ARCHASE_FAMILY_DISPUTE: {
        const archase_dispute *d = ref.fact;
        rc = require_customer(e, why, 3, d->customer_id);
        if (!rc)
            rc = require_covered_invoices(e, why, 4, d->customer_id, d->invoice_ids, d->invoice_count,
                                          &d->amount, "disputed");
        return rc;
    }
    case ARCHASE_FAMILY_NOTE: {
        const archase_note *n = ref.fact;
        rc = require_customer(e, why, 3, n->customer_id);
        if (!rc && n->invoice_id && *n->invoice_id) {
            snap inv;
            snap_init(&inv, e);
            rc = require_invoice(e, why, 4, n->invoice_id, n->customer_id, &inv);
            snap_free(&inv);
        }
        return rc;
    }
    default:
        return require_customer(e, why, 3, ar_fact_customer_id(ref));
    }
}

int ar_fact_apply(archase_engine *e, ar_fact_ref ref, archase_outcome *outcome, ar_fact_error *why) {
    why->code = 0;
    why->field = 0;
    why->message[0] = '\0';
    int rc = ar_fact_validate(ref, why);
    if (rc)
        return rc;
    rc = ar_fact_encode(&e->canon, ref);
    if (rc)
        return ar_error_set(&e->err, rc, "encoding the %s failed", ar_family_name(ref.family));
    const uint8_t *data;
    size_t size;
    ar_canon_finish(&e->canon, &data, &size);

    snap old;
    snap_init(&old, e);
    archase_outcome result = ARCHASE_OUTCOME_INSERTED;
    const char *id = ar_fact_id(ref);
    archase_record env;
    /* A new fact of a family without effects on other records is stored
     * without reading first; one that exists takes the path below. */
    if (ref.family != ARCHASE_FAMILY_PAYMENT && ar_store_can_insert(e)) {
        rc = check_references(e, ref, why);
        if (rc)
            goto done;
        ar_fact_envelope(ref, &env);
        env.data = data;
        env.size = size;
        rc = ar_store_insert(e, &env);
        if (!rc)
            goto stored;
        if (rc != ARCHASE_ECONFLICT)
            goto done;
        ar_error_clear(&e->err);
    }
    rc = load(e, &old, ref.family, id);
    if (rc)
        goto done;
    if (old.found) {
        int64_t revision = ar_fact_revision(ref);
        if (old.rec.size == size && !memcmp(old.rec.data, data, size)) {
            result = ARCHASE_OUTCOME_DUPLICATE;
            goto done;
        }
        if (revision < old.rec.revision) {
            result = ARCHASE_OUTCOME_STALE;
            goto done;
        }
        if (revision == old.rec.revision) {
            rc = ar_fact_error_set(why, ARCHASE_ECONFLICT, AR_F_REVISION,
                                   "%s '%s' is already recorded with different content at revision %lld; "
                                   "send a newer revision to replace it",
                                   ar_family_name(ref.family), id, (long long)revision);
            goto done;
        }
        result = ARCHASE_OUTCOME_UPDATED;
    }
    rc = check_references(e, ref, why);
    if (rc)
        goto done;

    ar_fact_envelope(ref, &env);
    env.data = data;
    env.size = size;
    switch (ref.family) {
    case ARCHASE_FAMILY_INVOICE:
        rc = apply_invoice(e, ref.fact, &old, &env, why);
        break;
    case ARCHASE_FAMILY_PAYMENT:
        rc = apply_payment(e, ref.fact, &old, &env, why);
        break;
    default:
        rc = ar_store_put(e, &env);
        break;
    }
    if (rc)
        goto done;
stored:
    if (ref.family == ARCHASE_FAMILY_CUSTOMER && ar_idset_add(&e->customers, id)) {
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
        goto done;
    }
    rc = ar_audit_record_fact(e, ref, data, size);
done:
    snap_free(&old);
    if (!rc)
        *outcome = result;
    return rc;
}
