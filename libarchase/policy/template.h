/* libarchase/policy/template.h — message templates: compiled at load,
 * rendered by the engine from ledger facts only.
 *
 *   Dear {{ customer.name }},
 *   invoice {{ invoice.number }} of {{ invoice.due_date | date }} still has
 *   {{ invoice.open_amount | money }} open.
 *   {{ for invoice in invoices }}- {{ invoice.number }}: {{ invoice.open_amount }}
 *   {{ end }}Pay now: {{ links.pay_now }}
 *
 * A placeholder names a field of the fixed catalogue below (an unknown field
 * is a load error); `| money` and `| date` format an amount or a date for the
 * template's locale (locale.h). Outside a loop, invoice fields are those of
 * the message's first invoice; a bare invoice field (`open_amount`) means
 * `invoice.open_amount`. Literal text may not contain an amount ("500 EUR",
 * "€500"): every amount a customer reads comes from the ledger.
 *
 * Rendering escapes values for the channel: HTML for e-mail bodies; control
 * characters removed (line breaks too) in subjects; control characters
 * removed and the text cut to the policy's limit for SMS; control characters
 * other than line breaks and tabs removed elsewhere. It fails only when
 * memory runs out. */
#ifndef AR_POLICY_TEMPLATE_H
#define AR_POLICY_TEMPLATE_H

#include <stdint.h>

#include "archase/date.h"
#include "archase/money.h"
#include "core/buf.h"
#include "policy/arena.h"

/* The tokens links render as; the host replaces them with its own links
 * (a payment page, a dispute form) before sending. */
#define AR_TOKEN_PAY_NOW_LINK "@@ARCHASE:PAY_NOW_LINK@@"
#define AR_TOKEN_DISPUTE_LINK "@@ARCHASE:DISPUTE_LINK@@"

/* The template field catalogue: identifier, name, type, description. */
#define AR_TEMPLATE_FIELD_MAP(X)                                                                 \
    X(CUSTOMER_ID, "customer.id", TEXT, "the customer's id in the ledger")                       \
    X(CUSTOMER_NAME, "customer.name", TEXT, "the customer's name")                               \
    X(CUSTOMER_OWNER, "customer.owner", TEXT, "the account owner (account manager)")             \
    X(CUSTOMER_COLLECTOR, "customer.collector", TEXT, "the collector responsible")               \
    X(TODAY, "today", DATE, "the as-of date of the cycle")                                       \
    X(INVOICE_ID, "invoice.id", TEXT, "the invoice's id in the ledger")                          \
    X(INVOICE_NUMBER, "invoice.number", TEXT, "the number printed on the invoice")               \
    X(INVOICE_ISSUE_DATE, "invoice.issue_date", DATE, "the invoice's issue date")                \
    X(INVOICE_DUE_DATE, "invoice.due_date", DATE, "the invoice's due date")                      \
    X(INVOICE_AMOUNT, "invoice.amount", MONEY, "the invoice's amount")                           \
    X(INVOICE_OPEN_AMOUNT, "invoice.open_amount", MONEY, "what is still open on the invoice")    \
    X(INVOICE_DAYS_OVERDUE, "invoice.days_overdue", INT, "days past the due date (0 or less: not due)") \
    X(INVOICE_PO_REF, "invoice.po_ref", TEXT, "the customer's purchase order reference")        \
    X(INVOICE_SOURCE_LINK, "invoice.source_link", TEXT, "a link to the invoice document")        \
    X(TOTALS_OPEN_AMOUNT, "totals.open_amount", MONEY, "open amount of the message's invoices")  \
    X(TOTALS_OVERDUE_AMOUNT, "totals.overdue_amount", MONEY, "overdue part of that amount")      \
    X(TOTALS_INVOICE_COUNT, "totals.invoice_count", INT, "number of invoices in the message")    \
    X(PROMISE_AMOUNT, "promise.amount", MONEY, "the promised amount (promise messages)")         \
    X(PROMISE_DATE, "promise.date", DATE, "the promised payment date")                           \
    X(DISPUTE_AMOUNT, "dispute.amount", MONEY, "the disputed amount (dispute messages)")         \
    X(DISPUTE_REASON, "dispute.reason", TEXT, "the dispute's reason code")                       \
    X(DISPUTE_SLA_DATE, "dispute.sla_date", DATE, "when the dispute is due to be resolved")      \
    X(LINKS_PAY_NOW, "links.pay_now", LINK, "the pay-now link (rendered as " AR_TOKEN_PAY_NOW_LINK ")") \
    X(LINKS_DISPUTE, "links.dispute", LINK, "the dispute-form link (rendered as " AR_TOKEN_DISPUTE_LINK ")")

typedef enum ar_tfield {
#define AR_TFIELD_ENUM_(id, name, type, description) AR_TFIELD_##id,
    AR_TEMPLATE_FIELD_MAP(AR_TFIELD_ENUM_)
#undef AR_TFIELD_ENUM_
    AR_TFIELD_COUNT
} ar_tfield;

typedef enum ar_tfield_type {
    AR_TF_TEXT = 1,
    AR_TF_MONEY = 2,
    AR_TF_DATE = 3,
    AR_TF_INT = 4,
    AR_TF_LINK = 5,
} ar_tfield_type;

typedef struct ar_tfield_info {
    const char    *name;
    ar_tfield_type type;
    const char    *description;
} ar_tfield_info;

extern const ar_tfield_info ar_tfields[AR_TFIELD_COUNT];

/* One invoice of a message, as the engine found it in the ledger. */
typedef struct ar_render_invoice {
    const char   *id;
    const char   *number;
    const char   *po_ref;       /* NULL = none */
    const char   *source_link;  /* NULL = none */
    archase_date  issue_date;
    archase_date  due_date;
    archase_money amount;
    archase_money open_amount;
    int32_t       days_overdue;
} ar_render_invoice;

/* Everything a template can show. Strings may be NULL (render as nothing);
 * absent dates are ARCHASE_DATE_NONE and absent amounts have currency "". */
typedef struct ar_render_ctx {
    const char              *customer_id;
    const char              *customer_name;
    const char              *owner;
    const char              *collector;
    const char              *locale;         /* the customer's BCP 47 locale; NULL = default */
    archase_date             as_of;
    const ar_render_invoice *invoices;       /* the message's invoices, at least one */
    size_t                   invoice_count;
    archase_money            total_open;     /* over `invoices` */
    archase_money            total_overdue;
    archase_money            promise_amount; /* promise messages */
    archase_date             promise_date;
    archase_money            dispute_amount; /* dispute messages */
    const char              *dispute_reason;
    archase_date             dispute_sla_date;
} ar_render_ctx;

/* A compiled piece of text (subject or body). */
typedef struct ar_tmpl_part ar_tmpl_part;
typedef struct ar_tmpl_text {
    const ar_tmpl_part *parts;
    uint32_t            count;
    const char         *source; /* as written */
} ar_tmpl_text;

/* One channel and locale of a template. */
typedef struct ar_template_variant {
    int                 channel;  /* archase_channel */
    const char         *locale;   /* "en", "de", "en-US" ... */
    const ar_tmpl_text *subject;  /* NULL when the template has none */
    const ar_tmpl_text *body;
} ar_template_variant;

/* A named template: every channel and locale it is written for. */
typedef struct ar_template {
    const char                *name;
    const char                *stage;          /* "overdue", ... (its name when not given) */
    int                        tone;           /* archase_tone */
    const ar_template_variant *variants;
    uint32_t                   variant_count;
    const char                *default_locale; /* the policy's */
    uint32_t                   sms_max_length; /* characters */
} ar_template;

/* 1 when the template is written for `channel`. */
int ar_template_has_channel(const ar_template *t, int channel);

/* The variant for `channel` and `locale` by the fallback order: the exact
 * locale ("de-AT"), its language ("de"), the policy's default locale, "en",
 * then the first variant written for the channel. NULL when the template has
 * no variant for the channel. */
const ar_template_variant *ar_template_variant_for(const ar_template *t, int channel,
                                                   const char *locale);

/* Appends the rendered body (or subject) for `channel` in the context's
 * locale to `out`. Returns 0, or ARCHASE_ENOMEM (out's sticky error), or
 * ARCHASE_ENOTFOUND when the template has no variant for the channel (or no
 * subject) — which a loaded policy rules out for the steps that use it. */
int ar_template_render(const ar_template *t, const ar_render_ctx *ctx, int channel, ar_buf *out);
int ar_template_render_subject(const ar_template *t, const ar_render_ctx *ctx, int channel,
                               ar_buf *out);

/* Compiling (the loader). Fills `err` (offset of the problem in the text
 * and a message) and returns ARCHASE_EPARSE, or ARCHASE_ENOMEM. */
typedef struct ar_tmpl_error {
    uint32_t offset;
    char     message[300];
} ar_tmpl_error;

int ar_tmpl_compile(ar_arena *arena, const char *text, size_t len, const ar_tmpl_text **out,
                    ar_tmpl_error *err);

#endif
