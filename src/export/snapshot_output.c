// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The snapshot's optional "command_output": a launched command's last stdout and stderr lines
 * (man ringside-snapshot.5), {"records": "o TEXT\ne TEXT\n...", "dropped": N}, the records in
 * the kept format of app/command_log.h. Older snapshots have none and still open.
 */
#include <errno.h>
#include <string.h>

#include "snapshot_internal.h"
#include "ringside/util/xalloc.h"

void
snapshot_output_write(const struct profile *p, json_t *root)
{
	json_t *o;

	if (!p->command_output)
		return;
	o = json_pack("{s:s, s:I}", "records", p->command_output, "dropped",
		      (json_int_t)p->command_output_dropped);
	if (o)
		json_object_set_new(root, "command_output", o);
}

int
snapshot_output_read(json_t *root, struct profile *p, struct errbuf *err)
{
	json_t *o = json_object_get(root, "command_output"), *rec, *dropped;

	if (!o || json_is_null(o))
		return 0;
	rec = json_is_object(o) ? json_object_get(o, "records") : NULL;
	dropped = json_is_object(o) ? json_object_get(o, "dropped") : NULL;
	if (!json_is_string(rec) || (dropped && !json_is_integer(dropped)) ||
	    (dropped && json_integer_value(dropped) < 0))
		return errbuf_fail(err, -EINVAL,
				   "command_output: expected an object with a "
				   "\"records\" string and a \"dropped\" count");
	p->command_output = xstrndup(json_string_value(rec), json_string_length(rec));
	p->command_output_dropped = dropped ? (uint64_t)json_integer_value(dropped) : 0;
	return 0;
}
