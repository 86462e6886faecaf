// SPDX-License-Identifier: GPL-2.0
/*
 * SipHash for the scheduler benchmark's shim (Aumasson and Bernstein):
 * siphash() is SipHash-2-4 with a 128-bit key, hsiphash() the kernel's
 * 64-bit-platform choice, SipHash-1-3 folded to 32 bits.  Written from the
 * algorithm's description; only the cost has to match the kernel's.
 */
#include "shim/kshim.h"

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

struct sip { u64 v0, v1, v2, v3; };

static inline void sipround(struct sip *s)
{
	s->v0 += s->v1; s->v1 = ROTL(s->v1, 13); s->v1 ^= s->v0; s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3; s->v3 = ROTL(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = ROTL(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = ROTL(s->v1, 17); s->v1 ^= s->v2; s->v2 = ROTL(s->v2, 32);
}

static u64 sip(const void *data, size_t len, u64 k0, u64 k1, int c, int d)
{
	struct sip s = {
		0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1,
		0x6c7967656e657261ULL ^ k0, 0x7465646279746573ULL ^ k1,
	};
	const u8 *p = data, *end = p + (len & ~(size_t)7);
	u64 m, b = (u64)len << 56;
	int i;

	for (; p < end; p += 8) {
		memcpy(&m, p, 8);	/* little endian host */
		s.v3 ^= m;
		for (i = 0; i < c; i++)
			sipround(&s);
		s.v0 ^= m;
	}
	for (i = 0; i < (int)(len & 7); i++)
		b |= (u64)p[i] << (8 * i);
	s.v3 ^= b;
	for (i = 0; i < c; i++)
		sipround(&s);
	s.v0 ^= b;
	s.v2 ^= 0xff;
	for (i = 0; i < d; i++)
		sipround(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

u64 siphash(const void *data, size_t len, const siphash_key_t *key)
{
	return sip(data, len, key->key[0], key->key[1], 2, 4);
}

u32 hsiphash(const void *data, size_t len, const hsiphash_key_t *key)
{
	u64 h = sip(data, len, key->key[0], key->key[1], 1, 3);

	return (u32)(h ^ (h >> 32));
}
