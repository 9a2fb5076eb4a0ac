/* libarchase/policy/locale.c — amounts and dates written for a reader. */
#include "policy/locale.h"

#include <string.h>

#include "core/money.h"

typedef struct locale_fmt {
    const char *tag;
    const char *decimal;
    const char *group;
    int         sign_after;   /* 1: "1.234,56 €"; 0: "€1,234.56" */
    const char *sign_space;   /* between amount and sign */
    int         date_style;   /* DATE_* */
    const char *months[12];
} locale_fmt;

enum { DATE_DMY = 1, DATE_MDY, DATE_D_DOT_MY, DATE_D_DE_M_DE_Y };

#define NBSP   "\xc2\xa0"
#define NNBSP  "\xe2\x80\xaf"

static const locale_fmt locales[] = {
    { "en", ".", ",", 0, "", DATE_DMY,
      { "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December" } },
    { "en-US", ".", ",", 0, "", DATE_MDY,
      { "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December" } },
    { "de", ",", ".", 1, NBSP, DATE_D_DOT_MY,
      { "Januar", "Februar", "M\xc3\xa4rz", "April", "Mai", "Juni", "Juli", "August", "September",
        "Oktober", "November", "Dezember" } },
    { "fr", ",", NNBSP, 1, NBSP, DATE_DMY,
      { "janvier", "f\xc3\xa9vrier", "mars", "avril", "mai", "juin", "juillet", "ao\xc3\xbbt",
        "septembre", "octobre", "novembre", "d\xc3\xa9" "cembre" } },
    { "nl", ",", ".", 0, NBSP, DATE_DMY,
      { "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
        "oktober", "november", "december" } },
    { "es", ",", ".", 1, NBSP, DATE_D_DE_M_DE_Y,
      { "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
        "octubre", "noviembre", "diciembre" } },
    { "it", ",", ".", 1, NBSP, DATE_DMY,
      { "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
        "settembre", "ottobre", "novembre", "dicembre" } },
};
#define LOCALE_COUNT (sizeof locales / sizeof locales[0])

static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c == '_' ? '-' : c;
}

int ar_locale_equal(const char *a, size_t a_len, const char *b, size_t b_len) {
    if (a_len != b_len)
        return 0;
    for (size_t i = 0; i < a_len; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

size_t ar_locale_language_len(const char *tag) {
    size_t n = 0;
    while (tag[n] && tag[n] != '-' && tag[n] != '_')
        n++;
    return n;
}

int ar_locale_valid(const char *tag, size_t len) {
    size_t i = 0, part = 0, part_len = 0;
    for (; i <= len; i++) {
        char c = i < len ? tag[i] : '-';
        if (c == '-' || c == '_') {
            if (part == 0 ? (part_len < 2 || part_len > 3) : (part_len < 2 || part_len > 8))
                return 0;
            part++;
            part_len = 0;
            continue;
        }
        int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        int digit = c >= '0' && c <= '9';
        if (!letter && !(digit && part > 0))
            return 0;
        part_len++;
    }
    return 1;
}

static const locale_fmt *find_locale(const char *tag) {
    if (!tag || !*tag)
        return &locales[0];
    size_t len = strlen(tag);
    for (size_t i = 0; i < LOCALE_COUNT; i++)
        if (ar_locale_equal(tag, len, locales[i].tag, strlen(locales[i].tag)))
            return &locales[i];
    size_t lang = ar_locale_language_len(tag);
    for (size_t i = 0; i < LOCALE_COUNT; i++)
        if (ar_locale_equal(tag, lang, locales[i].tag, strlen(locales[i].tag)))
            return &locales[i];
    return &locales[0];
}

static const char *currency_sign(const char *code) {
    if (!strcmp(code, "EUR"))
        return "\xe2\x82\xac";
    if (!strcmp(code, "USD"))
        return "$";
    if (!strcmp(code, "GBP"))
        return "\xc2\xa3";
    if (!strcmp(code, "JPY"))
        return "\xc2\xa5";
    return NULL;
}

void ar_format_money(const char *locale, const archase_money *m, ar_buf *out) {
    int decimals = ar_currency_minor_units(m->currency, strlen(m->currency));
    if (decimals < 0)
        return;
    const locale_fmt *l = find_locale(locale);
    uint64_t magnitude = m->minor < 0 ? (uint64_t)0 - (uint64_t)m->minor : (uint64_t)m->minor;
    char digits[32];
    int n = 0;
    do {
        digits[n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    while (n <= decimals)
        digits[n++] = '0';
    /* digits holds the number backwards; the integer part is n - decimals long. */
    char number[96];
    size_t len = 0;
    int int_len = n - decimals;
    for (int i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0) {
            size_t g = strlen(l->group);
            memcpy(number + len, l->group, g);
            len += g;
        }
        number[len++] = digits[n - 1 - i];
    }
    if (decimals > 0) {
        size_t d = strlen(l->decimal);
        memcpy(number + len, l->decimal, d);
        len += d;
        for (int i = decimals - 1; i >= 0; i--)
            number[len++] = digits[i];
    }
    const char *sign = currency_sign(m->currency);
    if (m->minor < 0)
        ar_buf_putc(out, '-');
    if (l->sign_after) {
        ar_buf_put(out, number, len);
        ar_buf_puts(out, l->sign_space[0] ? l->sign_space : " ");
        ar_buf_puts(out, sign ? sign : m->currency);
    } else if (sign) {
        ar_buf_puts(out, sign);
        ar_buf_puts(out, l->sign_space);
        ar_buf_put(out, number, len);
    } else {
        ar_buf_puts(out, m->currency);
        ar_buf_puts(out, l->sign_space[0] ? l->sign_space : " ");
        ar_buf_put(out, number, len);
    }
}

void ar_format_date(const char *locale, archase_date date, ar_buf *out) {
    if (date == ARCHASE_DATE_NONE || date < ARCHASE_DATE_MIN || date > ARCHASE_DATE_MAX)
        return;
    const locale_fmt *l = find_locale(locale);
    int32_t y, m, d;
    archase_date_to_ymd(date, &y, &m, &d);
    const char *month = l->months[m - 1];
    switch (l->date_style) {
    case DATE_MDY:
        ar_buf_printf(out, "%s %d, %d", month, (int)d, (int)y);
        break;
    case DATE_D_DOT_MY:
        ar_buf_printf(out, "%d. %s %d", (int)d, month, (int)y);
        break;
    case DATE_D_DE_M_DE_Y:
        ar_buf_printf(out, "%d de %s de %d", (int)d, month, (int)y);
        break;
    default:
        ar_buf_printf(out, "%d %s %d", (int)d, month, (int)y);
        break;
    }
}
