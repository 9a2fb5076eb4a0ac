/* libarchase/core/tz.c — IANA time zones read from TZif files (RFC 8536):
 * strict, bounds-checked parsing, the POSIX TZ footer rule for instants past
 * the last transition, and local time both ways. A loaded zone is immutable;
 * nothing here touches TZ, the C library's time functions or global state. */
#include "core/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "core/date.h"

#define DEFAULT_TZDIR   "/usr/share/zoneinfo"
#define NAME_MAX_LEN    255
#define PATH_MAX_LEN    4096

/* UTC offsets RFC 8536 allows (-25 h < offset < 26 h). */
#define OFFSET_MIN (-89999)
#define OFFSET_MAX 93599
/* Hours in a POSIX offset, and in a rule time (RFC 8536 §3.3.1). */
#define RULE_OFFSET_HOURS_MAX 24
#define RULE_TIME_HOURS_MAX   167
/* Every instant that has a local date in 0001..9999 under any offset. */
#define INSTANT_LOW  ((int64_t)ARCHASE_DATE_MIN * AR_SECONDS_PER_DAY - OFFSET_MAX - 1)
#define INSTANT_HIGH ((int64_t)(ARCHASE_DATE_MAX + 1) * AR_SECONDS_PER_DAY - OFFSET_MIN)

struct archase_tz {
    archase_allocator allocator;    /* copied from the options */
    const char       *name;
    size_t            type_count;   /* >= 1 */
    const ar_tz_type *types;        /* types[0] holds before the first transition */
    size_t            transition_count;
    const int64_t    *transitions;  /* strictly ascending UTC instants */
    const uint8_t    *transition_types;
    int               has_rule;     /* the footer rule holds after the last transition */
    ar_tz_rule        rule;
};

int archase_tz_options_init(archase_tz_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_TZ_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_tz_options init = ARCHASE_TZ_OPTIONS_INIT;
    *opts = init;
    return 0;
}

static int is_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* A character of a time-zone designation: "CEST", "+1030", "-00". */
static int is_designation_char(char c) {
    return is_alpha(c) || is_digit(c) || c == '+' || c == '-';
}

/* ---- the POSIX TZ rule -------------------------------------------------- */

typedef struct cursor {
    const char *s;
    size_t      len;
    size_t      i;
} cursor;

static int at(const cursor *c, char ch) {
    return c->i < c->len && c->s[c->i] == ch;
}

/* A zone name: 3 to 7 letters, or 3 to 7 of letters, digits, '+' and '-'
 * between '<' and '>'. */
static int parse_designation(cursor *c, char out[8]) {
    int quoted = at(c, '<');
    size_t start = c->i + (size_t)quoted, end = start;
    while (end < c->len && (quoted ? is_designation_char(c->s[end]) : is_alpha(c->s[end])))
        end++;
    size_t n = end - start;
    if (n < 3 || n > 7)
        return ARCHASE_EPARSE;
    if (quoted) {
        if (end >= c->len || c->s[end] != '>')
            return ARCHASE_EPARSE;
        c->i = end + 1;
    } else {
        c->i = end;
    }
    memcpy(out, c->s + start, n);
    out[n] = '\0';
    return 0;
}

/* Reads 1 to `max_digits` digits. */
static int parse_number(cursor *c, size_t max_digits, int32_t *out) {
    size_t n = 0;
    int32_t v = 0;
    while (c->i < c->len && n < max_digits && is_digit(c->s[c->i])) {
        v = v * 10 + (c->s[c->i] - '0');
        c->i++;
        n++;
    }
    if (n == 0 || (c->i < c->len && is_digit(c->s[c->i])))
        return ARCHASE_EPARSE;
    *out = v;
    return 0;
}

/* [+-]hh[:mm[:ss]] with hh up to `max_hours`, as signed seconds. */
static int parse_hms(cursor *c, int32_t max_hours, int32_t *out) {
    int32_t sign = 1, hours, minutes = 0, seconds = 0;
    if (at(c, '+') || at(c, '-')) {
        sign = at(c, '-') ? -1 : 1;
        c->i++;
    }
    if (parse_number(c, 3, &hours) || hours > max_hours)
        return ARCHASE_EPARSE;
    if (at(c, ':')) {
        c->i++;
        if (parse_number(c, 2, &minutes) || minutes > 59)
            return ARCHASE_EPARSE;
        if (at(c, ':')) {
            c->i++;
            if (parse_number(c, 2, &seconds) || seconds > 59)
                return ARCHASE_EPARSE;
        }
    }
    *out = sign * (hours * 3600 + minutes * 60 + seconds);
    return 0;
}

/* ",date[/time]": Jn, n or Mm.w.d, and the time (02:00 when absent). */
static int parse_rule_date(cursor *c, ar_tz_rule_date *out) {
    ar_tz_rule_date d = { 'D', 0, 0, 0, 7200 };
    if (!at(c, ','))
        return ARCHASE_EPARSE;
    c->i++;
    if (at(c, 'J')) {
        c->i++;
        d.form = 'J';
        if (parse_number(c, 3, &d.day) || d.day < 1 || d.day > 365)
            return ARCHASE_EPARSE;
    } else if (at(c, 'M')) {
        c->i++;
        d.form = 'M';
        if (parse_number(c, 2, &d.month) || d.month < 1 || d.month > 12 || !at(c, '.'))
            return ARCHASE_EPARSE;
        c->i++;
        if (parse_number(c, 1, &d.week) || d.week < 1 || d.week > 5 || !at(c, '.'))
            return ARCHASE_EPARSE;
        c->i++;
        if (parse_number(c, 1, &d.day) || d.day > 6)
            return ARCHASE_EPARSE;
    } else if (parse_number(c, 3, &d.day) || d.day > 365) {
        return ARCHASE_EPARSE;
    }
    if (at(c, '/')) {
        c->i++;
        if (parse_hms(c, RULE_TIME_HOURS_MAX, &d.time))
            return ARCHASE_EPARSE;
    }
    *out = d;
    return 0;
}

int ar_tz_rule_parse(const char *text, size_t len, ar_tz_rule *out) {
    ar_tz_rule r;
    cursor c = { text, len, 0 };
    int32_t offset;
    if (!text || !out)
        return ARCHASE_EINVAL;
    memset(&r, 0, sizeof r);
    /* POSIX offsets count west of UTC: "CET-1" is UTC+1. */
    if (parse_designation(&c, r.std.abbreviation) ||
        parse_hms(&c, RULE_OFFSET_HOURS_MAX, &offset))
        return ARCHASE_EPARSE;
    r.std.utc_offset = -offset;
    if (c.i < c.len) {
        r.has_dst = 1;
        r.dst.is_dst = 1;
        if (parse_designation(&c, r.dst.abbreviation))
            return ARCHASE_EPARSE;
        r.dst.utc_offset = r.std.utc_offset + 3600;
        if (c.i < c.len && !at(&c, ',')) {
            if (parse_hms(&c, RULE_OFFSET_HOURS_MAX, &offset))
                return ARCHASE_EPARSE;
            r.dst.utc_offset = -offset;
        }
        if (parse_rule_date(&c, &r.start) || parse_rule_date(&c, &r.end))
            return ARCHASE_EPARSE;
    }
    if (c.i != c.len)
        return ARCHASE_EPARSE;
    *out = r;
    return 0;
}

/* The day (since 1970-01-01) a rule date falls on in `year`. */
static int64_t rule_day(const ar_tz_rule_date *d, int64_t year) {
    int64_t jan1 = ar_days_from_civil(year, 1, 1);
    if (d->form == 'J')
        return jan1 + d->day - 1 + (ar_is_leap_year(year) && d->day >= 60);
    if (d->form == 'D')
        return jan1 + d->day;
    int64_t first = ar_days_from_civil(year, d->month, 1);
    int first_weekday = ar_weekday(first) % 7; /* 0 = Sunday */
    int64_t day = first + (d->day - first_weekday + 7) % 7 + (int64_t)(d->week - 1) * 7;
    if (day >= first + ar_days_in_month(year, d->month))
        day -= 7; /* week 5 is the last such weekday */
    return day;
}

/* The type the rule gives at instant t (within a few thousand years of
 * now), and the next instant the rule switches at. */
static void rule_at(const ar_tz_rule *r, int64_t t, ar_tz_type *type, int64_t *until) {
    if (!r->has_dst) {
        *type = r->std;
        *until = INT64_MAX;
        return;
    }
    int64_t year;
    int month, day;
    ar_civil_from_days(ar_floor_div(t, AR_SECONDS_PER_DAY), &year, &month, &day);
    /* Each year switches within a week of its own bounds (rule times reach
     * 167 h), so two years either side hold the switch before t and after
     * it. Of equal instants the later in rule order wins: a zone on DST all
     * year ends it and starts it again at the same instant. */
    int64_t best_time = INT64_MIN, next = INT64_MAX;
    int best_dst = 0;
    for (int64_t y = year - 2; y <= year + 2; y++) {
        int64_t start = rule_day(&r->start, y) * AR_SECONDS_PER_DAY + r->start.time -
                        r->std.utc_offset;
        int64_t end = rule_day(&r->end, y) * AR_SECONDS_PER_DAY + r->end.time -
                      r->dst.utc_offset;
        int64_t first = start <= end ? start : end, second = start <= end ? end : start;
        int first_dst = start <= end, second_dst = !first_dst;
        if (first <= t && first >= best_time) {
            best_time = first;
            best_dst = first_dst;
        }
        if (second <= t && second >= best_time) {
            best_time = second;
            best_dst = second_dst;
        }
        if (first > t && first < next)
            next = first;
        if (second > t && second < next)
            next = second;
    }
    *type = best_dst ? r->dst : r->std;
    *until = next;
}

/* ---- lookups ------------------------------------------------------------ */

/* The type in effect at UTC instant t and the instant it ends (INT64_MAX:
 * never). Before the first transition: type 0; after the last: the rule. */
static void type_at(const archase_tz *tz, int64_t t, ar_tz_type *type, int64_t *until) {
    size_t lo = 0, hi = tz->transition_count;
    while (lo < hi) { /* the number of transitions at or before t */
        size_t mid = lo + (hi - lo) / 2;
        if (tz->transitions[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == tz->transition_count && tz->has_rule) {
        rule_at(&tz->rule, t, type, until);
    } else if (lo == 0) {
        *type = tz->types[0];
        *until = tz->transition_count ? tz->transitions[0] : INT64_MAX;
    } else {
        *type = tz->types[tz->transition_types[lo - 1]];
        *until = lo < tz->transition_count ? tz->transitions[lo] : INT64_MAX;
    }
}

int archase_tz_to_local(const archase_tz *tz, archase_instant instant, archase_local_time *out) {
    if (!tz || !out)
        return ARCHASE_EINVAL;
    if (instant < INSTANT_LOW || instant > INSTANT_HIGH)
        return ARCHASE_ERANGE;
    ar_tz_type type;
    int64_t until;
    type_at(tz, instant, &type, &until);
    int64_t local = instant + type.utc_offset;
    int64_t date = ar_floor_div(local, AR_SECONDS_PER_DAY);
    if (date < ARCHASE_DATE_MIN || date > ARCHASE_DATE_MAX)
        return ARCHASE_ERANGE;
    archase_local_time result;
    memset(&result, 0, sizeof result);
    result.date = (archase_date)date;
    result.seconds_of_day = (int32_t)(local - date * AR_SECONDS_PER_DAY);
    result.utc_offset = type.utc_offset;
    result.is_dst = type.is_dst;
    memcpy(result.abbreviation, type.abbreviation, sizeof result.abbreviation);
    *out = result;
    return 0;
}

int archase_tz_from_local(const archase_tz *tz, archase_date date, int32_t seconds_of_day,
                          archase_instant *out) {
    if (!tz || !out || seconds_of_day < 0 || seconds_of_day >= AR_SECONDS_PER_DAY)
        return ARCHASE_EINVAL;
    if (date < ARCHASE_DATE_MIN || date > ARCHASE_DATE_MAX)
        return ARCHASE_ERANGE;
    int64_t local = (int64_t)date * AR_SECONDS_PER_DAY + seconds_of_day;
    /* Every instant that shows `local` lies in [local - OFFSET_MAX, local -
     * OFFSET_MIN]. Walk the periods of constant offset over that window in
     * order: the first period whose offset maps `local` into itself gives
     * the first occurrence. When none does, `local` fell into a gap: at the
     * first change where the offset before maps it past the change and the
     * offset after maps it before, the offset before moves it forward by the
     * length of the gap. */
    int64_t t = local - OFFSET_MAX - 1, previous = 0, gap = 0;
    int have_previous = 0, have_gap = 0;
    while (t <= local - OFFSET_MIN) {
        ar_tz_type type;
        int64_t until;
        type_at(tz, t, &type, &until);
        int64_t candidate = local - type.utc_offset;
        if (candidate >= t && candidate < until) {
            *out = candidate;
            return 0;
        }
        if (candidate < t && have_previous && previous >= t && !have_gap) {
            gap = previous;
            have_gap = 1;
        }
        previous = candidate;
        have_previous = 1;
        t = until;
    }
    if (have_gap) {
        *out = gap;
        return 0;
    }
    return ARCHASE_ERANGE; /* unreachable with offsets within RFC 8536 bounds */
}

/* ---- TZif --------------------------------------------------------------- */

typedef struct reader {
    const uint8_t *p;
    size_t         left;
} reader;

static int take(reader *r, uint64_t n, const uint8_t **out) {
    if (n > r->left)
        return ARCHASE_EPARSE;
    *out = r->p;
    r->p += n;
    r->left -= (size_t)n;
    return 0;
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p) {
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* A header's counts and where its data block lies. */
typedef struct tzif_block {
    uint8_t        version; /* 0, '2', '3' or '4' */
    uint32_t       isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
    size_t         time_size; /* 4 in the version 1 block, 8 after */
    const uint8_t *times, *indices, *ttinfos, *chars;
} tzif_block;

/* Reads a header and takes its data block (time_size bytes per time). */
static int read_block(reader *r, size_t time_size, tzif_block *b) {
    const uint8_t *h, *rest;
    if (take(r, 44, &h) || memcmp(h, "TZif", 4) != 0)
        return ARCHASE_EPARSE;
    b->version = h[4];
    if (b->version != 0 && b->version != '2' && b->version != '3' && b->version != '4')
        return ARCHASE_EPARSE;
    b->isutcnt = be32(h + 20);
    b->isstdcnt = be32(h + 24);
    b->leapcnt = be32(h + 28);
    b->timecnt = be32(h + 32);
    b->typecnt = be32(h + 36);
    b->charcnt = be32(h + 40);
    b->time_size = time_size;
    /* Counts are 32-bit, so none of these products overflows 64 bits. */
    if (take(r, (uint64_t)b->timecnt * time_size, &b->times) ||
        take(r, b->timecnt, &b->indices) ||
        take(r, (uint64_t)b->typecnt * 6, &b->ttinfos) ||
        take(r, b->charcnt, &b->chars) ||
        take(r, (uint64_t)b->leapcnt * (time_size + 4), &rest) ||
        take(r, b->isstdcnt, &rest) ||
        take(r, b->isutcnt, &rest))
        return ARCHASE_EPARSE;
    return 0;
}

/* Checks the block the zone is built from, and fills its types. */
static int check_block(const tzif_block *b, ar_tz_type *types) {
    if (b->leapcnt != 0)
        return ARCHASE_EUNSUPPORTED;
    if (b->typecnt == 0 || b->typecnt > 256 || b->charcnt == 0 ||
        (b->isstdcnt != 0 && b->isstdcnt != b->typecnt) ||
        (b->isutcnt != 0 && b->isutcnt != b->typecnt))
        return ARCHASE_EPARSE;
    for (uint32_t i = 0; i < b->typecnt; i++) {
        const uint8_t *tt = b->ttinfos + (size_t)i * 6;
        int32_t offset = (int32_t)be32(tt);
        uint8_t is_dst = tt[4], index = tt[5];
        if (offset < OFFSET_MIN || offset > OFFSET_MAX || is_dst > 1 || index >= b->charcnt)
            return ARCHASE_EPARSE;
        const char *name = (const char *)b->chars + index;
        size_t n = 0;
        while (index + n < b->charcnt && name[n] != '\0' && is_designation_char(name[n]))
            n++;
        if (index + n >= b->charcnt || name[n] != '\0' ||
            n >= sizeof types[i].abbreviation)
            return ARCHASE_EPARSE;
        types[i].utc_offset = offset;
        types[i].is_dst = is_dst;
        memset(types[i].abbreviation, 0, sizeof types[i].abbreviation);
        memcpy(types[i].abbreviation, name, n);
    }
    for (uint32_t i = 0; i < b->timecnt; i++) {
        if (b->indices[i] >= b->typecnt)
            return ARCHASE_EPARSE;
        if (i > 0) {
            int64_t previous = b->time_size == 8 ? be64(b->times + (size_t)(i - 1) * 8)
                                                 : (int32_t)be32(b->times + (size_t)(i - 1) * 4);
            int64_t current = b->time_size == 8 ? be64(b->times + (size_t)i * 8)
                                                : (int32_t)be32(b->times + (size_t)i * 4);
            if (current <= previous)
                return ARCHASE_EPARSE;
        }
    }
    return 0;
}

static size_t align8(size_t n) {
    return (n + 7) & ~(size_t)7;
}

int ar_tz_parse_tzif(const char *name, const uint8_t *data, size_t size,
                     const archase_allocator *allocator, archase_tz **out) {
    tzif_block block;
    reader r = { data, size };
    ar_tz_rule rule;
    int has_rule = 0, rc;
    ar_tz_type types[256];
    if (!name || !data || !out)
        return ARCHASE_EINVAL;
    rc = read_block(&r, 4, &block);
    if (rc)
        return rc;
    if (block.version != 0) {
        /* Version 2+: the 64-bit block follows the 32-bit one, then the
         * footer "\nRULE\n" ends the file. */
        const uint8_t *newline;
        rc = read_block(&r, 8, &block);
        if (rc || block.version == 0 || take(&r, 1, &newline) || *newline != '\n')
            return ARCHASE_EPARSE;
        const uint8_t *end = memchr(r.p, '\n', r.left);
        if (!end || (size_t)(end - r.p) + 1 != r.left)
            return ARCHASE_EPARSE;
        size_t rule_len = (size_t)(end - r.p);
        if (rule_len > 0) {
            if (ar_tz_rule_parse((const char *)r.p, rule_len, &rule))
                return ARCHASE_EPARSE;
            has_rule = 1;
        }
    } else if (r.left != 0) {
        return ARCHASE_EPARSE;
    }
    rc = check_block(&block, types);
    if (rc)
        return rc;

    /* One block: the handle, its types, transitions, their types and the name. */
    size_t name_len = strlen(name);
    size_t types_at = align8(sizeof(archase_tz));
    size_t times_at = types_at + block.typecnt * sizeof(ar_tz_type);
    size_t indices_at = times_at + (size_t)block.timecnt * sizeof(int64_t);
    size_t name_at = indices_at + block.timecnt;
    if (name_len > NAME_MAX_LEN)
        return ARCHASE_EINVAL;
    uint8_t *memory = ar_malloc(allocator, name_at + name_len + 1);
    if (!memory)
        return ARCHASE_ENOMEM;
    archase_tz *tz = (archase_tz *)(void *)memory;
    ar_tz_type *tz_types = (ar_tz_type *)(void *)(memory + types_at);
    int64_t *times = (int64_t *)(void *)(memory + times_at);
    uint8_t *indices = memory + indices_at;
    char *tz_name = (char *)memory + name_at;
    memset(tz, 0, sizeof *tz);
    tz->allocator = *ar_allocator(allocator);
    memcpy(tz_types, types, block.typecnt * sizeof(ar_tz_type));
    for (uint32_t i = 0; i < block.timecnt; i++)
        times[i] = block.time_size == 8 ? be64(block.times + (size_t)i * 8)
                                        : (int32_t)be32(block.times + (size_t)i * 4);
    memcpy(indices, block.indices, block.timecnt);
    memcpy(tz_name, name, name_len + 1);
    tz->name = tz_name;
    tz->type_count = block.typecnt;
    tz->types = tz_types;
    tz->transition_count = block.timecnt;
    tz->transitions = times;
    tz->transition_types = indices;
    tz->has_rule = has_rule;
    if (has_rule)
        tz->rule = rule;
    *out = tz;
    return 0;
}

/* ---- loading ------------------------------------------------------------ */

/* Letters, digits and "/_-+"; not empty, not absolute, no empty component. */
static int check_name(const char *name) {
    size_t len = strnlen(name, NAME_MAX_LEN + 1);
    if (len == 0 || len > NAME_MAX_LEN || name[0] == '/' || name[len - 1] == '/')
        return ARCHASE_EINVAL;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!is_alpha(c) && !is_digit(c) && c != '/' && c != '_' && c != '-' && c != '+')
            return ARCHASE_EINVAL;
        if (c == '/' && name[i + 1] == '/')
            return ARCHASE_EINVAL;
    }
    return 0;
}

/* Reads a whole regular file of at most AR_TZIF_MAX_SIZE bytes. */
static int read_file(const char *path, const archase_allocator *allocator, uint8_t **data,
                     size_t *size) {
    uint8_t *buf = NULL;
    size_t have = 0;
    struct stat st;
    int rc = 0;
    /* O_NONBLOCK: a FIFO planted in the tz directory must not hang us. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        rc = errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG ? ARCHASE_ENOTFOUND
                                                                           : ARCHASE_EIO;
        goto done;
    }
    if (fstat(fd, &st) != 0) {
        rc = ARCHASE_EIO;
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = ARCHASE_ENOTFOUND; /* a folder such as "Europe" is not a zone */
        goto done;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > AR_TZIF_MAX_SIZE) {
        rc = ARCHASE_EPARSE;
        goto done;
    }
    buf = ar_malloc(allocator, (size_t)st.st_size);
    if (!buf) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    while (have < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + have, (size_t)st.st_size - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = ARCHASE_EIO;
            goto done;
        }
        have += (size_t)n;
    }
done:
    if (fd >= 0)
        close(fd);
    if (rc) {
        ar_free(allocator, buf);
        return rc;
    }
    *data = buf;
    *size = have;
    return 0;
}

int archase_tz_load(const char *name, const archase_tz_options *opts, archase_tz **out) {
    archase_tz_options defaults = ARCHASE_TZ_OPTIONS_INIT;
    uint8_t *data = NULL;
    size_t size = 0;
    char path[PATH_MAX_LEN];
    int rc = 0;
    if (!name || !out)
        return ARCHASE_EINVAL;
    if (!opts)
        opts = &defaults;
    if (opts->version != ARCHASE_TZ_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    rc = ar_allocator_check(opts->allocator);
    if (rc)
        return rc;
    const char *dir = opts->tzdir ? opts->tzdir : DEFAULT_TZDIR;
    if (dir[0] == '\0' || check_name(name))
        return ARCHASE_EINVAL;
    size_t dir_len = strlen(dir), name_len = strlen(name);
    if (dir_len + 1 + name_len + 1 > sizeof path)
        return ARCHASE_EINVAL;
    memcpy(path, dir, dir_len);
    path[dir_len] = '/';
    memcpy(path + dir_len + 1, name, name_len + 1);
    rc = read_file(path, opts->allocator, &data, &size);
    if (rc == 0)
        rc = ar_tz_parse_tzif(name, data, size, opts->allocator, out);
    ar_free(opts->allocator, data);
    return rc;
}

void archase_tz_free(archase_tz *tz) {
    if (!tz)
        return;
    archase_allocator a = tz->allocator;
    ar_free(&a, tz);
}

const char *archase_tz_name(const archase_tz *tz) {
    return tz ? tz->name : NULL;
}
