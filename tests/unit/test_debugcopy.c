// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for sym/debugcopy: a debug file whose DWARF sections objcopy compressed (zlib, as
 * Debian's dbgsym packages ship them), made from this test program, is copied with every
 * section's bytes equal to what libelf inflates from the original and none left compressed; a
 * file with nothing compressed, a non-ELF file and a truncated one are refused. Then the module
 * seen through it: the program stripped of its DWARF, with a debug link to the compressed debug
 * file beside it, names every function (inline chains, declaration files and lines) exactly as
 * the unstripped program does, and its DWARF is not inflated into memory. Skipped without
 * objcopy or without DWARF in this program.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/sym/debugcopy.h"
#include "ringside/sym/elfmod.h"

static char dir[64];
static char self[4096], dbg[4200], stripped[4200], plain[4200];

/* Run a command line (fixed, made of the paths above); true when it exited 0. */
static bool
run(const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0;
}

/* The compressed debug file, the stripped program linked to it, and a plain copy. */
static int
setup(void **state)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)state;
	if (n <= 0)
		return -1;
	snprintf(dir, sizeof(dir), "/var/tmp/rs-debugcopy.XXXXXX");
	if (!mkdtemp(dir)) {
		snprintf(dir, sizeof(dir), "/tmp/rs-debugcopy.XXXXXX");
		if (!mkdtemp(dir))
			return -1;
	}
	self[n] = '\0';
	snprintf(dbg, sizeof(dbg), "%s/prog.debug", dir);
	snprintf(stripped, sizeof(stripped), "%s/prog", dir);
	snprintf(plain, sizeof(plain), "%s/plain", dir);
	if (!run("objcopy --only-keep-debug --compress-debug-sections=zlib '%s' '%s' 2>/dev/null",
		 self, dbg) ||
	    !run("objcopy --strip-debug --add-gnu-debuglink='%s' '%s' '%s' 2>/dev/null", dbg, self,
		 stripped) ||
	    !run("objcopy --decompress-debug-sections '%s' '%s' 2>/dev/null", self, plain))
		dbg[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	run("rm -rf '%s'", dir);
	return 0;
}

/* Section name -> the section of elf, or NULL. */
static Elf_Scn *
find_scn(Elf *elf, const char *name)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) && (n = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(n, name))
			return scn;
	}
	return NULL;
}

static void
test_copy_sections(void **state)
{
	int fd, copy;
	Elf *orig, *cp;
	size_t shstrndx, compressed = 0, sections = 0;
	Elf_Scn *scn = NULL;

	(void)state;
	if (!dbg[0])
		skip();
	elf_version(EV_CURRENT);
	fd = open(dbg, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	copy = debugcopy_open(fd);
	if (copy == -ENOSPC) {
		/* TMPDIR, /var/tmp and /tmp all tmpfs (or full): no copy is made, by design. */
		print_message("# no disk-backed temporary directory with room\n");
		close(fd);
		skip();
	}
	assert_true(copy >= 0);
	orig = elf_begin(fd, ELF_C_READ, NULL);
	cp = elf_begin(copy, ELF_C_READ_MMAP, NULL);
	assert_non_null(orig);
	assert_non_null(cp);
	assert_int_equal(elf_getshdrstrndx(orig, &shstrndx), 0);
	while ((scn = elf_nextscn(orig, scn))) {
		GElf_Shdr sh, csh;
		const char *name;
		Elf_Scn *c;
		Elf_Data *d, *cd;

		assert_non_null(gelf_getshdr(scn, &sh));
		name = elf_strptr(orig, shstrndx, sh.sh_name);
		c = find_scn(cp, name);
		assert_non_null(c);
		assert_non_null(gelf_getshdr(c, &csh));
		assert_int_equal(csh.sh_type, sh.sh_type);
		assert_false(csh.sh_flags & SHF_COMPRESSED);
		if (sh.sh_flags & SHF_COMPRESSED) {
			assert_int_equal(elf_compress(scn, 0, 0), 1);
			assert_non_null(gelf_getshdr(scn, &sh));
			compressed++;
		}
		sections++;
		if (sh.sh_type == SHT_NOBITS)
			continue;
		d = elf_rawdata(scn, NULL);
		cd = elf_rawdata(c, NULL);
		assert_non_null(d);
		assert_non_null(cd);
		assert_int_equal(d->d_size, cd->d_size);
		assert_int_equal(csh.sh_addralign, sh.sh_addralign);
		assert_memory_equal(d->d_buf, cd->d_buf, d->d_size);
	}
	print_message("# %zu sections, %zu of them inflated\n", sections, compressed);
	assert_true(compressed >= 3);
	assert_non_null(find_scn(cp, ".debug_info"));
	elf_end(orig);
	elf_end(cp);
	close(copy);
	close(fd);
}

static void
test_refused(void **state)
{
	char junk[4200];
	int fd;

	(void)state;
	if (!dbg[0])
		skip();
	/* Nothing compressed: nothing to do. */
	fd = open(plain, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(debugcopy_open(fd), -ENODATA);
	close(fd);
	/* Not ELF. */
	snprintf(junk, sizeof(junk), "%s/junk", dir);
	assert_true(run("echo 'not an ELF file at all, just text' > '%s'", junk));
	fd = open(junk, O_RDONLY | O_CLOEXEC);
	assert_int_equal(debugcopy_open(fd), -ENOTSUP);
	close(fd);
	/* Cut short: its section headers are past the end. */
	assert_true(run("head -c $(($(stat -c %%s '%s') / 2)) '%s' > '%s'", dbg, dbg, junk));
	fd = open(junk, O_RDONLY | O_CLOEXEC);
	assert_true(debugcopy_open(fd) < 0);
	close(fd);
}

/* "name file:line inlined" of every frame at every 5th byte of every function, and the count. */
static char *
frames_text(struct elfmod *m, size_t *nframes)
{
	const struct elfmod_sym *syms = elfmod_symbols(m);
	struct elfmod_frame fr[16];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*nframes = 0;
	for (size_t i = 0; i < elfmod_nsyms(m); i++)
		for (uint64_t v = syms[i].addr; v < syms[i].addr + syms[i].size; v += 5) {
			size_t n = elfmod_frames(m, v, fr, 16);

			fprintf(f, "%s %zu:", syms[i].name, n);
			for (size_t k = 0; k < n; k++)
				fprintf(f, " %s %s:%u %d", fr[k].name,
					fr[k].file ? fr[k].file : "-", fr[k].line, fr[k].inlined);
			fputc('\n', f);
			*nframes += n;
		}
	fclose(f);
	return buf;
}

/* Whether debugcopy finds a disk-backed temporary directory with room (it copies dbg). */
static bool
have_disk_tmp(void)
{
	int fd = open(dbg, O_RDONLY | O_CLOEXEC), copy;

	assert_true(fd >= 0);
	copy = debugcopy_open(fd);
	close(fd);
	if (copy >= 0)
		close(copy);
	return copy != -ENOSPC;
}

/* The bytes of path's .debug_ sections (uncompressed in this program). */
static size_t
debug_bytes(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	Elf_Scn *scn = NULL;
	size_t shstrndx, sum = 0;

	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) && (n = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strncmp(n, ".debug_", 7))
			sum += sh.sh_size;
	}
	elf_end(elf);
	close(fd);
	print_message("# %zu bytes of DWARF in %s\n", sum, path);
	return sum;
}

static struct elfmod *
open_module(const char *path)
{
	struct elfmod *m = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(elfmod_open(path, fd, &m), 0);
	return m;
}

static void
test_frames_through_copy(void **state)
{
	struct elfmod *a, *b;
	size_t na, nb, before;
	char *ta, *tb;
	struct mallinfo2 mi;

	(void)state;
	if (!dbg[0])
		skip();
	a = open_module(self);
	b = open_module(stripped);
	mi = mallinfo2();
	before = mi.uordblks + mi.hblkhd;
	assert_true(elfmod_has_dwarf(b));
	mi = mallinfo2();
	/* The stripped program's debug file is the compressed one, under its own name. */
	assert_non_null(elfmod_debug_file(b));
	assert_string_equal(elfmod_debug_file(b), dbg);
	print_message("# DWARF of %s loaded with %zu KiB of malloc\n", stripped,
		      (mi.uordblks + mi.hblkhd - before) / 1024);
	/* Read through the copy's mapping: libdw inflated nothing into memory. */
	if (have_disk_tmp())
		assert_true(mi.uordblks + mi.hblkhd - before < debug_bytes(self) / 4);
	ta = frames_text(a, &na);
	tb = frames_text(b, &nb);
	print_message("# %zu frames, the same through the copy\n", na);
	assert_true(na > 1000);
	assert_int_equal(na, nb);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	elfmod_free(a);
	elfmod_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_sections),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_frames_through_copy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
