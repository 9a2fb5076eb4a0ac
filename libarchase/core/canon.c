/* libarchase/core/canon.c — the canonical binary encoding of records. */
#include "core/canon.h"

#include <string.h>

#include "archase/errors.h"

/* ---- writing ---------------------------------------------------------- */

void ar_canon_init(ar_canon *c, const archase_allocator *a) {
    memset(c, 0, sizeof *c);
    ar_buf_init(&c->buf, a);
}

void ar_canon_free(ar_canon *c) {
    ar_buf_free(&c->buf);
}

void ar_canon_reset(ar_canon *c) {
    ar_buf_reset(&c->buf);
    c->depth = 0;
    c->err = 0;
    c->done = 0;
}

static int fail(ar_canon *c, int err) {
    if (!c->err)
        c->err = err;
    return c->err;
}

/* Accounts for one value about to be written at the current level. */
static int begin_value(ar_canon *c) {
    if (!c->err && c->buf.err)
        c->err = c->buf.err;
    if (c->err)
        return c->err;
    if (c->depth == 0) {
        /* At top level only one record may be written. */
        if (c->done)
            return fail(c, ARCHASE_EINVAL);
        return 0;
    }
    ar_canon_frame *f = &c->stack[c->depth - 1];
    if (f->is_record) {
        if (!f->want_value)
            return fail(c, ARCHASE_EINVAL);
        f->want_value = 0;
    }
    if (f->count == (f->is_record ? 0xffffu : AR_CANON_MAX_LENGTH))
        return fail(c, ARCHASE_EINVAL);
    f->count++;
    return 0;
}

static void put_tag(ar_canon *c, uint8_t tag) {
    ar_buf_putc(&c->buf, tag);
}

void ar_canon_field(ar_canon *c, uint16_t field) {
    if (c->err)
        return;
    if (c->depth == 0) {
        fail(c, ARCHASE_EINVAL);
        return;
    }
    ar_canon_frame *f = &c->stack[c->depth - 1];
    if (!f->is_record || f->want_value || (int32_t)field <= f->last_field) {
        fail(c, ARCHASE_EINVAL);
        return;
    }
    f->last_field = field;
    f->want_value = 1;
    ar_buf_put_u16be(&c->buf, field);
}

void ar_canon_null(ar_canon *c) {
    if (begin_value(c))
        return;
    put_tag(c, AR_CANON_NULL);
}

void ar_canon_bool(ar_canon *c, int v) {
    if (begin_value(c))
        return;
    put_tag(c, AR_CANON_BOOL);
    ar_buf_putc(&c->buf, v ? 1 : 0);
}

void ar_canon_int(ar_canon *c, int64_t v) {
    if (begin_value(c))
        return;
    put_tag(c, AR_CANON_INT);
    ar_buf_put_u64be(&c->buf, (uint64_t)v);
}

static void put_blob(ar_canon *c, uint8_t tag, const void *data, size_t len) {
    if (len > AR_CANON_MAX_LENGTH) {
        fail(c, ARCHASE_EINVAL);
        return;
    }
    if (begin_value(c))
        return;
    put_tag(c, tag);
    ar_buf_put_u32be(&c->buf, (uint32_t)len);
    ar_buf_put(&c->buf, data, len);
}

void ar_canon_strn(ar_canon *c, const char *s, size_t len) {
    put_blob(c, AR_CANON_STRING, s, len);
}

void ar_canon_str(ar_canon *c, const char *s) {
    if (!s)
        ar_canon_null(c);
    else
        put_blob(c, AR_CANON_STRING, s, strlen(s));
}

void ar_canon_bytes(ar_canon *c, const void *data, size_t len) {
    put_blob(c, AR_CANON_BYTES, data, len);
}

static int valid_currency(const char *code) {
    for (int i = 0; i < 3; i++) {
        if (code[i] < 'A' || code[i] > 'Z')
            return 0;
    }
    return code[3] == '\0';
}

void ar_canon_money(ar_canon *c, const archase_money *m) {
    if (!m || !valid_currency(m->currency)) {
        fail(c, ARCHASE_EINVAL);
        return;
    }
    if (begin_value(c))
        return;
    put_tag(c, AR_CANON_MONEY);
    ar_buf_put_u64be(&c->buf, (uint64_t)m->minor);
    ar_buf_put(&c->buf, m->currency, 3);
}

void ar_canon_date(ar_canon *c, int32_t date) {
    if (begin_value(c))
        return;
    put_tag(c, AR_CANON_DATE);
    ar_buf_put_u32be(&c->buf, (uint32_t)date);
}

void ar_canon_instant(ar_canon *c, int64_t instant) {
    if (begin_value(c))
        return;
    put_tag(c, AR_CANON_INSTANT);
    ar_buf_put_u64be(&c->buf, (uint64_t)instant);
}

void ar_canon_hash(ar_canon *c, const uint8_t hash[32]) {
    if (begin_value(c))
        return;
    put_tag(c, AR_CANON_HASH);
    ar_buf_put(&c->buf, hash, 32);
}

static void push(ar_canon *c, uint8_t tag, int is_record, uint16_t kind) {
    if (c->depth == AR_CANON_MAX_DEPTH) {
        fail(c, ARCHASE_EINVAL);
        return;
    }
    if (begin_value(c))
        return;
    put_tag(c, tag);
    if (is_record)
        ar_buf_put_u16be(&c->buf, kind);
    ar_canon_frame *f = &c->stack[c->depth++];
    f->count_offset = c->buf.len;
    f->count = 0;
    f->last_field = -1;
    f->is_record = (uint8_t)is_record;
    f->want_value = 0;
    if (is_record)
        ar_buf_put_u16be(&c->buf, 0);
    else
        ar_buf_put_u32be(&c->buf, 0);
}

static void pop(ar_canon *c, int is_record) {
    if (!c->err && c->buf.err)
        c->err = c->buf.err;
    if (c->err)
        return;
    if (c->depth == 0) {
        fail(c, ARCHASE_EINVAL);
        return;
    }
    ar_canon_frame *f = &c->stack[c->depth - 1];
    if (f->is_record != is_record || f->want_value) {
        fail(c, ARCHASE_EINVAL);
        return;
    }
    uint8_t *p = c->buf.data + f->count_offset;
    if (is_record) {
        p[0] = (uint8_t)(f->count >> 8);
        p[1] = (uint8_t)f->count;
    } else {
        p[0] = (uint8_t)(f->count >> 24);
        p[1] = (uint8_t)(f->count >> 16);
        p[2] = (uint8_t)(f->count >> 8);
        p[3] = (uint8_t)f->count;
    }
    c->depth--;
    if (c->depth == 0)
        c->done = 1;
}

void ar_canon_begin_list(ar_canon *c) {
    if (c->depth == 0) {
        fail(c, ARCHASE_EINVAL); /* the top level is always a record */
        return;
    }
    push(c, AR_CANON_LIST, 0, 0);
}

void ar_canon_end_list(ar_canon *c) {
    pop(c, 0);
}

void ar_canon_begin_record(ar_canon *c, uint16_t kind) {
    push(c, AR_CANON_RECORD, 1, kind);
}

void ar_canon_end_record(ar_canon *c) {
    pop(c, 1);
}

void ar_canon_put_bool(ar_canon *c, uint16_t field, int v) {
    ar_canon_field(c, field);
    ar_canon_bool(c, v);
}

void ar_canon_put_int(ar_canon *c, uint16_t field, int64_t v) {
    ar_canon_field(c, field);
    ar_canon_int(c, v);
}

void ar_canon_put_str(ar_canon *c, uint16_t field, const char *s) {
    ar_canon_field(c, field);
    ar_canon_str(c, s);
}

void ar_canon_put_money(ar_canon *c, uint16_t field, const archase_money *m) {
    ar_canon_field(c, field);
    ar_canon_money(c, m);
}

void ar_canon_put_date(ar_canon *c, uint16_t field, int32_t date) {
    ar_canon_field(c, field);
    ar_canon_date(c, date);
}

void ar_canon_put_instant(ar_canon *c, uint16_t field, int64_t instant) {
    ar_canon_field(c, field);
    ar_canon_instant(c, instant);
}

void ar_canon_put_hash(ar_canon *c, uint16_t field, const uint8_t hash[32]) {
    ar_canon_field(c, field);
    ar_canon_hash(c, hash);
}

void ar_canon_put_bytes(ar_canon *c, uint16_t field, const void *data, size_t len) {
    ar_canon_field(c, field);
    ar_canon_bytes(c, data, len);
}

int ar_canon_finish(ar_canon *c, const uint8_t **data, size_t *size) {
    if (!c->err && c->buf.err)
        c->err = c->buf.err;
    if (!c->err && (c->depth != 0 || !c->done))
        c->err = ARCHASE_EINVAL;
    if (c->err)
        return c->err;
    *data = c->buf.data;
    *size = c->buf.len;
    return 0;
}

/* ---- reading ---------------------------------------------------------- */

void ar_canon_reader_init(ar_canon_reader *r, const void *data, size_t size) {
    r->p = data;
    r->end = data ? r->p + size : r->p; /* NULL + 0 is undefined in C */
    r->err = 0;
}

static int bad(ar_canon_reader *r) {
    r->err = ARCHASE_EPARSE;
    return r->err;
}

static int need(ar_canon_reader *r, size_t n) {
    return (size_t)(r->end - r->p) >= n;
}

static uint16_t get_u16(const uint8_t *p) {
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_u64(const uint8_t *p) {
    return (uint64_t)get_u32(p) << 32 | get_u32(p + 4);
}

int ar_canon_read(ar_canon_reader *r, ar_canon_value *v) {
    if (r->err)
        return r->err;
    if (!need(r, 1))
        return bad(r);
    memset(v, 0, sizeof *v);
    v->type = *r->p++;
    switch (v->type) {
    case AR_CANON_NULL:
        return 0;
    case AR_CANON_BOOL:
        if (!need(r, 1) || *r->p > 1)
            return bad(r);
        v->i = *r->p++;
        return 0;
    case AR_CANON_INT:
    case AR_CANON_INSTANT:
        if (!need(r, 8))
            return bad(r);
        v->i = (int64_t)get_u64(r->p);
        r->p += 8;
        return 0;
    case AR_CANON_DATE:
        if (!need(r, 4))
            return bad(r);
        v->i = (int32_t)get_u32(r->p);
        r->p += 4;
        return 0;
    case AR_CANON_STRING:
    case AR_CANON_BYTES:
        if (!need(r, 4))
            return bad(r);
        v->len = get_u32(r->p);
        r->p += 4;
        if (v->len > AR_CANON_MAX_LENGTH || !need(r, v->len))
            return bad(r);
        v->bytes = r->p;
        r->p += v->len;
        return 0;
    case AR_CANON_MONEY:
        if (!need(r, 11))
            return bad(r);
        v->money.minor = (int64_t)get_u64(r->p);
        memcpy(v->money.currency, r->p + 8, 3);
        v->money.currency[3] = '\0';
        if (!valid_currency(v->money.currency))
            return bad(r);
        r->p += 11;
        return 0;
    case AR_CANON_HASH:
        if (!need(r, 32))
            return bad(r);
        v->bytes = r->p;
        v->len = 32;
        r->p += 32;
        return 0;
    case AR_CANON_LIST:
        if (!need(r, 4))
            return bad(r);
        v->count = get_u32(r->p);
        r->p += 4;
        /* Every item takes at least one byte. */
        if (v->count > AR_CANON_MAX_LENGTH || !need(r, v->count))
            return bad(r);
        return 0;
    case AR_CANON_RECORD:
        if (!need(r, 4))
            return bad(r);
        v->kind = get_u16(r->p);
        v->count = get_u16(r->p + 2);
        r->p += 4;
        /* Every field takes at least three bytes. */
        if (!need(r, (size_t)v->count * 3))
            return bad(r);
        return 0;
    default:
        return bad(r);
    }
}

int ar_canon_read_field(ar_canon_reader *r, uint16_t *field, ar_canon_value *v) {
    if (r->err)
        return r->err;
    if (!need(r, 2))
        return bad(r);
    *field = get_u16(r->p);
    r->p += 2;
    return ar_canon_read(r, v);
}

/* Skips the children of a container, checking their structure on the way. */
static int skip_children(ar_canon_reader *r, const ar_canon_value *v, int depth) {
    if (v->type != AR_CANON_LIST && v->type != AR_CANON_RECORD)
        return r->err;
    if (depth > AR_CANON_MAX_DEPTH)
        return bad(r);
    int32_t last_field = -1;
    for (uint32_t i = 0; i < v->count; i++) {
        ar_canon_value child;
        if (v->type == AR_CANON_RECORD) {
            uint16_t field;
            if (ar_canon_read_field(r, &field, &child))
                return r->err;
            if ((int32_t)field <= last_field)
                return bad(r);
            last_field = field;
        } else if (ar_canon_read(r, &child)) {
            return r->err;
        }
        if (skip_children(r, &child, depth + 1))
            return r->err;
    }
    return 0;
}

int ar_canon_skip(ar_canon_reader *r, const ar_canon_value *v) {
    return skip_children(r, v, 1);
}

int ar_canon_at_end(const ar_canon_reader *r) {
    return r->p == r->end;
}

int ar_canon_validate(const void *data, size_t size) {
    if (!data && size)
        return ARCHASE_EPARSE;
    ar_canon_reader r;
    ar_canon_value v;
    ar_canon_reader_init(&r, data, size);
    if (ar_canon_read(&r, &v) || v.type != AR_CANON_RECORD)
        return ARCHASE_EPARSE;
    if (ar_canon_skip(&r, &v) || !ar_canon_at_end(&r))
        return ARCHASE_EPARSE;
    return 0;
}
