/* libarchase/policy/ytree.h — a strict YAML reader: one document into a tree.
 *
 * libyaml produces events; this turns them into a tree of mappings, sequences
 * and scalars that remembers where every node and key was written. It accepts
 * only what a policy needs and rejects, with a diagnostic each:
 *   - bytes that are not UTF-8, NUL bytes;
 *   - anchors, aliases, tags, %YAML/%TAG directives, more than one document;
 *   - keys that are not scalars, duplicate keys in a mapping;
 *   - nesting deeper than the limit.
 * Scalars stay text: their type is decided by the schema (policy/schema.h),
 * never guessed from YAML 1.1 rules. */
#ifndef AR_POLICY_YTREE_H
#define AR_POLICY_YTREE_H

#include <stdint.h>

#include "archase/diag.h"
#include "policy/arena.h"

enum {
    AR_Y_SCALAR = 1,
    AR_Y_MAP = 2,
    AR_Y_SEQ = 3,
};

typedef struct ar_ynode ar_ynode;
struct ar_ynode {
    uint8_t     kind;       /* AR_Y_* */
    uint8_t     quoted;     /* scalars: 1 unless written plain (quotes, | or >) */
    uint8_t     block;      /* scalars: 1 for | and > block scalars */
    uint32_t    line;       /* 1-based position of the node */
    uint32_t    column;
    const char *text;       /* scalars: the value, NUL-terminated */
    uint32_t    len;
    const char *key;        /* mapping values: their key (NULL in sequences) */
    uint32_t    key_len;
    uint32_t    key_line;
    uint32_t    key_column;
    uint32_t    count;      /* mappings and sequences: number of children */
    ar_ynode   *first;      /* first child, in document order */
    ar_ynode   *last;
    ar_ynode   *next;       /* next sibling */
    ar_ynode  **index;      /* mappings of more than 16 keys: the children sorted by
                               key (document order among equal keys), for lookups */
};

/* Parses `size` bytes into a tree allocated from `arena`. Problems are
 * reported to `diags` (may be NULL) as "source:line:column" diagnostics with
 * code ARCHASE_EPOLICY and counted in *errors; *root is the document's root
 * node, or NULL when the document could not be read (empty, or a fatal
 * problem). Returns 0 or ARCHASE_ENOMEM. */
int ar_ytree_parse(ar_arena *arena, const char *data, size_t size, const char *source,
                   uint32_t max_depth, archase_diag_list *diags, int *errors, ar_ynode **root);

/* The value of `key` in mapping `map`, or NULL. */
const ar_ynode *ar_ynode_get(const ar_ynode *map, const char *key);

/* 1 when a scalar is the YAML null: empty, "~" or "null", written plain. */
int ar_ynode_is_null(const ar_ynode *node);

#endif
