// SPDX-License-Identifier: GPL-2.0
/*
 * A small streaming JSON writer.  Output is compact, one document per line:
 * easy for jq and for tests that diff it.  Keys are ignored inside arrays.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "l4vsadm.h"

#define JSON_MAX_DEPTH	16

struct json {
	FILE	*f;
	int	depth;
	bool	first[JSON_MAX_DEPTH];
	bool	in_array[JSON_MAX_DEPTH];
};

struct json *json_new(FILE *f)
{
	struct json *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->f = f;
	j->first[0] = true;
	return j;
}

void json_free(struct json *j)
{
	if (!j)
		return;
	fputc('\n', j->f);
	free(j);
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Separator and key for the next member of the current container. */
static void member(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key && j->depth > 0 && !j->in_array[j->depth]) {
		put_string(j->f, key);
		fputc(':', j->f);
	}
}

static void open_container(struct json *j, const char *key, char c, bool arr)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
	j->in_array[j->depth] = arr;
}

static void close_container(struct json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_open(struct json *j, const char *key)
{
	open_container(j, key, '{', false);
}

void json_obj_close(struct json *j)
{
	close_container(j, '}');
}

void json_arr_open(struct json *j, const char *key)
{
	open_container(j, key, '[', true);
}

void json_arr_close(struct json *j)
{
	close_container(j, ']');
}

void json_str(struct json *j, const char *key, const char *val)
{
	member(j, key);
	put_string(j->f, val);
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void json_int(struct json *j, const char *key, long long val)
{
	member(j, key);
	fprintf(j->f, "%lld", val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}
