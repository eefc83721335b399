/* buf.c - growable byte buffer */
#include "buf.h"
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b) { memset(b, 0, sizeof(*b)); }

void buf_free(struct buf *b)
{
	if (b->p) {
		OPENSSL_cleanse(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

uint8_t *buf_grow(struct buf *b, size_t n)
{
	static uint8_t sink[64];

	if (b->err || n > 1u << 20 || b->len + n > 1u << 20)
		goto fail;
	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 256;
		while (nc < b->len + n)
			nc *= 2;
		/* Grow by copy so the old storage (possibly keys) can be wiped. */
		uint8_t *np = malloc(nc);
		if (!np)
			goto fail;
		if (b->p) {
			memcpy(np, b->p, b->len);
			OPENSSL_cleanse(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = nc;
	}
	b->len += n;
	return b->p + b->len - n;
fail:
	b->err = 1;
	return n <= sizeof(sink) ? sink : NULL;
}

void buf_add(struct buf *b, const void *d, size_t n)
{
	uint8_t *q = buf_grow(b, n);
	if (q && !b->err && n)
		memcpy(q, d, n);
}

void buf_u8(struct buf *b, uint8_t v) { buf_add(b, &v, 1); }
void buf_u16(struct buf *b, uint16_t v) { uint8_t t[2]; put16(t, v); buf_add(b, t, 2); }
void buf_u32(struct buf *b, uint32_t v) { uint8_t t[4]; put32(t, v); buf_add(b, t, 4); }
void buf_put16(struct buf *b, size_t off, uint16_t v) { if (!b->err && off + 2 <= b->len) put16(b->p + off, v); }
void buf_put32(struct buf *b, size_t off, uint32_t v) { if (!b->err && off + 4 <= b->len) put32(b->p + off, v); }
