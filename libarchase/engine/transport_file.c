/* libarchase/engine/transport_file.c — the shipped file transport
 * (archase_file_transport_open): one JSON line per message appended to a
 * file, or one .eml file per message in a directory. Each message is on
 * disk (fsync) before `send` says SENT; `lookup` answers from what is on
 * disk, so a crash between send and acknowledgement is reconciled without
 * writing the message twice. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archase/cycle.h"
#include "archase/date.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "core/base64.h"
#include "core/buf.h"
#include "core/sha256.h"
#include "engine/codec.h"

typedef struct file_transport {
    archase_allocator allocator;
    int               format;
    char             *path;
    ar_buf            out;
} file_transport;

/* ---- JSON ------------------------------------------------------------------------ */

static void json_str(ar_buf *b, const char *s) {
    if (!s) {
        ar_buf_puts(b, "null");
        return;
    }
    ar_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': ar_buf_puts(b, "\\\""); break;
        case '\\': ar_buf_puts(b, "\\\\"); break;
        case '\n': ar_buf_puts(b, "\\n"); break;
        case '\r': ar_buf_puts(b, "\\r"); break;
        case '\t': ar_buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20)
                ar_buf_printf(b, "\\u%04x", *p);
            else
                ar_buf_putc(b, *p);
        }
    }
    ar_buf_putc(b, '"');
}

static void json_key(ar_buf *b, const char *key, int first) {
    if (!first)
        ar_buf_putc(b, ',');
    json_str(b, key);
    ar_buf_putc(b, ':');
}

static void json_line(ar_buf *b, const archase_message *m) {
    char at[ARCHASE_INSTANT_FORMAT_MAX] = "", day[ARCHASE_DATE_FORMAT_MAX] = "", local[48] = "";
    char amount[ARCHASE_MONEY_FORMAT_MAX] = "";
    archase_instant_format(m->scheduled_at, at, sizeof at);
    if (m->local_date != ARCHASE_DATE_NONE && archase_date_format(m->local_date, day, sizeof day) == 0)
        snprintf(local, sizeof local, "%sT%02d:%02d:%02d", day, (int)(m->local_seconds / 3600),
                 (int)(m->local_seconds / 60 % 60), (int)(m->local_seconds % 60));
    if (m->amount.currency[0])
        archase_money_format_amount(&m->amount, amount, sizeof amount);
    ar_buf_putc(b, '{');
    json_key(b, "idempotency_key", 1);
    json_str(b, m->idempotency_key);
    json_key(b, "outbox_id", 0);
    json_str(b, m->outbox_id);
    json_key(b, "attempt", 0);
    ar_buf_printf(b, "%u", (unsigned)m->attempt);
    json_key(b, "kind", 0);
    json_str(b, archase_decision_kind_name(m->kind));
    json_key(b, "channel", 0);
    json_str(b, m->channel == ARCHASE_CHANNEL_INTERNAL ? "internal" : ar_channel_name(m->channel));
    json_key(b, "customer_id", 0);
    json_str(b, m->customer_id);
    json_key(b, "customer_name", 0);
    json_str(b, m->customer_name);
    json_key(b, "invoice_ids", 0);
    ar_buf_putc(b, '[');
    for (size_t i = 0; i < m->invoice_count; i++) {
        if (i)
            ar_buf_putc(b, ',');
        json_str(b, m->invoice_ids[i]);
    }
    ar_buf_putc(b, ']');
    json_key(b, "contact_id", 0);
    json_str(b, m->contact_id);
    json_key(b, "address", 0);
    json_str(b, m->address);
    json_key(b, "recipient_name", 0);
    json_str(b, m->recipient_name);
    json_key(b, "template", 0);
    json_str(b, m->template_name);
    json_key(b, "tone", 0);
    json_str(b, m->tone ? archase_tone_name(m->tone) : NULL);
    json_key(b, "subject", 0);
    json_str(b, m->subject);
    json_key(b, "body", 0);
    json_str(b, m->body);
    json_key(b, "link_placeholder", 0);
    json_str(b, m->link_placeholder);
    json_key(b, "scheduled_at", 0);
    json_str(b, at);
    json_key(b, "timezone", 0);
    json_str(b, m->timezone);
    json_key(b, "local_time", 0);
    json_str(b, local[0] ? local : NULL);
    json_key(b, "amount", 0);
    json_str(b, amount[0] ? amount : NULL);
    json_key(b, "currency", 0);
    json_str(b, m->amount.currency[0] ? m->amount.currency : NULL);
    json_key(b, "reason_codes", 0);
    ar_buf_putc(b, '[');
    for (size_t i = 0; i < m->reason_count; i++) {
        if (i)
            ar_buf_putc(b, ',');
        json_str(b, archase_reason_name(m->reasons[i]));
    }
    ar_buf_putc(b, ']');
    json_key(b, "owner", 0);
    json_str(b, m->owner);
    ar_buf_puts(b, "}\n");
}

/* ---- e-mail -------------------------------------------------------------------------- */

static int ascii_only(const char *s) {
    for (; s && *s; s++)
        if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n')
            return 0;
    return 1;
}

/* A header value, RFC 2047-encoded when it is not plain ASCII. */
static void header_text(ar_buf *b, const char *s) {
    if (ascii_only(s)) {
        ar_buf_puts(b, s ? s : "");
        return;
    }
    size_t len = strlen(s);
    char enc[AR_BASE64_LENGTH(45) + 1];
    for (size_t at = 0; at < len; at += 45) { /* encoded words of at most 45 bytes */
        size_t n = len - at < 45 ? len - at : 45;
        while (at + n < len && n > 1 && ((unsigned char)s[at + n] & 0xc0) == 0x80)
            n--; /* never split a character */
        ar_base64_encode(s + at, n, enc, sizeof enc);
        ar_buf_printf(b, "%s=?UTF-8?B?%s?=", at ? "\r\n " : "", enc);
        at = at + n - 45;
    }
}

static void eml_text(ar_buf *b, const archase_message *m) {
    static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    archase_date day = archase_instant_utc_date(m->scheduled_at);
    int y = 0, mo = 1, d = 1;
    archase_date_to_ymd(day, &y, &mo, &d);
    int64_t secs = m->scheduled_at - (archase_instant)day * 86400;
    ar_buf_printf(b, "Message-ID: <%s@archase.invalid>\r\n", m->outbox_id);
    ar_buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[(archase_date_weekday(day) + 6) % 7],
                  d, months[(mo - 1) % 12], y, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    ar_buf_puts(b, "To: ");
    if (m->recipient_name && *m->recipient_name) {
        header_text(b, m->recipient_name);
        ar_buf_printf(b, " <%s>\r\n", m->address ? m->address : "");
    } else {
        ar_buf_printf(b, "<%s>\r\n", m->address ? m->address : "");
    }
    ar_buf_puts(b, "Subject: ");
    header_text(b, m->subject);
    ar_buf_puts(b, "\r\nX-Archase-Idempotency-Key: ");
    ar_buf_puts(b, m->idempotency_key);
    ar_buf_printf(b, "\r\nX-Archase-Customer: %s\r\n", m->customer_id ? m->customer_id : "");
    ar_buf_printf(b, "X-Archase-Link-Placeholder: %s\r\n", m->link_placeholder ? m->link_placeholder : "");
    ar_buf_puts(b, "MIME-Version: 1.0\r\n");
    ar_buf_printf(b, "Content-Type: text/%s; charset=utf-8\r\n", m->channel == ARCHASE_CHANNEL_EMAIL ? "html" : "plain");
    ar_buf_puts(b, "Content-Transfer-Encoding: 8bit\r\n\r\n");
    for (const char *p = m->body ? m->body : ""; *p; p++) {
        if (*p == '\n' && (p == m->body || p[-1] != '\r'))
            ar_buf_putc(b, '\r');
        ar_buf_putc(b, (uint8_t)*p);
    }
    ar_buf_puts(b, "\r\n");
}

/* The file of `key` in the directory: up to 100 safe characters of the key,
 * then 16 hex digits of its SHA-256 (distinct keys, distinct files). */
static int eml_path(file_transport *ft, const char *key, ar_buf *path) {
    ar_sha256 sha;
    uint8_t hash[32];
    char hex[ARCHASE_HASH_HEX_SIZE];
    ar_span span = { key, strlen(key) };
    if (ar_sha256_init(&sha))
        return ARCHASE_ENOMEM;
    int rc = ar_sha256_spans(&sha, &span, 1, hash);
    ar_sha256_free(&sha);
    if (rc)
        return rc;
    ar_hash_to_hex(hash, hex);
    ar_buf_reset(path);
    ar_buf_printf(path, "%s/", ft->path);
    for (size_t i = 0; key[i] && i < 100; i++) {
        char c = key[i];
        int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                   c == '_' || c == '.';
        ar_buf_putc(path, (uint8_t)(safe ? c : '_'));
    }
    ar_buf_printf(path, "-%.16s.eml", hex);
    ar_buf_terminate(path);
    return path->err;
}

/* ---- slots ------------------------------------------------------------------------------ */

static int write_all(int fd, const uint8_t *data, size_t len) {
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* 1 when the file ends inside a line: a write a crash cut short. The next
 * message then starts on a line of its own, and the cut line, whose message
 * was never whole, is never taken for a sent one (jsonl_has). */
static int torn_end(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC), torn = 0;
    struct stat st;
    char last;
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1)
        torn = last != '\n';
    close(fd);
    return torn;
}

static int ft_send(void *ud, const archase_message *m, int *result, char *detail, size_t detail_size) {
    file_transport *ft = ud;
    ar_buf *b = &ft->out;
    ar_buf path, tmp_path;
    ar_buf_init(&path, &ft->allocator);
    ar_buf_init(&tmp_path, &ft->allocator);
    ar_buf_reset(b);
    int rc = 0, fd = -1;
    *result = ARCHASE_SEND_RETRY;
    if (ft->format == ARCHASE_FILE_TRANSPORT_JSONL) {
        json_line(b, m);
        if (b->err) {
            rc = ARCHASE_ENOMEM;
            goto done;
        }
        fd = open(ft->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 || (torn_end(ft->path) && write_all(fd, (const uint8_t *)"\n", 1)) ||
            write_all(fd, b->data, b->len) || fsync(fd)) {
            snprintf(detail, detail_size, "%s: %s", ft->path, strerror(errno));
            goto done; /* certainly not written whole: retry */
        }
    } else {
        eml_text(b, m);
        rc = eml_path(ft, m->idempotency_key, &path);
        if (rc || b->err) {
            rc = rc ? rc : ARCHASE_ENOMEM;
            goto done;
        }
        const char *target = (const char *)path.data;
        if (access(target, F_OK) == 0) { /* written before: never twice */
            *result = ARCHASE_SEND_SENT;
            snprintf(detail, detail_size, "already written: %s", target);
            goto done;
        }
        ar_buf_reset(&tmp_path);
        ar_buf_puts(&tmp_path, target);
        ar_buf_puts(&tmp_path, ".tmp");
        ar_buf_terminate(&tmp_path);
        const char *tmp = tmp_path.err ? NULL : (const char *)tmp_path.data;
        if (!tmp) {
            rc = ARCHASE_ENOMEM;
            goto done;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write_all(fd, b->data, b->len) || fsync(fd)) {
            snprintf(detail, detail_size, "%s: %s", tmp, strerror(errno));
            unlink(tmp);
            goto done;
        }
        if (rename(tmp, target) != 0) {
            snprintf(detail, detail_size, "%s: %s", target, strerror(errno));
            unlink(tmp);
            goto done;
        }
    }
    *result = ARCHASE_SEND_SENT;
done:
    if (fd >= 0)
        close(fd);
    ar_buf_free(&tmp_path);
    ar_buf_free(&path);
    if (rc) { /* nothing was written: certainly not delivered, worth another try */
        snprintf(detail, detail_size, "out of memory before writing");
        *result = ARCHASE_SEND_RETRY;
    }
    return 0;
}

/* Whether the file has a whole line with this key: one that ends its object
 * and then the line (a line a crash cut short does not, even once the next
 * message ended it). */
static int jsonl_has(file_transport *ft, const char *key, int *found) {
    ar_buf needle;
    ar_buf_init(&needle, &ft->allocator);
    ar_buf_puts(&needle, "{\"idempotency_key\":");
    json_str(&needle, key);
    ar_buf_putc(&needle, ',');
    ar_buf_terminate(&needle);
    *found = 0;
    if (needle.err) {
        ar_buf_free(&needle);
        return ARCHASE_ENOMEM;
    }
    FILE *f = fopen(ft->path, "re");
    if (!f) {
        ar_buf_free(&needle);
        return errno == ENOENT ? 0 : ARCHASE_EIO;
    }
    char line[4096], prev = 0;
    int at_start = 1, match = 0;
    while (!*found && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (at_start)
            match = !strncmp(line, (const char *)needle.data, needle.len);
        at_start = len && line[len - 1] == '\n';
        /* A whole line is a whole object: "}" then the end of the line. */
        *found = match && at_start && (len > 1 ? line[len - 2] : prev) == '}';
        prev = len ? line[len - 1] : prev;
    }
    int rc = ferror(f) ? ARCHASE_EIO : 0;
    fclose(f);
    ar_buf_free(&needle);
    return rc;
}

static int ft_lookup(void *ud, const char *key, int *result) {
    file_transport *ft = ud;
    int found = 0, rc;
    *result = ARCHASE_LOOKUP_UNKNOWN;
    if (ft->format == ARCHASE_FILE_TRANSPORT_JSONL) {
        rc = jsonl_has(ft, key, &found);
    } else {
        ar_buf path;
        ar_buf_init(&path, &ft->allocator);
        rc = eml_path(ft, key, &path);
        if (!rc)
            found = access((const char *)path.data, F_OK) == 0;
        ar_buf_free(&path);
    }
    if (rc)
        return rc;
    *result = found ? ARCHASE_LOOKUP_SENT : ARCHASE_LOOKUP_NOT_SENT;
    return 0;
}

static void ft_close(void *ud) {
    file_transport *ft = ud;
    archase_allocator a = ft->allocator;
    ar_buf_free(&ft->out);
    ar_free(&a, ft->path);
    ar_free(&a, ft);
}

int archase_file_transport_open(int format, const char *path, const archase_allocator *allocator,
                                archase_transport *out) {
    if (!path || !*path || !out)
        return ARCHASE_EINVAL;
    if (format != ARCHASE_FILE_TRANSPORT_JSONL && format != ARCHASE_FILE_TRANSPORT_EML)
        return ARCHASE_EINVAL;
    int rc = ar_allocator_check(allocator);
    if (rc)
        return rc;
    const archase_allocator *a = ar_allocator(allocator);
    struct stat st;
    if (format == ARCHASE_FILE_TRANSPORT_EML) {
        if (stat(path, &st) != 0)
            return errno == ENOENT ? ARCHASE_ENOTFOUND : ARCHASE_EIO;
        if (!S_ISDIR(st.st_mode))
            return ARCHASE_EINVAL;
    } else {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return errno == ENOENT ? ARCHASE_ENOTFOUND : ARCHASE_EIO;
        close(fd);
    }
    file_transport *ft = ar_calloc(a, 1, sizeof *ft);
    if (!ft)
        return ARCHASE_ENOMEM;
    ft->allocator = *a;
    ft->format = format;
    ft->path = ar_strdup(a, path);
    if (!ft->path) {
        ar_free(a, ft);
        return ARCHASE_ENOMEM;
    }
    ar_buf_init(&ft->out, &ft->allocator);
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, ft, ft_send, ft_lookup, ft_close };
    *out = t;
    return 0;
}
