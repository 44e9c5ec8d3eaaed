// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A build tool, run by make: turns the HTML page's own files (ringside.js, ringside.css) into a C
 * file of byte arrays with their lengths and the SHA-256 of each in base64, the form a
 * Content-Security-Policy hash source takes ('sha256-...'), so the page can allow exactly its
 * own inline script and style and nothing else. It refuses a file that would end its element
 * early ("</script" or "</style" inside), since the page inlines them verbatim.
 *
 * Usage: embed OUT.c NAME FILE [NAME FILE ...]
 * writes, for each NAME, `const char NAME[]` (NUL-terminated), `const size_t NAME_len` and
 * `const char NAME_sha256[]`.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------------------------ */

static const uint32_t embed_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t
embed_ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void
embed_block(uint32_t h[8], const unsigned char *b)
{
	uint32_t w[64], a[8];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = embed_ror(w[i - 15], 7) ^ embed_ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = embed_ror(w[i - 2], 17) ^ embed_ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(a, h, sizeof(a));
	for (int i = 0; i < 64; i++) {
		uint32_t s1 = embed_ror(a[4], 6) ^ embed_ror(a[4], 11) ^ embed_ror(a[4], 25);
		uint32_t ch = (a[4] & a[5]) ^ (~a[4] & a[6]);
		uint32_t t1 = a[7] + s1 + ch + embed_k[i] + w[i];
		uint32_t s0 = embed_ror(a[0], 2) ^ embed_ror(a[0], 13) ^ embed_ror(a[0], 22);
		uint32_t maj = (a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]);

		memmove(a + 1, a, 7 * sizeof(uint32_t));
		a[4] += t1;
		a[0] = t1 + s0 + maj;
	}
	for (int i = 0; i < 8; i++)
		h[i] += a[i];
}

static void
embed_sha256(const unsigned char *data, size_t len, unsigned char out[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char tail[128] = { 0 };
	size_t full = len / 64 * 64, rest = len - full, tlen;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t i = 0; i < full; i += 64)
		embed_block(h, data + i);
	memcpy(tail, data + full, rest);
	tail[rest] = 0x80;
	tlen = rest + 1 + 8 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[tlen - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t i = 0; i < tlen; i += 64)
		embed_block(h, tail + i);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}

static void
embed_base64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = 0;
}

/* ---- the generator --------------------------------------------------------------------------
 */

static unsigned char *
embed_read(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			unsigned char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* True when s[0..n) holds needle, ignoring ASCII case. */
static int
embed_contains(const unsigned char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;

		while (j < m && tolower(s[i + j]) == needle[j])
			j++;
		if (j == m)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	FILE *out;

	if (argc < 4 || argc % 2) {
		fprintf(stderr, "usage: embed OUT.c NAME FILE [NAME FILE ...]\n");
		return 2;
	}
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	fprintf(out, "/* Generated by embed from the page's own files: do not edit. */\n"
		     "#include <stddef.h>\n\n#include \"ringside/export/html_assets.h\"\n");
	for (int a = 2; a < argc; a += 2) {
		unsigned char digest[32];
		char b64[48];
		size_t len = 0;
		unsigned char *data = embed_read(argv[a + 1], &len);

		if (!data) {
			perror(argv[a + 1]);
			fclose(out);
			remove(argv[1]);
			return 1;
		}
		if (embed_contains(data, len, "</script") || embed_contains(data, len, "</style") ||
		    embed_contains(data, len, "<!--")) {
			fprintf(stderr,
				"embed: %s holds '</script', '</style' or '<!--', which would end "
				"its element in the page early; write '<\\/' instead\n",
				argv[a + 1]);
			free(data);
			fclose(out);
			remove(argv[1]);
			return 1;
		}
		embed_sha256(data, len, digest);
		embed_base64(digest, sizeof(digest), b64);
		fprintf(out, "\nconst char %s[] = {", argv[a]);
		for (size_t i = 0; i < len; i++)
			fprintf(out, "%s0x%02x,", i % 16 ? " " : "\n\t", data[i]);
		fprintf(out, "\n\t0x00\n};\nconst size_t %s_len = %zu;\n", argv[a], len);
		fprintf(out, "const char %s_sha256[] = \"%s\";\n", argv[a], b64);
		free(data);
	}
	if (fclose(out) != 0) {
		perror(argv[1]);
		remove(argv[1]);
		return 1;
	}
	return 0;
}
