/* cli/cmd_money.c — `archase money`: parse, format and compute amounts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

/* The most parts `split` prints. */
#define MONEY_SPLIT_MAX 1000000

const char cmd_money_help[] =
    "usage: archase money ACTION ARGS... [--json]\n"
    "\n"
    "Amounts as libarchase keeps them: integer minor units of an ISO 4217\n"
    "currency, written AMOUNT CODE with one space and at most the currency's\n"
    "decimals (\"1234.56 EUR\", \"100 JPY\", \"-0.5 KWD\"). No floating point.\n"
    "\n"
    "actions:\n"
    "  parse TEXT            the minor units and currency of TEXT\n"
    "  format MINOR CODE     MINOR minor units of CODE as text\n"
    "  add A B               A + B (same currency)\n"
    "  sub A B               A - B (same currency)\n"
    "  split AMOUNT N        N parts that sum to AMOUNT and differ by at most one\n"
    "                        minor unit, the extra units first (N <= 1000000)\n"
    "  rate AMOUNT NUMERATOR DENOMINATOR\n"
    "                        AMOUNT * NUMERATOR / DENOMINATOR rounded half to even;\n"
    "                        8.25% interest for 30 days of 365: 24750 3650000\n"
    "  currency CODE         the ISO 4217 entry of CODE (numeric code, decimals, name)\n"
    "\n"
    "  --json   print JSON: an amount is {\"minor\": N, \"currency\": \"EUR\",\n"
    "           \"text\": \"12.34 EUR\"}; split prints {\"parts\": [...]}; currency\n"
    "           prints {\"code\", \"numeric\", \"minor_units\" (null: none), \"name\"}\n"
    "\n"
    "exit status: 0 ok, 1 an amount, code or number is invalid or overflows,\n"
    "2 the command line is wrong.\n";

/* Why the library rejected `text` (archase_money_parse returned rc), in the
 * words a user needs: "EUR has 2 decimals". */
static void explain_rejection(const char *text, int rc, char *why, size_t size) {
    size_t len = strlen(text);
    const char *code = len >= 3 ? text + len - 3 : text;
    archase_currency c;
    if (rc == ARCHASE_EOVERFLOW) {
        snprintf(why, size, "out of range (int64 minor units of %s)", code);
    } else if (len == 0) {
        snprintf(why, size, "empty amount");
    } else if (len < 5 || text[len - 4] != ' ') {
        snprintf(why, size, "expected AMOUNT CODE with one space, e.g. \"12.50 EUR\"");
    } else if (rc == ARCHASE_ECURRENCY && archase_currency_lookup(code, &c) == 0) {
        snprintf(why, size, "%s has no minor unit and is not money", c.code);
    } else if (rc == ARCHASE_ECURRENCY) {
        char upper[4];
        for (int i = 0; i < 3; i++)
            upper[i] = (char)(code[i] >= 'a' && code[i] <= 'z' ? code[i] - 'a' + 'A' : code[i]);
        upper[3] = '\0';
        if (strcmp(upper, code) != 0 && archase_currency_lookup(upper, &c) == 0)
            snprintf(why, size, "unknown currency \"%s\" (codes are upper case: %s)", code, upper);
        else
            snprintf(why, size, "unknown currency \"%s\"", code);
    } else {
        /* Well formed but for the decimals, or not an amount at all. */
        const char *dot = memchr(text, '.', len - 4);
        size_t decimals = dot ? (size_t)(text + len - 4 - dot - 1) : 0;
        archase_money probe;
        char digits[64];
        int is_amount = 0;
        if (dot && decimals > 0 && (size_t)(dot - text) < sizeof digits) {
            /* The amount with its decimals cut to none parses: only the decimals are wrong. */
            memcpy(digits, text, (size_t)(dot - text));
            digits[dot - text] = '\0';
            is_amount = archase_money_parse_amount(digits, code, &probe) == 0;
            for (size_t i = 1; i <= decimals; i++)
                is_amount = is_amount && dot[i] >= '0' && dot[i] <= '9';
        }
        if (is_amount && archase_currency_lookup(code, &c) == 0)
            snprintf(why, size, "%s has %d decimals", c.code, c.minor_units);
        else
            snprintf(why, size, "not an amount (expected [-]DIGITS[.DIGITS] CODE)");
    }
}

/* Parses a money argument; on failure prints why and returns CLI_INVALID. */
static int parse_money_arg(const char *text, archase_money *out) {
    int rc = archase_money_parse(text, out);
    if (rc) {
        char why[160];
        explain_rejection(text, rc, why, sizeof why);
        return cli_fail("money", CLI_INVALID, "\"%s\": %s", text, why);
    }
    return CLI_OK;
}

/* Parses a decimal int64 argument ("-42"): no spaces, no '+', no exponent. */
static int parse_int_arg(const char *name, const char *text, int64_t *out) {
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (digits[0] < '0' || digits[0] > '9' || strspn(digits, "0123456789") != strlen(digits))
        return cli_fail("money", CLI_INVALID, "%s \"%s\": not an integer", name, text);
    errno = 0;
    long long v = strtoll(text, NULL, 10);
    if (errno == ERANGE)
        return cli_fail("money", CLI_INVALID, "%s \"%s\": out of range (int64)", name, text);
    *out = (int64_t)v;
    return CLI_OK;
}

static void json_money(cli_json *j, const archase_money *m, const char *text) {
    cli_json_begin_object(j);
    cli_json_key(j, "minor");
    cli_json_int(j, m->minor);
    cli_json_key(j, "currency");
    cli_json_string(j, m->currency);
    cli_json_key(j, "text");
    cli_json_string(j, text);
    cli_json_end_object(j);
}

/* Prints one amount: its text, or with --json the JSON object. */
static int print_money(const archase_money *m, int json) {
    char text[ARCHASE_MONEY_FORMAT_MAX];
    int rc = archase_money_format(m, text, sizeof text);
    if (rc)
        return cli_fail_rc("money", rc, "format", m->currency);
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 0);
        json_money(&j, m, text);
        cli_json_finish(&j);
    } else {
        printf("%s\n", text);
    }
    return CLI_OK;
}

static int money_parse(const char *text, int json) {
    archase_money m;
    int rc = parse_money_arg(text, &m);
    if (rc)
        return rc;
    if (json)
        return print_money(&m, 1);
    printf("%lld %s\n", (long long)m.minor, m.currency);
    return CLI_OK;
}

static int money_format(const char *minor_text, const char *code, int json) {
    archase_money m;
    archase_currency c;
    int rc = parse_int_arg("MINOR", minor_text, &m.minor);
    if (rc)
        return rc;
    if (archase_currency_lookup(code, &c) != 0)
        return cli_fail("money", CLI_INVALID, "unknown currency \"%s\"", code);
    if (c.minor_units < 0)
        return cli_fail("money", CLI_INVALID, "%s has no minor unit and is not money", c.code);
    memcpy(m.currency, c.code, sizeof m.currency);
    return print_money(&m, json);
}

static int money_add_sub(const char *a_text, const char *b_text, int subtract, int json) {
    archase_money a, b, result;
    int rc = parse_money_arg(a_text, &a);
    if (!rc)
        rc = parse_money_arg(b_text, &b);
    if (rc)
        return rc;
    rc = subtract ? archase_money_sub(&a, &b, &result) : archase_money_add(&a, &b, &result);
    if (rc == ARCHASE_ECURRENCY)
        return cli_fail("money", CLI_INVALID, "\"%s\" %c \"%s\": currencies differ (%s, %s)",
                        a_text, subtract ? '-' : '+', b_text, a.currency, b.currency);
    if (rc == ARCHASE_EOVERFLOW)
        return cli_fail("money", CLI_INVALID,
                        "\"%s\" %c \"%s\": the result is out of range (int64 minor units)",
                        a_text, subtract ? '-' : '+', b_text);
    if (rc)
        return cli_fail_rc("money", rc, subtract ? "sub" : "add", NULL);
    return print_money(&result, json);
}

static int money_split(const char *total_text, const char *n_text, int json) {
    archase_money total;
    int64_t n;
    cli_json j;
    cli_json_init(&j, stdout, 0);
    int rc = parse_money_arg(total_text, &total);
    if (!rc)
        rc = parse_int_arg("N", n_text, &n);
    if (rc)
        return rc;
    if (n < 1 || n > MONEY_SPLIT_MAX)
        return cli_fail("money", CLI_INVALID, "N \"%s\": must be between 1 and %d", n_text,
                        MONEY_SPLIT_MAX);
    archase_money *parts = calloc((size_t)n, sizeof *parts);
    if (!parts)
        return cli_fail_rc("money", ARCHASE_ENOMEM, "split", NULL);
    rc = archase_money_split(&total, (uint32_t)n, parts);
    if (rc) {
        rc = cli_fail_rc("money", rc, "split", NULL);
        goto done;
    }
    if (json) {
        cli_json_begin_object(&j);
        cli_json_key(&j, "parts");
        cli_json_begin_array(&j);
    }
    for (int64_t i = 0; i < n; i++) {
        char text[ARCHASE_MONEY_FORMAT_MAX];
        rc = archase_money_format(&parts[i], text, sizeof text);
        if (rc) {
            rc = cli_fail_rc("money", rc, "format", NULL);
            goto done;
        }
        if (json)
            json_money(&j, &parts[i], text);
        else
            printf("%s\n", text);
    }
    if (json) {
        cli_json_end_array(&j);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    }
    rc = CLI_OK;
done:
    free(parts);
    return rc;
}

static int money_rate(const char *amount_text, const char *num_text, const char *den_text,
                      int json) {
    archase_money amount, result;
    int64_t numerator, denominator;
    int rc = parse_money_arg(amount_text, &amount);
    if (!rc)
        rc = parse_int_arg("NUMERATOR", num_text, &numerator);
    if (!rc)
        rc = parse_int_arg("DENOMINATOR", den_text, &denominator);
    if (rc)
        return rc;
    if (denominator <= 0)
        return cli_fail("money", CLI_INVALID, "DENOMINATOR \"%s\": must be positive", den_text);
    rc = archase_money_apply_rate(&amount, numerator, denominator, &result);
    if (rc == ARCHASE_EOVERFLOW)
        return cli_fail("money", CLI_INVALID,
                        "\"%s\" * %s / %s: the result is out of range (int64 minor units)",
                        amount_text, num_text, den_text);
    if (rc)
        return cli_fail_rc("money", rc, "rate", NULL);
    return print_money(&result, json);
}

static int money_currency(const char *code, int json) {
    archase_currency c;
    if (archase_currency_lookup(code, &c) != 0)
        return cli_fail("money", CLI_INVALID, "unknown currency \"%s\"", code);
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 0);
        cli_json_begin_object(&j);
        cli_json_key(&j, "code");
        cli_json_string(&j, c.code);
        cli_json_key(&j, "numeric");
        cli_json_int(&j, c.numeric);
        cli_json_key(&j, "minor_units");
        if (c.minor_units < 0)
            cli_json_null(&j);
        else
            cli_json_int(&j, c.minor_units);
        cli_json_key(&j, "name");
        cli_json_string(&j, c.name);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else {
        printf("code: %s\nnumeric: %03u\n", c.code, (unsigned)c.numeric);
        if (c.minor_units < 0)
            printf("minor units: none (not money)\n");
        else
            printf("minor units: %d\n", c.minor_units);
        printf("name: %s\n", c.name);
    }
    return CLI_OK;
}

/* One action: its name and how many arguments it takes. */
static const struct {
    const char *name;
    int         nargs;
    const char *usage;
} money_actions[] = {
    { "parse", 1, "parse TEXT" },
    { "format", 2, "format MINOR CODE" },
    { "add", 2, "add A B" },
    { "sub", 2, "sub A B" },
    { "split", 2, "split AMOUNT N" },
    { "rate", 3, "rate AMOUNT NUMERATOR DENOMINATOR" },
    { "currency", 1, "currency CODE" },
};

int cmd_money(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[4] = { NULL, NULL, NULL, NULL };
    const cli_option options[] = {
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("money", cmd_money_help, argc, argv, 1, options, pos, 4, &npos, &help);
    if (rc || help)
        return rc;
    if (npos == 0)
        return cli_fail("money", CLI_USAGE, "missing ACTION (see `archase money --help`)");
    size_t a = 0, count = sizeof money_actions / sizeof money_actions[0];
    while (a < count && strcmp(money_actions[a].name, pos[0]) != 0)
        a++;
    if (a == count)
        return cli_fail("money", CLI_USAGE, "unknown action '%s' (see `archase money --help`)",
                        pos[0]);
    if (npos - 1 != money_actions[a].nargs)
        return cli_fail("money", CLI_USAGE, "%s takes %d argument%s: archase money %s [--json]",
                        money_actions[a].name, money_actions[a].nargs,
                        money_actions[a].nargs == 1 ? "" : "s", money_actions[a].usage);
    switch (a) {
    case 0:
        return money_parse(pos[1], json);
    case 1:
        return money_format(pos[1], pos[2], json);
    case 2:
        return money_add_sub(pos[1], pos[2], 0, json);
    case 3:
        return money_add_sub(pos[1], pos[2], 1, json);
    case 4:
        return money_split(pos[1], pos[2], json);
    case 5:
        return money_rate(pos[1], pos[2], pos[3], json);
    default:
        return money_currency(pos[1], json);
    }
}
