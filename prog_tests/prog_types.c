// SPDX-License-Identifier: GPL-2.0
/*
 * prog_types: which BPF program types may call bpf_dynptr_from_file(), as
 * the spec lists them, checked against the verifier, and run where a type
 * can reach a trusted struct file *.
 *
 * Checks R-PROGTYPE-1..5 (SEMANTICS.md states them).
 *
 * Each subtest loads one program alone, with its own verifier log, and
 * classifies the answer: "accepted", "argument rejected" (the type may call
 * the kfunc, the pointer given is not good enough), "kfunc not allowed"
 * (the type may not call it) or "other". A type the spec lists that gets
 * "kfunc not allowed" fails (R-PROGTYPE-1), as does an answer that fits no
 * class. The table of all answers is printed at the end (-v shows it).
 * Types the spec does not list are probed too and never fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "prog_types.skel.h"

/* Not in bookworm's uapi headers (Linux 6.4+ values). */
#define PT_PROG_TYPE_NETFILTER 32
#define PT_ATTACH_NETFILTER 45

enum verdict {
	V_ACCEPTED,
	V_ARG_REJECTED,
	V_NOT_ALLOWED,
	V_OTHER,
};

static const char *const verdict_str[] = {
	[V_ACCEPTED] = "accepted",
	[V_ARG_REJECTED] = "kfunc allowed, argument rejected",
	[V_NOT_ALLOWED] = "kfunc NOT allowed for this type",
	[V_OTHER] = "unclassified",
};

struct load_result {
	enum verdict verdict;
	int err; /* the load's return value */
	char line[160]; /* the log line that decided, if any */
};

struct type_case;
typedef void (*run_fn)(struct prog_types *skel, char *note, size_t note_sz);

struct type_case {
	const char *subtest;
	const char *type; /* BPF_PROG_TYPE_... */
	bool listed; /* in the spec's list */
	const char *arg; /* what the primary program passes */
	int set_type; /* nonzero: a type libbpf 1.1 cannot name */
	int set_attach;
	run_fn run; /* run the accepted primary program */
	const char *exe_probe; /* a bpf_get_task_exe_file() probe program */
};

#define EXE_ARG "current->mm->exe_file (untrusted)"

static void run_lsm(struct prog_types *skel, char *note, size_t note_sz);
static void run_tracing(struct prog_types *skel, char *note, size_t note_sz);

/* A type the spec lists (L) or not (U), the subtest (and program) name. */
#define L(sub, ty, file, ...)                                            \
	{                                                                \
		.subtest = sub, .type = ty, .listed = true, .arg = file, \
		__VA_ARGS__                                              \
	}
#define U(sub, ty, file)                                                 \
	{                                                                \
		.subtest = sub, .type = ty, .listed = false, .arg = file \
	}

static const struct type_case cases[] = {
	L("cgroup_device", "CGROUP_DEVICE", EXE_ARG),
	L("cgroup_skb", "CGROUP_SKB", EXE_ARG),
	L("cgroup_sock", "CGROUP_SOCK", EXE_ARG),
	L("cgroup_sockopt", "CGROUP_SOCKOPT", EXE_ARG),
	L("cgroup_sock_addr", "CGROUP_SOCK_ADDR", EXE_ARG),
	L("cgroup_sysctl", "CGROUP_SYSCTL", EXE_ARG),
	L("lsm", "LSM", "the hook's file (lsm.s/file_ioctl)", .run = run_lsm),
	L("lwt_in", "LWT_IN", EXE_ARG),
	L("lwt_out", "LWT_OUT", EXE_ARG),
	L("lwt_seg6local", "LWT_SEG6LOCAL", EXE_ARG),
	L("lwt_xmit", "LWT_XMIT", EXE_ARG),
	L("netfilter", "NETFILTER", EXE_ARG, .set_type = PT_PROG_TYPE_NETFILTER,
	  .set_attach = PT_ATTACH_NETFILTER),
	L("perf_event", "PERF_EVENT", EXE_ARG),
	L("sched_act", "SCHED_ACT", EXE_ARG),
	L("sched_cls", "SCHED_CLS", EXE_ARG),
	L("sk_skb", "SK_SKB", EXE_ARG),
	L("socket_filter", "SOCKET_FILTER", EXE_ARG),
	L("sock_ops", "SOCK_OPS", EXE_ARG),
	L("struct_ops", "STRUCT_OPS", EXE_ARG " in bpf_dummy_ops.test_1"),
	L("syscall", "SYSCALL", EXE_ARG, .exe_probe = "syscall_exe_kfunc"),
	L("tracepoint", "TRACEPOINT", EXE_ARG),
	L("tracing", "TRACING",
	  "bprm->file (tp_btf/sched_process_exec, trusted)", .run = run_tracing,
	  .exe_probe = "fentry_exe_kfunc"),
	L("xdp", "XDP", EXE_ARG),
	U("unlisted_kprobe", "KPROBE", EXE_ARG),
	U("unlisted_raw_tracepoint", "RAW_TRACEPOINT", EXE_ARG),
	U("unlisted_sk_msg", "SK_MSG", EXE_ARG),
	U("unlisted_flow_dissector", "FLOW_DISSECTOR", EXE_ARG),
	U("unlisted_sk_lookup", "SK_LOOKUP", EXE_ARG),
	U("unlisted_sk_reuseport", "SK_REUSEPORT", EXE_ARG),
};

/* One table row per subtest that ran. */
struct row {
	const struct type_case *tc;
	const char *arg;
	char arg_buf[200];
	char why[120]; /* why the primary program failed */
	struct load_result res;
	char run[200];
	char exe_probe[200];
	bool done;
};

static struct row rows[N_ROWS(cases)];

/* The verifier log of the program last loaded (test__load_alone()). */
static char *vlog;

/* The program's name in the object: "unlisted_" is only the subtest's. */
static const char *prog_name_of(const struct type_case *tc)
{
	const char *p = tc->subtest;

	return strncmp(p, "unlisted_", 9) ? p : p + 9;
}

static const char *find_line(const char *log, const char *needle, char *out,
			     size_t out_sz)
{
	const char *hit = strstr(log, needle), *start, *end;
	size_t len;

	if (!hit)
		return NULL;
	for (start = hit; start > log && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	len = end ? (size_t)(end - start) : strlen(start);
	if (len >= out_sz)
		len = out_sz - 1;
	memcpy(out, start, len);
	out[len] = '\0';
	return hit;
}

/*
 * The verifier checks a kfunc's program type at the call, before its
 * arguments, so an argument complaint proves the type itself was allowed.
 * The messages are 6.19's and 7.x's (7.x names the register, 6.19 "arg#0";
 * 7.3 adds an explanation after the first line, ignored here).
 */
static void classify(const char *kfunc, int err, struct load_result *res)
{
	static const char *const arg_msgs[] = {
		"must be referenced or trusted",
		"Possibly NULL pointer passed to trusted",
		"expected pointer to",
		"must point to scalar",
	};
	char not_allowed[128];
	size_t i;

	res->err = err;
	res->line[0] = '\0';
	if (!err) {
		res->verdict = V_ACCEPTED;
		return;
	}
	snprintf(not_allowed, sizeof(not_allowed),
		 "calling kernel function %s is not allowed", kfunc);
	if (find_line(vlog, not_allowed, res->line, sizeof(res->line))) {
		res->verdict = V_NOT_ALLOWED;
		return;
	}
	for (i = 0; i < sizeof(arg_msgs) / sizeof(arg_msgs[0]); i++) {
		if (find_line(vlog, arg_msgs[i], res->line,
			      sizeof(res->line))) {
			res->verdict = V_ARG_REJECTED;
			return;
		}
	}
	res->verdict = V_OTHER;
}

/* The last @n lines of the verifier log. */
static void print_log_tail(const char *what, int n)
{
	printf("--- verifier log of %s (last lines) ---\n", what);
	test__print_tail(vlog, n, "");
	printf("---\n");
}

/* What a program of @tc needs before it loads (the runner's prepare hook). */
static void prepare_prog(struct bpf_object *obj, struct bpf_program *prog,
			 void *arg)
{
	const struct type_case *tc = arg;
	const char *name = bpf_program__name(prog);
	struct bpf_map *map;

	if (tc->set_type) {
		bpf_program__set_type(prog, tc->set_type);
		bpf_program__set_expected_attach_type(prog, tc->set_attach);
	}
	/* Each struct_ops map names one program: create only that one's. */
	map = bpf_object__find_map_by_name(obj, "dummy_ops");
	if (map)
		bpf_map__set_autocreate(map, !strcmp(name, "struct_ops"));
	map = bpf_object__find_map_by_name(obj, "dummy_ops_null");
	if (map)
		bpf_map__set_autocreate(map, !strcmp(name, "struct_ops_null"));
}

/* A skeleton with program @name (accepted alone) loaded, to run it. */
static struct prog_types *open_to_run(const struct type_case *tc,
				      const char *name)
{
	struct bpf_object_open_opts opts;
	struct bpf_program *prog;
	struct prog_types *skel;

	skel_open_opts(&opts);
	skel = prog_types__open_opts(&opts);
	if (!ASSERT_OK_PTR(skel, "open skeleton"))
		return NULL;
	prog = bpf_object__find_program_by_name(skel->obj, name);
	if (ASSERT_OK_PTR(prog, name)) {
		bpf_program__set_autoload(prog, true);
		prepare_prog(skel->obj, prog, (void *)tc);
		if (ASSERT_OK(prog_types__load(skel),
			      "load the program to run it"))
			return skel;
	}
	prog_types__destroy(skel);
	return NULL;
}

/*
 * Loads program @name alone (the runner's loader) and classifies the
 * verifier's answer about @kfunc. If it loaded and @keep is given, a
 * skeleton with that program loaded is handed back, to run it.
 */
static bool load_alone(const struct type_case *tc, const char *name,
		       const char *kfunc, struct load_result *res,
		       struct prog_types **keep)
{
	const void *bytes;
	size_t sz = 0;
	int err;

	bytes = prog_types__elf_bytes(&sz);
	free(vlog);
	vlog = test__load_alone("prog_types", bytes, sz, name, prepare_prog,
				(void *)tc, &err);
	if (!vlog)
		return false;
	classify(kfunc, err, res);
	if (test__verbosity() >= 2)
		printf("--- verifier log of %s ---\n%s\n---\n", name, vlog);
	if (!err && keep)
		*keep = open_to_run(tc, name);
	return true;
}

/* /proc/self/exe, read whole into memory by pread(): the reference bytes. */
static __u8 *exe_bytes;
static size_t exe_size;

static bool load_exe_bytes(void)
{
	if (!exe_bytes)
		exe_bytes = read_self_exe(&exe_size);
	return exe_bytes;
}

/* R-PROGTYPE-3: ioctl on /proc/self/exe runs lsm.s/file_ioctl on it. */
static void run_lsm(struct prog_types *skel, char *note, size_t note_sz)
{
	struct prog_types__bss *bss = skel->bss;
	size_t head = sizeof(bss->lsm_head), tail = sizeof(bss->lsm_tail);
	struct bpf_link *link;
	int fd;

	/* Loaded and classified above; running it needs the BPF LSM. */
	TEST_RULE("R-PROGTYPE-3");
	if (!require_bpf_lsm()) {
		snprintf(note, note_sz, "not run: the BPF LSM is not active");
		return;
	}
	if (!load_exe_bytes() ||
	    !ASSERT_GE(exe_size, head + tail, "executable size"))
		return;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (!ASSERT_GE(fd, 0, "open /proc/self/exe"))
		return;
	bss->tail_off = exe_size - tail;
	bss->target_tgid = getpid();
	bss->lsm_create_ret = bss->lsm_head_ret = RESULT_NOT_RUN;
	bss->lsm_tail_ret = bss->lsm_discard_ret = RESULT_NOT_RUN;
	memset(bss->lsm_head, 0xa5, head);
	memset(bss->lsm_tail, 0xa5, tail);
	link = bpf_program__attach(skel->progs.lsm);
	if (!ASSERT_OK_PTR(link, "attach lsm.s/file_ioctl"))
		goto out;
	ASSERT_OK(trigger_file_ioctl(fd), "ioctl trigger");
	bpf_link__destroy(link);

	if (ASSERT_EQ(bss->lsm_runs, 1, "lsm program runs") &&
	    ASSERT_EQ(bss->lsm_create_ret, 0, "lsm bpf_dynptr_from_file") &&
	    ASSERT_EQ(bss->lsm_head_ret, 0, "lsm read [0, 4096)") &&
	    ASSERT_EQ(bss->lsm_tail_ret, 0, "lsm read of the last 512 bytes") &&
	    ASSERT_EQ(bss->lsm_discard_ret, 0, "lsm bpf_dynptr_file_discard") &&
	    ASSERT_MEMEQ(bss->lsm_head, exe_bytes, head,
			 "lsm bytes [0, 4096) vs pread") &&
	    ASSERT_MEMEQ(bss->lsm_tail, exe_bytes + exe_size - tail, tail,
			 "lsm last 512 bytes vs pread"))
		snprintf(note, note_sz,
			 "read %zu + %zu bytes of /proc/self/exe = pread", head,
			 tail);
	else
		snprintf(note, note_sz, "FAILED (see log)");
out:
	/* R-AFTER-2: an initramfs file (nothing to evict, R-AFTER-1). */
	file_released(fd, NULL, "/proc/self/exe");
}

/*
 * R-PROGTYPE-4: a child execs /proc/self/exe (the runner, which lists no
 * test and exits) once the program is attached and watching its pid.
 */
static void run_tracing(struct prog_types *skel, char *note, size_t note_sz)
{
	struct prog_types__bss *bss = skel->bss;
	size_t len = sizeof(bss->exec_head);
	struct bpf_link *link = NULL;
	int go[2], status = 0;
	pid_t child;
	char c = 0;

	TEST_RULE("R-PROGTYPE-4");
	if (!load_exe_bytes() || !ASSERT_GE(exe_size, len, "executable size"))
		return;
	if (!ASSERT_OK(pipe(go), "pipe"))
		return;
	child = fork();
	if (child == 0) {
		int null = open("/dev/null", O_RDWR);

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl("/proc/self/exe", "test_progs", "-l", "-t",
		      "prog_types_exec_no_such_test", (char *)NULL);
		_exit(127);
	}
	close(go[0]);
	if (!ASSERT_GT(child, 0, "fork")) {
		close(go[1]);
		return;
	}
	memset(bss->exec_head, 0xa5, len);
	bss->exec_create_ret = bss->exec_read_ret = RESULT_NOT_RUN;
	bss->exec_discard_ret = RESULT_NOT_RUN;
	bss->target_tgid = child;
	link = bpf_program__attach(skel->progs.tracing);
	if (ASSERT_OK_PTR(link, "attach tp_btf/sched_process_exec"))
		ASSERT_EQ(write(go[1], "x", 1), 1, "release the child");
	else
		kill(child, SIGKILL);
	close(go[1]);
	ASSERT_EQ(waitpid(child, &status, 0), child, "waitpid");
	bpf_link__destroy(link);
	if (!link)
		return;
	/* The runner exits 2 when no test matches: it did exec and run. */
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 126 &&
			    WEXITSTATUS(status) != 127,
		    "child exec'd /proc/self/exe");

	if (ASSERT_EQ(bss->exec_runs, 1, "tracing program runs") &&
	    ASSERT_EQ(bss->exec_create_ret, 0,
		      "tracing bpf_dynptr_from_file") &&
	    ASSERT_EQ(bss->exec_read_ret, 0, "tracing read [0, 512)") &&
	    ASSERT_EQ(bss->exec_discard_ret, 0,
		      "tracing bpf_dynptr_file_discard") &&
	    ASSERT_MEMEQ(bss->exec_head, exe_bytes, len,
			 "tracing bytes [0, 512) vs pread"))
		snprintf(note, note_sz,
			 "read %zu bytes of the exec'd file = pread", len);
	else
		snprintf(note, note_sz, "FAILED (see log)");
}

/*
 * A type without the helper the primary program uses: load its twin with
 * a NULL file instead. False after a harness failure.
 */
static bool load_null_fallback(const struct type_case *tc, const char *name,
			       struct row *row)
{
	char null_name[64];

	printf("%s: primary program '%s' unclassified (err %d); "
	       "falling back to a NULL file\n",
	       tc->subtest, name, row->res.err);
	print_log_tail(name, 6);
	snprintf(null_name, sizeof(null_name), "%s_null", name);
	if (find_line(vlog, "cannot use helper", row->why, sizeof(row->why)) ||
	    find_line(vlog, "unknown func", row->why, sizeof(row->why)))
		snprintf(row->arg_buf, sizeof(row->arg_buf),
			 "NULL (the primary program: \"%s\")", row->why);
	else
		snprintf(row->arg_buf, sizeof(row->arg_buf),
			 "NULL (the primary program failed: %d)", row->res.err);
	row->arg = row->arg_buf;
	if (!load_alone(tc, null_name, "bpf_dynptr_from_file", &row->res, NULL))
		return false;
	if (row->res.verdict == V_OTHER)
		print_log_tail(null_name, 12);
	return true;
}

/* The verdict's rules: R-PROGTYPE-1..4. */
static void judge_verdict(const struct type_case *tc, const struct row *row)
{
	TEST_RULE("R-PROGTYPE-1");
	if (tc->listed && row->res.verdict == V_NOT_ALLOWED) {
		printf("%s: R-PROGTYPE-1 broken: the spec lists "
		       "BPF_PROG_TYPE_%s, the verifier refuses the kfunc\n",
		       tc->subtest, tc->type);
		test__fail();
	}
	TEST_RULE("R-PROGTYPE-2");
	if (row->res.verdict == V_OTHER) {
		printf("%s: the verifier's answer fits no class (err %d)\n",
		       tc->subtest, row->res.err);
		test__fail();
	}
	/* The LSM hook's file is trusted. */
	TEST_RULE("R-PROGTYPE-3");
	if (tc->run == run_lsm)
		ASSERT_EQ(
			(int)row->res.verdict, (int)V_ACCEPTED,
			"R-PROGTYPE-3: LSM program with the hook's file loads");
	TEST_RULE("R-PROGTYPE-4");
	if (tc->run == run_tracing)
		ASSERT_EQ(
			(int)row->res.verdict, (int)V_ACCEPTED,
			"R-PROGTYPE-4: the TRACING program with bprm->file loads");
}

/* R-PROGTYPE-5: bpf_get_task_exe_file() is refused to this type. */
static void probe_exe_kfunc(const struct type_case *tc, struct row *row)
{
	struct load_result probe;

	TEST_RULE("R-PROGTYPE-5");
	if (load_alone(tc, tc->exe_probe, "bpf_get_task_exe_file", &probe,
		       NULL) &&
	    ASSERT_EQ((int)probe.verdict, (int)V_NOT_ALLOWED,
		      "bpf_get_task_exe_file() not allowed"))
		snprintf(row->exe_probe, sizeof(row->exe_probe),
			 "bpf_get_task_exe_file() from %s: %s", tc->exe_probe,
			 probe.verdict == V_NOT_ALLOWED ?
				 "not allowed" :
				 verdict_str[probe.verdict]);
}

static void run_case(const struct type_case *tc, struct row *row)
{
	const char *name = prog_name_of(tc);
	struct prog_types *skel = NULL;

	row->tc = tc;
	row->arg = tc->arg;
	row->done = true;
	snprintf(row->run, sizeof(row->run), "-");

	if (!load_alone(tc, name, "bpf_dynptr_from_file", &row->res,
			tc->run ? &skel : NULL))
		return;
	if (row->res.verdict == V_OTHER && !load_null_fallback(tc, name, row))
		return;

	printf("%s: BPF_PROG_TYPE_%s, file = %s: %s%s%s\n", tc->subtest,
	       tc->type, row->arg, verdict_str[row->res.verdict],
	       row->res.line[0] ? ": " : "", row->res.line);
	judge_verdict(tc, row);

	if (skel) {
		tc->run(skel, row->run, sizeof(row->run));
		prog_types__destroy(skel);
	} else if (row->res.verdict == V_ARG_REJECTED) {
		snprintf(row->run, sizeof(row->run),
			 "no trusted file reachable");
	}
	if (tc->exe_probe)
		probe_exe_kfunc(tc, row);
}

static void print_table(void)
{
	int i;

	printf("\nprog_types on kernel %s:\n", test__kernel_release());
	printf("| program type | spec lists it | file argument given | "
	       "verifier | verifier's words | exercised at run time |\n");
	printf("|---|---|---|---|---|---|\n");
	for (i = 0; i < N_ROWS(cases); i++) {
		const struct row *r = &rows[i];

		if (!r->done)
			continue;
		printf("| %s | %s | %s | %s | %s | %s |\n", r->tc->type,
		       r->tc->listed ? "yes" : "no", r->arg,
		       verdict_str[r->res.verdict],
		       r->res.line[0] ? r->res.line : "-", r->run);
	}
	for (i = 0; i < N_ROWS(cases); i++)
		if (rows[i].done && rows[i].exe_probe[0])
			printf("note: %s\n", rows[i].exe_probe);
}

/* The kernel's number for the type a row names, from libbpf's names. */
static int prog_type_number(const struct type_case *tc)
{
	int t;

	if (tc->set_type)
		return tc->set_type;
	for (t = 0; t < 64; t++) {
		const char *name = libbpf_bpf_prog_type_str(t);

		if (name && !strcasecmp(name, tc->type))
			return t;
	}
	return -1;
}

/*
 * A kernel built without a program type says nothing about the kfunc:
 * skip that type. The option that builds it in (its subtest's .kconfigs)
 * skipped it already where the kernel's configuration tells.
 */
static bool kernel_has_type(const struct type_case *tc)
{
	int type = prog_type_number(tc);

	if (type < 0 || libbpf_probe_bpf_prog_type(type, NULL) != 0)
		return true;
	test__skip("this kernel has no BPF_PROG_TYPE_%s", tc->type);
	return false;
}

/* Loads and runs programs on files it does not evict: beside anything. */
/*
 * The option that builds each program type in, as include/linux/bpf_types.h
 * guards them, by subtest.
 */
TEST_TRAITS(prog_types, .needs = { &need_file_dynptr }, .parallel = true,
	    .kconfigs = {
		    { "CONFIG_CGROUP_BPF", "cgroup_*" },
		    { "CONFIG_NETFILTER_BPF_LINK", "netfilter" },
		    { "CONFIG_BPF_LSM", "lsm" },
		    { "CONFIG_BPF_JIT", "struct_ops" },
		    { "CONFIG_BPF_SYSCALL", "syscall" },
		    { "CONFIG_BPF_EVENTS", "*tracepoint" },
		    { "CONFIG_BPF_EVENTS", "tracing" },
		    { "CONFIG_BPF_EVENTS", "perf_event" },
		    { "CONFIG_BPF_EVENTS", "unlisted_kprobe" },
		    { "CONFIG_INET", "unlisted_sk_[lr]*" },
		    { "CONFIG_NET", "unlisted_[sf]*" },
		    { "CONFIG_NET", "lwt_*" },
		    { "CONFIG_NET", "sched_*" },
		    { "CONFIG_NET", "s[ko]*" },
		    { "CONFIG_NET", "xdp" },
	    });

void test_prog_types(void)
{
	int i;

	for (i = 0; i < N_ROWS(cases); i++) {
		if (!test__start_subtest(cases[i].subtest) ||
		    !kernel_has_type(&cases[i]))
			continue;
		run_case(&cases[i], &rows[i]);
	}
	print_table();
	free(exe_bytes);
	exe_bytes = NULL;
}
