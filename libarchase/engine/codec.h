/* libarchase/engine/codec.h — ledger facts to and from their canonical
 * encoding and storage envelope, and their stand-alone validation.
 *
 * The canonical record of a fact has the family number as its record kind and
 * the field numbers listed in docs/storage.md ("Canonical fields"). Absent
 * values (NULL strings, ARCHASE_DATE_NONE, false, revision 0, empty lists)
 * are left out, so one fact has exactly one encoding.
 */
#ifndef AR_ENGINE_CODEC_H
#define AR_ENGINE_CODEC_H

#include "archase/ledger.h"
#include "archase/sys/storage.h"
#include "core/buf.h"
#include "core/canon.h"

/* The largest magnitude of an amount in a fact, in minor units. */
#define AR_AMOUNT_MAX INT64_C(999999999999999)
/* The longest id, in bytes. */
#define AR_ID_MAX 256

/* 1 for the families that hold ledger facts (customer .. note). */
int ar_family_is_fact(int family);
/* "customer", "invoice", ... for every family; NULL for unknown values. */
const char *ar_family_name(int family);

/* Canonical field numbers (docs/storage.md, "Canonical fields"); validation
 * errors name them. Every fact has its id at 1 and its revision at 2 (flags:
 * the customer id at 1). */
enum {
    AR_F_ID = 1,
    AR_F_REVISION = 2,
};
enum { CU_NAME = 3, CU_TIER, CU_OWNER, CU_COLLECTOR, CU_TIMEZONE, CU_LOCALE, CU_COUNTRY,
       CU_CREDIT_LIMIT, CU_TAGS, CU_SOURCE_LINK };
enum { CO_CUSTOMER = 3, CO_NAME, CO_ROLE, CO_CHANNEL, CO_ADDRESS, CO_CONSENT, CO_PRIMARY };
enum { FL_CUSTOMER = 1, FL_REVISION = 2, FL_HOLD, FL_PAUSED_UNTIL, FL_EXPANSION, FL_STRATEGIC,
       FL_SERVICE_ISSUE, FL_REASON, FL_SET_BY };
enum { IN_CUSTOMER = 3, IN_NUMBER, IN_ISSUE_DATE, IN_DUE_DATE, IN_AMOUNT, IN_TERMS, IN_PO_REF,
       IN_SOURCE_LINK, IN_SOURCE_STATUS };
enum { PA_CUSTOMER = 3, PA_INVOICE, PA_KIND, PA_DATE, PA_AMOUNT, PA_REFERENCE, PA_SOURCE_LINK,
       PA_OVERPAYMENT };
enum { PR_CUSTOMER = 3, PR_INVOICES, PR_AMOUNT, PR_PROMISED_DATE, PR_INSTALMENTS, PR_TAKEN_BY,
       PR_CHANNEL, PR_NOTE, PR_GRACE_DAYS, PR_RECORDED_ON };
enum { DI_CUSTOMER = 3, DI_INVOICES, DI_AMOUNT, DI_REASON, DI_EVIDENCE, DI_OPENED_BY, DI_OPENED_ON,
       DI_OWNER, DI_STATUS, DI_RESOLUTION, DI_ROOT_CAUSE, DI_RESOLVED_ON, DI_CREDITED };
enum { NO_CUSTOMER = 3, NO_INVOICE, NO_AUTHOR, NO_AT, NO_TEXT };

/* The most items a list in a fact holds. */
#define AR_LIST_MAX 1000

/* Why a fact is not valid: the code, the canonical field number it concerns
 * (0 = the fact as a whole) and a message that names the field. */
typedef struct ar_fact_error {
    int      code;
    uint16_t field;
    char     message[400];
} ar_fact_error;

/* Records an error in `e` (never NULL: every caller has one); returns its
 * code. */
int ar_fact_error_set(ar_fact_error *e, int code, uint16_t field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A fact of any family, as a pointer to its public struct. */
typedef struct ar_fact_ref {
    int         family;
    const void *fact;
} ar_fact_ref;

/* Checks a fact on its own: struct version, required fields, ids, UTF-8,
 * known currencies, valid and ordered dates, amounts in range, enum values.
 * 0 or the error (ARCHASE_EINVAL, ARCHASE_ECURRENCY, ARCHASE_EVERSION). */
int ar_fact_validate(ar_fact_ref ref, ar_fact_error *err);

/* Writes the canonical record of a valid fact into `c` (reset first).
 * 0 or ARCHASE_ENOMEM / ARCHASE_EINVAL. */
int ar_fact_encode(ar_canon *c, ar_fact_ref ref);

/* Fills the envelope of a valid fact (every field but data/size; an
 * invoice's derived fields are set as for a new, unpaid invoice). */
void ar_fact_envelope(ar_fact_ref ref, archase_record *rec);

/* A decoded fact: the public struct of its family, with strings and lists in
 * `store`. Valid until the next decode into the same ar_fact or its free. */
typedef struct ar_fact {
    int family;
    union {
        archase_customer       customer;
        archase_contact        contact;
        archase_customer_flags flags;
        archase_invoice        invoice;
        archase_payment        payment;
        archase_promise        promise;
        archase_dispute        dispute;
        archase_note           note;
    } u;
    ar_buf store;
} ar_fact;

void ar_fact_init(ar_fact *f, const archase_allocator *a);
void ar_fact_free(ar_fact *f);
/* Decodes the canonical record of a fact of `family`. 0, ARCHASE_EPARSE (not
 * a well-formed record of that family) or ARCHASE_ENOMEM. */
int ar_fact_decode(ar_fact *f, int family, const void *data, size_t size);
/* The decoded fact as a reference. */
ar_fact_ref ar_fact_as_ref(const ar_fact *f);

/* The id, customer id and revision of a fact. */
const char *ar_fact_id(ar_fact_ref ref);
const char *ar_fact_customer_id(ar_fact_ref ref);
int64_t     ar_fact_revision(ar_fact_ref ref);

/* Enum names used in encodings, files and SQL columns. */
const char *ar_channel_name(int channel);
int         ar_channel_parse(const char *s, size_t len);       /* value or -1 */
const char *ar_payment_kind_name(int kind);
int         ar_payment_kind_parse(const char *s, size_t len);  /* value or -1 */
const char *ar_invoice_status_name(int status);
int         ar_invoice_status_parse(const char *s, size_t len);
const char *ar_dispute_status_name(int status);
int         ar_dispute_status_parse(const char *s, size_t len);
const char *ar_resolution_name(int resolution);
int         ar_resolution_parse(const char *s, size_t len);
const char *ar_promise_status_name(int status);
const char *ar_outbox_status_name(int status);
const char *ar_recon_status_name(int status);

/* 1 when `len` bytes at `s` are valid UTF-8 without NUL bytes. */
int ar_utf8_valid(const char *s, size_t len);

#endif
