// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel options tests need (struct test_kconfig): does the running
 * kernel have them? Its configuration answers where it can be read
 * (/proc/config.gz, else /boot/config-RELEASE; zlib reads either), else
 * the option's witness in the BTF; failing both the answer is "cannot
 * tell", said as such: the test then runs, and its own probes decide.
 */
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "internal.h"
#include "test_progs.h"

/*
 * 1: "OPTION=y" or "=m", 0: not set, -1: no configuration to read (a file
 * without a single option is none).
 */
static int config_says(const char *option, char *src, size_t n)
{
	size_t len = strlen(option);
	bool options = false;
	char line[512];
	int found = 0;
	gzFile f;

	snprintf(src, n, "/proc/config.gz");
	f = gzopen(src, "r");
	if (!f) {
		snprintf(src, n, "/boot/config-%s", kernel_release_full());
		f = gzopen(src, "r");
	}
	if (!f)
		return -1;
	while (!found && gzgets(f, line, sizeof(line))) {
		options |= !strncmp(line, "CONFIG_", 7);
		found = !strncmp(line, option, len) && line[len] == '=' &&
			(line[len + 1] == 'y' || line[len + 1] == 'm');
	}
	gzclose(f);
	return options ? found : -1;
}

/*
 * 1 if the running kernel has @k's option, 0 if it has not, -1 if nothing
 * tells; for 0 and -1, @why says why.
 */
static int kconfig_state(const struct test_kconfig *k, char *why, size_t n)
{
	char src[320];
	int has = config_says(k->option, src, sizeof(src));

	if (has >= 0) {
		if (!has)
			snprintf(why, n, "built without %s (%s)", k->option,
				 src);
		return has;
	}
	has = k->witness ? btf_has_func(k->witness) : -1;
	if (!has)
		snprintf(why, n, "built without %s (its BTF has no %s)",
			 k->option, k->witness);
	else if (has < 0)
		snprintf(
			why, n,
			"cannot tell whether the kernel was built with %s: no /proc/config.gz or /boot/config-%s, %s",
			k->option, kernel_release_full(),
			k->witness ? "and its BTF cannot be read" :
				     "and no witness to look for in its BTF");
	return has;
}

/*
 * Checks @k: NULL if the kernel has the option or nothing tells (the log
 * says which), else the reason to skip, in @why.
 */
const char *kconfig_unmet(const struct test_kconfig *k, char *why, size_t n)
{
	int has = kconfig_state(k, why, n);

	if (has < 0)
		printf("%s; running\n", why);
	return has ? NULL : why;
}

/* Does @k apply to the test as it starts (@subtest NULL), or to @subtest? */
static bool applies(const struct test_kconfig *k, const char *subtest)
{
	if (!subtest)
		return !k->subtests;
	return k->subtests && strcmp(k->subtests, TEST_KCONFIG_ROWS) &&
	       !fnmatch(k->subtests, subtest, 0);
}

/*
 * The first option of @t that the test (@subtest NULL) or its subtest
 * @subtest needs and the kernel lacks: the reason to skip, else NULL.
 * The kernel's lockdown, a setting of the same kind, is asked first.
 */
const char *kconfig_unmet_for(const struct test_traits *t, const char *subtest,
			      char *why, size_t n)
{
	int i;

	if (lockdown_unmet_for(t, subtest, why, n))
		return why;

	for (i = 0; t && i < TEST_MAX_KCONFIGS && t->kconfigs[i].option; i++)
		if (applies(&t->kconfigs[i], subtest) &&
		    kconfig_unmet(&t->kconfigs[i], why, n))
			return why;
	return NULL;
}
