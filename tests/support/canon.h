/* tests/support/canon.h — a canonical record written byte by byte, as
 * docs/audit-format.md lays it out, for tests that hand a store data the
 * encoder would never produce. */
#ifndef ARCHASE_TEST_CANON_H
#define ARCHASE_TEST_CANON_H

#include <stddef.h>
#include <stdint.h>

/* Start as { { 0 }, 0 }; every call appends at n. */
typedef struct canon {
    uint8_t b[512];
    size_t  n;
} canon;

void c_u8(canon *c, unsigned v);
void c_u16(canon *c, unsigned v);
void c_u32(canon *c, uint32_t v);
/* A record header: kind and field count. */
void c_record(canon *c, unsigned kind, unsigned count);
/* Tagged values. */
void c_str(canon *c, const char *s);
void c_int(canon *c, int64_t v);
void c_bool(canon *c, int v);
void c_date(canon *c, int32_t d);
/* A list header of count items. */
void c_list(canon *c, uint32_t count);

#endif
