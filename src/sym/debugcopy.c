// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The inflated copy of a debug file (see debugcopy.h). The copy keeps the ELF header, the program
 * headers (a debug file's segments hold no bytes: libdw reads only their addresses) and every
 * section in index order, each at an offset aligned as its header asks; a zlib-compressed
 * section (SHF_COMPRESSED, ELFCOMPRESS_ZLIB) is inflated as it streams through, 64 KiB at a time,
 * and its header says so (no SHF_COMPRESSED, the size and alignment its compression header gave).
 * Nothing but two 64 KiB buffers is held in memory while it is written.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <zlib.h>

#include "ringside/sym/debugcopy.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

#define DEBUGCOPY_BUF 65536

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DEBUGCOPY_DATA ELFDATA2LSB
#else
#define DEBUGCOPY_DATA ELFDATA2MSB
#endif

/* The copy being written: a buffer in front of the file, and the offset written up to. */
struct debugcopy_out {
	int fd;
	unsigned char *buf;
	size_t len;
	uint64_t off;
	unsigned char *in; /* a read buffer for the source */
};

static int
debugcopy_flush(struct debugcopy_out *o)
{
	int rc = fd_write_all(o->fd, o->buf, o->len);

	if (rc == 0)
		o->len = 0;
	return rc;
}

static int
debugcopy_write(struct debugcopy_out *o, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0) {
		size_t k = DEBUGCOPY_BUF - o->len < n ? DEBUGCOPY_BUF - o->len : n;
		int rc;

		if (b)
			memcpy(o->buf + o->len, b, k);
		else
			memset(o->buf + o->len, 0, k);
		o->len += k;
		o->off += k;
		n -= k;
		if (b)
			b += k;
		if (o->len == DEBUGCOPY_BUF && (rc = debugcopy_flush(o)) < 0)
			return rc;
	}
	return 0;
}

/* Zeros up to the next multiple of align (0 and 1: none). */
static int
debugcopy_align(struct debugcopy_out *o, uint64_t align)
{
	uint64_t to = align > 1 ? (o->off + align - 1) / align * align : o->off;

	return debugcopy_write(o, NULL, (size_t)(to - o->off));
}

/* Read exactly n bytes at off of fd into buf. */
static int
debugcopy_read(int fd, void *buf, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EPROTO;
		done += (size_t)r;
	}
	return 0;
}

/* Copy len bytes at off of fd to the copy. */
static int
debugcopy_bytes(struct debugcopy_out *o, int fd, uint64_t off, uint64_t len)
{
	while (len > 0) {
		size_t n = len < DEBUGCOPY_BUF ? (size_t)len : DEBUGCOPY_BUF;
		int rc = debugcopy_read(fd, o->in, n, off);

		if (rc < 0 || (rc = debugcopy_write(o, o->in, n)) < 0)
			return rc;
		off += n;
		len -= n;
	}
	return 0;
}

/* Inflate the zlib stream of len bytes at off of fd into the copy: exactly want bytes. */
static int
debugcopy_inflate(struct debugcopy_out *o, int fd, uint64_t off, uint64_t len, uint64_t want)
{
	unsigned char out[4096];
	z_stream z = { 0 };
	uint64_t got = 0;
	int zr = Z_OK, rc = 0;

	if (inflateInit(&z) != Z_OK)
		return -ENOMEM;
	while (zr != Z_STREAM_END && rc == 0) {
		size_t made;

		if (z.avail_in == 0 && len > 0) {
			size_t n = len < DEBUGCOPY_BUF ? (size_t)len : DEBUGCOPY_BUF;

			if ((rc = debugcopy_read(fd, o->in, n, off)) < 0)
				break;
			z.next_in = o->in;
			z.avail_in = (uInt)n;
			off += n;
			len -= n;
		}
		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			rc = -EPROTO;
			break;
		}
		made = sizeof(out) - z.avail_out;
		got += made;
		if (got > want) {
			rc = -EPROTO;
			break;
		}
		rc = debugcopy_write(o, out, made);
	}
	inflateEnd(&z);
	if (rc == 0 && (zr != Z_STREAM_END || got != want))
		rc = -EPROTO;
	return rc;
}

int
debugcopy_tmpfile(uint64_t need)
{
	const char *dirs[] = { getenv("TMPDIR"), "/var/tmp", "/tmp" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct statfs sf;
		int fd;

		if (!dirs[i] || dirs[i][0] != '/' || statfs(dirs[i], &sf) != 0 ||
		    sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC ||
		    (uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize / 4 < need)
			continue;
		fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
	}
	return -ENOSPC;
}

/* The compression header of compressed section s of fd into ch; false when not zlib's. */
static bool
debugcopy_chdr(int fd, const Elf64_Shdr *s, Elf64_Chdr *ch)
{
	return s->sh_size >= sizeof(*ch) &&
	       debugcopy_read(fd, ch, sizeof(*ch), s->sh_offset) == 0 &&
	       ch->ch_type == ELFCOMPRESS_ZLIB;
}

/*
 * Check the section headers of a file of size bytes: every section inside it, every compressed
 * one zlib's. Returns the bytes the copy's sections take (0: nothing to inflate), or -ENOTSUP.
 */
static int64_t
debugcopy_scan(int fd, const Elf64_Shdr *sh, size_t shnum, uint64_t size)
{
	uint64_t total = 0;
	bool any = false;

	for (size_t i = 1; i < shnum; i++) {
		const Elf64_Shdr *s = &sh[i];
		Elf64_Chdr ch;

		if (s->sh_type == SHT_NOBITS)
			continue;
		if (s->sh_offset > size || s->sh_size > size - s->sh_offset)
			return -ENOTSUP;
		if (!(s->sh_flags & SHF_COMPRESSED)) {
			total += s->sh_size + s->sh_addralign;
			continue;
		}
		if (!debugcopy_chdr(fd, s, &ch) || ch.ch_size > (1ull << 40))
			return -ENOTSUP;
		total += ch.ch_size + ch.ch_addralign;
		any = true;
	}
	return any ? (int64_t)total : 0;
}

/* Write the sections of fd into o, each header updated to where and what it now is. */
static int
debugcopy_sections(struct debugcopy_out *o, int fd, Elf64_Shdr *sh, size_t shnum)
{
	int rc = 0;

	for (size_t i = 1; i < shnum && rc == 0; i++) {
		Elf64_Shdr *s = &sh[i];
		Elf64_Chdr ch;

		if (s->sh_type == SHT_NOBITS) {
			s->sh_offset = o->off;
			continue;
		}
		if (!(s->sh_flags & SHF_COMPRESSED)) {
			if ((rc = debugcopy_align(o, s->sh_addralign)) == 0) {
				uint64_t from = s->sh_offset;

				s->sh_offset = o->off;
				rc = debugcopy_bytes(o, fd, from, s->sh_size);
			}
			continue;
		}
		if (!debugcopy_chdr(fd, s, &ch))
			return -ENOTSUP;
		if ((rc = debugcopy_align(o, ch.ch_addralign)) < 0)
			break;
		rc = debugcopy_inflate(o, fd, s->sh_offset + sizeof(ch), s->sh_size - sizeof(ch),
				       ch.ch_size);
		s->sh_offset = o->off - ch.ch_size;
		s->sh_size = ch.ch_size;
		s->sh_addralign = ch.ch_addralign;
		s->sh_flags &= ~(uint64_t)SHF_COMPRESSED;
	}
	return rc;
}

/* The ELF header of fd, when it is a native 64-bit file read here. */
static bool
debugcopy_ehdr(int fd, Elf64_Ehdr *eh)
{
	return debugcopy_read(fd, eh, sizeof(*eh), 0) == 0 &&
	       memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
	       eh->e_ident[EI_DATA] == DEBUGCOPY_DATA && eh->e_shentsize == sizeof(Elf64_Shdr) &&
	       eh->e_shnum > 0 && eh->e_shstrndx != SHN_XINDEX && eh->e_phnum != PN_XNUM &&
	       (eh->e_phnum == 0 || eh->e_phentsize == sizeof(Elf64_Phdr));
}

/* Write the copy of fd (headers eh, sh) into o: header, program headers, sections, table. */
static int
debugcopy_write_all(struct debugcopy_out *o, int fd, Elf64_Ehdr *eh, Elf64_Shdr *sh)
{
	size_t phsize = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);
	int rc = debugcopy_write(o, eh, sizeof(*eh));

	if (rc == 0 && phsize)
		rc = debugcopy_bytes(o, fd, eh->e_phoff, phsize);
	if (rc == 0)
		rc = debugcopy_sections(o, fd, sh, eh->e_shnum);
	if (rc == 0)
		rc = debugcopy_align(o, 8);
	eh->e_phoff = phsize ? sizeof(*eh) : 0;
	eh->e_shoff = o->off;
	if (rc == 0)
		rc = debugcopy_write(o, sh, eh->e_shnum * sizeof(*sh));
	if (rc == 0)
		rc = debugcopy_flush(o);
	if (rc == 0 && pwrite(o->fd, eh, sizeof(*eh), 0) != (ssize_t)sizeof(*eh))
		rc = -EIO;
	return rc;
}

int
debugcopy_open(int fd)
{
	struct debugcopy_out o = { .fd = -1 };
	Elf64_Shdr *sh = NULL;
	Elf64_Ehdr eh;
	struct stat st;
	int64_t need;
	int rc;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || !debugcopy_ehdr(fd, &eh) || eh.e_shoff > (uint64_t)st.st_size ||
	    eh.e_shnum * sizeof(*sh) > (uint64_t)st.st_size - eh.e_shoff)
		return -ENOTSUP;
	sh = xcalloc(eh.e_shnum, sizeof(*sh));
	rc = debugcopy_read(fd, sh, eh.e_shnum * sizeof(*sh), eh.e_shoff);
	need = rc < 0 ? -ENOTSUP : debugcopy_scan(fd, sh, eh.e_shnum, (uint64_t)st.st_size);
	if (need <= 0) {
		free(sh);
		return need < 0 ? (int)need : -ENODATA;
	}
	o.fd = debugcopy_tmpfile((uint64_t)need);
	if (o.fd < 0) {
		free(sh);
		return o.fd;
	}
	o.buf = xmalloc(DEBUGCOPY_BUF);
	o.in = xmalloc(DEBUGCOPY_BUF);
	rc = debugcopy_write_all(&o, fd, &eh, sh);
	free(o.buf);
	free(o.in);
	free(sh);
	if (rc < 0) {
		close(o.fd);
		return rc;
	}
	return o.fd;
}
