/* libarchase/engine/validate.c — checking a fact on its own, before the
 * store is asked anything: versions, required fields, ids, UTF-8, currencies,
 * dates, amounts, enum values. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "engine/codec.h"

/* ---- validation -------------------------------------------------------- */

int ar_fact_error_set(ar_fact_error *e, int code, uint16_t field, const char *fmt, ...) {
    e->code = code;
    e->field = field;
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(e->message, sizeof e->message, fmt, ap) < 0)
        e->message[0] = '\0';
    va_end(ap);
    return code;
}

/* 1 when the eight bytes at p are ASCII without a NUL. */
static int ascii8(const unsigned char *p) {
    uint64_t w;
    memcpy(&w, p, sizeof w);
    const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    return !(w & high) && !((w - ones) & ~w & high);
}

int ar_utf8_valid(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        /* Ids and most text are ASCII: eight bytes a step while they are. */
        if (end - p >= 8 && ascii8(p)) {
            p += 8;
            continue;
        }
        unsigned c = *p;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n;
        unsigned min;
        if ((c & 0xe0) == 0xc0) {
            n = 1;
            min = 0x80;
            c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            min = 0x800;
            c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - p) <= n)
            return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            c = c << 6 | (p[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
        p += n + 1;
    }
    return 1;
}

#define AR_TEXT_MAX (64u * 1024u)

static int present(const char *s) {
    return s && *s;
}

/* An id: required when `required`, at most AR_ID_MAX bytes of UTF-8 without
 * control characters. */
static int check_id(ar_fact_error *e, uint16_t field, const char *name, const char *s, int required) {
    if (!present(s))
        return required ? ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is required", name) : 0;
    size_t len = strlen(s);
    if (len > AR_ID_MAX)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is longer than %d bytes", name, AR_ID_MAX);
    if (!ar_utf8_valid(s, len))
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is not valid UTF-8", name);
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s contains a control character", name);
    }
    return 0;
}

static int check_text(ar_fact_error *e, uint16_t field, const char *name, const char *s, int required) {
    if (!present(s))
        return required ? ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is required", name) : 0;
    size_t len = strlen(s);
    if (len > AR_TEXT_MAX)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is longer than %u bytes", name, AR_TEXT_MAX);
    if (!ar_utf8_valid(s, len))
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is not valid UTF-8", name);
    return 0;
}

static int money_absent(const archase_money *m) {
    return m->currency[0] == '\0';
}

enum { SIGN_POSITIVE, SIGN_NONZERO, SIGN_ANY_NONNEGATIVE };

static int check_money(ar_fact_error *e, uint16_t field, const char *name, const archase_money *m,
                       int required, int sign) {
    if (money_absent(m))
        return required ? ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is required", name) : 0;
    archase_currency cur;
    if (memchr(m->currency, '\0', sizeof m->currency) == NULL ||
        archase_currency_lookup(m->currency, &cur) != 0 || cur.minor_units < 0)
        return ar_fact_error_set(e, ARCHASE_ECURRENCY, field, "%s: unknown currency '%.3s'", name,
                                 m->currency);
    if (m->minor > AR_AMOUNT_MAX || m->minor < -AR_AMOUNT_MAX)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is out of range", name);
    if (sign == SIGN_POSITIVE && m->minor <= 0)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s must be greater than zero", name);
    if (sign == SIGN_NONZERO && m->minor == 0)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s must not be zero", name);
    if (sign == SIGN_ANY_NONNEGATIVE && m->minor < 0)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s must not be negative", name);
    return 0;
}

static int check_date(ar_fact_error *e, uint16_t field, const char *name, archase_date d, int required) {
    if (d == ARCHASE_DATE_NONE)
        return required ? ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is required", name) : 0;
    if (d < ARCHASE_DATE_MIN || d > ARCHASE_DATE_MAX)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is not a valid date", name);
    return 0;
}

static int check_revision(ar_fact_error *e, int64_t revision) {
    if (revision < 0)
        return ar_fact_error_set(e, ARCHASE_EINVAL, AR_F_REVISION, "revision must not be negative");
    return 0;
}

static int check_version(ar_fact_error *e, unsigned version, unsigned expected, const char *what) {
    if (version != expected)
        return ar_fact_error_set(e, ARCHASE_EVERSION, 0, "%s struct version %u is not supported",
                                 what, version);
    return 0;
}

static int check_bool(ar_fact_error *e, uint16_t field, const char *name, int v) {
    if (v != 0 && v != 1)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s must be 0 or 1", name);
    return 0;
}

static int check_code(ar_fact_error *e, uint16_t field, const char *name, const char *s, int required) {
    if (!present(s))
        return required ? ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is required", name) : 0;
    size_t len = strlen(s);
    if (len > 64)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s is longer than 64 bytes", name);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return ar_fact_error_set(e, ARCHASE_EINVAL, field,
                                     "%s '%s' may hold only a-z, 0-9 and '_'", name, s);
    }
    return 0;
}

static int check_id_list(ar_fact_error *e, uint16_t field, const char *name,
                         const char *const *ids, size_t count) {
    if (count == 0 || !ids)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s: at least one is required", name);
    if (count > AR_LIST_MAX)
        return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s: more than %d", name, AR_LIST_MAX);
    for (size_t i = 0; i < count; i++) {
        int rc = check_id(e, field, name, ids[i], 1);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(ids[i], ids[j]))
                return ar_fact_error_set(e, ARCHASE_EINVAL, field, "%s: '%s' is listed twice", name,
                                         ids[i]);
        }
    }
    return 0;
}

#define TRY(expr)          \
    do {                   \
        int rc_ = (expr);  \
        if (rc_)           \
            return rc_;    \
    } while (0)

static int validate_customer(const archase_customer *c, ar_fact_error *e) {
    TRY(check_version(e, c->version, ARCHASE_CUSTOMER_VERSION, "customer"));
    TRY(check_id(e, AR_F_ID, "customer_id", c->id, 1));
    TRY(check_revision(e, c->revision));
    TRY(check_text(e, CU_NAME, "name", c->name, 1));
    TRY(check_text(e, CU_TIER, "tier", c->tier, 0));
    TRY(check_text(e, CU_OWNER, "owner", c->owner, 0));
    TRY(check_text(e, CU_COLLECTOR, "collector", c->collector, 0));
    TRY(check_id(e, CU_TIMEZONE, "timezone", c->timezone, 0));
    TRY(check_id(e, CU_LOCALE, "locale", c->locale, 0));
    TRY(check_id(e, CU_COUNTRY, "country", c->country, 0));
    TRY(check_money(e, CU_CREDIT_LIMIT, "credit_limit", &c->credit_limit, 0, SIGN_ANY_NONNEGATIVE));
    if (c->tag_count > AR_LIST_MAX || (c->tag_count && !c->tags))
        return ar_fact_error_set(e, ARCHASE_EINVAL, CU_TAGS, "tags: bad list");
    for (size_t i = 0; i < c->tag_count; i++)
        TRY(check_id(e, CU_TAGS, "tag", c->tags[i], 1));
    TRY(check_text(e, CU_SOURCE_LINK, "source_link", c->source_link, 0));
    return 0;
}

static int validate_contact(const archase_contact *c, ar_fact_error *e) {
    TRY(check_version(e, c->version, ARCHASE_CONTACT_VERSION, "contact"));
    TRY(check_id(e, AR_F_ID, "contact_id", c->id, 1));
    TRY(check_revision(e, c->revision));
    TRY(check_id(e, CO_CUSTOMER, "customer_id", c->customer_id, 1));
    TRY(check_text(e, CO_NAME, "name", c->name, 0));
    TRY(check_text(e, CO_ROLE, "role", c->role, 0));
    if (!ar_channel_name(c->channel))
        return ar_fact_error_set(e, ARCHASE_EINVAL, CO_CHANNEL,
                                 "channel must be email, sms, letter, portal or call");
    TRY(check_text(e, CO_ADDRESS, "address", c->address, 1));
    TRY(check_bool(e, CO_CONSENT, "consent", c->consent));
    TRY(check_bool(e, CO_PRIMARY, "primary", c->primary));
    return 0;
}

static int validate_flags(const archase_customer_flags *f, ar_fact_error *e) {
    TRY(check_version(e, f->version, ARCHASE_CUSTOMER_FLAGS_VERSION, "customer flags"));
    TRY(check_id(e, FL_CUSTOMER, "customer_id", f->customer_id, 1));
    TRY(check_revision(e, f->revision));
    TRY(check_bool(e, FL_HOLD, "hold", f->hold));
    TRY(check_date(e, FL_PAUSED_UNTIL, "paused_until", f->paused_until, 0));
    TRY(check_bool(e, FL_EXPANSION, "expansion", f->expansion));
    TRY(check_bool(e, FL_STRATEGIC, "strategic", f->strategic));
    TRY(check_bool(e, FL_SERVICE_ISSUE, "service_issue", f->service_issue));
    TRY(check_text(e, FL_REASON, "reason", f->reason, 0));
    TRY(check_text(e, FL_SET_BY, "set_by", f->set_by, 0));
    return 0;
}

static int validate_invoice(const archase_invoice *inv, ar_fact_error *e) {
    TRY(check_version(e, inv->version, ARCHASE_INVOICE_VERSION, "invoice"));
    TRY(check_id(e, AR_F_ID, "invoice_id", inv->id, 1));
    TRY(check_revision(e, inv->revision));
    TRY(check_id(e, IN_CUSTOMER, "customer_id", inv->customer_id, 1));
    TRY(check_id(e, IN_NUMBER, "number", inv->number, 0));
    TRY(check_date(e, IN_ISSUE_DATE, "issue_date", inv->issue_date, 1));
    TRY(check_date(e, IN_DUE_DATE, "due_date", inv->due_date, 1));
    if (inv->due_date < inv->issue_date)
        return ar_fact_error_set(e, ARCHASE_EINVAL, IN_DUE_DATE, "due_date is before issue_date");
    TRY(check_money(e, IN_AMOUNT, "amount", &inv->amount, 1, SIGN_POSITIVE));
    TRY(check_text(e, IN_TERMS, "terms", inv->terms, 0));
    TRY(check_text(e, IN_PO_REF, "po_ref", inv->po_ref, 0));
    TRY(check_text(e, IN_SOURCE_LINK, "source_link", inv->source_link, 0));
    if (inv->source_status != ARCHASE_INVOICE_OPEN && inv->source_status != ARCHASE_INVOICE_VOID)
        return ar_fact_error_set(e, ARCHASE_EINVAL, IN_SOURCE_STATUS, "status must be open or void");
    return 0;
}

static int validate_payment(const archase_payment *p, ar_fact_error *e) {
    TRY(check_version(e, p->version, ARCHASE_PAYMENT_VERSION, "payment"));
    TRY(check_id(e, AR_F_ID, "payment_id", p->id, 1));
    TRY(check_revision(e, p->revision));
    TRY(check_id(e, PA_CUSTOMER, "customer_id", p->customer_id, 1));
    TRY(check_id(e, PA_INVOICE, "invoice_id", p->invoice_id, 0));
    if (!ar_payment_kind_name(p->kind))
        return ar_fact_error_set(e, ARCHASE_EINVAL, PA_KIND,
                                 "kind must be payment, credit_note, adjustment or write_off");
    TRY(check_date(e, PA_DATE, "date", p->date, 1));
    TRY(check_money(e, PA_AMOUNT, "amount", &p->amount, 1,
                    p->kind == ARCHASE_ADJUSTMENT ? SIGN_NONZERO : SIGN_POSITIVE));
    if (p->kind == ARCHASE_ADJUSTMENT && p->amount.minor < 0 && !present(p->invoice_id))
        return ar_fact_error_set(e, ARCHASE_EINVAL, PA_INVOICE,
                                 "a negative adjustment needs an invoice_id");
    TRY(check_text(e, PA_REFERENCE, "reference", p->reference, 0));
    TRY(check_text(e, PA_SOURCE_LINK, "source_link", p->source_link, 0));
    TRY(check_bool(e, PA_OVERPAYMENT, "overpayment", p->overpayment));
    return 0;
}

static int validate_promise(const archase_promise *p, ar_fact_error *e) {
    TRY(check_version(e, p->version, ARCHASE_PROMISE_VERSION, "promise"));
    TRY(check_id(e, AR_F_ID, "promise_id", p->id, 1));
    TRY(check_revision(e, p->revision));
    TRY(check_id(e, PR_CUSTOMER, "customer_id", p->customer_id, 1));
    TRY(check_id_list(e, PR_INVOICES, "invoice_ids", p->invoice_ids, p->invoice_count));
    TRY(check_money(e, PR_AMOUNT, "amount", &p->amount, 1, SIGN_POSITIVE));
    TRY(check_date(e, PR_PROMISED_DATE, "promised_date", p->promised_date, 1));
    if (p->instalment_count > AR_LIST_MAX || (p->instalment_count && !p->instalments))
        return ar_fact_error_set(e, ARCHASE_EINVAL, PR_INSTALMENTS, "instalments: bad list");
    int64_t sum = 0;
    for (size_t i = 0; i < p->instalment_count; i++) {
        const archase_instalment *in = &p->instalments[i];
        TRY(check_date(e, PR_INSTALMENTS, "instalment date", in->date, 1));
        TRY(check_money(e, PR_INSTALMENTS, "instalment amount", &in->amount, 1, SIGN_POSITIVE));
        if (strcmp(in->amount.currency, p->amount.currency) != 0)
            return ar_fact_error_set(e, ARCHASE_ECURRENCY, PR_INSTALMENTS,
                                     "instalment %zu is in %s, the promise in %s", i + 1,
                                     in->amount.currency, p->amount.currency);
        if (i > 0 && in->date <= p->instalments[i - 1].date)
            return ar_fact_error_set(e, ARCHASE_EINVAL, PR_INSTALMENTS,
                                     "instalment dates must be in ascending order");
        sum += in->amount.minor; /* bounded: at most AR_LIST_MAX * AR_AMOUNT_MAX */
    }
    if (p->instalment_count && sum != p->amount.minor)
        return ar_fact_error_set(e, ARCHASE_EINVAL, PR_INSTALMENTS,
                                 "instalments do not add up to the promised amount");
    TRY(check_text(e, PR_TAKEN_BY, "taken_by", p->taken_by, 0));
    if (p->channel != ARCHASE_CHANNEL_NONE && !ar_channel_name(p->channel))
        return ar_fact_error_set(e, ARCHASE_EINVAL, PR_CHANNEL, "channel is not a known channel");
    TRY(check_text(e, PR_NOTE, "note", p->note, 0));
    if (p->grace_days != ARCHASE_GRACE_POLICY_DEFAULT && (p->grace_days < 0 || p->grace_days > 365))
        return ar_fact_error_set(e, ARCHASE_EINVAL, PR_GRACE_DAYS,
                                 "grace_days must be 0..365 or the policy default");
    TRY(check_date(e, PR_RECORDED_ON, "recorded_on", p->recorded_on, 0));
    return 0;
}

static int validate_dispute(const archase_dispute *d, ar_fact_error *e) {
    TRY(check_version(e, d->version, ARCHASE_DISPUTE_VERSION, "dispute"));
    TRY(check_id(e, AR_F_ID, "dispute_id", d->id, 1));
    TRY(check_revision(e, d->revision));
    TRY(check_id(e, DI_CUSTOMER, "customer_id", d->customer_id, 1));
    TRY(check_id_list(e, DI_INVOICES, "invoice_ids", d->invoice_ids, d->invoice_count));
    TRY(check_money(e, DI_AMOUNT, "amount", &d->amount, 1, SIGN_POSITIVE));
    TRY(check_code(e, DI_REASON, "reason_code", d->reason_code, 1));
    TRY(check_text(e, DI_EVIDENCE, "evidence", d->evidence, 0));
    TRY(check_text(e, DI_OPENED_BY, "opened_by", d->opened_by, 0));
    TRY(check_date(e, DI_OPENED_ON, "opened_on", d->opened_on, 1));
    TRY(check_text(e, DI_OWNER, "owner", d->owner, 0));
    if (!ar_dispute_status_name(d->status))
        return ar_fact_error_set(e, ARCHASE_EINVAL, DI_STATUS,
                                 "status must be open, in_review or resolved");
    int resolved = d->status == ARCHASE_DISPUTE_RESOLVED;
    if (resolved) {
        if (!ar_resolution_name(d->resolution))
            return ar_fact_error_set(e, ARCHASE_EINVAL, DI_RESOLUTION,
                                     "a resolved dispute needs a resolution: credit_issued, rejected or partial");
        TRY(check_code(e, DI_ROOT_CAUSE, "root_cause", d->root_cause, 1));
        TRY(check_date(e, DI_RESOLVED_ON, "resolved_on", d->resolved_on, 1));
        if (d->resolved_on < d->opened_on)
            return ar_fact_error_set(e, ARCHASE_EINVAL, DI_RESOLVED_ON, "resolved_on is before opened_on");
    } else {
        if (d->resolution != ARCHASE_RESOLUTION_NONE)
            return ar_fact_error_set(e, ARCHASE_EINVAL, DI_RESOLUTION,
                                     "only a resolved dispute has a resolution");
        TRY(check_code(e, DI_ROOT_CAUSE, "root_cause", d->root_cause, 0));
        if (d->resolved_on != ARCHASE_DATE_NONE)
            return ar_fact_error_set(e, ARCHASE_EINVAL, DI_RESOLVED_ON,
                                     "only a resolved dispute has resolved_on");
    }
    int credits = resolved && (d->resolution == ARCHASE_RESOLUTION_CREDIT_ISSUED ||
                               d->resolution == ARCHASE_RESOLUTION_PARTIAL);
    if (credits) {
        TRY(check_money(e, DI_CREDITED, "credited_amount", &d->credited, 1, SIGN_POSITIVE));
        if (strcmp(d->credited.currency, d->amount.currency) != 0)
            return ar_fact_error_set(e, ARCHASE_ECURRENCY, DI_CREDITED,
                                     "credited_amount is in %s, the dispute in %s",
                                     d->credited.currency, d->amount.currency);
        if (d->credited.minor > d->amount.minor)
            return ar_fact_error_set(e, ARCHASE_EINVAL, DI_CREDITED,
                                     "credited_amount is more than the disputed amount");
    } else if (!money_absent(&d->credited)) {
        return ar_fact_error_set(e, ARCHASE_EINVAL, DI_CREDITED,
                                 "only a dispute resolved with a credit has credited_amount");
    }
    return 0;
}

static int validate_note(const archase_note *n, ar_fact_error *e) {
    TRY(check_version(e, n->version, ARCHASE_NOTE_VERSION, "note"));
    TRY(check_id(e, AR_F_ID, "note_id", n->id, 1));
    TRY(check_revision(e, n->revision));
    TRY(check_id(e, NO_CUSTOMER, "customer_id", n->customer_id, 1));
    TRY(check_id(e, NO_INVOICE, "invoice_id", n->invoice_id, 0));
    TRY(check_text(e, NO_AUTHOR, "author", n->author, 0));
    TRY(check_text(e, NO_TEXT, "text", n->text, 1));
    return 0;
}

int ar_fact_validate(ar_fact_ref ref, ar_fact_error *err) {
    if (!ref.fact)
        return ar_fact_error_set(err, ARCHASE_EINVAL, 0, "no fact given");
    switch (ref.family) {
    case ARCHASE_FAMILY_CUSTOMER: return validate_customer(ref.fact, err);
    case ARCHASE_FAMILY_CONTACT: return validate_contact(ref.fact, err);
    case ARCHASE_FAMILY_FLAGS: return validate_flags(ref.fact, err);
    case ARCHASE_FAMILY_INVOICE: return validate_invoice(ref.fact, err);
    case ARCHASE_FAMILY_PAYMENT: return validate_payment(ref.fact, err);
    case ARCHASE_FAMILY_PROMISE: return validate_promise(ref.fact, err);
    case ARCHASE_FAMILY_DISPUTE: return validate_dispute(ref.fact, err);
    case ARCHASE_FAMILY_NOTE: return validate_note(ref.fact, err);
    default: return ar_fact_error_set(err, ARCHASE_EINVAL, 0, "family %d holds no facts", ref.family);
    }
}
