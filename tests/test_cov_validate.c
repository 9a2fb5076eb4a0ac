/* tests/test_cov_validate.c — every check a fact passes before the store is
 * asked anything, through the public put calls: each wrong field of each
 * family is refused with its code and a message that names the field, and
 * nothing is written. UTF-8 is checked byte by byte (lengths, continuation
 * bytes, overlong forms, surrogates, the end of the code space). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

typedef struct fixture {
    archase_engine *eng;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(archase_open_memory(NULL, &f->eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I1";
    inv.customer_id = "C1";
    inv.issue_date = 20454;
    inv.due_date = 20484;
    inv.amount = (archase_money){ 150000, "EUR" };
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    inv.id = "I2";
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    free(f);
    return 0;
}

static int ignore_fact(void *userdata, const archase_fact *fact) {
    (void)fact;
    ++*(int *)userdata;
    return 0;
}

/* How many facts of `family` the store holds. */
static int count(archase_engine *eng, int family) {
    archase_fact_filter flt = ARCHASE_FACT_FILTER_INIT;
    flt.family = family;
    int n = 0;
    assert_int_equal(archase_facts_scan(eng, &flt, ignore_fact, &n), 0);
    return n;
}

/* The put returned `code`, the engine's message holds `text`, and the
 * family still holds `before` facts. */
static void expect_refused(archase_engine *eng, int line, int rc, int code, const char *text, int family,
                           int before) {
    if (rc != code)
        fail_msg("line %d: expected %s, got %s (%s)", line, archase_error_name(code), archase_error_name(rc),
                 archase_engine_errmsg(eng));
    if (!strstr(archase_engine_errmsg(eng), text))
        fail_msg("line %d: expected a message with \"%s\", got \"%s\"", line, text, archase_engine_errmsg(eng));
    assert_int_equal(count(eng, family), before);
}

#define REFUSED(put, code, text, family)                                                     \
    do {                                                                                      \
        int before_ = count(f->eng, family);                                                  \
        expect_refused(f->eng, __LINE__, put, code, text, family, before_);                   \
    } while (0)

static char *long_text(size_t n, char c) {
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- customers ---------------------------------------------------------- */

static archase_customer customer(void) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C9";
    c.name = "Initech";
    return c;
}

static void customer_fields_are_checked(void **state) {
    fixture *f = *state;
    const int fam = ARCHASE_FAMILY_CUSTOMER;
    char *too_long_id = long_text(257, 'a');
    char *too_long_text = long_text(64u * 1024u + 1, 'x');
    archase_customer c;

    REFUSED(archase_customer_put(f->eng, NULL, NULL), ARCHASE_EINVAL, "no fact given", fam);
    c = customer(), c.version = 2;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EVERSION, "customer struct version 2 is not supported", fam);
    c = customer(), c.id = NULL;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "customer_id is required", fam);
    c = customer(), c.id = "";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "customer_id is required", fam);
    c = customer(), c.id = too_long_id;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "customer_id is longer than 256 bytes", fam);
    c = customer(), c.id = "C\xff";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "customer_id is not valid UTF-8", fam);
    c = customer(), c.id = "C\t9";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "customer_id contains a control character", fam);
    c = customer(), c.id = "C\x7f";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "customer_id contains a control character", fam);
    c = customer(), c.revision = -1;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "revision must not be negative", fam);
    c = customer(), c.name = NULL;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "name is required", fam);
    c = customer(), c.name = too_long_text;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "name is longer than 65536 bytes", fam);
    c = customer(), c.name = "Init\xc3";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "name is not valid UTF-8", fam);
    c = customer(), c.tier = "\x80";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "tier is not valid UTF-8", fam);
    c = customer(), c.owner = "\xfe";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "owner is not valid UTF-8", fam);
    c = customer(), c.collector = "\xc0\x80";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "collector is not valid UTF-8", fam);
    c = customer(), c.timezone = "Europe\n";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "timezone contains a control character", fam);
    c = customer(), c.locale = "de\x01";
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "locale contains a control character", fam);
    c = customer(), c.country = too_long_id;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "country is longer than 256 bytes", fam);
    c = customer(), c.credit_limit = (archase_money){ 100, "QQQ" };
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_ECURRENCY, "credit_limit: unknown currency 'QQQ'", fam);
    c = customer(), c.credit_limit = (archase_money){ 100, "XAU" }; /* no minor units: not money here */
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_ECURRENCY, "credit_limit: unknown currency 'XAU'", fam);
    c = customer();
    memcpy(c.credit_limit.currency, "EURO", 4); /* no terminating NUL */
    c.credit_limit.minor = 100;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_ECURRENCY, "credit_limit: unknown currency 'EUR'", fam);
    c = customer(), c.credit_limit = (archase_money){ 1000000000000000, "EUR" };
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "credit_limit is out of range", fam);
    c = customer(), c.credit_limit = (archase_money){ -1000000000000000, "EUR" };
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "credit_limit is out of range", fam);
    c = customer(), c.credit_limit = (archase_money){ -1, "EUR" };
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "credit_limit must not be negative", fam);
    static const char *const tags[] = { "vip", "" };
    c = customer(), c.tags = tags, c.tag_count = 1001;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "tags: bad list", fam);
    c = customer(), c.tags = NULL, c.tag_count = 1;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "tags: bad list", fam);
    c = customer(), c.tags = tags, c.tag_count = 2;
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "tag is required", fam);
    c = customer(), c.source_link = "http://x/\xed\xa0\x80"; /* a surrogate */
    REFUSED(archase_customer_put(f->eng, &c, NULL), ARCHASE_EINVAL, "source_link is not valid UTF-8", fam);

    /* The boundaries themselves are accepted: a zero limit, the largest
     * amount, an id of exactly 256 bytes, one tag, text in every length of
     * UTF-8 sequence. */
    archase_outcome out = 0;
    c = customer();
    too_long_id[256] = '\0';
    c.id = too_long_id;
    c.credit_limit = (archase_money){ 999999999999999, "EUR" };
    c.tags = tags;
    c.tag_count = 1;
    c.name = "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
    c.tier = "";
    assert_int_equal(archase_customer_put(f->eng, &c, &out), 0);
    assert_int_equal(out, ARCHASE_OUTCOME_INSERTED);
    c = customer(), c.credit_limit = (archase_money){ 0, "JPY" };
    assert_int_equal(archase_customer_put(f->eng, &c, &out), 0);
    assert_int_equal(count(f->eng, fam), 3);
    free(too_long_id);
    free(too_long_text);
}

/* Byte sequences that are not UTF-8, each in a name. */
static void utf8_is_checked_byte_by_byte(void **state) {
    fixture *f = *state;
    static const char *const bad[] = {
        "\x80",                 /* a continuation byte first */
        "\xf8\x88\x80\x80\x80", /* a five-byte form */
        "\xc3",                 /* cut short at the end */
        "\xe2\x82",             /* cut short at the end */
        "\xf0\x9f\x98",         /* cut short at the end */
        "\xc3\x41",             /* not a continuation byte */
        "\xe2\x28\xac",         /* not a continuation byte */
        "\xc1\xbf",             /* overlong two bytes */
        "\xe0\x80\xaf",         /* overlong three bytes */
        "\xf0\x80\x80\xaf",     /* overlong four bytes */
        "\xf4\x90\x80\x80",     /* above U+10FFFF */
        "\xed\xbf\xbf",         /* the last surrogate */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        archase_customer c = customer();
        c.name = bad[i];
        int rc = archase_customer_put(f->eng, &c, NULL);
        if (rc != ARCHASE_EINVAL || !strstr(archase_engine_errmsg(f->eng), "name is not valid UTF-8"))
            fail_msg("sequence %zu: %s: %s", i, archase_error_name(rc), archase_engine_errmsg(f->eng));
    }
    static const char *const good[] = { "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
                                        "\xf0\x90\x80\x80", "\x7f" };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        archase_customer c = customer();
        char id[8];
        snprintf(id, sizeof id, "G%zu", i);
        c.id = id;
        c.name = good[i];
        int rc = archase_customer_put(f->eng, &c, NULL);
        if (rc)
            fail_msg("sequence %zu: %s: %s", i, archase_error_name(rc), archase_engine_errmsg(f->eng));
    }
    assert_int_equal(count(f->eng, ARCHASE_FAMILY_CUSTOMER), 1 + (int)(sizeof good / sizeof *good));
}

/* ---- contacts and flags ------------------------------------------------- */

static archase_contact contact(void) {
    archase_contact c = ARCHASE_CONTACT_INIT;
    c.id = "K1";
    c.customer_id = "C1";
    c.channel = ARCHASE_CHANNEL_EMAIL;
    c.address = "ap@acme.example";
    return c;
}

static void contact_fields_are_checked(void **state) {
    fixture *f = *state;
    const int fam = ARCHASE_FAMILY_CONTACT;
    archase_contact c;
    c = contact(), c.version = 0;
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EVERSION, "contact struct version 0", fam);
    c = contact(), c.id = NULL;
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "contact_id is required", fam);
    c = contact(), c.revision = -5;
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "revision must not be negative", fam);
    c = contact(), c.customer_id = "";
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "customer_id is required", fam);
    c = contact(), c.name = "\xff";
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "name is not valid UTF-8", fam);
    c = contact(), c.role = "\xff";
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "role is not valid UTF-8", fam);
    c = contact(), c.channel = ARCHASE_CHANNEL_NONE;
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "channel must be email, sms, letter, portal or call", fam);
    c = contact(), c.channel = 99;
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "channel must be", fam);
    c = contact(), c.address = NULL;
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "address is required", fam);
    c = contact(), c.consent = 2;
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "consent must be 0 or 1", fam);
    c = contact(), c.primary = -1;
    REFUSED(archase_contact_put(f->eng, &c, NULL), ARCHASE_EINVAL, "primary must be 0 or 1", fam);
    c = contact(), c.consent = 1, c.primary = 1, c.name = "Jo", c.role = "ap";
    assert_int_equal(archase_contact_put(f->eng, &c, NULL), 0);
    assert_int_equal(count(f->eng, fam), 1);
}

static archase_customer_flags flags(void) {
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "C1";
    return fl;
}

static void flag_fields_are_checked(void **state) {
    fixture *f = *state;
    const int fam = ARCHASE_FAMILY_FLAGS;
    archase_customer_flags fl;
    fl = flags(), fl.version = 3;
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EVERSION, "customer flags struct version 3", fam);
    fl = flags(), fl.customer_id = NULL;
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "customer_id is required", fam);
    fl = flags(), fl.revision = -1;
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "revision must not be negative", fam);
    fl = flags(), fl.hold = 7;
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "hold must be 0 or 1", fam);
    fl = flags(), fl.paused_until = ARCHASE_DATE_MAX + 1;
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "paused_until is not a valid date", fam);
    fl = flags(), fl.paused_until = ARCHASE_DATE_MIN - 1;
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "paused_until is not a valid date", fam);
    fl = flags(), fl.expansion = 2;
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "expansion must be 0 or 1", fam);
    fl = flags(), fl.strategic = 2;
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "strategic must be 0 or 1", fam);
    fl = flags(), fl.service_issue = 2;
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "service_issue must be 0 or 1", fam);
    fl = flags(), fl.reason = "\xff";
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "reason is not valid UTF-8", fam);
    fl = flags(), fl.set_by = "\xff";
    REFUSED(archase_customer_flags_put(f->eng, &fl, NULL), ARCHASE_EINVAL, "set_by is not valid UTF-8", fam);
    fl = flags(), fl.hold = 1, fl.paused_until = ARCHASE_DATE_MAX, fl.expansion = 1, fl.strategic = 1;
    fl.service_issue = 1, fl.reason = "talks", fl.set_by = "crm";
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
    assert_int_equal(count(f->eng, fam), 1);
}

/* ---- invoices and payments ---------------------------------------------- */

static archase_invoice invoice(void) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I9";
    inv.customer_id = "C1";
    inv.issue_date = 20454;
    inv.due_date = 20484;
    inv.amount = (archase_money){ 5000, "EUR" };
    return inv;
}

static void invoice_fields_are_checked(void **state) {
    fixture *f = *state;
    const int fam = ARCHASE_FAMILY_INVOICE;
    archase_invoice inv;
    inv = invoice(), inv.version = 2;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EVERSION, "invoice struct version 2", fam);
    inv = invoice(), inv.id = "";
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "invoice_id is required", fam);
    inv = invoice(), inv.revision = -1;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "revision must not be negative", fam);
    inv = invoice(), inv.customer_id = NULL;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "customer_id is required", fam);
    inv = invoice(), inv.number = "N\x1b";
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "number contains a control character", fam);
    inv = invoice(), inv.issue_date = ARCHASE_DATE_NONE;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "issue_date is required", fam);
    inv = invoice(), inv.issue_date = ARCHASE_DATE_MIN - 1;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "issue_date is not a valid date", fam);
    inv = invoice(), inv.due_date = ARCHASE_DATE_NONE;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "due_date is required", fam);
    inv = invoice(), inv.due_date = ARCHASE_DATE_MAX + 1;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "due_date is not a valid date", fam);
    inv = invoice(), inv.due_date = inv.issue_date - 1;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "due_date is before issue_date", fam);
    inv = invoice(), inv.amount = (archase_money){ 0, "" };
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "amount is required", fam);
    inv = invoice(), inv.amount.minor = 0;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "amount must be greater than zero", fam);
    inv = invoice(), inv.amount.minor = -10;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "amount must be greater than zero", fam);
    inv = invoice(), inv.terms = "\xff";
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "terms is not valid UTF-8", fam);
    inv = invoice(), inv.po_ref = "\xff";
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "po_ref is not valid UTF-8", fam);
    inv = invoice(), inv.source_link = "\xff";
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "source_link is not valid UTF-8", fam);
    inv = invoice(), inv.source_status = ARCHASE_INVOICE_SETTLED;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "status must be open or void", fam);
    inv = invoice(), inv.source_status = 0;
    REFUSED(archase_invoice_put(f->eng, &inv, NULL), ARCHASE_EINVAL, "status must be open or void", fam);
    /* Due on the day of issue, void from the start. */
    inv = invoice(), inv.due_date = inv.issue_date, inv.source_status = ARCHASE_INVOICE_VOID;
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    assert_int_equal(count(f->eng, fam), 3);
}

static archase_payment payment(void) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P1";
    p.customer_id = "C1";
    p.invoice_id = "I1";
    p.date = 20490;
    p.amount = (archase_money){ 1000, "EUR" };
    return p;
}

static void payment_fields_are_checked(void **state) {
    fixture *f = *state;
    const int fam = ARCHASE_FAMILY_PAYMENT;
    archase_payment p;
    p = payment(), p.version = 9;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EVERSION, "payment struct version 9", fam);
    p = payment(), p.id = NULL;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "payment_id is required", fam);
    p = payment(), p.revision = -1;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "revision must not be negative", fam);
    p = payment(), p.customer_id = NULL;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "customer_id is required", fam);
    p = payment(), p.invoice_id = "I\r1";
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "invoice_id contains a control character", fam);
    p = payment(), p.kind = 0;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "kind must be payment, credit_note, adjustment or write_off", fam);
    p = payment(), p.kind = 5;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "kind must be", fam);
    p = payment(), p.date = ARCHASE_DATE_NONE;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "date is required", fam);
    p = payment(), p.amount.minor = 0;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "amount must be greater than zero", fam);
    p = payment(), p.kind = ARCHASE_ADJUSTMENT, p.amount.minor = 0;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "amount must not be zero", fam);
    p = payment(), p.kind = ARCHASE_ADJUSTMENT, p.amount.minor = -100, p.invoice_id = NULL;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "a negative adjustment needs an invoice_id", fam);
    p = payment(), p.kind = ARCHASE_ADJUSTMENT, p.amount.minor = -100, p.invoice_id = "";
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "a negative adjustment needs an invoice_id", fam);
    p = payment(), p.reference = "\xff";
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "reference is not valid UTF-8", fam);
    p = payment(), p.source_link = "\xff";
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "source_link is not valid UTF-8", fam);
    p = payment(), p.overpayment = 3;
    REFUSED(archase_payment_put(f->eng, &p, NULL), ARCHASE_EINVAL, "overpayment must be 0 or 1", fam);
    /* A negative adjustment on an invoice and a positive one without. */
    p = payment(), p.id = "A1", p.kind = ARCHASE_ADJUSTMENT, p.amount.minor = -100;
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    p = payment(), p.id = "A2", p.kind = ARCHASE_ADJUSTMENT, p.amount.minor = 100;
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    assert_int_equal(count(f->eng, fam), 2);
}

/* ---- promises ----------------------------------------------------------- */

static const char *const one_invoice[] = { "I1" };

static archase_promise promise(void) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = "PR1";
    p.customer_id = "C1";
    p.invoice_ids = one_invoice;
    p.invoice_count = 1;
    p.amount = (archase_money){ 1000, "EUR" };
    p.promised_date = 20500;
    return p;
}

static void promise_fields_are_checked(void **state) {
    fixture *f = *state;
    const int fam = ARCHASE_FAMILY_PROMISE;
    static const char *const twice[] = { "I1", "I2", "I1" };
    static const char *const empty[] = { "I1", "" };
    archase_instalment plan[3] = { { 20500, { 400, "EUR" } }, { 20510, { 600, "EUR" } }, { 20520, { 1, "EUR" } } };
    archase_promise p;
    p = promise(), p.version = 2;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EVERSION, "promise struct version 2", fam);
    p = promise(), p.id = NULL;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "promise_id is required", fam);
    p = promise(), p.revision = -1;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "revision must not be negative", fam);
    p = promise(), p.customer_id = NULL;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "customer_id is required", fam);
    p = promise(), p.invoice_count = 0;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "invoice_ids: at least one is required", fam);
    p = promise(), p.invoice_ids = NULL;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "invoice_ids: at least one is required", fam);
    p = promise(), p.invoice_count = 1001;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "invoice_ids: more than 1000", fam);
    p = promise(), p.invoice_ids = empty, p.invoice_count = 2;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "invoice_ids is required", fam);
    p = promise(), p.invoice_ids = twice, p.invoice_count = 3;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "invoice_ids: 'I1' is listed twice", fam);
    p = promise(), p.amount = (archase_money){ 0, "" };
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "amount is required", fam);
    p = promise(), p.promised_date = ARCHASE_DATE_NONE;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "promised_date is required", fam);
    p = promise(), p.instalments = plan, p.instalment_count = 1001;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "instalments: bad list", fam);
    p = promise(), p.instalments = NULL, p.instalment_count = 2;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "instalments: bad list", fam);
    plan[1].date = ARCHASE_DATE_NONE;
    p = promise(), p.instalments = plan, p.instalment_count = 2;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "instalment date is required", fam);
    plan[1].date = 20510;
    plan[1].amount.minor = 0;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "instalment amount must be greater than zero", fam);
    plan[1].amount = (archase_money){ 600, "USD" };
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_ECURRENCY, "instalment 2 is in USD, the promise in EUR", fam);
    plan[1].amount = (archase_money){ 600, "EUR" };
    plan[1].date = 20500;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "instalment dates must be in ascending order", fam);
    plan[1].date = 20510;
    p.instalment_count = 3;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "instalments do not add up to the promised amount", fam);
    p = promise(), p.taken_by = "\xff";
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "taken_by is not valid UTF-8", fam);
    p = promise(), p.channel = 42;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "channel is not a known channel", fam);
    p = promise(), p.note = "\xff";
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "note is not valid UTF-8", fam);
    p = promise(), p.grace_days = 366;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "grace_days must be 0..365 or the policy default", fam);
    p = promise(), p.grace_days = -2;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "grace_days must be 0..365", fam);
    p = promise(), p.recorded_on = ARCHASE_DATE_MAX + 1;
    REFUSED(archase_promise_put(f->eng, &p, NULL), ARCHASE_EINVAL, "recorded_on is not a valid date", fam);
    /* A plan that adds up, on a known channel, with the longest grace. */
    p = promise(), p.instalments = plan, p.instalment_count = 2, p.channel = ARCHASE_CHANNEL_CALL;
    p.grace_days = 365, p.recorded_on = 20490, p.taken_by = "anna", p.note = "ok";
    int rc = archase_promise_put(f->eng, &p, NULL);
    if (rc)
        fail_msg("%s", archase_engine_errmsg(f->eng));
    p = promise(), p.id = "PR2", p.grace_days = 0;
    assert_int_equal(archase_promise_put(f->eng, &p, NULL), 0);
    assert_int_equal(count(f->eng, fam), 2);
}

/* ---- disputes ----------------------------------------------------------- */

static archase_dispute dispute(void) {
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "D1";
    d.customer_id = "C1";
    d.invoice_ids = one_invoice;
    d.invoice_count = 1;
    d.amount = (archase_money){ 2000, "EUR" };
    d.reason_code = "pricing";
    d.opened_on = 20490;
    return d;
}

static archase_dispute resolved(int resolution) {
    archase_dispute d = dispute();
    d.status = ARCHASE_DISPUTE_RESOLVED;
    d.resolution = resolution;
    d.root_cause = "price_list";
    d.resolved_on = 20495;
    if (resolution != ARCHASE_RESOLUTION_REJECTED)
        d.credited = (archase_money){ 500, "EUR" };
    return d;
}

static void dispute_fields_are_checked(void **state) {
    fixture *f = *state;
    const int fam = ARCHASE_FAMILY_DISPUTE;
    char *long_code = long_text(65, 'a');
    archase_dispute d;
    d = dispute(), d.version = 0;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EVERSION, "dispute struct version 0", fam);
    d = dispute(), d.id = "";
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "dispute_id is required", fam);
    d = dispute(), d.revision = -1;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "revision must not be negative", fam);
    d = dispute(), d.customer_id = "";
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "customer_id is required", fam);
    d = dispute(), d.invoice_count = 0;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "invoice_ids: at least one is required", fam);
    d = dispute(), d.amount.minor = -1;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "amount must be greater than zero", fam);
    d = dispute(), d.reason_code = NULL;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "reason_code is required", fam);
    d = dispute(), d.reason_code = long_code;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "reason_code is longer than 64 bytes", fam);
    d = dispute(), d.reason_code = "Pricing";
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "reason_code 'Pricing' may hold only a-z, 0-9 and '_'", fam);
    d = dispute(), d.reason_code = "pricing~";
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "reason_code 'pricing~' may hold only", fam);
    d = dispute(), d.reason_code = "short-ship";
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "may hold only a-z, 0-9 and '_'", fam);
    d = dispute(), d.evidence = "\xff";
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "evidence is not valid UTF-8", fam);
    d = dispute(), d.opened_by = "\xff";
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "opened_by is not valid UTF-8", fam);
    d = dispute(), d.opened_on = ARCHASE_DATE_NONE;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "opened_on is required", fam);
    d = dispute(), d.owner = "\xff";
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "owner is not valid UTF-8", fam);
    d = dispute(), d.status = 0;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "status must be open, in_review or resolved", fam);
    d = resolved(ARCHASE_RESOLUTION_NONE);
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "a resolved dispute needs a resolution", fam);
    d = resolved(ARCHASE_RESOLUTION_REJECTED), d.root_cause = NULL;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "root_cause is required", fam);
    d = resolved(ARCHASE_RESOLUTION_REJECTED), d.resolved_on = ARCHASE_DATE_NONE;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "resolved_on is required", fam);
    d = resolved(ARCHASE_RESOLUTION_REJECTED), d.resolved_on = d.opened_on - 1;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "resolved_on is before opened_on", fam);
    d = dispute(), d.resolution = ARCHASE_RESOLUTION_REJECTED;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "only a resolved dispute has a resolution", fam);
    d = dispute(), d.root_cause = "Price";
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "root_cause 'Price' may hold only", fam);
    d = dispute(), d.status = ARCHASE_DISPUTE_IN_REVIEW, d.resolved_on = 20495;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "only a resolved dispute has resolved_on", fam);
    d = resolved(ARCHASE_RESOLUTION_CREDIT_ISSUED), d.credited = (archase_money){ 0, "" };
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "credited_amount is required", fam);
    d = resolved(ARCHASE_RESOLUTION_PARTIAL), d.credited = (archase_money){ 500, "USD" };
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_ECURRENCY, "credited_amount is in USD, the dispute in EUR", fam);
    d = resolved(ARCHASE_RESOLUTION_PARTIAL), d.credited.minor = 2001;
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "credited_amount is more than the disputed amount", fam);
    d = resolved(ARCHASE_RESOLUTION_REJECTED), d.credited = (archase_money){ 500, "EUR" };
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "only a dispute resolved with a credit has credited_amount", fam);
    d = dispute(), d.credited = (archase_money){ 500, "EUR" };
    REFUSED(archase_dispute_put(f->eng, &d, NULL), ARCHASE_EINVAL, "only a dispute resolved with a credit has credited_amount", fam);

    /* Each resolution that is whole, and an open dispute with a root cause
     * noted early; a credit of the whole disputed amount, resolved the day it
     * was opened. */
    d = resolved(ARCHASE_RESOLUTION_REJECTED), d.id = "D2";
    assert_int_equal(archase_dispute_put(f->eng, &d, NULL), 0);
    d = resolved(ARCHASE_RESOLUTION_CREDIT_ISSUED), d.id = "D3", d.credited.minor = 2000, d.resolved_on = d.opened_on;
    int rc = archase_dispute_put(f->eng, &d, NULL);
    if (rc)
        fail_msg("%s", archase_engine_errmsg(f->eng));
    d = dispute(), d.id = "D4", d.root_cause = "price_list_2026", d.evidence = "mail", d.opened_by = "jo", d.owner = "kim";
    assert_int_equal(archase_dispute_put(f->eng, &d, NULL), 0);
    assert_int_equal(count(f->eng, fam), 3);
    free(long_code);
}

/* ---- notes -------------------------------------------------------------- */

static archase_note note(void) {
    archase_note n = ARCHASE_NOTE_INIT;
    n.id = "N1";
    n.customer_id = "C1";
    n.text = "called, no answer";
    return n;
}

static void note_fields_are_checked(void **state) {
    fixture *f = *state;
    const int fam = ARCHASE_FAMILY_NOTE;
    archase_note n;
    n = note(), n.version = 2;
    REFUSED(archase_note_put(f->eng, &n, NULL), ARCHASE_EVERSION, "note struct version 2", fam);
    n = note(), n.id = NULL;
    REFUSED(archase_note_put(f->eng, &n, NULL), ARCHASE_EINVAL, "note_id is required", fam);
    n = note(), n.revision = -1;
    REFUSED(archase_note_put(f->eng, &n, NULL), ARCHASE_EINVAL, "revision must not be negative", fam);
    n = note(), n.customer_id = NULL;
    REFUSED(archase_note_put(f->eng, &n, NULL), ARCHASE_EINVAL, "customer_id is required", fam);
    n = note(), n.invoice_id = "\xff";
    REFUSED(archase_note_put(f->eng, &n, NULL), ARCHASE_EINVAL, "invoice_id is not valid UTF-8", fam);
    n = note(), n.author = "\xff";
    REFUSED(archase_note_put(f->eng, &n, NULL), ARCHASE_EINVAL, "author is not valid UTF-8", fam);
    n = note(), n.text = "";
    REFUSED(archase_note_put(f->eng, &n, NULL), ARCHASE_EINVAL, "text is required", fam);
    n = note(), n.text = "\xe2\x82";
    REFUSED(archase_note_put(f->eng, &n, NULL), ARCHASE_EINVAL, "text is not valid UTF-8", fam);
    n = note(), n.invoice_id = "I1", n.author = "jo";
    assert_int_equal(archase_note_put(f->eng, &n, NULL), 0);
    assert_int_equal(count(f->eng, fam), 1);
}

/* A batch reports the same reasons, one diagnostic per refused fact, and
 * writes nothing. */
static void a_batch_reports_each_refused_fact(void **state) {
    fixture *f = *state;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, diags, "feed.csv", &b), 0);
    archase_customer c = customer();
    c.credit_limit = (archase_money){ -5, "EUR" };
    assert_int_equal(archase_batch_add_customer(b, &c, 3), ARCHASE_EINVAL);
    archase_invoice inv = invoice();
    inv.amount.currency[0] = 'Q';
    assert_int_equal(archase_batch_add_invoice(b, &inv, 4), ARCHASE_ECURRENCY);
    archase_note n = note();
    assert_int_equal(archase_batch_add_note(b, &n, 5), 0);
    archase_batch_summary s = ARCHASE_BATCH_SUMMARY_INIT;
    assert_int_equal(archase_batch_commit(b, &s), ARCHASE_EINVAL);
    archase_batch_free(b);
    assert_int_equal(s.rejected, 2);
    assert_int_equal(archase_diag_list_count(diags), 2);
    char line[512];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    if (!strstr(line, "feed.csv:3") || !strstr(line, "credit_limit must not be negative"))
        fail_msg("%s", line);
    archase_diag_format(archase_diag_list_get(diags, 1), line, sizeof line);
    if (!strstr(line, "feed.csv:4") || !strstr(line, "amount: unknown currency 'QUR'"))
        fail_msg("%s", line);
    archase_diag_list_free(diags);
    assert_int_equal(count(f->eng, ARCHASE_FAMILY_CUSTOMER), 1);
    assert_int_equal(count(f->eng, ARCHASE_FAMILY_NOTE), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
static const struct CMUnitTest tests[] = {
    T(customer_fields_are_checked),
    T(utf8_is_checked_byte_by_byte),
    T(contact_fields_are_checked),
    T(flag_fields_are_checked),
    T(invoice_fields_are_checked),
    T(payment_fields_are_checked),
    T(promise_fields_are_checked),
    T(dispute_fields_are_checked),
    T(note_fields_are_checked),
    T(a_batch_reports_each_refused_fact),
};

AR_TEST_MAIN(tests)
