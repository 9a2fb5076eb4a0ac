/* libarchase/policy/ytree.c — a strict YAML reader: one document into a tree. */
#include "policy/ytree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "archase/errors.h"
#include "core/diag.h"

/* Past this many problems the reader stops: the list keeps 20 anyway. */
#define AR_YTREE_MAX_ERRORS 20
#define AR_YTREE_PATH_MAX   400

typedef struct frame {
    ar_ynode *node;
    int       want_key;   /* mappings: the next scalar is a key */
    ar_ynode *key;        /* mappings: the key read, its value not yet */
} frame;

typedef struct reader {
    ar_arena          *arena;
    const char        *source;
    archase_diag_list *diags;
    int               *errors;
    int                rc;
    int                fatal;
    uint32_t           max_depth;
    frame             *stack;
    uint32_t           depth;
} reader;

static void report(reader *r, uint32_t line, uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(reader *r, uint32_t line, uint32_t column, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (ar_diag_vadd(r->diags, ARCHASE_EPOLICY, r->source, line, column, fmt, ap))
        r->rc = ARCHASE_ENOMEM;
    va_end(ap);
    (*r->errors)++;
    if (*r->errors >= AR_YTREE_MAX_ERRORS)
        r->fatal = 1;
}

/* The YAML path of the node about to be added ("sequences.standard.steps[2]"). */
static void current_path(const reader *r, const char *key, size_t key_len, char *out, size_t size) {
    size_t n = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < r->depth; i++) {
        const frame *f = &r->stack[i];
        const char *k = NULL;
        size_t klen = 0;
        uint32_t index = 0;
        int have = 0;
        if (i + 1 < r->depth) {
            const ar_ynode *child = r->stack[i + 1].node;
            if (f->node->kind == AR_Y_MAP) {
                k = child->key;
                klen = child->key_len;
            } else {
                index = f->node->count - 1;
            }
            have = 1;
        } else if (f->node->kind == AR_Y_MAP && key) {
            k = key;
            klen = key_len;
            have = 1;
        } else if (f->node->kind == AR_Y_SEQ) {
            index = f->node->count;
            have = 1;
        }
        if (!have)
            break;
        int w;
        if (k)
            w = snprintf(out + n, size - n, "%s%.*s", n ? "." : "", (int)(klen > 80 ? 80 : klen), k);
        else
            w = snprintf(out + n, size - n, "[%u]", (unsigned)index);
        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
    }
}

static void report_at_path(reader *r, uint32_t line, uint32_t column, const char *what) {
    char path[AR_YTREE_PATH_MAX];
    const frame *top = r->depth ? &r->stack[r->depth - 1] : NULL;
    const ar_ynode *key = top && top->node->kind == AR_Y_MAP ? top->key : NULL;
    current_path(r, key ? key->text : NULL, key ? key->len : 0, path, sizeof path);
    if (path[0])
        report(r, line, column, "%s: %s", path, what);
    else
        report(r, line, column, "%s", what);
}

/* Checks UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF) and NUL
 * bytes; reports the first problem with its position. */
static int check_text(reader *r, const unsigned char *s, size_t size) {
    uint32_t line = 1, column = 1;
    size_t i = 0;
    while (i < size) {
        unsigned c = s[i];
        size_t n = 0;
        uint32_t cp = 0, min = 0;
        if (c == 0) {
            report(r, line, column, "NUL byte in the policy text (a policy is UTF-8 text)");
            return -1;
        }
        if (c < 0x80) {
            n = 1;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 2, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            n = 0;
        }
        int ok = n > 0 && i + n <= size;
        for (size_t k = 1; ok && k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                ok = 0;
            else
                cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (ok && n > 1 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
            ok = 0;
        if (!ok) {
            report(r, line, column, "invalid UTF-8 (byte 0x%02x); a policy is UTF-8 text", c);
            return -1;
        }
        if (c == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
        i += n;
    }
    return 0;
}

static ar_ynode *new_node(reader *r, int kind, const yaml_mark_t *mark) {
    ar_ynode *n = ar_arena_alloc(r->arena, sizeof *n);
    if (!n) {
        r->rc = ARCHASE_ENOMEM;
        return NULL;
    }
    n->kind = (uint8_t)kind;
    n->line = (uint32_t)mark->line + 1;
    n->column = (uint32_t)mark->column + 1;
    return n;
}

static int key_cmp(const void *a, const void *b) {
    const ar_ynode *x = *(const ar_ynode *const *)a, *y = *(const ar_ynode *const *)b;
    uint32_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    if (x->key_len != y->key_len)
        return x->key_len < y->key_len ? -1 : 1;
    /* Equal keys: document order, so the first one is reported as the original. */
    return x->key_line != y->key_line ? (x->key_line < y->key_line ? -1 : 1)
                                      : (x->key_column < y->key_column ? -1 : 1);
}

static void report_duplicate(reader *r, const ar_ynode *dup, const ar_ynode *first) {
    char what[200];
    snprintf(what, sizeof what, "duplicate key \"%.*s\" (first written at line %u)",
             (int)(dup->key_len > 80 ? 80 : dup->key_len), dup->key, (unsigned)first->key_line);
    char path[AR_YTREE_PATH_MAX];
    current_path(r, NULL, 0, path, sizeof path);
    if (path[0])
        report(r, dup->key_line, dup->key_column, "%s: %s", path, what);
    else
        report(r, dup->key_line, dup->key_column, "%s", what);
}

/* Reports every key written twice in `map` (which is on top of the stack). */
static void check_duplicates(reader *r, ar_ynode *map) {
    if (map->count < 2)
        return;
    if (map->count <= 16) {
        for (ar_ynode *a = map->first; a; a = a->next)
            for (ar_ynode *b = a->next; b; b = b->next)
                if (a->key_len == b->key_len && !memcmp(a->key, b->key, a->key_len))
                    report_duplicate(r, b, a);
        return;
    }
    ar_ynode **sorted = ar_arena_array(r->arena, map->count, sizeof *sorted);
    if (!sorted) {
        r->rc = ARCHASE_ENOMEM;
        return;
    }
    uint32_t i = 0;
    for (ar_ynode *a = map->first; a; a = a->next)
        sorted[i++] = a;
    qsort(sorted, map->count, sizeof *sorted, key_cmp);
    map->index = sorted;
    for (i = 1; i < map->count; i++) {
        const ar_ynode *a = sorted[i - 1], *b = sorted[i];
        if (a->key_len == b->key_len && !memcmp(a->key, b->key, a->key_len)) {
            /* Report against the first occurrence of the run. */
            uint32_t j = i - 1;
            while (j > 0 && sorted[j - 1]->key_len == a->key_len &&
                   !memcmp(sorted[j - 1]->key, a->key, a->key_len))
                j--;
            report_duplicate(r, b, sorted[j]);
        }
    }
}

/* Adds `node` to the container on top of the stack (or makes it the root). */
static void attach(reader *r, ar_ynode *node, ar_ynode **root) {
    if (r->depth == 0) {
        *root = node;
        return;
    }
    frame *f = &r->stack[r->depth - 1];
    ar_ynode *parent = f->node;
    if (parent->kind == AR_Y_MAP) {
        ar_ynode *key = f->key;
        node->key = key->text;
        node->key_len = key->len;
        node->key_line = key->line;
        node->key_column = key->column;
        f->key = NULL;
        f->want_key = 1;
    }
    if (parent->last)
        parent->last->next = node;
    else
        parent->first = node;
    parent->last = node;
    parent->count++;
}

/* Any tag written in the document is refused, the non-specific "!" too
 * (libyaml marks a plain scalar with it as implicitly typed). */
static int refuse_decorations(reader *r, const yaml_event_t *ev, const unsigned char *anchor,
                              const unsigned char *tag) {
    const yaml_mark_t *m = &ev->start_mark;
    int bad = 0;
    if (anchor) {
        char what[160];
        snprintf(what, sizeof what,
                 "anchors are not allowed (&%.40s): write the value out where it is used",
                 (const char *)anchor);
        report_at_path(r, (uint32_t)m->line + 1, (uint32_t)m->column + 1, what);
        bad = 1;
    }
    if (tag) {
        char what[160];
        snprintf(what, sizeof what, "tags are not allowed (%.60s): the schema gives every value its type",
                 (const char *)tag);
        report_at_path(r, (uint32_t)m->line + 1, (uint32_t)m->column + 1, what);
        bad = 1;
    }
    return bad;
}

static int push(reader *r, ar_ynode *node, ar_ynode **root, const yaml_mark_t *mark) {
    if (r->depth >= r->max_depth) {
        char what[120];
        snprintf(what, sizeof what, "nesting deeper than %u levels", (unsigned)r->max_depth);
        report_at_path(r, (uint32_t)mark->line + 1, (uint32_t)mark->column + 1, what);
        r->fatal = 1;
        return -1;
    }
    attach(r, node, root);
    frame *f = &r->stack[r->depth++];
    f->node = node;
    f->want_key = node->kind == AR_Y_MAP;
    f->key = NULL;
    return 0;
}

/* A key (or a value) in a mapping, a sequence item or the root. */
static void handle_node(reader *r, ar_ynode *node, ar_ynode **root) {
    frame *f = r->depth ? &r->stack[r->depth - 1] : NULL;
    if (f && f->node->kind == AR_Y_MAP && f->want_key) {
        if (node->block)
            report_at_path(r, node->line, node->column, "keys must be names, not blocks of text");
        f->key = node;
        f->want_key = 0;
        return;
    }
    attach(r, node, root);
}

static void syntax_error(reader *r, const yaml_parser_t *p, const unsigned char *text, size_t size) {
    const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
    uint32_t line = (uint32_t)m->line + 1, column = (uint32_t)m->column + 1;
    if (p->error == YAML_READER_ERROR) {
        /* The reader (control characters) gives a byte offset, no mark. */
        line = column = 1;
        for (size_t i = 0; i < p->problem_offset && i < size; i++) {
            if (text[i] == '\n')
                line++, column = 1;
            else if ((text[i] & 0xc0) != 0x80)
                column++;
        }
    }
    if (p->context)
        report(r, line, column, "YAML syntax error: %s %s", p->problem ? p->problem : "",
               p->context);
    else
        report(r, line, column, "YAML syntax error: %s", p->problem ? p->problem : "malformed document");
    r->fatal = 1;
}

int ar_ytree_parse(ar_arena *arena, const char *data, size_t size, const char *source,
                   uint32_t max_depth, archase_diag_list *diags, int *errors, ar_ynode **root) {
    reader r;
    memset(&r, 0, sizeof r);
    r.arena = arena;
    r.source = source;
    r.diags = diags;
    r.errors = errors;
    r.max_depth = max_depth ? max_depth : 64;
    *root = NULL;
    ar_ynode *doc = NULL;
    yaml_parser_t parser;
    int parser_ready = 0, documents = 0;

    const unsigned char *text = (const unsigned char *)data;
    if (size >= 3 && text[0] == 0xef && text[1] == 0xbb && text[2] == 0xbf) {
        text += 3; /* a UTF-8 byte order mark */
        size -= 3;
    }
    if (check_text(&r, text, size))
        goto done;
    r.stack = ar_arena_array(arena, r.max_depth, sizeof *r.stack);
    if (!r.stack) {
        r.rc = ARCHASE_ENOMEM;
        goto done;
    }
    if (!yaml_parser_initialize(&parser)) {
        r.rc = ARCHASE_ENOMEM;
        goto done;
    }
    parser_ready = 1;
    yaml_parser_set_input_string(&parser, text, size);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    for (int finished = 0; !finished && !r.fatal && !r.rc;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            if (parser.error == YAML_MEMORY_ERROR)
                r.rc = ARCHASE_ENOMEM;
            else
                syntax_error(&r, &parser, text, size);
            break;
        }
        const yaml_mark_t *m = &ev.start_mark;
        ar_ynode *node = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            finished = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1) {
                report(&r, (uint32_t)m->line + 1, (uint32_t)m->column + 1,
                       "a policy is one YAML document; a second one starts here");
                r.fatal = 1;
            } else if (ev.data.document_start.version_directive ||
                       ev.data.document_start.tag_directives.start !=
                           ev.data.document_start.tag_directives.end) {
                report(&r, (uint32_t)m->line + 1, (uint32_t)m->column + 1,
                       "%%YAML and %%TAG directives are not allowed");
            }
            break;
        case YAML_ALIAS_EVENT: {
            char what[160];
            snprintf(what, sizeof what,
                     "aliases are not allowed (*%.40s): write the value out where it is used",
                     (const char *)ev.data.alias.anchor);
            report_at_path(&r, (uint32_t)m->line + 1, (uint32_t)m->column + 1, what);
            /* Stands for an empty scalar so the tree stays well formed. */
            node = new_node(&r, AR_Y_SCALAR, m);
            if (node) {
                node->text = "";
                handle_node(&r, node, &doc);
            }
            break;
        }
        case YAML_SCALAR_EVENT:
            refuse_decorations(&r, &ev, ev.data.scalar.anchor, ev.data.scalar.tag);
            node = new_node(&r, AR_Y_SCALAR, m);
            if (!node)
                break;
            node->text = ar_arena_strndup(arena, (const char *)ev.data.scalar.value,
                                          ev.data.scalar.length);
            if (!node->text) {
                r.rc = ARCHASE_ENOMEM;
                break;
            }
            node->len = (uint32_t)ev.data.scalar.length;
            node->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
            node->block = ev.data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                          ev.data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
            handle_node(&r, node, &doc);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            int is_map = ev.type == YAML_MAPPING_START_EVENT;
            if (is_map)
                refuse_decorations(&r, &ev, ev.data.mapping_start.anchor, ev.data.mapping_start.tag);
            else
                refuse_decorations(&r, &ev, ev.data.sequence_start.anchor, ev.data.sequence_start.tag);
            node = new_node(&r, is_map ? AR_Y_MAP : AR_Y_SEQ, m);
            if (!node)
                break;
            frame *f = r.depth ? &r.stack[r.depth - 1] : NULL;
            if (f && f->node->kind == AR_Y_MAP && f->want_key) {
                report_at_path(&r, node->line, node->column,
                               "keys must be plain names, not mappings or lists");
                r.fatal = 1;
                break;
            }
            push(&r, node, &doc, m);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (r.depth) {
                ar_ynode *closed = r.stack[r.depth - 1].node;
                if (closed->kind == AR_Y_MAP)
                    check_duplicates(&r, closed);
                r.depth--;
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    if (!r.rc && !r.fatal)
        *root = doc;

done:
    if (parser_ready)
        yaml_parser_delete(&parser);
    return r.rc;
}

const ar_ynode *ar_ynode_get(const ar_ynode *map, const char *key) {
    if (!map || map->kind != AR_Y_MAP)
        return NULL;
    size_t len = strlen(key);
    if (!map->index) {
        for (const ar_ynode *n = map->first; n; n = n->next)
            if (n->key_len == len && !memcmp(n->key, key, len))
                return n;
        return NULL;
    }
    /* The first of the sorted children whose key is not below `key`. */
    size_t lo = 0, hi = map->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const ar_ynode *n = map->index[mid];
        size_t m = n->key_len < len ? n->key_len : len;
        int c = memcmp(n->key, key, m);
        if (c < 0 || (c == 0 && n->key_len < len))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < map->count && map->index[lo]->key_len == len && !memcmp(map->index[lo]->key, key, len))
        return map->index[lo];
    return NULL;
}

int ar_ynode_is_null(const ar_ynode *node) {
    if (!node)
        return 1;
    if (node->kind != AR_Y_SCALAR || node->quoted)
        return 0;
    return node->len == 0 || !strcmp(node->text, "~") || !strcmp(node->text, "null") ||
           !strcmp(node->text, "Null") || !strcmp(node->text, "NULL");
}
