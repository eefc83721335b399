/* buf.h - a growable byte buffer for building messages.  Allocation
 * failures set err; callers check it once at the end. */
#ifndef VPND_BUF_H
#define VPND_BUF_H
#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);          /* wipes the contents first */
uint8_t *buf_grow(struct buf *b, size_t n); /* returns pointer to n new bytes */
void buf_add(struct buf *b, const void *d, size_t n);
void buf_u8(struct buf *b, uint8_t v);
void buf_u16(struct buf *b, uint16_t v);
void buf_u32(struct buf *b, uint32_t v);
void buf_put16(struct buf *b, size_t off, uint16_t v);
void buf_put32(struct buf *b, size_t off, uint32_t v);

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
#endif
