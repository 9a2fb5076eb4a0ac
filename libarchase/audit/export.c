/* libarchase/audit/export.c — the store's log as JSON Lines, and verifying
 * such an export alone, without a store (docs/audit-format.md, "Export"). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "audit/jsonl.h"
#include "audit/log.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "core/alloc.h"
#include "core/base64.h"
#include "engine/engine.h"
#include "io/json.h"

#define EXPORT_FORMAT 1
/* The longest line an export verifier reads. */
#define LINE_MAX_BYTES ((size_t)64 << 20)

/* ---- writing ------------------------------------------------------------------ */

static void put_key(ar_buf *b, const char *key, int first) {
    if (!first)
        ar_buf_putc(b, ',');
    ar_json_put_string(b, key, strlen(key));
    ar_buf_putc(b, ':');
}

static void put_text(ar_buf *b, const char *key, const char *value) {
    put_key(b, key, 0);
    ar_json_put_string(b, value, strlen(value));
}

static void put_hex(ar_buf *b, const char *key, const uint8_t *data, size_t size) {
    static const char digits[] = "0123456789abcdef";
    put_key(b, key, 0);
    ar_buf_putc(b, '"');
    if (ar_buf_reserve(b, 2 * size) == 0) {
        for (size_t i = 0; i < size; i++) {
            b->data[b->len++] = (uint8_t)digits[data[i] >> 4];
            b->data[b->len++] = (uint8_t)digits[data[i] & 15];
        }
    }
    ar_buf_putc(b, '"');
}

typedef struct exporter {
    archase_engine *e;
    archase_write_fn write;
    void           *userdata;
    ar_buf          line;
    int             write_rc;
} exporter;

static int emit(exporter *x) {
    ar_buf_putc(&x->line, '\n');
    if (x->line.err)
        return ar_error_set(&x->e->err, ARCHASE_ENOMEM, "out of memory");
    int rc = x->write(x->userdata, x->line.data, x->line.len);
    ar_buf_reset(&x->line);
    if (rc) {
        x->write_rc = rc;
        return ar_error_set(&x->e->err, rc, "the export's writer failed");
    }
    return 0;
}

static int write_checkpoint(void *userdata, const archase_checkpoint *cp,
                            const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]) {
    exporter *x = userdata;
    char text[ARCHASE_CHECKPOINT_TEXT_MAX];
    if (archase_checkpoint_format(cp, text, sizeof text))
        return 0; /* not representable: its record in the log will say so */
    ar_buf_puts(&x->line, "{\"type\":\"checkpoint\"");
    ar_buf_printf(&x->line, ",\"size\":%" PRIu64, cp->size);
    put_hex(&x->line, "public_key", public_key, ARCHASE_ED25519_PUBLIC_KEY_SIZE);
    put_text(&x->line, "checkpoint", text);
    ar_buf_putc(&x->line, '}');
    return emit(x);
}

static int write_record(void *userdata, const archase_audit_entry *entry) {
    exporter *x = userdata;
    char at[ARCHASE_INSTANT_FORMAT_MAX] = "";
    ar_audit_fields f;
    const char *kind = archase_audit_kind_name((int)entry->kind);
    ar_buf_puts(&x->line, "{\"type\":\"record\"");
    ar_buf_printf(&x->line, ",\"index\":%" PRIu64, entry->index);
    if (kind)
        put_text(&x->line, "kind", kind);
    else
        ar_buf_printf(&x->line, ",\"kind\":%" PRIu32, entry->kind);
    if (ar_audit_decode_shallow(entry->data, entry->size, &f) == 0)
        ar_buf_printf(&x->line, ",\"payload_kind\":%u", ((unsigned)f.payload[1] << 8) | f.payload[2]);
    put_text(&x->line, "actor", entry->actor ? entry->actor : "");
    archase_instant_format(entry->instant, at, sizeof at);
    put_text(&x->line, "at", at);
    if (entry->link_count && entry->links) {
        put_key(&x->line, "links", 0);
        ar_buf_putc(&x->line, '[');
        for (uint32_t i = 0; i < entry->link_count; i++) {
            if (i)
                ar_buf_putc(&x->line, ',');
            const char *link = entry->links[i] ? entry->links[i] : "";
            ar_json_put_string(&x->line, link, strlen(link));
        }
        ar_buf_putc(&x->line, ']');
    }
    put_hex(&x->line, "prev_hash", entry->prev_hash, ARCHASE_HASH_SIZE);
    put_hex(&x->line, "leaf_hash", entry->leaf_hash, ARCHASE_HASH_SIZE);
    put_hex(&x->line, "record", entry->data, entry->data ? entry->size : 0);
    ar_buf_putc(&x->line, '}');
    return emit(x);
}

typedef struct state_get {
    int            found;
    int            bad;
    ar_audit_chain chain;
} state_get;

static int take_state(void *ctx, const archase_record *rec) {
    state_get *g = ctx;
    g->found = 1;
    g->bad = ar_audit_state_decode(rec->data, rec->size, &g->chain) != 0;
    return 0;
}

/* The header: what the store records about its log. */
static int write_header(exporter *x, uint64_t *size) {
    archase_engine *e = x->e;
    state_get g;
    uint8_t root[ARCHASE_HASH_SIZE], head[ARCHASE_HASH_SIZE], first[ARCHASE_HASH_SIZE];
    char log_id[ARCHASE_LOG_ID_MAX + 1] = "";
    ar_sha256 *sha;
    memset(&g, 0, sizeof g);
    int rc = ar_store_get(e, ARCHASE_FAMILY_META, AR_AUDIT_META_ID, take_state, &g);
    if (rc == ARCHASE_ENOTFOUND) {
        ar_error_clear(&e->err);
        rc = 0;
    }
    if (!rc)
        rc = ar_audit_sha(e, &sha);
    if (rc)
        return rc;
    memset(head, 0, sizeof head);
    if (g.found && !g.bad) {
        *size = g.chain.tree.size;
        memcpy(head, g.chain.head, ARCHASE_HASH_SIZE);
        rc = ar_merkle_frontier_root(&g.chain.tree, sha, root);
    } else {
        /* No recorded state: what the entries say (a verifier will object). */
        ar_audit_store_reader reader;
        ar_merkle_reader r;
        rc = ar_store_audit_size(e, size);
        ar_audit_store_reader_init(&reader, e, &r);
        if (!rc)
            rc = ar_merkle_root_at(sha, &r, *size, root);
        if (!rc && *size)
            rc = ar_audit_leaf_at(e, *size - 1, head);
    }
    if (!rc && *size)
        rc = ar_audit_leaf_at(e, 0, first);
    if (rc)
        return e->err.code == rc ? rc : ar_error_set(&e->err, rc, "reading the log failed");
    if (*size)
        ar_audit_format_log_id(first, log_id);
    ar_buf_printf(&x->line, "{\"type\":\"audit_log\",\"format\":%d", EXPORT_FORMAT);
    put_text(&x->line, "log_id", log_id);
    ar_buf_printf(&x->line, ",\"size\":%" PRIu64, *size);
    put_hex(&x->line, "root", root, ARCHASE_HASH_SIZE);
    put_hex(&x->line, "head", head, ARCHASE_HASH_SIZE);
    ar_buf_putc(&x->line, '}');
    return emit(x);
}

int archase_audit_export(archase_engine *e, archase_write_fn write, void *userdata) {
    exporter x;
    uint64_t size = 0;
    if (!e || !write)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    memset(&x, 0, sizeof x);
    x.e = e;
    x.write = write;
    x.userdata = userdata;
    ar_buf_init(&x.line, AR_ENGINE_ALLOC(e));
    /* The header and the checkpoints first, so that a verifier knows every
     * root to expect before the first record. */
    int rc = write_header(&x, &size);
    if (!rc)
        rc = archase_audit_checkpoints(e, write_checkpoint, &x);
    if (!rc)
        rc = ar_store_audit_read(e, 0, size, write_record, &x);
    ar_buf_free(&x.line);
    return x.write_rc ? x.write_rc : rc;
}

/* ---- verifying an export ---------------------------------------------------------- */

typedef struct export_verify {
    const archase_audit_verify_options *o;
    const archase_allocator            *a;
    ar_buf                              scratch;
    ar_buf                              bytes;
    ar_sha256                           sha;
    ar_cp_set                           cps;
    ar_record_check                     check;
    ar_audit_expect                    *expect;
    size_t                              expect_count;
    ar_verdict                          verdict;
    archase_audit_report               *report;
    uint64_t                            line_no;
    int                                 stage;  /* 0 header, 1 checkpoints, 2 records */
    int                                 stopped;
    uint64_t                            count;
    ar_audit_expect                     header;
    uint8_t                             header_head[ARCHASE_HASH_SIZE];
    char                                header_log_id[ARCHASE_LOG_ID_MAX + 1];
    uint8_t                             first_leaf[ARCHASE_HASH_SIZE];
} export_verify;

static int malformed(export_verify *v, uint64_t index, const char *what) {
    ar_verdict_set(&v->verdict, v->stage == 2 ? ARCHASE_AUDIT_PROBLEM_MALFORMED : ARCHASE_AUDIT_PROBLEM_STATE, index,
                   "line %" PRIu64 ": %s", v->line_no, what);
    if (v->stage == 2)
        ar_record_check_stop(&v->check);
    v->stopped = 1;
    return 0;
}

static int parse_u64(const ar_jsonl_member *m, uint64_t *out) {
    uint64_t n = 0;
    if (!m || m->len == 0 || m->len > 20 || (m->text[0] == '0' && m->len > 1))
        return -1;
    for (size_t i = 0; i < m->len; i++) {
        unsigned d = (unsigned)(m->text[i] - '0');
        if (d > 9 || n > (UINT64_MAX - d) / 10)
            return -1;
        n = n * 10 + d;
    }
    *out = n;
    return 0;
}

static int parse_hex(const ar_jsonl_member *m, uint8_t *out, size_t want) {
    size_t n = 0;
    if (!m || m->len != 2 * want || archase_hex_decode(m->text, out, want, &n) || n != want)
        return -1;
    return 0;
}

static int take_header(export_verify *v, const ar_jsonl_object *o) {
    const ar_jsonl_member *type = ar_jsonl_get(o, "type", AR_JSONL_STRING);
    const ar_jsonl_member *format = ar_jsonl_get(o, "format", AR_JSONL_NUMBER);
    const ar_jsonl_member *log_id = ar_jsonl_get(o, "log_id", AR_JSONL_STRING);
    uint64_t f = 0;
    if (!type || strcmp(type->text, "audit_log") || parse_u64(format, &f) || !log_id ||
        log_id->len > ARCHASE_LOG_ID_MAX ||
        parse_u64(ar_jsonl_get(o, "size", AR_JSONL_NUMBER), &v->header.size) ||
        parse_hex(ar_jsonl_get(o, "root", AR_JSONL_STRING), v->header.root, ARCHASE_HASH_SIZE) ||
        parse_hex(ar_jsonl_get(o, "head", AR_JSONL_STRING), v->header_head, ARCHASE_HASH_SIZE) ||
        v->header.size > AR_MERKLE_MAX_SIZE)
        return malformed(v, 0, "the first line is not the header of an audit log export");
    if (f != EXPORT_FORMAT)
        return malformed(v, 0, "the export is in a format this library does not read");
    memcpy(v->header_log_id, log_id->text, log_id->len + 1);
    v->stage = 1;
    return 0;
}

static int take_checkpoint(export_verify *v, const ar_jsonl_object *o) {
    const ar_jsonl_member *text = ar_jsonl_get(o, "checkpoint", AR_JSONL_STRING);
    uint8_t key[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
    archase_checkpoint cp;
    uint64_t size = 0;
    if (!text || parse_u64(ar_jsonl_get(o, "size", AR_JSONL_NUMBER), &size) ||
        parse_hex(ar_jsonl_get(o, "public_key", AR_JSONL_STRING), key, sizeof key) ||
        archase_checkpoint_parse(text->text, text->len, &cp) || cp.size != size) {
        ar_verdict_set(&v->verdict, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, size,
                       "line %" PRIu64 ": not a checkpoint in the text form with its public key",
                       v->line_no);
        return 0;
    }
    return ar_cp_set_add(&v->cps, &cp, key, 1);
}

/* Between the checkpoints and the first record: the expectations. */
static int start_records(export_verify *v) {
    int rc = 0;
    for (size_t i = 0; !rc && i < v->o->checkpoint_count; i++)
        rc = ar_cp_set_add(&v->cps, &v->o->checkpoints[i], NULL, 0);
    if (rc)
        return rc;
    ar_cp_set_sort(&v->cps);
    rc = ar_cp_set_check(&v->cps, v->o, &v->verdict, &v->report->checkpoints);
    if (!rc)
        rc = ar_cp_set_expectations(&v->cps, &v->expect, &v->expect_count, &v->header, v->a);
    if (!rc)
        rc = ar_record_check_init(&v->check, &v->sha, v->expect, v->expect_count);
    v->stage = 2;
    return rc;
}

/* The line's own fields must say what its record's bytes say (`leaf` may be
 * NULL: not compared). */
static const char *line_disagrees(const ar_jsonl_object *o, const ar_audit_fields *f,
                                  const uint8_t leaf[ARCHASE_HASH_SIZE]) {
    char at[ARCHASE_INSTANT_FORMAT_MAX] = "", number[24];
    uint8_t prev[ARCHASE_HASH_SIZE];
    uint64_t index = 0;
    const ar_jsonl_member *m;
    if (parse_u64(ar_jsonl_get(o, "index", AR_JSONL_NUMBER), &index) || index != f->index)
        return "index";
    const char *kind = archase_audit_kind_name((int)f->kind);
    snprintf(number, sizeof number, "%" PRIu32, f->kind);
    m = kind ? ar_jsonl_get(o, "kind", AR_JSONL_STRING) : ar_jsonl_get(o, "kind", AR_JSONL_NUMBER);
    if (!m || strcmp(m->text, kind ? kind : number))
        return "kind";
    m = ar_jsonl_get(o, "actor", AR_JSONL_STRING);
    if (!m || m->len != f->actor.len || memcmp(m->text, f->actor.data, m->len))
        return "actor";
    archase_instant_format(f->instant, at, sizeof at);
    m = ar_jsonl_get(o, "at", AR_JSONL_STRING);
    if (!m || strcmp(m->text, at))
        return "at";
    m = ar_jsonl_get(o, "links", AR_JSONL_ARRAY);
    ar_audit_link_iter it;
    ar_audit_text link;
    ar_audit_link_iter_init(&it, f);
    uint32_t n = 0;
    while (ar_audit_link_next(&it, &link)) {
        if (!m || n >= m->count || strlen(m->items[n]) != link.len ||
            memcmp(m->items[n], link.data, link.len))
            return "links";
        n++;
    }
    if ((m && m->count != n) || (!m && ar_jsonl_get(o, "links", AR_JSONL_STRING)))
        return "links";
    if (parse_hex(ar_jsonl_get(o, "prev_hash", AR_JSONL_STRING), prev, sizeof prev) ||
        memcmp(prev, f->prev_hash, sizeof prev))
        return "prev_hash";
    if (leaf && (parse_hex(ar_jsonl_get(o, "leaf_hash", AR_JSONL_STRING), prev, sizeof prev) ||
                 memcmp(prev, leaf, sizeof prev)))
        return "leaf_hash";
    return NULL;
}

static int take_record(export_verify *v, const ar_jsonl_object *o) {
    const ar_jsonl_member *hex = ar_jsonl_get(o, "record", AR_JSONL_STRING);
    uint8_t stored_leaf[ARCHASE_HASH_SIZE], leaf[ARCHASE_HASH_SIZE];
    ar_audit_fields f;
    size_t n = 0;
    uint64_t p = v->count++;
    int have_leaf = parse_hex(ar_jsonl_get(o, "leaf_hash", AR_JSONL_STRING), stored_leaf,
                              sizeof stored_leaf) == 0;
    ar_buf_reset(&v->bytes);
    if (!hex || hex->len % 2)
        return malformed(v, p, "a record line without the record's bytes in hex");
    if (hex->len && ar_buf_reserve(&v->bytes, hex->len / 2))
        return ARCHASE_ENOMEM;
    if (hex->len && (archase_hex_decode(hex->text, v->bytes.data, hex->len / 2, &n) || n != hex->len / 2))
        return malformed(v, p, "the record's bytes are not hex");
    v->bytes.len = n;
    int rc = ar_record_check_add(&v->check, n ? v->bytes.data : (const uint8_t *)"", n,
                                 have_leaf ? stored_leaf : NULL, NULL, 0, &v->verdict);
    if (rc == ARCHASE_EVERIFY) {
        v->stopped = 1;
        return 0;
    }
    if (rc)
        return rc;
    if (v->check.v.pending) {
        /* A broken link: the line's own fields tell whether this record's
         * bytes were changed (the records around it settle the rest). */
        const char *field = ar_audit_decode(v->bytes.data, n, &f) ? NULL : line_disagrees(o, &f, NULL);
        if (field && strcmp(field, "index") != 0) {
            ar_verdict_set(&v->verdict, ARCHASE_AUDIT_PROBLEM_ALTERED, p,
                           "line %" PRIu64 " (record %" PRIu64 "): its \"%s\" is not what the record's "
                           "bytes hold", v->line_no, p, field);
            ar_record_check_stop(&v->check);
            v->stopped = 1;
        }
        return 0;
    }
    /* Accepted by the chain: its bytes decode, and the line says the same. */
    if (ar_audit_decode(v->bytes.data, n, &f) || ar_merkle_leaf_hash(&v->sha, v->bytes.data, n, leaf)) {
        ar_verdict_set(&v->verdict, ARCHASE_AUDIT_PROBLEM_MALFORMED, p, "record %" PRIu64 " is not well formed", p);
        ar_record_check_stop(&v->check);
        v->stopped = 1;
        return 0;
    }
    const char *field = line_disagrees(o, &f, leaf);
    if (field) {
        ar_verdict_set(&v->verdict, ARCHASE_AUDIT_PROBLEM_ALTERED, p,
                       "line %" PRIu64 " (record %" PRIu64 "): its \"%s\" is not what the record's "
                       "bytes hold", v->line_no, p, field);
        ar_record_check_stop(&v->check);
        v->stopped = 1;
        return 0;
    }
    if (p == 0)
        memcpy(v->first_leaf, leaf, ARCHASE_HASH_SIZE);
    if (f.kind == ARCHASE_AUDIT_CHECKPOINT)
        ar_cp_set_record(&v->cps, p, f.payload, f.payload_size, &v->verdict);
    return 0;
}

static int take_line(export_verify *v, const char *line, size_t len) {
    ar_jsonl_object o;
    char err[160];
    v->line_no++;
    if (v->stopped)
        return 0;
    int rc = ar_jsonl_read(line, len, &v->scratch, &o, err, sizeof err);
    if (rc == ARCHASE_ENOMEM)
        return rc;
    if (rc)
        return malformed(v, v->count, err);
    if (v->stage == 0)
        return take_header(v, &o);
    const ar_jsonl_member *type = ar_jsonl_get(&o, "type", AR_JSONL_STRING);
    if (type && !strcmp(type->text, "checkpoint")) {
        if (v->stage != 1)
            return malformed(v, v->count, "a checkpoint line after the records");
        return take_checkpoint(v, &o);
    }
    if (!type || strcmp(type->text, "record"))
        return malformed(v, v->count, "a line that is neither a checkpoint nor a record");
    if (v->stage == 1 && (rc = start_records(v)) != 0)
        return rc;
    return take_record(v, &o);
}

/* A line too long to read: counted like any other (an earlier problem keeps
 * the verdict), and the end of reading. */
static int take_too_long(export_verify *v) {
    v->line_no++;
    return malformed(v, v->count, "a line longer than 64 MiB");
}

/* Reads the export line by line. */
static int read_lines(export_verify *v, archase_read_fn read, void *userdata) {
    ar_buf line;
    uint8_t chunk[65536];
    int rc = 0, too_long = 0;
    ar_buf_init(&line, v->a);
    for (;;) {
        size_t got = 0;
        rc = read(userdata, chunk, sizeof chunk, &got);
        if (rc || got == 0)
            break;
        size_t start = 0;
        for (size_t i = 0; i < got && !rc; i++) {
            if (chunk[i] != '\n')
                continue;
            ar_buf_put(&line, chunk + start, i - start);
            start = i + 1;
            if (line.err)
                rc = ARCHASE_ENOMEM;
            else if (too_long)
                rc = take_too_long(v);
            else
                rc = take_line(v, (const char *)line.data, line.len);
            ar_buf_reset(&line);
            too_long = 0;
        }
        if (!rc && start < got) {
            if (line.len + (got - start) > LINE_MAX_BYTES) {
                too_long = 1;
                ar_buf_reset(&line);
            } else {
                ar_buf_put(&line, chunk + start, got - start);
            }
        }
        if (rc)
            break;
    }
    if (!rc && (line.len || too_long))
        rc = too_long ? take_too_long(v) : take_line(v, (const char *)line.data, line.len);
    if (!rc && line.err)
        rc = ARCHASE_ENOMEM;
    ar_buf_free(&line);
    return rc;
}

static int finish(export_verify *v) {
    ar_audit_report chain;
    int rc = 0;
    if (v->stage == 0) {
        /* No usable header: nothing else was read. */
        malformed(v, 0, "the export is empty: no header line");
        ar_verdict_report(&v->verdict, v->report);
        return 0;
    }
    if (v->stage == 1 && (rc = start_records(v)) != 0)
        return rc;
    rc = ar_audit_verifier_finish(&v->check.v, &chain);
    if (rc == ARCHASE_EVERIFY)
        ar_verdict_from_chain(&v->verdict, &chain, v->header.size, 1, &v->cps);
    else if (rc)
        return rc;
    v->report->records = v->count;
    if (!v->stopped && v->count > v->header.size)
        ar_verdict_set(&v->verdict, ARCHASE_AUDIT_PROBLEM_EXTRA, v->header.size,
                       "the export goes on past the %" PRIu64 " records its header names", v->header.size);
    char log_id[ARCHASE_LOG_ID_MAX + 1] = "";
    if (v->count > 0 && !(v->stopped && v->verdict.index == 0))
        ar_audit_format_log_id(v->first_leaf, log_id);
    if (!v->stopped && v->count == v->header.size) {
        if (strcmp(log_id, v->header_log_id))
            ar_verdict_set(&v->verdict, ARCHASE_AUDIT_PROBLEM_STATE, v->count,
                           "the header names log '%s', but its records are log '%s'", v->header_log_id,
                           log_id);
        if (memcmp(v->header_head, v->check.v.chain.head, ARCHASE_HASH_SIZE))
            ar_verdict_set(&v->verdict, ARCHASE_AUDIT_PROBLEM_STATE, v->count,
                           "the header's head hash is not the hash of the last record");
    }
    ar_cp_set_finish(&v->cps, log_id[0] ? log_id : NULL, v->stopped ? v->verdict.index : v->count,
                     !v->stopped, &v->verdict);
    memcpy(v->report->log_id, log_id, sizeof log_id);
    if (!v->verdict.problem) {
        v->report->size = v->count;
        rc = ar_merkle_frontier_root(&v->check.v.chain.tree, &v->sha, v->report->root);
        if (rc)
            return rc;
        snprintf(v->report->message, sizeof v->report->message,
                 "%" PRIu64 " records verified; %" PRIu64 " checkpoints", v->count, v->report->checkpoints);
    }
    ar_verdict_report(&v->verdict, v->report);
    return 0;
}

int archase_audit_verify_export(archase_read_fn read, void *userdata,
                                const archase_audit_verify_options *opts, archase_audit_report *report) {
    archase_audit_verify_options defaults = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    archase_audit_report r;
    export_verify v;
    if (!read || !report)
        return ARCHASE_EINVAL;
    if (!opts)
        opts = &defaults;
    if (opts->version != ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    int rc = ar_allocator_check(opts->allocator);
    if (rc)
        return rc;
    if ((opts->trusted_key_count && !opts->trusted_keys) || (opts->checkpoint_count && !opts->checkpoints) ||
        (opts->checkpoint_count && !opts->trusted_key_count))
        return ARCHASE_EINVAL;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_AUDIT_REPORT_VERSION;
    memset(&v, 0, sizeof v);
    v.o = opts;
    v.a = ar_allocator(opts->allocator);
    v.report = &r;
    if (ar_sha256_init(&v.sha))
        return ARCHASE_ENOMEM;
    ar_buf_init(&v.scratch, v.a);
    ar_buf_init(&v.bytes, v.a);
    ar_cp_set_init(&v.cps, v.a);
    ar_verdict_init(&v.verdict);
    rc = read_lines(&v, read, userdata);
    if (!rc)
        rc = finish(&v);
    ar_free(v.a, v.expect);
    ar_cp_set_free(&v.cps);
    ar_buf_free(&v.bytes);
    ar_buf_free(&v.scratch);
    ar_sha256_free(&v.sha);
    if (rc)
        return rc;
    *report = r;
    return r.problem ? ARCHASE_EVERIFY : 0;
}
