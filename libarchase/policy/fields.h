/* libarchase/policy/fields.h — the one catalogue of facts a condition can read.
 *
 * Each row: identifier, name written in policies, type, group, description.
 * The condition compiler, the risk score, the reference documentation test
 * and the engine all use this table; a field exists because it is here.
 *
 * Types (AR_T_*):
 *   INT     a whole number
 *   DAYS    a number of calendar days (negative allowed where it makes sense)
 *   MONEY   minor units and a currency; compared only with a money literal or
 *           field (see policy/cond.h for different currencies)
 *   BOOL    true or false
 *   SYMBOL  a name (tier, country, ...), compared with names
 *   DATE    a civil date, compared with YYYY-MM-DD literals
 *
 * The engine fills an ar_cond_env (policy/cond.h) with the fields a policy
 * uses (ar_policy.fields_used); the descriptions say how each is computed. */
#ifndef AR_POLICY_FIELDS_H
#define AR_POLICY_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#define AR_FIELD_MAP(X)                                                                            \
    /* invoice */                                                                                  \
    X(DAYS_OVERDUE, "days_overdue", DAYS, "invoice",                                               \
      "as-of date minus due date in calendar days; 0 or less while not yet due")                   \
    X(DAYS_TO_DUE, "days_to_due", DAYS, "invoice",                                                 \
      "due date minus as-of date in calendar days; 0 or less once due")                            \
    X(AMOUNT, "amount", MONEY, "invoice", "the invoice's original amount")                         \
    X(OPEN_AMOUNT, "open_amount", MONEY, "invoice",                                                \
      "amount minus payments, credits and adjustments applied")                                    \
    X(PAID_AMOUNT, "paid_amount", MONEY, "invoice", "amount minus open amount")                    \
    X(CURRENCY, "currency", SYMBOL, "invoice", "the invoice's ISO 4217 currency code")             \
    X(AGING_BAND, "aging_band", SYMBOL, "invoice",                                                 \
      "current, 1_30, 31_60, 61_90 or 91_plus by days overdue")                                    \
    X(INVOICE_AGE_DAYS, "invoice_age_days", DAYS, "invoice", "as-of date minus issue date")        \
    X(DUE_DATE, "due_date", DATE, "invoice", "the invoice's due date")                             \
    X(ISSUE_DATE, "issue_date", DATE, "invoice", "the invoice's issue date")                       \
    X(PARTIALLY_PAID, "partially_paid", BOOL, "invoice",                                           \
      "something was applied and something is still open")                                         \
    X(DISPUTED, "disputed", BOOL, "invoice", "the invoice has an open dispute")                    \
    X(DISPUTED_AMOUNT, "disputed_amount", MONEY, "invoice",                                        \
      "the amount under open disputes (0 when none)")                                              \
    X(UNDISPUTED_OPEN_AMOUNT, "undisputed_open_amount", MONEY, "invoice",                          \
      "open amount minus disputed amount, at least 0")                                             \
    X(DISPUTE_REASON, "dispute_reason", SYMBOL, "invoice",                                         \
      "reason code of the oldest open dispute (pricing, short_ship, damaged_goods, missing_po, "   \
      "milestone_not_accepted, duplicate_billing, tax, other); none when not disputed")            \
    X(DISPUTE_AGE_DAYS, "dispute_age_days", DAYS, "invoice",                                       \
      "days since the oldest open dispute was raised; 0 when none")                                \
    X(HAS_OPEN_PROMISE, "has_open_promise", BOOL, "invoice",                                       \
      "an open promise to pay covers the invoice")                                                 \
    X(PROMISED_AMOUNT, "promised_amount", MONEY, "invoice",                                        \
      "amount of the open promise covering the invoice; 0 when none")                              \
    X(DAYS_TO_PROMISE, "days_to_promise", DAYS, "invoice",                                         \
      "promised date plus grace minus as-of date; 0 when no open promise")                         \
    X(STEP_INDEX, "step_index", INT, "invoice",                                                    \
      "the current cadence step (0-based); -1 before the first step")                             \
    /* customer */                                                                                 \
    X(TIER, "tier", SYMBOL, "customer", "the customer's tier (gold, ...) as the ledger gives it")  \
    X(CUSTOMER_OPEN_AMOUNT, "customer_open_amount", MONEY, "customer",                             \
      "the customer's open amount in the invoice's currency")                                      \
    X(CUSTOMER_OVERDUE_AMOUNT, "customer_overdue_amount", MONEY, "customer",                       \
      "the customer's overdue open amount in the invoice's currency")                              \
    X(OPEN_INVOICES, "open_invoices", INT, "customer", "the customer's open invoices")             \
    X(OVERDUE_INVOICES, "overdue_invoices", INT, "customer", "the customer's overdue invoices")    \
    X(CREDIT_LIMIT, "credit_limit", MONEY, "customer",                                             \
      "the customer's credit limit (0 in the invoice's currency when none is recorded)")           \
    X(CREDIT_UTILISATION_PERCENT, "credit_utilisation_percent", INT, "customer",                   \
      "open amount in the limit's currency x 100 / credit limit, rounded down; 0 without a limit") \
    X(ON_HOLD, "on_hold", BOOL, "customer", "collections are on hold for the customer")            \
    X(PAUSED, "paused", BOOL, "customer", "collections are paused up to a date not yet passed")    \
    X(EXPANSION, "expansion", BOOL, "customer", "the customer is in expansion talks")              \
    X(STRATEGIC, "strategic", BOOL, "customer", "a strategic account")                             \
    X(SERVICE_ISSUE, "service_issue", BOOL, "customer", "the customer has an open service issue")  \
    X(HAS_OWNER, "has_owner", BOOL, "customer", "an account owner is recorded")                    \
    X(COUNTRY, "country", SYMBOL, "customer", "ISO 3166-1 alpha-2 country code (DE, NO, ...)")     \
    /* history and payment pattern */                                                              \
    X(DISPUTES_12M, "disputes_12m", INT, "history", "disputes raised in the last 12 months")      \
    X(OPEN_DISPUTES, "open_disputes", INT, "history", "the customer's open disputes")              \
    X(BROKEN_PROMISES_90D, "broken_promises_90d", INT, "history",                                  \
      "promises broken in the last 90 days")                                                       \
    X(PROMISES_KEPT_PERCENT, "promises_kept_percent", INT, "history",                              \
      "kept promises x 100 / promises due in the last 12 months, rounded down; 100 when none")     \
    X(PAID_INVOICES, "paid_invoices", INT, "history",                                              \
      "settled invoices in the payment history (the pattern's sample size)")                       \
    X(MEDIAN_DAYS_LATE, "median_days_late", DAYS, "history",                                       \
      "median of settled minus due date over the pattern's invoices (negative = early)")           \
    X(P80_DAYS_LATE, "p80_days_late", DAYS, "history",                                             \
      "80th percentile of settled minus due date over the pattern's invoices")                     \
    X(DAYS_LATE_TREND, "days_late_trend", DAYS, "history",                                         \
      "median days late of the newer half of the pattern minus the older half; positive = "        \
      "paying later")                                                                              \
    X(PARTIAL_PAYMENTS_90D, "partial_payments_90d", INT, "history",                                \
      "payments in the last 90 days that left an invoice partly open")                             \
    X(TOUCHES_7D, "touches_7d", INT, "history",                                                    \
      "customer-facing messages sent to the customer in the last 7 days")                          \
    X(DAYS_SINCE_LAST_TOUCH, "days_since_last_touch", DAYS, "history",                             \
      "days since the last customer-facing message; 9999 when never")                              \
    /* score and segment */                                                                        \
    X(RISK_SCORE, "risk_score", INT, "score", "the policy's risk score, 0 to 1000")               \
    X(SEGMENT, "segment", SYMBOL, "score",                                                         \
      "the segment the invoice fell into (not available in segment and risk score conditions)")    \
    /* calendar */                                                                                 \
    X(WEEKDAY, "weekday", INT, "calendar", "ISO weekday of the as-of date: 1 Monday .. 7 Sunday") \
    X(IS_BUSINESS_DAY, "is_business_day", BOOL, "calendar",                                        \
      "the as-of date is a business day in the policy's calendar")                                 \
    X(DAY_OF_MONTH, "day_of_month", INT, "calendar", "day of month of the as-of date, 1..31")

typedef enum ar_field {
#define AR_FIELD_ENUM_(id, name, type, group, description) AR_FIELD_##id,
    AR_FIELD_MAP(AR_FIELD_ENUM_)
#undef AR_FIELD_ENUM_
    AR_FIELD_COUNT
} ar_field;

#define AR_FIELD_NONE (-1)

typedef enum ar_type {
    AR_T_INT = 1,
    AR_T_DAYS = 2,
    AR_T_MONEY = 3,
    AR_T_BOOL = 4,
    AR_T_SYMBOL = 5,
    AR_T_DATE = 6,
} ar_type;

/* A set of fields: bit (f % 64) of word (f / 64). */
#define AR_FIELD_WORDS ((AR_FIELD_COUNT + 63) / 64)
typedef struct ar_field_set {
    uint64_t bits[AR_FIELD_WORDS];
} ar_field_set;

#define ar_field_set_add(set, f)  ((set)->bits[(f) / 64] |= (uint64_t)1 << ((f) % 64))
#define ar_field_set_has(set, f)  (((set)->bits[(f) / 64] >> ((f) % 64)) & 1u)

typedef struct ar_field_info {
    const char *name;
    ar_type     type;
    const char *group;       /* invoice, customer, history, score, calendar */
    const char *description;
} ar_field_info;

/* The catalogue, indexed by ar_field. */
extern const ar_field_info ar_fields[AR_FIELD_COUNT];

/* The field written `name` (`len` bytes), or AR_FIELD_NONE. */
int ar_field_lookup(const char *name, size_t len);

/* "int", "days", "money", "bool", "symbol", "date". */
const char *ar_type_name(ar_type type);

#endif
