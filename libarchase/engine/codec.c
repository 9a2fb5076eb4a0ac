/* libarchase/engine/codec.c — ledger facts to and from their canonical
 * encoding and storage envelope, and their stand-alone validation. */
#include "engine/codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "core/alloc.h"

/* ---- names ------------------------------------------------------------- */

static const char *const family_names[ARCHASE_FAMILY_LIMIT] = {
    NULL, "customer", "contact", "flags", "invoice", "payment", "promise", "dispute", "note",
    "cadence", "decision", "approval", "outbox", "recon", "checkpoint", "meta",
};

int ar_family_is_fact(int family) {
    return family >= ARCHASE_FAMILY_CUSTOMER && family <= ARCHASE_FAMILY_NOTE;
}

const char *ar_family_name(int family) {
    return family > 0 && family < ARCHASE_FAMILY_LIMIT ? family_names[family] : NULL;
}

static const char *const channel_names[] = { NULL, "email", "sms", "letter", "portal", "call" };
static const char *const kind_names[] = { NULL, "payment", "credit_note", "adjustment", "write_off" };
static const char *const invoice_status_names[] = { NULL, "open", "settled", "void" };
static const char *const dispute_status_names[] = { NULL, "open", "in_review", "resolved" };
static const char *const resolution_names[] = { NULL, "credit_issued", "rejected", "partial" };
static const char *const promise_status_names[] = {
    NULL, "open", "kept", "partially_kept", "broken", "cancelled",
};
static const char *const outbox_status_names[] = {
    NULL, "pending", "sending", "sent", "failed_retry", "dead", "in_doubt", "cancelled", "draft",
};
static const char *const recon_status_names[] = { NULL, "open", "resolved" };

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *name_of(const char *const *names, int count, int v) {
    return v > 0 && v < count ? names[v] : NULL;
}

static int parse_name(const char *const *names, int count, const char *s, size_t len) {
    if (!s)
        return -1;
    for (int i = 1; i < count; i++) {
        if (strlen(names[i]) == len && !memcmp(names[i], s, len))
            return i;
    }
    return -1;
}

const char *ar_channel_name(int v) { return name_of(channel_names, COUNT_OF(channel_names), v); }
int ar_channel_parse(const char *s, size_t len) {
    return parse_name(channel_names, COUNT_OF(channel_names), s, len);
}
const char *ar_payment_kind_name(int v) { return name_of(kind_names, COUNT_OF(kind_names), v); }
int ar_payment_kind_parse(const char *s, size_t len) {
    return parse_name(kind_names, COUNT_OF(kind_names), s, len);
}
const char *ar_invoice_status_name(int v) {
    return name_of(invoice_status_names, COUNT_OF(invoice_status_names), v);
}
int ar_invoice_status_parse(const char *s, size_t len) {
    return parse_name(invoice_status_names, COUNT_OF(invoice_status_names), s, len);
}
const char *ar_dispute_status_name(int v) {
    return name_of(dispute_status_names, COUNT_OF(dispute_status_names), v);
}
int ar_dispute_status_parse(const char *s, size_t len) {
    return parse_name(dispute_status_names, COUNT_OF(dispute_status_names), s, len);
}
const char *ar_resolution_name(int v) {
    return name_of(resolution_names, COUNT_OF(resolution_names), v);
}
int ar_resolution_parse(const char *s, size_t len) {
    return parse_name(resolution_names, COUNT_OF(resolution_names), s, len);
}
const char *ar_promise_status_name(int v) {
    return name_of(promise_status_names, COUNT_OF(promise_status_names), v);
}
const char *ar_outbox_status_name(int v) {
    return name_of(outbox_status_names, COUNT_OF(outbox_status_names), v);
}
const char *ar_recon_status_name(int v) {
    return name_of(recon_status_names, COUNT_OF(recon_status_names), v);
}

/* ---- shared helpers ----------------------------------------------------- */

static int present(const char *s) {
    return s && *s;
}

static int money_absent(const archase_money *m) {
    return m->currency[0] == '\0';
}

/* ---- encoding ---------------------------------------------------------- */

static void put_opt_str(ar_canon *c, uint16_t field, const char *s) {
    if (present(s))
        ar_canon_put_str(c, field, s);
}

static void put_opt_date(ar_canon *c, uint16_t field, archase_date d) {
    if (d != ARCHASE_DATE_NONE)
        ar_canon_put_date(c, field, d);
}

static void put_opt_money(ar_canon *c, uint16_t field, const archase_money *m) {
    if (!money_absent(m))
        ar_canon_put_money(c, field, m);
}

static void put_flag(ar_canon *c, uint16_t field, int v) {
    if (v)
        ar_canon_put_bool(c, field, 1);
}

static void put_revision(ar_canon *c, uint16_t field, int64_t revision) {
    if (revision)
        ar_canon_put_int(c, field, revision);
}

static void put_str_list(ar_canon *c, uint16_t field, const char *const *items, size_t count) {
    if (!count)
        return;
    ar_canon_field(c, field);
    ar_canon_begin_list(c);
    for (size_t i = 0; i < count; i++)
        ar_canon_str(c, items[i]);
    ar_canon_end_list(c);
}

static void encode_customer(ar_canon *c, const archase_customer *v) {
    ar_canon_put_str(c, AR_F_ID, v->id);
    put_revision(c, AR_F_REVISION, v->revision);
    ar_canon_put_str(c, CU_NAME, v->name);
    put_opt_str(c, CU_TIER, v->tier);
    put_opt_str(c, CU_OWNER, v->owner);
    put_opt_str(c, CU_COLLECTOR, v->collector);
    put_opt_str(c, CU_TIMEZONE, v->timezone);
    put_opt_str(c, CU_LOCALE, v->locale);
    put_opt_str(c, CU_COUNTRY, v->country);
    put_opt_money(c, CU_CREDIT_LIMIT, &v->credit_limit);
    put_str_list(c, CU_TAGS, v->tags, v->tag_count);
    put_opt_str(c, CU_SOURCE_LINK, v->source_link);
}

static void encode_contact(ar_canon *c, const archase_contact *v) {
    ar_canon_put_str(c, AR_F_ID, v->id);
    put_revision(c, AR_F_REVISION, v->revision);
    ar_canon_put_str(c, CO_CUSTOMER, v->customer_id);
    put_opt_str(c, CO_NAME, v->name);
    put_opt_str(c, CO_ROLE, v->role);
    ar_canon_put_str(c, CO_CHANNEL, ar_channel_name(v->channel));
    ar_canon_put_str(c, CO_ADDRESS, v->address);
    put_flag(c, CO_CONSENT, v->consent);
    put_flag(c, CO_PRIMARY, v->primary);
}

static void encode_flags(ar_canon *c, const archase_customer_flags *v) {
    ar_canon_put_str(c, FL_CUSTOMER, v->customer_id);
    put_revision(c, FL_REVISION, v->revision);
    put_flag(c, FL_HOLD, v->hold);
    put_opt_date(c, FL_PAUSED_UNTIL, v->paused_until);
    put_flag(c, FL_EXPANSION, v->expansion);
    put_flag(c, FL_STRATEGIC, v->strategic);
    put_flag(c, FL_SERVICE_ISSUE, v->service_issue);
    put_opt_str(c, FL_REASON, v->reason);
    put_opt_str(c, FL_SET_BY, v->set_by);
}

static void encode_invoice(ar_canon *c, const archase_invoice *v) {
    ar_canon_put_str(c, AR_F_ID, v->id);
    put_revision(c, AR_F_REVISION, v->revision);
    ar_canon_put_str(c, IN_CUSTOMER, v->customer_id);
    put_opt_str(c, IN_NUMBER, v->number);
    ar_canon_put_date(c, IN_ISSUE_DATE, v->issue_date);
    ar_canon_put_date(c, IN_DUE_DATE, v->due_date);
    ar_canon_put_money(c, IN_AMOUNT, &v->amount);
    put_opt_str(c, IN_TERMS, v->terms);
    put_opt_str(c, IN_PO_REF, v->po_ref);
    put_opt_str(c, IN_SOURCE_LINK, v->source_link);
    if (v->source_status == ARCHASE_INVOICE_VOID)
        ar_canon_put_str(c, IN_SOURCE_STATUS, "void");
}

static void encode_payment(ar_canon *c, const archase_payment *v) {
    ar_canon_put_str(c, AR_F_ID, v->id);
    put_revision(c, AR_F_REVISION, v->revision);
    ar_canon_put_str(c, PA_CUSTOMER, v->customer_id);
    put_opt_str(c, PA_INVOICE, v->invoice_id);
    ar_canon_put_str(c, PA_KIND, ar_payment_kind_name(v->kind));
    ar_canon_put_date(c, PA_DATE, v->date);
    ar_canon_put_money(c, PA_AMOUNT, &v->amount);
    put_opt_str(c, PA_REFERENCE, v->reference);
    put_opt_str(c, PA_SOURCE_LINK, v->source_link);
    put_flag(c, PA_OVERPAYMENT, v->overpayment);
}

static void encode_promise(ar_canon *c, const archase_promise *v) {
    ar_canon_put_str(c, AR_F_ID, v->id);
    put_revision(c, AR_F_REVISION, v->revision);
    ar_canon_put_str(c, PR_CUSTOMER, v->customer_id);
    put_str_list(c, PR_INVOICES, v->invoice_ids, v->invoice_count);
    ar_canon_put_money(c, PR_AMOUNT, &v->amount);
    ar_canon_put_date(c, PR_PROMISED_DATE, v->promised_date);
    if (v->instalment_count) {
        ar_canon_field(c, PR_INSTALMENTS);
        ar_canon_begin_list(c);
        for (size_t i = 0; i < v->instalment_count; i++) {
            ar_canon_begin_record(c, 1);
            ar_canon_put_date(c, 1, v->instalments[i].date);
            ar_canon_put_money(c, 2, &v->instalments[i].amount);
            ar_canon_end_record(c);
        }
        ar_canon_end_list(c);
    }
    put_opt_str(c, PR_TAKEN_BY, v->taken_by);
    if (v->channel != ARCHASE_CHANNEL_NONE)
        ar_canon_put_str(c, PR_CHANNEL, ar_channel_name(v->channel));
    put_opt_str(c, PR_NOTE, v->note);
    if (v->grace_days != ARCHASE_GRACE_POLICY_DEFAULT)
        ar_canon_put_int(c, PR_GRACE_DAYS, v->grace_days);
    put_opt_date(c, PR_RECORDED_ON, v->recorded_on);
}

static void encode_dispute(ar_canon *c, const archase_dispute *v) {
    ar_canon_put_str(c, AR_F_ID, v->id);
    put_revision(c, AR_F_REVISION, v->revision);
    ar_canon_put_str(c, DI_CUSTOMER, v->customer_id);
    put_str_list(c, DI_INVOICES, v->invoice_ids, v->invoice_count);
    ar_canon_put_money(c, DI_AMOUNT, &v->amount);
    ar_canon_put_str(c, DI_REASON, v->reason_code);
    put_opt_str(c, DI_EVIDENCE, v->evidence);
    put_opt_str(c, DI_OPENED_BY, v->opened_by);
    ar_canon_put_date(c, DI_OPENED_ON, v->opened_on);
    put_opt_str(c, DI_OWNER, v->owner);
    ar_canon_put_str(c, DI_STATUS, ar_dispute_status_name(v->status));
    if (v->resolution != ARCHASE_RESOLUTION_NONE)
        ar_canon_put_str(c, DI_RESOLUTION, ar_resolution_name(v->resolution));
    put_opt_str(c, DI_ROOT_CAUSE, v->root_cause);
    put_opt_date(c, DI_RESOLVED_ON, v->resolved_on);
    put_opt_money(c, DI_CREDITED, &v->credited);
}

static void encode_note(ar_canon *c, const archase_note *v) {
    ar_canon_put_str(c, AR_F_ID, v->id);
    put_revision(c, AR_F_REVISION, v->revision);
    ar_canon_put_str(c, NO_CUSTOMER, v->customer_id);
    put_opt_str(c, NO_INVOICE, v->invoice_id);
    put_opt_str(c, NO_AUTHOR, v->author);
    ar_canon_put_instant(c, NO_AT, v->at);
    ar_canon_put_str(c, NO_TEXT, v->text);
}

int ar_fact_encode(ar_canon *c, ar_fact_ref ref) {
    ar_canon_reset(c);
    ar_canon_begin_record(c, (uint16_t)ref.family);
    switch (ref.family) {
    case ARCHASE_FAMILY_CUSTOMER: encode_customer(c, ref.fact); break;
    case ARCHASE_FAMILY_CONTACT: encode_contact(c, ref.fact); break;
    case ARCHASE_FAMILY_FLAGS: encode_flags(c, ref.fact); break;
    case ARCHASE_FAMILY_INVOICE: encode_invoice(c, ref.fact); break;
    case ARCHASE_FAMILY_PAYMENT: encode_payment(c, ref.fact); break;
    case ARCHASE_FAMILY_PROMISE: encode_promise(c, ref.fact); break;
    case ARCHASE_FAMILY_DISPUTE: encode_dispute(c, ref.fact); break;
    case ARCHASE_FAMILY_NOTE: encode_note(c, ref.fact); break;
    default: return ARCHASE_EINVAL;
    }
    ar_canon_end_record(c);
    const uint8_t *data;
    size_t size;
    return ar_canon_finish(c, &data, &size);
}

/* ---- envelope ---------------------------------------------------------- */

static void set_money(archase_record *rec, const archase_money *m) {
    rec->amount = m->minor;
    memcpy(rec->currency, m->currency, sizeof rec->currency);
    rec->currency[3] = '\0';
}

const char *ar_fact_id(ar_fact_ref ref) {
    switch (ref.family) {
    case ARCHASE_FAMILY_CUSTOMER: return ((const archase_customer *)ref.fact)->id;
    case ARCHASE_FAMILY_CONTACT: return ((const archase_contact *)ref.fact)->id;
    case ARCHASE_FAMILY_FLAGS: return ((const archase_customer_flags *)ref.fact)->customer_id;
    case ARCHASE_FAMILY_INVOICE: return ((const archase_invoice *)ref.fact)->id;
    case ARCHASE_FAMILY_PAYMENT: return ((const archase_payment *)ref.fact)->id;
    case ARCHASE_FAMILY_PROMISE: return ((const archase_promise *)ref.fact)->id;
    case ARCHASE_FAMILY_DISPUTE: return ((const archase_dispute *)ref.fact)->id;
    case ARCHASE_FAMILY_NOTE: return ((const archase_note *)ref.fact)->id;
    default: return NULL;
    }
}

const char *ar_fact_customer_id(ar_fact_ref ref) {
    switch (ref.family) {
    case ARCHASE_FAMILY_CUSTOMER: return ((const archase_customer *)ref.fact)->id;
    case ARCHASE_FAMILY_CONTACT: return ((const archase_contact *)ref.fact)->customer_id;
    case ARCHASE_FAMILY_FLAGS: return ((const archase_customer_flags *)ref.fact)->customer_id;
    case ARCHASE_FAMILY_INVOICE: return ((const archase_invoice *)ref.fact)->customer_id;
    case ARCHASE_FAMILY_PAYMENT: return ((const archase_payment *)ref.fact)->customer_id;
    case ARCHASE_FAMILY_PROMISE: return ((const archase_promise *)ref.fact)->customer_id;
    case ARCHASE_FAMILY_DISPUTE: return ((const archase_dispute *)ref.fact)->customer_id;
    case ARCHASE_FAMILY_NOTE: return ((const archase_note *)ref.fact)->customer_id;
    default: return NULL;
    }
}

int64_t ar_fact_revision(ar_fact_ref ref) {
    switch (ref.family) {
    case ARCHASE_FAMILY_CUSTOMER: return ((const archase_customer *)ref.fact)->revision;
    case ARCHASE_FAMILY_CONTACT: return ((const archase_contact *)ref.fact)->revision;
    case ARCHASE_FAMILY_FLAGS: return ((const archase_customer_flags *)ref.fact)->revision;
    case ARCHASE_FAMILY_INVOICE: return ((const archase_invoice *)ref.fact)->revision;
    case ARCHASE_FAMILY_PAYMENT: return ((const archase_payment *)ref.fact)->revision;
    case ARCHASE_FAMILY_PROMISE: return ((const archase_promise *)ref.fact)->revision;
    case ARCHASE_FAMILY_DISPUTE: return ((const archase_dispute *)ref.fact)->revision;
    case ARCHASE_FAMILY_NOTE: return ((const archase_note *)ref.fact)->revision;
    default: return 0;
    }
}

static const char *nonempty(const char *s) {
    return present(s) ? s : NULL;
}

void ar_fact_envelope(ar_fact_ref ref, archase_record *rec) {
    archase_record init = ARCHASE_RECORD_INIT;
    *rec = init;
    rec->family = ref.family;
    rec->id = ar_fact_id(ref);
    rec->customer_id = ar_fact_customer_id(ref);
    rec->revision = ar_fact_revision(ref);
    switch (ref.family) {
    case ARCHASE_FAMILY_CUSTOMER: {
        const archase_customer *v = ref.fact;
        if (!money_absent(&v->credit_limit))
            set_money(rec, &v->credit_limit);
        break;
    }
    case ARCHASE_FAMILY_CONTACT:
        rec->status = ((const archase_contact *)ref.fact)->channel;
        break;
    case ARCHASE_FAMILY_FLAGS: {
        const archase_customer_flags *v = ref.fact;
        unsigned mask = (v->hold ? ARCHASE_FLAG_HOLD : 0) |
                        (v->paused_until != ARCHASE_DATE_NONE ? ARCHASE_FLAG_PAUSED : 0) |
                        (v->expansion ? ARCHASE_FLAG_EXPANSION : 0) |
                        (v->strategic ? ARCHASE_FLAG_STRATEGIC : 0) |
                        (v->service_issue ? ARCHASE_FLAG_SERVICE_ISSUE : 0);
        rec->status = (int32_t)mask;
        rec->date = v->paused_until;
        break;
    }
    case ARCHASE_FAMILY_INVOICE: {
        const archase_invoice *v = ref.fact;
        rec->invoice_id = v->id;
        rec->date = v->due_date;
        rec->date2 = v->issue_date;
        set_money(rec, &v->amount);
        int is_void = v->source_status == ARCHASE_INVOICE_VOID;
        rec->amount2 = is_void ? 0 : v->amount.minor;
        rec->status = is_void ? ARCHASE_INVOICE_STATUS_VOID : ARCHASE_INVOICE_STATUS_OPEN;
        break;
    }
    case ARCHASE_FAMILY_PAYMENT: {
        const archase_payment *v = ref.fact;
        rec->invoice_id = nonempty(v->invoice_id);
        rec->date = v->date;
        set_money(rec, &v->amount);
        rec->status = v->kind;
        break;
    }
    case ARCHASE_FAMILY_PROMISE: {
        const archase_promise *v = ref.fact;
        rec->invoice_id = v->invoice_count ? v->invoice_ids[0] : NULL;
        rec->date = v->promised_date;
        rec->date2 = v->recorded_on;
        set_money(rec, &v->amount);
        rec->status = ARCHASE_PROMISE_STATUS_OPEN;
        break;
    }
    case ARCHASE_FAMILY_DISPUTE: {
        const archase_dispute *v = ref.fact;
        rec->invoice_id = v->invoice_count ? v->invoice_ids[0] : NULL;
        rec->date = v->opened_on;
        rec->date2 = v->resolved_on;
        set_money(rec, &v->amount);
        rec->amount2 = money_absent(&v->credited) ? 0 : v->credited.minor;
        rec->status = v->status;
        break;
    }
    case ARCHASE_FAMILY_NOTE: {
        const archase_note *v = ref.fact;
        rec->invoice_id = nonempty(v->invoice_id);
        rec->instant = v->at;
        break;
    }
    default:
        break;
    }
}

/* ---- decoding ---------------------------------------------------------- */

#define MAX_FIXUPS 24

typedef struct fixup {
    void  *target; /* const char ** or array pointer inside the ar_fact */
    size_t offset; /* into f->store */
    int    kind;   /* FIX_STRING, FIX_STRING_LIST, FIX_INSTALMENTS */
    size_t count;  /* list items */
} fixup;

enum { FIX_STRING, FIX_STRING_LIST, FIX_INSTALMENTS };

typedef struct decoder {
    ar_fact        *f;
    ar_canon_reader r;
    fixup           fix[MAX_FIXUPS];
    int             nfix;
    int             err;
} decoder;

typedef union list_slot {
    uintptr_t   offset;
    const char *ptr;
} list_slot;

static int dec_fail(decoder *d) {
    if (!d->err)
        d->err = ARCHASE_EPARSE;
    return d->err;
}

static int add_fixup(decoder *d, void *target, size_t offset, int kind, size_t count) {
    if (d->nfix == MAX_FIXUPS)
        return dec_fail(d);
    d->fix[d->nfix++] = (fixup){ target, offset, kind, count };
    return 0;
}

/* Copies a string value into the store; its offset goes to *offset. */
static int store_string(decoder *d, const ar_canon_value *v, size_t *offset) {
    if (v->type != AR_CANON_STRING || v->len == 0 || !ar_utf8_valid((const char *)v->bytes, v->len))
        return dec_fail(d);
    /* One reservation for the bytes and their NUL, then one copy. */
    ar_buf *b = &d->f->store;
    int rc = ar_buf_reserve(b, (size_t)v->len + 1);
    if (rc) {
        d->err = rc;
        return rc;
    }
    *offset = b->len;
    memcpy(b->data + b->len, v->bytes, v->len);
    b->data[b->len + v->len] = 0;
    b->len += (size_t)v->len + 1;
    return 0;
}

static int dec_str(decoder *d, const ar_canon_value *v, const char **target) {
    size_t off;
    if (store_string(d, v, &off))
        return d->err;
    return add_fixup(d, (void *)target, off, FIX_STRING, 0);
}

/* Reserves an aligned array of `count` items of `size` bytes in the store. */
static int store_array(decoder *d, size_t count, size_t size, size_t *offset) {
    ar_buf *b = &d->f->store;
    static const uint8_t zeros[16];
    size_t pad = (16 - b->len % 16) % 16;
    ar_buf_put(b, zeros, pad);
    *offset = b->len;
    for (size_t i = 0; i < count && !b->err; i++) {
        uint8_t item[sizeof(archase_instalment) > sizeof(list_slot) ? sizeof(archase_instalment)
                                                                     : sizeof(list_slot)];
        memset(item, 0, sizeof item);
        ar_buf_put(b, item, size);
    }
    if (b->err)
        d->err = b->err;
    return d->err;
}

static int dec_str_list(decoder *d, const ar_canon_value *v, const char *const **target,
                        size_t *count) {
    if (v->type != AR_CANON_LIST || v->count == 0 || v->count > AR_LIST_MAX)
        return dec_fail(d);
    size_t arr;
    if (store_array(d, v->count, sizeof(list_slot), &arr))
        return d->err;
    for (uint32_t i = 0; i < v->count; i++) {
        ar_canon_value item;
        size_t off;
        if (ar_canon_read(&d->r, &item) || store_string(d, &item, &off))
            return dec_fail(d);
        list_slot slot;
        slot.offset = off;
        memcpy(d->f->store.data + arr + i * sizeof(list_slot), &slot, sizeof slot);
    }
    *count = v->count;
    return add_fixup(d, (void *)target, arr, FIX_STRING_LIST, v->count);
}

static int dec_instalments(decoder *d, const ar_canon_value *v, const archase_instalment **target,
                           size_t *count) {
    if (v->type != AR_CANON_LIST || v->count == 0 || v->count > AR_LIST_MAX)
        return dec_fail(d);
    size_t arr;
    if (store_array(d, v->count, sizeof(archase_instalment), &arr))
        return d->err;
    for (uint32_t i = 0; i < v->count; i++) {
        ar_canon_value rec, a, b;
        uint16_t fa, fb;
        if (ar_canon_read(&d->r, &rec) || rec.type != AR_CANON_RECORD || rec.kind != 1 ||
            rec.count != 2 || ar_canon_read_field(&d->r, &fa, &a) || fa != 1 ||
            a.type != AR_CANON_DATE || ar_canon_read_field(&d->r, &fb, &b) || fb != 2 ||
            b.type != AR_CANON_MONEY)
            return dec_fail(d);
        archase_instalment in;
        memset(&in, 0, sizeof in);
        in.date = (archase_date)a.i;
        in.amount = b.money;
        memcpy(d->f->store.data + arr + i * sizeof in, &in, sizeof in);
    }
    *count = v->count;
    return add_fixup(d, (void *)target, arr, FIX_INSTALMENTS, v->count);
}

static int dec_date(decoder *d, const ar_canon_value *v, archase_date *out) {
    if (v->type != AR_CANON_DATE)
        return dec_fail(d);
    *out = (archase_date)v->i;
    return 0;
}

static int dec_money(decoder *d, const ar_canon_value *v, archase_money *out) {
    if (v->type != AR_CANON_MONEY)
        return dec_fail(d);
    *out = v->money;
    return 0;
}

static int dec_bool(decoder *d, const ar_canon_value *v, int *out) {
    if (v->type != AR_CANON_BOOL)
        return dec_fail(d);
    *out = (int)v->i;
    return 0;
}

static int dec_int(decoder *d, const ar_canon_value *v, int64_t *out) {
    if (v->type != AR_CANON_INT)
        return dec_fail(d);
    *out = v->i;
    return 0;
}

static int dec_enum(decoder *d, const ar_canon_value *v, int (*parse)(const char *, size_t), int *out) {
    if (v->type != AR_CANON_STRING)
        return dec_fail(d);
    int e = parse((const char *)v->bytes, v->len);
    if (e < 0)
        return dec_fail(d);
    *out = e;
    return 0;
}

static int dec_customer(decoder *d, uint16_t field, const ar_canon_value *v) {
    archase_customer *c = &d->f->u.customer;
    switch (field) {
    case AR_F_ID: return dec_str(d, v, &c->id);
    case AR_F_REVISION: return dec_int(d, v, &c->revision);
    case CU_NAME: return dec_str(d, v, &c->name);
    case CU_TIER: return dec_str(d, v, &c->tier);
    case CU_OWNER: return dec_str(d, v, &c->owner);
    case CU_COLLECTOR: return dec_str(d, v, &c->collector);
    case CU_TIMEZONE: return dec_str(d, v, &c->timezone);
    case CU_LOCALE: return dec_str(d, v, &c->locale);
    case CU_COUNTRY: return dec_str(d, v, &c->country);
    case CU_CREDIT_LIMIT: return dec_money(d, v, &c->credit_limit);
    case CU_TAGS: return dec_str_list(d, v, &c->tags, &c->tag_count);
    case CU_SOURCE_LINK: return dec_str(d, v, &c->source_link);
    default: return dec_fail(d);
    }
}

static int dec_contact(decoder *d, uint16_t field, const ar_canon_value *v) {
    archase_contact *c = &d->f->u.contact;
    switch (field) {
    case AR_F_ID: return dec_str(d, v, &c->id);
    case AR_F_REVISION: return dec_int(d, v, &c->revision);
    case CO_CUSTOMER: return dec_str(d, v, &c->customer_id);
    case CO_NAME: return dec_str(d, v, &c->name);
    case CO_ROLE: return dec_str(d, v, &c->role);
    case CO_CHANNEL: return dec_enum(d, v, ar_channel_parse, &c->channel);
    case CO_ADDRESS: return dec_str(d, v, &c->address);
    case CO_CONSENT: return dec_bool(d, v, &c->consent);
    case CO_PRIMARY: return dec_bool(d, v, &c->primary);
    default: return dec_fail(d);
    }
}

static int dec_flags(decoder *d, uint16_t field, const ar_canon_value *v) {
    archase_customer_flags *f = &d->f->u.flags;
    switch (field) {
    case FL_CUSTOMER: return dec_str(d, v, &f->customer_id);
    case FL_REVISION: return dec_int(d, v, &f->revision);
    case FL_HOLD: return dec_bool(d, v, &f->hold);
    case FL_PAUSED_UNTIL: return dec_date(d, v, &f->paused_until);
    case FL_EXPANSION: return dec_bool(d, v, &f->expansion);
    case FL_STRATEGIC: return dec_bool(d, v, &f->strategic);
    case FL_SERVICE_ISSUE: return dec_bool(d, v, &f->service_issue);
    case FL_REASON: return dec_str(d, v, &f->reason);
    case FL_SET_BY: return dec_str(d, v, &f->set_by);
    default: return dec_fail(d);
    }
}

static int void_status(const char *s, size_t len) {
    return len == 4 && !memcmp(s, "void", 4) ? ARCHASE_INVOICE_VOID : -1;
}

static int dec_invoice(decoder *d, uint16_t field, const ar_canon_value *v) {
    archase_invoice *inv = &d->f->u.invoice;
    switch (field) {
    case AR_F_ID: return dec_str(d, v, &inv->id);
    case AR_F_REVISION: return dec_int(d, v, &inv->revision);
    case IN_CUSTOMER: return dec_str(d, v, &inv->customer_id);
    case IN_NUMBER: return dec_str(d, v, &inv->number);
    case IN_ISSUE_DATE: return dec_date(d, v, &inv->issue_date);
    case IN_DUE_DATE: return dec_date(d, v, &inv->due_date);
    case IN_AMOUNT: return dec_money(d, v, &inv->amount);
    case IN_TERMS: return dec_str(d, v, &inv->terms);
    case IN_PO_REF: return dec_str(d, v, &inv->po_ref);
    case IN_SOURCE_LINK: return dec_str(d, v, &inv->source_link);
    case IN_SOURCE_STATUS: return dec_enum(d, v, void_status, &inv->source_status);
    default: return dec_fail(d);
    }
}

static int dec_payment(decoder *d, uint16_t field, const ar_canon_value *v) {
    archase_payment *p = &d->f->u.payment;
    switch (field) {
    case AR_F_ID: return dec_str(d, v, &p->id);
    case AR_F_REVISION: return dec_int(d, v, &p->revision);
    case PA_CUSTOMER: return dec_str(d, v, &p->customer_id);
    case PA_INVOICE: return dec_str(d, v, &p->invoice_id);
    case PA_KIND: return dec_enum(d, v, ar_payment_kind_parse, &p->kind);
    case PA_DATE: return dec_date(d, v, &p->date);
    case PA_AMOUNT: return dec_money(d, v, &p->amount);
    case PA_REFERENCE: return dec_str(d, v, &p->reference);
    case PA_SOURCE_LINK: return dec_str(d, v, &p->source_link);
    case PA_OVERPAYMENT: return dec_bool(d, v, &p->overpayment);
    default: return dec_fail(d);
    }
}

static int dec_promise(decoder *d, uint16_t field, const ar_canon_value *v) {
    archase_promise *p = &d->f->u.promise;
    int64_t grace;
    switch (field) {
    case AR_F_ID: return dec_str(d, v, &p->id);
    case AR_F_REVISION: return dec_int(d, v, &p->revision);
    case PR_CUSTOMER: return dec_str(d, v, &p->customer_id);
    case PR_INVOICES: return dec_str_list(d, v, &p->invoice_ids, &p->invoice_count);
    case PR_AMOUNT: return dec_money(d, v, &p->amount);
    case PR_PROMISED_DATE: return dec_date(d, v, &p->promised_date);
    case PR_INSTALMENTS: return dec_instalments(d, v, &p->instalments, &p->instalment_count);
    case PR_TAKEN_BY: return dec_str(d, v, &p->taken_by);
    case PR_CHANNEL: return dec_enum(d, v, ar_channel_parse, &p->channel);
    case PR_NOTE: return dec_str(d, v, &p->note);
    case PR_GRACE_DAYS:
        if (dec_int(d, v, &grace) || grace < 0 || grace > 365)
            return dec_fail(d);
        p->grace_days = (int32_t)grace;
        return 0;
    case PR_RECORDED_ON: return dec_date(d, v, &p->recorded_on);
    default: return dec_fail(d);
    }
}

static int dec_dispute(decoder *d, uint16_t field, const ar_canon_value *v) {
    archase_dispute *x = &d->f->u.dispute;
    switch (field) {
    case AR_F_ID: return dec_str(d, v, &x->id);
    case AR_F_REVISION: return dec_int(d, v, &x->revision);
    case DI_CUSTOMER: return dec_str(d, v, &x->customer_id);
    case DI_INVOICES: return dec_str_list(d, v, &x->invoice_ids, &x->invoice_count);
    case DI_AMOUNT: return dec_money(d, v, &x->amount);
    case DI_REASON: return dec_str(d, v, &x->reason_code);
    case DI_EVIDENCE: return dec_str(d, v, &x->evidence);
    case DI_OPENED_BY: return dec_str(d, v, &x->opened_by);
    case DI_OPENED_ON: return dec_date(d, v, &x->opened_on);
    case DI_OWNER: return dec_str(d, v, &x->owner);
    case DI_STATUS: return dec_enum(d, v, ar_dispute_status_parse, &x->status);
    case DI_RESOLUTION: return dec_enum(d, v, ar_resolution_parse, &x->resolution);
    case DI_ROOT_CAUSE: return dec_str(d, v, &x->root_cause);
    case DI_RESOLVED_ON: return dec_date(d, v, &x->resolved_on);
    case DI_CREDITED: return dec_money(d, v, &x->credited);
    default: return dec_fail(d);
    }
}

static int dec_note(decoder *d, uint16_t field, const ar_canon_value *v) {
    archase_note *n = &d->f->u.note;
    switch (field) {
    case AR_F_ID: return dec_str(d, v, &n->id);
    case AR_F_REVISION: return dec_int(d, v, &n->revision);
    case NO_CUSTOMER: return dec_str(d, v, &n->customer_id);
    case NO_INVOICE: return dec_str(d, v, &n->invoice_id);
    case NO_AUTHOR: return dec_str(d, v, &n->author);
    case NO_AT:
        if (v->type != AR_CANON_INSTANT)
            return dec_fail(d);
        n->at = v->i;
        return 0;
    case NO_TEXT: return dec_str(d, v, &n->text);
    default: return dec_fail(d);
    }
}

/* Each family's struct as its _INIT macro has it: what a decode starts from,
 * copied over the family's member only (the rest of the union is not read). */
static const archase_customer init_customer = ARCHASE_CUSTOMER_INIT;
static const archase_contact init_contact = ARCHASE_CONTACT_INIT;
static const archase_customer_flags init_flags = ARCHASE_CUSTOMER_FLAGS_INIT;
static const archase_invoice init_invoice = ARCHASE_INVOICE_INIT;
static const archase_payment init_payment = ARCHASE_PAYMENT_INIT;
static const archase_promise init_promise = ARCHASE_PROMISE_INIT;
static const archase_dispute init_dispute = ARCHASE_DISPUTE_INIT;
static const archase_note init_note = ARCHASE_NOTE_INIT;

static void init_struct(ar_fact *f, int family) {
    switch (family) {
    case ARCHASE_FAMILY_CUSTOMER: f->u.customer = init_customer; break;
    case ARCHASE_FAMILY_CONTACT: f->u.contact = init_contact; break;
    case ARCHASE_FAMILY_FLAGS: f->u.flags = init_flags; break;
    case ARCHASE_FAMILY_INVOICE: f->u.invoice = init_invoice; break;
    case ARCHASE_FAMILY_PAYMENT: f->u.payment = init_payment; break;
    case ARCHASE_FAMILY_PROMISE: f->u.promise = init_promise; break;
    case ARCHASE_FAMILY_DISPUTE: f->u.dispute = init_dispute; break;
    case ARCHASE_FAMILY_NOTE: f->u.note = init_note; break;
    default: break;
    }
}

void ar_fact_init(ar_fact *f, const archase_allocator *a) {
    memset(f, 0, sizeof *f);
    ar_buf_init(&f->store, a);
}

void ar_fact_free(ar_fact *f) {
    ar_buf_free(&f->store);
}

ar_fact_ref ar_fact_as_ref(const ar_fact *f) {
    ar_fact_ref ref = { f->family, &f->u };
    return ref;
}

int ar_fact_decode(ar_fact *f, int family, const void *data, size_t size) {
    if (!ar_family_is_fact(family) || (!data && size))
        return ARCHASE_EPARSE;
    decoder d; /* fix[] is written before it is read: only the counts start at 0 */
    d.f = f;
    d.nfix = 0;
    d.err = 0;
    ar_buf_reset(&f->store);
    f->family = family;
    init_struct(f, family);
    ar_canon_reader_init(&d.r, data, size);
    ar_canon_value rec;
    if (ar_canon_read(&d.r, &rec) || rec.type != AR_CANON_RECORD || rec.kind != family)
        return ARCHASE_EPARSE;
    int32_t last = -1;
    for (uint32_t i = 0; i < rec.count && !d.err; i++) {
        uint16_t field;
        ar_canon_value v;
        if (ar_canon_read_field(&d.r, &field, &v) || (int32_t)field <= last) {
            dec_fail(&d);
            break;
        }
        last = field;
        switch (family) {
        case ARCHASE_FAMILY_CUSTOMER: dec_customer(&d, field, &v); break;
        case ARCHASE_FAMILY_CONTACT: dec_contact(&d, field, &v); break;
        case ARCHASE_FAMILY_FLAGS: dec_flags(&d, field, &v); break;
        case ARCHASE_FAMILY_INVOICE: dec_invoice(&d, field, &v); break;
        case ARCHASE_FAMILY_PAYMENT: dec_payment(&d, field, &v); break;
        case ARCHASE_FAMILY_PROMISE: dec_promise(&d, field, &v); break;
        case ARCHASE_FAMILY_DISPUTE: dec_dispute(&d, field, &v); break;
        case ARCHASE_FAMILY_NOTE: dec_note(&d, field, &v); break;
        default: dec_fail(&d); break;
        }
    }
    if (!d.err && !ar_canon_at_end(&d.r))
        dec_fail(&d);
    if (d.err) {
        init_struct(f, family);
        return d.err;
    }
    uint8_t *base = f->store.data;
    for (int i = 0; i < d.nfix; i++) {
        fixup *x = &d.fix[i];
        if (x->kind == FIX_STRING) {
            *(const char **)x->target = (const char *)base + x->offset;
        } else if (x->kind == FIX_STRING_LIST) {
            list_slot *slots = (list_slot *)(void *)(base + x->offset);
            for (size_t k = 0; k < x->count; k++) {
                uintptr_t off = slots[k].offset;
                slots[k].ptr = (const char *)base + off;
            }
            *(const char *const **)x->target = (const char *const *)(void *)slots;
        } else {
            *(const archase_instalment **)x->target = (const archase_instalment *)(void *)(base + x->offset);
        }
    }
    if (!ar_fact_id(ar_fact_as_ref(f))) {
        init_struct(f, family);
        return ARCHASE_EPARSE;
    }
    return 0;
}
