// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A module's separate debug file for libdwfl: by build ID under /usr/lib/debug/.build-id, then by
 * .gnu_debuglink (checked by CRC), read through an inflated copy when its sections are
 * compressed; looked for once per module and shared by its sessions (see elfmod_priv.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elfutils/libdwelf.h>
#include <gelf.h>
#include <zlib.h>

#include "ringside/sym/debugcopy.h"
#include "ringside/util/xalloc.h"
#include "elfmod_priv.h"

/* libdw's default search path (":.debug:/usr/lib/debug") when this stays NULL. */
static char *elfmod_debuginfo_path;

/* The CRC-32 of the file open as fd (zlib's, which .gnu_debuglink uses); false on a read error. */
static bool
elfmod_file_crc(int fd, uint32_t *crc)
{
	unsigned char buf[65536];
	uLong c = crc32(0L, Z_NULL, 0);
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		c = crc32(c, buf, (uInt)n);
	*crc = (uint32_t)c;
	return n == 0 && lseek(fd, 0, SEEK_SET) == 0;
}

/*
 * The separate debug file named by .gnu_debuglink: beside the file, in its .debug directory, or
 * under /usr/lib/debug, with the CRC the link gives. An fd (and *path), or -1.
 */
static int
elfmod_debuglink(const char *file_name, const char *link, uint32_t want_crc, char **path)
{
	const char *slash = file_name ? strrchr(file_name, '/') : NULL;
	int dirlen = slash ? (int)(slash - file_name) : 0;

	if (!slash || !link || !*link || strchr(link, '/'))
		return -1;
	for (int i = 0; i < 3; i++) {
		char *p = xasprintf(i == 0   ? "%.*s/%s"
				    : i == 1 ? "%.*s/.debug/%s"
					     : "/usr/lib/debug%.*s/%s",
				    dirlen, file_name, link);
		uint32_t crc;
		int fd = strcmp(p, file_name) ? open(p, O_RDONLY | O_CLOEXEC) : -1;

		if (fd >= 0 && elfmod_file_crc(fd, &crc) && crc == want_crc) {
			*path = p;
			return fd;
		}
		if (fd >= 0)
			close(fd);
		free(p);
	}
	return -1;
}

/* True when the ELF file open on fd carries the build ID id of len bytes. */
static bool
elfmod_has_build_id(int fd, const unsigned char *id, int len)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	const void *got = NULL;
	bool same = elf && dwelf_elf_gnu_build_id(elf, &got) == len && got &&
		    memcmp(got, id, (size_t)len) == 0;

	elf_end(elf);
	return same;
}

/*
 * The debug file of mod under /usr/lib/debug/.build-id by its build ID (what
 * dwfl_build_id_find_debuginfo looks for, named as it names it: the real path), checked to carry
 * the same build ID: an fd (and *path), or -1. Not libdw's own: it keeps an Elf of the file it
 * found, which would be read instead of the fd this returns.
 */
static int
elfmod_build_id_debuginfo(Dwfl_Module *mod, char **path)
{
	const unsigned char *id = NULL;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(mod, &id, &vaddr), fd;
	char name[sizeof("/usr/lib/debug/.build-id/") + 2 * 64 + sizeof("/.debug")], *p = name;

	if (len < 3 || len > 64 || !id)
		return -1;
	p += sprintf(p, "/usr/lib/debug/.build-id/%02x/", id[0]);
	for (int i = 1; i < len; i++)
		p += sprintf(p, "%02x", id[i]);
	strcpy(p, ".debug");
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!elfmod_has_build_id(fd, id, len)) {
		close(fd);
		return -1;
	}
	*path = realpath(name, NULL);
	if (!*path)
		*path = xstrdup(name);
	return fd;
}

/*
 * The debug file of mod: by build ID (/usr/lib/debug/.build-id, where Debian's dbgsym packages
 * put them), then by debug link; one with compressed sections through its inflated copy
 * (debugcopy.h). An fd (and *path), or -1.
 */
static int
elfmod_find_debugfile(Dwfl_Module *mod, const char *file_name, const char *debuglink_file,
		      GElf_Word debuglink_crc, char **path, bool *copied)
{
	int fd = elfmod_build_id_debuginfo(mod, path), copy;

	if (fd < 0)
		fd = elfmod_debuglink(file_name, debuglink_file, debuglink_crc, path);
	/*
	 * Compressed debug sections are read from an inflated copy on disk rather than inflated
	 * into memory by libdw; the debug file keeps its own name.
	 */
	if (fd >= 0 && (copy = debugcopy_open(fd)) >= 0) {
		close(fd);
		fd = copy;
		*copied = true;
	}
	return fd;
}

/*
 * Local debug files only (elfmod_find_debugfile), looked for once per module: the symbol table's
 * session and every DWARF session after it share what the first found (its fd kept, so an
 * inflated copy is written once). Not dwfl_standard_find_debuginfo: in elfutils 0.188, when a
 * module has no local debug file, it loads libdebuginfod (with libcurl, GnuTLS, Kerberos: 6.5 MB of
 * resident memory, measured) even when no server is set, and with one set it would fetch over the
 * network from inside a profiler's drain.
 */
static int
elfmod_find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		      const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		      char **debuginfo_file_name)
{
	struct elfmod_sess *sess = *userdata;
	int fd;

	/*
	 * Called again, or with a path for a link: the lookup of a dwz alternate file
	 * (.gnu_debugaltlink), which libdw's own function finds by the link's build ID.
	 */
	if (!sess || sess->looked || (debuglink_file && strchr(debuglink_file, '/')))
		return dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file_name,
						    debuglink_file, debuglink_crc,
						    debuginfo_file_name);
	sess->looked = true;
	if (sess->m->debug_fd == -1)
		return -1;
	if (sess->m->debug_fd >= 0) {
		*debuginfo_file_name = xstrdup(sess->m->debug_path);
		return fcntl(sess->m->debug_fd, F_DUPFD_CLOEXEC, 3);
	}
	fd = elfmod_find_debugfile(mod, file_name, debuglink_file, debuglink_crc,
				   debuginfo_file_name, &sess->m->debug_copied);
	sess->m->debug_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
	if (sess->m->debug_fd >= 0)
		sess->m->debug_path = xstrdup(*debuginfo_file_name ? *debuginfo_file_name : "");
	return fd;
}

const Dwfl_Callbacks elfmod_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = elfmod_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &elfmod_debuginfo_path,
};
