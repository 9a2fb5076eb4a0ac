/* tests/support/canon.c — canonical records byte by byte (canon.h). */
#include "canon.h"

#include <string.h>

void c_u8(canon *c, unsigned v) {
    c->b[c->n++] = (uint8_t)v;
}

void c_u16(canon *c, unsigned v) {
    c_u8(c, v >> 8);
    c_u8(c, v & 0xff);
}

void c_u32(canon *c, uint32_t v) {
    c_u16(c, v >> 16);
    c_u16(c, v & 0xffff);
}

void c_record(canon *c, unsigned kind, unsigned count) {
    c_u8(c, 0x0A);
    c_u16(c, kind);
    c_u16(c, count);
}

void c_str(canon *c, const char *s) {
    c_u8(c, 0x03);
    c_u32(c, (uint32_t)strlen(s));
    memcpy(c->b + c->n, s, strlen(s));
    c->n += strlen(s);
}

void c_int(canon *c, int64_t v) {
    c_u8(c, 0x02);
    c_u32(c, (uint32_t)((uint64_t)v >> 32));
    c_u32(c, (uint32_t)v);
}

void c_bool(canon *c, int v) {
    c_u8(c, 0x01);
    c_u8(c, v);
}

void c_date(canon *c, int32_t d) {
    c_u8(c, 0x06);
    c_u32(c, (uint32_t)d);
}

void c_list(canon *c, uint32_t count) {
    c_u8(c, 0x09);
    c_u32(c, count);
}
