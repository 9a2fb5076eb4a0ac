/* examples/transports/smtp/smtp_message.c — an archase_message as an RFC 5322
 * e-mail: headers (encoded words for UTF-8), the Message-ID made from the
 * idempotency key, and a quoted-printable UTF-8 body with CRLF line ends. */
#include "smtp_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <archase/errors.h>

#include "archase_smtp.h"

/* ---- buffer ------------------------------------------------------------------ */

void smtp_buf_add(smtp_buf *b, const char *data, size_t len) {
    if (b->failed)
        return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void smtp_buf_adds(smtp_buf *b, const char *text) {
    smtp_buf_add(b, text, strlen(text));
}

void smtp_buf_free(smtp_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* ---- addresses and the Message-ID ---------------------------------------------- */

int smtp_address_ok(const char *address) {
    if (!address)
        return 0;
    size_t len = strlen(address);
    const char *at = strchr(address, '@');
    if (len == 0 || len > 254 || !at || at == address || !at[1] || strchr(at + 1, '@'))
        return 0;
    for (const char *p = address; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c >= 127 || strchr("<>()[]\\,;:\"", c))
            return 0;
    }
    return 1;
}

static int domain_ok(const char *domain) {
    if (!domain || !*domain || strlen(domain) > 253)
        return 0;
    for (const char *p = domain; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int archase_smtp_message_id(const char *idempotency_key, const char *domain, char *buf,
                            size_t size) {
    static const char hexdigits[] = "0123456789ABCDEF";
    if (!idempotency_key || !*idempotency_key || !domain_ok(domain) || !buf)
        return ARCHASE_EINVAL;
    /* "<archase." key "@" domain ">": letters, digits, '-' and '_' as they
     * are, every other byte as =XX (dot-atom text, readable, reversible). */
    size_t need = strlen("<archase.") + strlen(domain) + 3;
    for (const unsigned char *p = (const unsigned char *)idempotency_key; *p; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
        need += plain ? 1 : 3;
    }
    if (need > size)
        return ARCHASE_EBUFSIZE;
    char *out = buf;
    out += sprintf(out, "<archase.");
    for (const unsigned char *p = (const unsigned char *)idempotency_key; *p; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
        if (plain) {
            *out++ = (char)*p;
        } else {
            *out++ = '=';
            *out++ = hexdigits[*p >> 4];
            *out++ = hexdigits[*p & 15];
        }
    }
    sprintf(out, "@%s>", domain);
    return 0;
}

/* ---- header text ------------------------------------------------------------------ */

static int is_plain_ascii(const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < ' ' || *p >= 127)
            return 0;
    return 1;
}

static void add_base64(smtp_buf *b, const unsigned char *data, size_t len) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        char quad[4] = { alphabet[(v >> 18) & 63], alphabet[(v >> 12) & 63],
                         i + 1 < len ? alphabet[(v >> 6) & 63] : '=',
                         i + 2 < len ? alphabet[v & 63] : '=' };
        smtp_buf_add(b, quad, 4);
    }
}

/* Text with control characters (CR, LF, tabs) turned into spaces, as UTF-8
 * encoded words of at most 39 bytes each (52 characters of Base64), folded
 * so that no header line passes 78 characters. */
static void add_encoded_words(smtp_buf *b, const char *text) {
    size_t len = strlen(text);
    unsigned char *clean = malloc(len + 1);
    if (!clean) {
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        clean[i] = c < ' ' || c == 127 ? ' ' : c;
    }
    size_t start = 0;
    while (start < len) {
        size_t end = start + 39 < len ? start + 39 : len;
        /* Never split a UTF-8 sequence: back up over continuation bytes. */
        while (end < len && end > start + 1 && (clean[end] & 0xC0) == 0x80)
            end--;
        if (start)
            smtp_buf_adds(b, "\r\n ");
        smtp_buf_adds(b, "=?UTF-8?B?");
        add_base64(b, clean + start, end - start);
        smtp_buf_adds(b, "?=");
        start = end;
    }
    free(clean);
}

/* Unstructured text (a subject): as it is when it is short printable ASCII,
 * else encoded words. */
static void add_unstructured(smtp_buf *b, const char *text) {
    if (is_plain_ascii(text) && strlen(text) <= 900)
        smtp_buf_adds(b, text);
    else
        add_encoded_words(b, text);
}

/* A mailbox: "Name" <address>, the name quoted or encoded. */
static void add_mailbox(smtp_buf *b, const char *name, const char *address) {
    if (name && *name) {
        if (is_plain_ascii(name) && strlen(name) <= 200) {
            smtp_buf_adds(b, "\"");
            for (const char *p = name; *p; p++) {
                if (*p == '"' || *p == '\\')
                    smtp_buf_adds(b, "\\");
                smtp_buf_add(b, p, 1);
            }
            smtp_buf_adds(b, "\"");
        } else {
            add_encoded_words(b, name);
        }
        smtp_buf_adds(b, " ");
    }
    smtp_buf_adds(b, "<");
    smtp_buf_adds(b, address);
    smtp_buf_adds(b, ">");
}

static void add_header(smtp_buf *b, const char *name, const char *value) {
    smtp_buf_adds(b, name);
    smtp_buf_adds(b, ": ");
    smtp_buf_adds(b, value);
    smtp_buf_adds(b, "\r\n");
}

/* RFC 5322 date in UTC, independent of the locale. */
static void add_date(smtp_buf *b, long long instant) {
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t t = (time_t)instant;
    struct tm tm;
    char text[64];
    if (!gmtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    add_header(b, "Date", text);
}

/* ---- body ----------------------------------------------------------------------- */

/* Quoted-printable (RFC 2045): lines of at most 76 characters, CRLF line
 * ends whatever the text used, spaces before a line end encoded. */
static void add_quoted_printable(smtp_buf *b, const char *text, size_t len) {
    static const char hexdigits[] = "0123456789ABCDEF";
    size_t column = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
            continue;
        if (c == '\n' || c == '\r') {
            smtp_buf_adds(b, "\r\n");
            column = 0;
            continue;
        }
        int at_line_end = i + 1 == len || text[i + 1] == '\n' || text[i + 1] == '\r';
        int literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
        size_t width = literal ? 1 : 3;
        if (column + width > 75) {
            smtp_buf_adds(b, "=\r\n");
            column = 0;
        }
        if (literal) {
            smtp_buf_add(b, (const char *)&c, 1);
        } else {
            char escaped[3] = { '=', hexdigits[c >> 4], hexdigits[c & 15] };
            smtp_buf_add(b, escaped, 3);
        }
        column += width;
    }
    if (column)
        smtp_buf_adds(b, "\r\n");
}

/* A link with "{customer_id}" replaced by the customer's id, percent-encoded. */
static void add_link(smtp_buf *b, const char *link, const char *customer_id) {
    static const char hexdigits[] = "0123456789ABCDEF";
    static const char marker[] = "{customer_id}";
    for (const char *p = link; *p;) {
        if (strncmp(p, marker, sizeof marker - 1) != 0) {
            smtp_buf_add(b, p++, 1);
            continue;
        }
        for (const unsigned char *c = (const unsigned char *)(customer_id ? customer_id : "");
             *c; c++) {
            if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                strchr("-._~", *c)) {
                smtp_buf_add(b, (const char *)c, 1);
            } else {
                char escaped[3] = { '%', hexdigits[*c >> 4], hexdigits[*c & 15] };
                smtp_buf_add(b, escaped, 3);
            }
        }
        p += sizeof marker - 1;
    }
}

/* `text` with every `token` replaced by the link (or removed). */
static void replace_token(smtp_buf *out, const char *text, const char *token, const char *link,
                          const char *customer_id) {
    size_t tlen = token ? strlen(token) : 0;
    const char *p = text;
    while (*p) {
        const char *hit = tlen ? strstr(p, token) : NULL;
        if (!hit) {
            smtp_buf_adds(out, p);
            break;
        }
        smtp_buf_add(out, p, (size_t)(hit - p));
        if (link)
            add_link(out, link, customer_id);
        p = hit + tlen;
    }
}

/* The documented rendering of `{{ links.dispute }}` (docs/policy-reference.md). */
#define DISPUTE_LINK_TOKEN "@@ARCHASE:DISPUTE_LINK@@"

/* The body with the pay-link placeholder and the dispute-link token replaced
 * by the links (or removed). */
static void add_body(smtp_buf *b, const archase_message *msg, const smtp_sender *sender) {
    smtp_buf paid = { 0 }, text = { 0 };
    replace_token(&paid, msg->body ? msg->body : "", msg->link_placeholder, sender->pay_link,
                  msg->customer_id);
    replace_token(&text, paid.data ? paid.data : "", DISPUTE_LINK_TOKEN, sender->dispute_link,
                  msg->customer_id);
    if (paid.failed || text.failed)
        b->failed = 1;
    else
        add_quoted_printable(b, text.data ? text.data : "", text.len);
    smtp_buf_free(&paid);
    smtp_buf_free(&text);
}

/* ---- the message ----------------------------------------------------------------- */

int smtp_compose(const smtp_sender *sender, const archase_message *msg, const char *to,
                 long long date, smtp_buf *out, char *detail, size_t detail_size) {
    char message_id[3 * ARCHASE_IDEMPOTENCY_KEY_MAX + 300];
    if (!smtp_address_ok(to)) {
        snprintf(detail, detail_size, "'%s' is not an e-mail address", to ? to : "");
        return ARCHASE_EINVAL;
    }
    if (archase_smtp_message_id(msg->idempotency_key, sender->message_id_domain, message_id,
                                sizeof message_id)) {
        snprintf(detail, detail_size, "the idempotency key cannot make a Message-ID");
        return ARCHASE_EINVAL;
    }
    smtp_buf b = { 0 };
    add_date(&b, date);
    smtp_buf_adds(&b, "From: ");
    add_mailbox(&b, sender->from_name, sender->from);
    smtp_buf_adds(&b, "\r\nTo: ");
    add_mailbox(&b, msg->channel == ARCHASE_CHANNEL_INTERNAL ? NULL : msg->recipient_name, to);
    smtp_buf_adds(&b, "\r\n");
    if (sender->reply_to)
        add_header(&b, "Reply-To", sender->reply_to);
    smtp_buf_adds(&b, "Subject: ");
    if (msg->subject && *msg->subject) {
        add_unstructured(&b, msg->subject);
    } else {
        /* Internal routes carry no subject: name the route and the customer. */
        smtp_buf subject = { 0 };
        smtp_buf_adds(&subject, "[");
        smtp_buf_adds(&subject, msg->address ? msg->address : "collections");
        smtp_buf_adds(&subject, "] ");
        smtp_buf_adds(&subject, msg->customer_name ? msg->customer_name
                                : msg->customer_id ? msg->customer_id : "collections");
        if (subject.failed)
            b.failed = 1;
        else
            add_unstructured(&b, subject.data);
        smtp_buf_free(&subject);
    }
    smtp_buf_adds(&b, "\r\n");
    add_header(&b, "Message-ID", message_id);
    if (is_plain_ascii(msg->idempotency_key))
        add_header(&b, "X-Archase-Idempotency-Key", msg->idempotency_key);
    if (msg->channel == ARCHASE_CHANNEL_INTERNAL && msg->address && is_plain_ascii(msg->address))
        add_header(&b, "X-Archase-Route", msg->address);
    add_header(&b, "Auto-Submitted", "auto-generated");
    add_header(&b, "MIME-Version", "1.0");
    add_header(&b, "Content-Type", "text/plain; charset=UTF-8");
    add_header(&b, "Content-Transfer-Encoding", "quoted-printable");
    smtp_buf_adds(&b, "\r\n");
    add_body(&b, msg, sender);
    if (b.failed) {
        smtp_buf_free(&b);
        snprintf(detail, detail_size, "out of memory");
        return ARCHASE_ENOMEM;
    }
    *out = b;
    return 0;
}
