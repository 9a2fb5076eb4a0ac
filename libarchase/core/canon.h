/* libarchase/core/canon.h — the canonical binary encoding of records.
 *
 * Audit records, approval payloads, stored facts and decisions are encoded
 * this way before they are hashed or stored. The encoding is typed and
 * length-prefixed, so it decodes in exactly one way: two different records
 * never encode to the same bytes. docs/audit-format.md is the byte-level spec.
 *
 *   value   = tag payload
 *   NULL    0x00
 *   BOOL    0x01 u8 (0 or 1)
 *   INT     0x02 i64 big-endian
 *   STRING  0x03 u32 length, UTF-8 bytes
 *   BYTES   0x04 u32 length, bytes
 *   MONEY   0x05 i64 minor units, 3 ASCII letters of the currency
 *   DATE    0x06 i32 days since 1970-01-01
 *   INSTANT 0x07 i64 seconds since 1970-01-01T00:00:00Z
 *   HASH    0x08 32 bytes
 *   LIST    0x09 u32 count, then count values
 *   RECORD  0x0A u16 kind, u16 count, then count (u16 field number, value)
 *           pairs with strictly increasing field numbers
 *
 * A top-level encoding is exactly one RECORD and nothing after it.
 */
#ifndef AR_CORE_CANON_H
#define AR_CORE_CANON_H

#include <stdint.h>

#include "archase/money.h"
#include "core/buf.h"

enum {
    AR_CANON_NULL = 0x00,
    AR_CANON_BOOL = 0x01,
    AR_CANON_INT = 0x02,
    AR_CANON_STRING = 0x03,
    AR_CANON_BYTES = 0x04,
    AR_CANON_MONEY = 0x05,
    AR_CANON_DATE = 0x06,
    AR_CANON_INSTANT = 0x07,
    AR_CANON_HASH = 0x08,
    AR_CANON_LIST = 0x09,
    AR_CANON_RECORD = 0x0A,
};

#define AR_CANON_MAX_DEPTH 16
#define AR_CANON_MAX_LENGTH 0x7fffffffu

/* ---- writing ---------------------------------------------------------- */

typedef struct ar_canon_frame {
    size_t   count_offset; /* where the u16/u32 count is patched */
    uint32_t count;
    int32_t  last_field;   /* records: the previous field number, -1 at start */
    uint8_t  is_record;
    uint8_t  want_value;   /* records: a field number was written, its value not yet */
} ar_canon_frame;

/* A writer. Misuse (a value without a field number inside a record, field
 * numbers out of order, unbalanced begin/end) and allocation failure are
 * sticky: every later call does nothing and ar_canon_finish reports it. */
typedef struct ar_canon {
    ar_buf         buf;
    int            depth;
    int            err;
    int            done;
    ar_canon_frame stack[AR_CANON_MAX_DEPTH];
} ar_canon;

void ar_canon_init(ar_canon *c, const archase_allocator *a);
void ar_canon_free(ar_canon *c);
/* Starts over, keeping the memory. */
void ar_canon_reset(ar_canon *c);

/* Inside a record: the field number of the value that follows. */
void ar_canon_field(ar_canon *c, uint16_t field);

void ar_canon_null(ar_canon *c);
void ar_canon_bool(ar_canon *c, int v);
void ar_canon_int(ar_canon *c, int64_t v);
/* A NUL-terminated string; NULL writes NULL. */
void ar_canon_str(ar_canon *c, const char *s);
void ar_canon_strn(ar_canon *c, const char *s, size_t len);
void ar_canon_bytes(ar_canon *c, const void *data, size_t len);
void ar_canon_money(ar_canon *c, const archase_money *m);
void ar_canon_date(ar_canon *c, int32_t date);
void ar_canon_instant(ar_canon *c, int64_t instant);
void ar_canon_hash(ar_canon *c, const uint8_t hash[32]);
void ar_canon_begin_list(ar_canon *c);
void ar_canon_end_list(ar_canon *c);
void ar_canon_begin_record(ar_canon *c, uint16_t kind);
void ar_canon_end_record(ar_canon *c);

/* Field-and-value shorthands for records. */
void ar_canon_put_bool(ar_canon *c, uint16_t field, int v);
void ar_canon_put_int(ar_canon *c, uint16_t field, int64_t v);
void ar_canon_put_str(ar_canon *c, uint16_t field, const char *s);
void ar_canon_put_money(ar_canon *c, uint16_t field, const archase_money *m);
void ar_canon_put_date(ar_canon *c, uint16_t field, int32_t date);
void ar_canon_put_instant(ar_canon *c, uint16_t field, int64_t instant);
void ar_canon_put_hash(ar_canon *c, uint16_t field, const uint8_t hash[32]);
void ar_canon_put_bytes(ar_canon *c, uint16_t field, const void *data, size_t len);

/* Ends writing: 0 and the bytes (valid until reset/free), or the sticky error
 * (ARCHASE_ENOMEM, or ARCHASE_EINVAL for misuse / an unfinished record). */
int ar_canon_finish(ar_canon *c, const uint8_t **data, size_t *size);

/* ---- reading ---------------------------------------------------------- */

/* One decoded value. For LIST and RECORD only the header is decoded: `count`
 * items (fields) follow and are read with further calls. */
typedef struct ar_canon_value {
    uint8_t        type;
    int64_t        i;        /* BOOL, INT, DATE, INSTANT */
    archase_money  money;    /* MONEY */
    const uint8_t *bytes;    /* STRING, BYTES, HASH: points into the input */
    uint32_t       len;      /* STRING, BYTES (32 for HASH) */
    uint16_t       kind;     /* RECORD */
    uint32_t       count;    /* LIST items, RECORD fields */
} ar_canon_value;

typedef struct ar_canon_reader {
    const uint8_t *p;
    const uint8_t *end;
    int            err;
} ar_canon_reader;

void ar_canon_reader_init(ar_canon_reader *r, const void *data, size_t size);
/* Reads the next value's header. 0 or ARCHASE_EPARSE (sticky). */
int ar_canon_read(ar_canon_reader *r, ar_canon_value *v);
/* Reads a field number and its value's header. 0 or ARCHASE_EPARSE. */
int ar_canon_read_field(ar_canon_reader *r, uint16_t *field, ar_canon_value *v);
/* Skips what follows a LIST or RECORD header just read (no-op for scalars). */
int ar_canon_skip(ar_canon_reader *r, const ar_canon_value *v);
/* 1 when every byte was consumed. */
int ar_canon_at_end(const ar_canon_reader *r);

/* Checks that `data` is exactly one well-formed RECORD: known tags, lengths
 * inside the input, field numbers strictly increasing, depth at most
 * AR_CANON_MAX_DEPTH, booleans 0/1, currencies of 3 capital letters, and
 * nothing after it. 0 or ARCHASE_EPARSE. */
int ar_canon_validate(const void *data, size_t size);

#endif
