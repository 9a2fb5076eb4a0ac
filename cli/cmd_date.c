/* cli/cmd_date.c — `archase date`: civil dates, month and business-day
 * arithmetic, and local time in IANA time zones. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

#define DEFAULT_TZDIR "/usr/share/zoneinfo"

const char cmd_date_help[] =
    "usage: archase date ACTION ARGS... [OPTIONS] [--json]\n"
    "\n"
    "Dates as libarchase keeps them: days of the proleptic Gregorian calendar\n"
    "from 0001-01-01 to 9999-12-31, written YYYY-MM-DD; instants as UTC seconds,\n"
    "written YYYY-MM-DDTHH:MM:SSZ (or with a +HH:MM / -HH:MM offset); local\n"
    "times in IANA zones read from the system tz database.\n"
    "\n"
    "actions:\n"
    "  info DATE             the ISO weekday (1 = Monday) and days since 1970-01-01\n"
    "  add-months DATE N     DATE plus N months (N < 0 goes back), clamped to the\n"
    "                        last day of the month: 2026-01-31 + 1 is 2026-02-28\n"
    "  business-days FROM N  the date N business days after FROM (before it when\n"
    "                        N < 0), counted from the next business day, so Friday\n"
    "                        + 1 and Saturday + 1 are both Monday; N = 0 moves FROM\n"
    "                        forward to a business day\n"
    "  local INSTANT...      the local date, time, UTC offset, abbreviation and\n"
    "                        DST flag of each INSTANT in --tz, one line each\n"
    "  instant DATE TIME     the UTC instant of local DATE at TIME (HH:MM or\n"
    "                        HH:MM:SS) in --tz. A time the clocks skip moves\n"
    "                        forward by the gap (02:30 on the day Berlin springs\n"
    "                        forward is 03:30 CEST); a time that happens twice is\n"
    "                        its first occurrence (the offset before the change)\n"
    "\n"
    "options:\n"
    "  --weekend DAYS   business-days: the weekend, as comma-separated days\n"
    "                   (mon,tue,wed,thu,fri,sat,sun) or none; default sat,sun\n"
    "  --holiday DATE   business-days: a holiday; repeat for more\n"
    "  --tz ZONE        local, instant: the zone, e.g. Europe/Berlin\n"
    "  --tzdir DIR      local, instant: where zones are read from\n"
    "                   (default " DEFAULT_TZDIR ")\n"
    "  --json           print JSON: a date is {\"date\", \"weekday\", \"weekday_name\",\n"
    "                   \"days_since_epoch\"} (info adds year, month, day,\n"
    "                   leap_year, days_in_month; business-days adds from and n);\n"
    "                   local prints one object per line {\"instant\", \"zone\",\n"
    "                   \"date\", \"time\", \"utc_offset\", \"utc_offset_seconds\",\n"
    "                   \"abbreviation\", \"dst\"}; instant prints {\"instant\",\n"
    "                   \"epoch_seconds\", \"zone\", \"local\": {...as local...}}\n"
    "\n"
    "exit status: 0 ok, 1 a date, number, instant, time or zone is invalid or\n"
    "the result is out of range, 2 the command line is wrong.\n";

static const char *const weekday_names[8] = {
    "", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

static const char *const month_names[13] = {
    "", "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
};

static int is_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

static int is_leap(int32_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int32_t year, int32_t month) {
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return days[month - 1] + (month == 2 && is_leap(year));
}

/* Parses a DATE argument; on failure says why and returns CLI_INVALID. */
static int parse_date_arg(const char *text, archase_date *out) {
    if (archase_date_parse(text, out) == 0)
        return CLI_OK;
    size_t len = strlen(text);
    if (len != 10 || text[4] != '-' || text[7] != '-' || !is_digits(text, 4) ||
        !is_digits(text + 5, 2) || !is_digits(text + 8, 2))
        return cli_fail("date", CLI_INVALID, "\"%s\": not a date (expected YYYY-MM-DD)", text);
    int32_t year = atoi(text), month = atoi(text + 5), day = atoi(text + 8);
    if (year == 0)
        return cli_fail("date", CLI_INVALID, "\"%s\": year 0000 is outside 0001..9999", text);
    if (month < 1 || month > 12)
        return cli_fail("date", CLI_INVALID, "\"%s\": there is no month %02d", text, month);
    if (day == 0)
        return cli_fail("date", CLI_INVALID, "\"%s\": there is no day 00", text);
    return cli_fail("date", CLI_INVALID, "\"%s\": no such day (%s %d has %d days)", text,
                    month_names[month], year, days_in_month(year, month));
}

/* Parses a decimal int32 argument ("-3"): no spaces, no '+'. */
static int parse_int32_arg(const char *name, const char *text, int32_t *out) {
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (digits[0] == '\0' || !is_digits(digits, strlen(digits)))
        return cli_fail("date", CLI_INVALID, "%s \"%s\": not an integer", name, text);
    errno = 0;
    long long v = strtoll(text, NULL, 10);
    if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX)
        return cli_fail("date", CLI_INVALID, "%s \"%s\": out of range (%d..%d)", name, text,
                        INT32_MIN, INT32_MAX);
    *out = (int32_t)v;
    return CLI_OK;
}

/* Parses an INSTANT argument. */
static int parse_instant_arg(const char *text, archase_instant *out) {
    int rc = archase_instant_parse(text, out);
    if (rc == ARCHASE_ERANGE)
        return cli_fail("date", CLI_INVALID, "\"%s\": outside 0001-01-01..9999-12-31 (UTC)", text);
    if (rc)
        return cli_fail("date", CLI_INVALID,
                        "\"%s\": not an instant (expected YYYY-MM-DDTHH:MM:SSZ or "
                        "YYYY-MM-DDTHH:MM:SS+HH:MM)",
                        text);
    return CLI_OK;
}

/* Parses TIME as HH:MM or HH:MM:SS into seconds of the day. */
static int parse_time_arg(const char *text, int32_t *out) {
    size_t len = strlen(text);
    if ((len != 5 && len != 8) || !is_digits(text, 2) || text[2] != ':' ||
        !is_digits(text + 3, 2) || (len == 8 && (text[5] != ':' || !is_digits(text + 6, 2))))
        return cli_fail("date", CLI_INVALID, "\"%s\": not a time (expected HH:MM or HH:MM:SS)",
                        text);
    int32_t hours = atoi(text), minutes = atoi(text + 3), seconds = len == 8 ? atoi(text + 6) : 0;
    if (hours > 23 || minutes > 59 || seconds > 59)
        return cli_fail("date", CLI_INVALID,
                        "\"%s\": not a time of day (00:00:00 to 23:59:59)", text);
    *out = hours * 3600 + minutes * 60 + seconds;
    return CLI_OK;
}

/* Parses --weekend: "sat,sun", "fri,sat", "none". */
static int parse_weekend(const char *text, uint32_t *mask) {
    static const char *const days[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    uint32_t m = 0;
    if (strcmp(text, "none") == 0) {
        *mask = 0;
        return CLI_OK;
    }
    const char *p = text;
    for (;;) {
        size_t n = strcspn(p, ",");
        int day = 0;
        while (day < 7 && !(n == 3 && strncmp(p, days[day], 3) == 0))
            day++;
        if (day == 7)
            return cli_fail("date", CLI_INVALID,
                            "--weekend \"%s\": expected days among mon,tue,wed,thu,fri,sat,sun "
                            "separated by commas, or none",
                            text);
        m |= ARCHASE_WEEKDAY_BIT(day + 1);
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    if (m == ARCHASE_WEEKDAY_BIT(8) - 1)
        return cli_fail("date", CLI_INVALID, "--weekend \"%s\": every day would be a weekend",
                        text);
    *mask = m;
    return CLI_OK;
}

/* Loads --tz from --tzdir; on failure says why and returns CLI_INVALID. */
static int load_zone(const char *name, const char *tzdir, archase_tz **out) {
    archase_tz_options opts = ARCHASE_TZ_OPTIONS_INIT;
    opts.tzdir = tzdir;
    const char *dir = tzdir ? tzdir : DEFAULT_TZDIR;
    int rc = archase_tz_load(name, &opts, out);
    switch (rc) {
    case 0:
        return CLI_OK;
    case ARCHASE_EINVAL:
        return cli_fail("date", CLI_INVALID,
                        "--tz \"%s\": not a zone name (letters, digits and /_-+, "
                        "like Europe/Berlin; no leading or doubled '/')",
                        name);
    case ARCHASE_ENOTFOUND:
        return cli_fail("date", CLI_INVALID, "unknown time zone \"%s\" (not in %s)", name, dir);
    case ARCHASE_EPARSE:
        return cli_fail("date", CLI_INVALID, "\"%s/%s\": not a valid TZif file", dir, name);
    case ARCHASE_EUNSUPPORTED:
        return cli_fail("date", CLI_INVALID,
                        "\"%s/%s\": zones with leap seconds are not supported", dir, name);
    default:
        return cli_fail_rc("date", rc, "load time zone", name);
    }
}

/* ---- output --------------------------------------------------------------- */

static void json_date_fields(cli_json *j, archase_date d) {
    char text[ARCHASE_DATE_FORMAT_MAX];
    archase_date_format(d, text, sizeof text);
    int weekday = archase_date_weekday(d);
    cli_json_key(j, "date");
    cli_json_string(j, text);
    cli_json_key(j, "weekday");
    cli_json_int(j, weekday);
    cli_json_key(j, "weekday_name");
    cli_json_string(j, weekday_names[weekday]);
    cli_json_key(j, "days_since_epoch");
    cli_json_int(j, d);
}

/* Prints a resulting date: its text, or a JSON object. */
static int print_date(archase_date d, int json) {
    char text[ARCHASE_DATE_FORMAT_MAX];
    if (archase_date_format(d, text, sizeof text) != 0)
        return cli_fail("date", CLI_INVALID, "the result is outside 0001-01-01..9999-12-31");
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 0);
        cli_json_begin_object(&j);
        json_date_fields(&j, d);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else {
        printf("%s\n", text);
    }
    return CLI_OK;
}

/* "+02:00", "-03:30", "+00:53:28" (seconds only when there are some). */
static void format_offset(int32_t offset, char *buf, size_t size) {
    char sign = offset < 0 ? '-' : '+';
    int32_t magnitude = offset < 0 ? -offset : offset;
    if (magnitude % 60)
        snprintf(buf, size, "%c%02d:%02d:%02d", sign, (int)(magnitude / 3600),
                 (int)(magnitude / 60 % 60), (int)(magnitude % 60));
    else
        snprintf(buf, size, "%c%02d:%02d", sign, (int)(magnitude / 3600),
                 (int)(magnitude / 60 % 60));
}

typedef struct local_text {
    char date[ARCHASE_DATE_FORMAT_MAX];
    char time[16];
    char offset[16];
} local_text;

static void format_local(const archase_local_time *lt, local_text *t) {
    archase_date_format(lt->date, t->date, sizeof t->date);
    snprintf(t->time, sizeof t->time, "%02d:%02d:%02d", (int)(lt->seconds_of_day / 3600),
             (int)(lt->seconds_of_day / 60 % 60), (int)(lt->seconds_of_day % 60));
    format_offset(lt->utc_offset, t->offset, sizeof t->offset);
}

static void json_local_fields(cli_json *j, const archase_local_time *lt) {
    local_text t;
    format_local(lt, &t);
    cli_json_key(j, "date");
    cli_json_string(j, t.date);
    cli_json_key(j, "time");
    cli_json_string(j, t.time);
    cli_json_key(j, "utc_offset");
    cli_json_string(j, t.offset);
    cli_json_key(j, "utc_offset_seconds");
    cli_json_int(j, lt->utc_offset);
    cli_json_key(j, "abbreviation");
    cli_json_string(j, lt->abbreviation);
    cli_json_key(j, "dst");
    cli_json_bool(j, lt->is_dst);
}

/* ---- actions -------------------------------------------------------------- */

static int date_info(const char *text, int json) {
    archase_date d;
    int rc = parse_date_arg(text, &d);
    if (rc)
        return rc;
    int32_t year, month, day;
    archase_date_to_ymd(d, &year, &month, &day);
    int weekday = archase_date_weekday(d);
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 0);
        cli_json_begin_object(&j);
        json_date_fields(&j, d);
        cli_json_key(&j, "year");
        cli_json_int(&j, year);
        cli_json_key(&j, "month");
        cli_json_int(&j, month);
        cli_json_key(&j, "day");
        cli_json_int(&j, day);
        cli_json_key(&j, "leap_year");
        cli_json_bool(&j, is_leap(year));
        cli_json_key(&j, "days_in_month");
        cli_json_int(&j, days_in_month(year, month));
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else {
        char iso[ARCHASE_DATE_FORMAT_MAX];
        archase_date_format(d, iso, sizeof iso);
        printf("date: %s\nweekday: %d (%s)\ndays since 1970-01-01: %d\n", iso, weekday,
               weekday_names[weekday], (int)d);
    }
    return CLI_OK;
}

static int date_add_months(const char *date_text, const char *n_text, int json) {
    archase_date d, result;
    int32_t n;
    int rc = parse_date_arg(date_text, &d);
    if (!rc)
        rc = parse_int32_arg("N", n_text, &n);
    if (rc)
        return rc;
    if (archase_date_add_months(d, n, &result) != 0)
        return cli_fail("date", CLI_INVALID,
                        "%s %+d months: the result is outside 0001-01-01..9999-12-31", date_text,
                        n);
    return print_date(result, json);
}

static int date_business_days(const char *from_text, const char *n_text, const char *weekend,
                              const char *const *holidays, int json) {
    archase_calendar_options opts = ARCHASE_CALENDAR_OPTIONS_INIT;
    archase_calendar *cal = NULL;
    archase_date from, result;
    int32_t n;
    int rc = parse_date_arg(from_text, &from);
    if (!rc)
        rc = parse_int32_arg("N", n_text, &n);
    if (!rc && weekend)
        rc = parse_weekend(weekend, &opts.weekend_mask);
    if (rc)
        return rc;
    int lib_rc = archase_calendar_new(&opts, &cal);
    if (lib_rc)
        return cli_fail_rc("date", lib_rc, "calendar", NULL);
    for (size_t i = 0; holidays[i]; i++) {
        archase_date h;
        rc = parse_date_arg(holidays[i], &h);
        if (rc)
            goto done;
        lib_rc = archase_calendar_add_holiday(cal, h);
        if (lib_rc) {
            rc = cli_fail_rc("date", lib_rc, "holiday", holidays[i]);
            goto done;
        }
    }
    lib_rc = archase_calendar_add_business_days(cal, from, n, &result);
    if (lib_rc == ARCHASE_ERANGE) {
        rc = cli_fail("date", CLI_INVALID,
                      "%s %+d business days: the result is outside 0001-01-01..9999-12-31",
                      from_text, n);
        goto done;
    }
    if (lib_rc) {
        rc = cli_fail_rc("date", lib_rc, "business-days", NULL);
        goto done;
    }
    if (json) {
        char from_iso[ARCHASE_DATE_FORMAT_MAX];
        archase_date_format(from, from_iso, sizeof from_iso);
        cli_json j;
        cli_json_init(&j, stdout, 0);
        cli_json_begin_object(&j);
        json_date_fields(&j, result);
        cli_json_key(&j, "from");
        cli_json_string(&j, from_iso);
        cli_json_key(&j, "n");
        cli_json_int(&j, n);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else {
        rc = print_date(result, 0);
    }
done:
    archase_calendar_free(cal);
    return rc;
}

static int date_local(const char *const *instant_texts, int count, const char *zone,
                      const char *tzdir, int json) {
    archase_tz *tz = NULL;
    archase_instant *instants = calloc((size_t)count, sizeof *instants);
    int rc = CLI_OK;
    if (!instants)
        return cli_fail_rc("date", ARCHASE_ENOMEM, "local", NULL);
    /* Everything is checked before anything is printed. */
    for (int i = 0; i < count && !rc; i++)
        rc = parse_instant_arg(instant_texts[i], &instants[i]);
    if (!rc)
        rc = load_zone(zone, tzdir, &tz);
    for (int i = 0; i < count && !rc; i++) {
        archase_local_time lt;
        if (archase_tz_to_local(tz, instants[i], &lt) != 0) {
            rc = cli_fail("date", CLI_INVALID,
                          "\"%s\": the local date in %s is outside 0001-01-01..9999-12-31",
                          instant_texts[i], zone);
            break;
        }
        char utc[ARCHASE_INSTANT_FORMAT_MAX];
        archase_instant_format(instants[i], utc, sizeof utc);
        if (json) {
            cli_json j;
            cli_json_init(&j, stdout, 0);
            cli_json_begin_object(&j);
            cli_json_key(&j, "instant");
            cli_json_string(&j, utc);
            cli_json_key(&j, "zone");
            cli_json_string(&j, archase_tz_name(tz));
            json_local_fields(&j, &lt);
            cli_json_end_object(&j);
            cli_json_finish(&j);
        } else {
            local_text t;
            format_local(&lt, &t);
            printf("%s %s %s %s %s\n", t.date, t.time, t.offset, lt.abbreviation,
                   lt.is_dst ? "dst" : "std");
        }
    }
    archase_tz_free(tz);
    free(instants);
    return rc;
}

static int date_instant(const char *date_text, const char *time_text, const char *zone,
                        const char *tzdir, int json) {
    archase_tz *tz = NULL;
    archase_date d = 0;
    int32_t seconds = 0;
    archase_instant t;
    archase_local_time lt;
    int rc = parse_date_arg(date_text, &d);
    if (!rc)
        rc = parse_time_arg(time_text, &seconds);
    if (!rc)
        rc = load_zone(zone, tzdir, &tz);
    if (rc)
        goto done;
    char utc[ARCHASE_INSTANT_FORMAT_MAX];
    if (archase_tz_from_local(tz, d, seconds, &t) != 0 || archase_tz_to_local(tz, t, &lt) != 0 ||
        archase_instant_format(t, utc, sizeof utc) != 0) {
        rc = cli_fail("date", CLI_INVALID, "%s %s in %s: outside 0001-01-01..9999-12-31 (UTC)",
                      date_text, time_text, zone);
        goto done;
    }
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 0);
        cli_json_begin_object(&j);
        cli_json_key(&j, "instant");
        cli_json_string(&j, utc);
        cli_json_key(&j, "epoch_seconds");
        cli_json_int(&j, t);
        cli_json_key(&j, "zone");
        cli_json_string(&j, archase_tz_name(tz));
        cli_json_key(&j, "local");
        cli_json_begin_object(&j);
        json_local_fields(&j, &lt);
        cli_json_end_object(&j);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else {
        local_text lt_text;
        format_local(&lt, &lt_text);
        printf("%s (%s %s %s %s)\n", utc, lt_text.date, lt_text.time, lt_text.offset,
               lt.abbreviation);
    }
done:
    archase_tz_free(tz);
    return rc;
}

/* ---- dispatch ------------------------------------------------------------- */

enum { ACT_INFO, ACT_ADD_MONTHS, ACT_BUSINESS_DAYS, ACT_LOCAL, ACT_INSTANT };

static const struct {
    const char *name;
    int         nargs; /* -1: one or more */
    int         zoned; /* takes --tz / --tzdir (and needs --tz) */
    int         calendar; /* takes --weekend / --holiday */
    const char *usage;
} date_actions[] = {
    { "info", 1, 0, 0, "info DATE" },
    { "add-months", 2, 0, 0, "add-months DATE N" },
    { "business-days", 2, 0, 1, "business-days FROM N [--weekend DAYS] [--holiday DATE]..." },
    { "local", -1, 1, 0, "local INSTANT... --tz ZONE" },
    { "instant", 2, 1, 0, "instant DATE TIME --tz ZONE" },
};

int cmd_date(int argc, char **argv) {
    int json = 0, help = 0, npos = 0, rc;
    const char *weekend = NULL, *zone = NULL, *tzdir = NULL;
    const char *holidays[CLI_REPEATED_MAX + 1] = { NULL };
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    if (!pos)
        return cli_fail_rc("date", ARCHASE_ENOMEM, "arguments", NULL);
    const cli_option options[] = {
        { "json", 0, NULL, &json },
        { "weekend", 1, &weekend, NULL },
        { "holiday", CLI_REPEATED, holidays, NULL },
        { "tz", 1, &zone, NULL },
        { "tzdir", 1, &tzdir, NULL },
        { NULL, 0, NULL, NULL },
    };
    rc = cli_parse("date", cmd_date_help, argc, argv, 1, options, pos, argc, &npos, &help);
    if (rc || help)
        goto done;
    if (npos == 0) {
        rc = cli_fail("date", CLI_USAGE, "missing ACTION (see `archase date --help`)");
        goto done;
    }
    size_t a = 0, count = sizeof date_actions / sizeof date_actions[0];
    while (a < count && strcmp(date_actions[a].name, pos[0]) != 0)
        a++;
    if (a == count) {
        rc = cli_fail("date", CLI_USAGE, "unknown action '%s' (see `archase date --help`)", pos[0]);
        goto done;
    }
    int nargs = npos - 1;
    if (date_actions[a].nargs < 0 ? nargs < 1 : nargs != date_actions[a].nargs) {
        rc = cli_fail("date", CLI_USAGE, "usage: archase date %s [--json]", date_actions[a].usage);
        goto done;
    }
    if (!date_actions[a].zoned && (zone || tzdir)) {
        rc = cli_fail("date", CLI_USAGE, "--tz and --tzdir apply to local and instant only");
        goto done;
    }
    if (date_actions[a].zoned && !zone) {
        rc = cli_fail("date", CLI_USAGE, "%s needs --tz ZONE (e.g. --tz Europe/Berlin)",
                      date_actions[a].name);
        goto done;
    }
    if (!date_actions[a].calendar && (weekend || holidays[0])) {
        rc = cli_fail("date", CLI_USAGE, "--weekend and --holiday apply to business-days only");
        goto done;
    }
    switch (a) {
    case ACT_INFO:
        rc = date_info(pos[1], json);
        break;
    case ACT_ADD_MONTHS:
        rc = date_add_months(pos[1], pos[2], json);
        break;
    case ACT_BUSINESS_DAYS:
        rc = date_business_days(pos[1], pos[2], weekend, holidays, json);
        break;
    case ACT_LOCAL:
        rc = date_local(pos + 1, nargs, zone, tzdir, json);
        break;
    default:
        rc = date_instant(pos[1], pos[2], zone, tzdir, json);
        break;
    }
done:
    free(pos);
    return rc;
}
