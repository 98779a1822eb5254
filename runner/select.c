// SPDX-License-Identifier: GPL-2.0
/*
 * Test selection.  -t/-b take substrings, -a/-d take globs; all take
 * comma-separated items of the form "test" or "test/subtest", and an item
 * "@FILE" stands for the patterns in FILE, one per line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void add_item(struct filter_list *list, const char *item, bool glob)
{
	struct filter_item *it;
	const char *slash = strchr(item, '/');

	list->items = xrealloc_array(list->items, list->nr + 1, sizeof(*it));
	it = &list->items[list->nr++];
	it->glob = glob;
	if (slash) {
		it->test = xasprintf("%.*s", (int)(slash - item), item);
		it->sub = xstrdup(slash + 1);
	} else {
		it->test = xstrdup(item);
		it->sub = NULL;
	}
}

/* Blank lines and lines starting with '#' are ignored. */
static int add_file(struct filter_list *list, const char *path, bool glob)
{
	char *line = NULL, *p, *end;
	size_t cap = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "test_progs: cannot read pattern file %s: %s\n",
			path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) >= 0) {
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		end = p + strlen(p);
		while (end > p && strchr(" \t\r\n", end[-1]))
			*--end = '\0';
		if (*p && *p != '#')
			add_item(list, p, glob);
	}
	free(line);
	fclose(f);
	return 0;
}

int filters_add(struct filter_list *list, const char *arg, bool glob)
{
	char *copy = xstrdup(arg), *item, *save = NULL;
	int err = 0;

	for (item = strtok_r(copy, ",", &save); item && !err;
	     item = strtok_r(NULL, ",", &save)) {
		if (item[0] == '@')
			err = add_file(list, item + 1, glob);
		else
			add_item(list, item, glob);
	}
	free(copy);
	return err;
}

static bool pattern_match(const char *pattern, const char *name, bool glob)
{
	if (glob)
		return fnmatch(pattern, name, 0) == 0;
	return strstr(name, pattern) != NULL;
}

static bool item_matches(const struct filter_item *it, const char *test,
			 const char *sub)
{
	if (!pattern_match(it->test, test, it->glob))
		return false;
	/* An item without a subtest part covers every subtest. */
	if (!sub || !it->sub)
		return true;
	return pattern_match(it->sub, sub, it->glob);
}

bool filters_select_test(const struct filters *f, const char *test)
{
	bool allowed = f->allow.nr == 0;
	int i;

	for (i = 0; i < f->allow.nr && !allowed; i++)
		allowed = item_matches(&f->allow.items[i], test, NULL);
	if (!allowed)
		return false;
	/* Denying "test/sub" denies that subtest only, not the test. */
	for (i = 0; i < f->deny.nr; i++) {
		if (!f->deny.items[i].sub &&
		    item_matches(&f->deny.items[i], test, NULL))
			return false;
	}
	return true;
}

bool filters_select_subtest(const struct filters *f, const char *test,
			    const char *sub)
{
	bool allowed = f->allow.nr == 0;
	int i;

	for (i = 0; i < f->allow.nr && !allowed; i++)
		allowed = item_matches(&f->allow.items[i], test, sub);
	if (!allowed)
		return false;
	for (i = 0; i < f->deny.nr; i++) {
		if (item_matches(&f->deny.items[i], test, sub))
			return false;
	}
	return true;
}
