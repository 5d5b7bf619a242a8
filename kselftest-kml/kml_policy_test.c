// SPDX-License-Identifier: GPL-2.0
/*
 * kml_policy_test.c - who gets ring 0, and by which routes nobody else does
 *
 * A program in ring 0 owns the machine, so granting ring 0 must take as much
 * privilege as loading a kernel module. Run as root on a kernel booted with
 * kml=on, this test puts a copy of itself (the probe) where the policy
 * grants ring 0 and tries every route to CPL 0 that does not come with that
 * privilege: an unprivileged user (uid and gid 65534, no capabilities)
 * executing the probe, the probe as the interpreter of a script, a ring-0
 * program whose ELF interpreter lives anywhere, root without
 * CAP_SYS_MODULE, and ptrace or /proc/PID/mem of a ring-0 task by a tracer
 * without CAP_SYS_MODULE. It also checks what a ring-0 program must get:
 * secure-exec (AT_SECURE, so the dynamic loader ignores LD_PRELOAD,
 * LD_LIBRARY_PATH and LD_AUDIT) and a task that is not dumpable.
 *
 * Each case passes when its route is closed. The positive control (root with
 * every capability gets ring 0) must pass as well, or the test proves
 * nothing. Without kml=on every case is skipped.
 *
 * The probe is this program run as "kml_policy_test --probe": it prints its
 * CPL, AT_SECURE and dumpable flag on one line ("--wait": then it waits for
 * the end of its standard input). The ELF interpreter case
 * uses kml_policy_dyn, a program whose PT_INTERP names
 * POLICY_INTERP, and kml_policy_interp, an interpreter that only exits with
 * its CPL as the status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#define PROBE		TRUSTED_DIR "kml_policy_probe"
#define DYN		TRUSTED_DIR "kml_policy_dyn"
#define POLICY_INTERP	"/tmp/kml_policy_interp"
#define SCRIPT		"/tmp/kml_policy_script"
#define NOBODY		65534

struct probe {
	unsigned int cpl;
	unsigned long secure;
	int dumpable;
};

/* Print the probe's line; with @wait, then wait for the end of stdin. */
static int probe_main(int wait)
{
	char c;

	printf("cpl=%u secure=%lu dumpable=%d\n", current_cpl(),
	       getauxval(AT_SECURE), prctl(PR_GET_DUMPABLE));
	fflush(stdout);
	while (wait && read(STDIN_FILENO, &c, 1) > 0)
		;
	return 0;
}

/* Copy file @from to @to with mode @mode. */
static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in, out, ok = 0;
	ssize_t n;

	in = open(from, O_RDONLY);
	if (in < 0)
		return -1;
	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			ok = -1;
			break;
		}
	if (n < 0)
		ok = -1;
	close(in);
	if (close(out) || fchmodat(AT_FDCWD, to, mode, 0))
		ok = -1;
	return ok;
}

/* A program next to this one, by name. */
static const char *sibling(const char *name)
{
	static char path[4096];
	char *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n < 0)
		return NULL;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || strlen(name) >= sizeof(path) - (slash + 1 - path))
		return NULL;
	strcpy(slash + 1, name);
	return path;
}

/*
 * Put the probe and the dynamic program where the policy grants ring 0, and
 * the interpreter and the script where anyone could have put them.
 */
static int setup_files(void)
{
	const char *dyn, *interp;
	FILE *f;

	mkdir(TRUSTED_DIR, 0755);
	if (copy_file("/proc/self/exe", PROBE, 0755))
		return -1;
	dyn = sibling("kml_policy_dyn");
	if (!dyn || copy_file(dyn, DYN, 0755))
		return -1;
	interp = sibling("kml_policy_interp");
	if (!interp || copy_file(interp, POLICY_INTERP, 0777))
		return -1;
	f = fopen(SCRIPT, "w");
	if (!f)
		return -1;
	fprintf(f, "#!" PROBE " --probe\n");
	if (fclose(f) || chmod(SCRIPT, 0777))
		return -1;
	return 0;
}

/* Become uid and gid 65534 with no supplementary groups: no capability left. */
static int drop_to_nobody(void)
{
	return setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ? -1 : 0;
}

/*
 * Drop CAP_SYS_MODULE from the bounding set (so no exec gives it back) and
 * from the permitted and effective sets; keep every other capability.
 */
static int drop_cap_sys_module(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_MODULE, 0, 0, 0))
		return -1;
	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_SYS_MODULE)].effective &= ~CAP_TO_MASK(CAP_SYS_MODULE);
	data[CAP_TO_INDEX(CAP_SYS_MODULE)].permitted &= ~CAP_TO_MASK(CAP_SYS_MODULE);
	data[CAP_TO_INDEX(CAP_SYS_MODULE)].inheritable &= ~CAP_TO_MASK(CAP_SYS_MODULE);
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}

enum who { ROOT, NOBODY_USER, ROOT_NO_MODULE };

/*
 * Run @path (with "--probe") as @who and read the probe's line. Returns 0 and
 * fills @p, or -1 with @why set.
 */
static int run_probe(enum who who, const char *path, struct probe *p,
		     const char **why)
{
	char line[256] = "";
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fds)) {
		*why = "pipe";
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		*why = "fork";
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		if ((who == NOBODY_USER && drop_to_nobody()) ||
		    (who == ROOT_NO_MODULE && drop_cap_sys_module()))
			_exit(120);
		execl(path, path, "--probe", (char *)NULL);
		_exit(121);
	}
	close(fds[1]);
	n = read(fds[0], line, sizeof(line) - 1);
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		*why = WIFEXITED(status) && WEXITSTATUS(status) == 120 ?
			"could not drop privileges" :
			WIFEXITED(status) && WEXITSTATUS(status) == 121 ?
			"exec failed" : "the probe failed";
		return -1;
	}
	if (n <= 0 || sscanf(line, "cpl=%u secure=%lu dumpable=%d", &p->cpl,
			     &p->secure, &p->dumpable) != 3) {
		*why = "no line from the probe";
		return -1;
	}
	return 0;
}

FIXTURE(policy) {
	struct probe p;
};

FIXTURE_SETUP(policy)
{
	if (!kml_on())
		SKIP(return, "kml=on is not on the kernel command line");
	if (geteuid() != 0)
		SKIP(return, "must run as root: it plays the other users itself");
	ASSERT_EQ(0, setup_files()) TH_LOG("setting up the files: %s", strerror(errno));
}

FIXTURE_TEARDOWN(policy)
{
}

/* The positive control: root with every capability gets ring 0. */
TEST_F(policy, root_gets_ring0)
{
	const char *why = "";

	ASSERT_EQ(0, run_probe(ROOT, PROBE, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(0, self->p.cpl);
}

TEST_F(policy, unprivileged_user_stays_in_ring3)
{
	const char *why = "";

	ASSERT_EQ(0, run_probe(NOBODY_USER, PROBE, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(3, self->p.cpl) TH_LOG("uid %d without capabilities ran at CPL %u",
					 NOBODY, self->p.cpl);
}

TEST_F(policy, root_without_cap_sys_module_stays_in_ring3)
{
	const char *why = "";

	ASSERT_EQ(0, run_probe(ROOT_NO_MODULE, PROBE, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(3, self->p.cpl);
}

/* A script names the probe as its interpreter: the script is not opted in. */
TEST_F(policy, script_interpreter_stays_in_ring3)
{
	const char *why = "";

	ASSERT_EQ(0, run_probe(NOBODY_USER, SCRIPT, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(3, self->p.cpl) TH_LOG("unprivileged script through " PROBE);
	ASSERT_EQ(0, run_probe(ROOT, SCRIPT, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(3, self->p.cpl) TH_LOG("root's script through " PROBE);
}

/* A ring-0 program is a secure exec and its task is not dumpable. */
TEST_F(policy, ring0_is_secure_exec_and_not_dumpable)
{
	const char *why = "";

	ASSERT_EQ(0, run_probe(ROOT, PROBE, &self->p, &why)) TH_LOG("%s", why);
	if (self->p.cpl != 0)
		SKIP(return, "the probe did not get ring 0");
	EXPECT_EQ(1, self->p.secure) TH_LOG("AT_SECURE is %lu", self->p.secure);
	EXPECT_EQ(0, self->p.dumpable) TH_LOG("PR_GET_DUMPABLE is %d", self->p.dumpable);
}

/*
 * The program is trusted, its ELF interpreter (PT_INTERP) is a file anyone
 * could have written: that code must not run in ring 0, for root either.
 * kml_policy_interp exits with its CPL as the status.
 */
TEST_F(policy, untrusted_elf_interpreter_stays_in_ring3)
{
	enum who whos[] = { ROOT, NOBODY_USER };
	unsigned int i;
	int status;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(whos); i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			if (whos[i] == NOBODY_USER && drop_to_nobody())
				_exit(120);
			execl(DYN, DYN, (char *)NULL);
			_exit(121);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 120)
			TH_LOG("could not drop privileges");
		/* A refused exec (an error, or a kill) closes the route too. */
		EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("%s: the interpreter " POLICY_INTERP " ran at CPL 0",
			       whos[i] == ROOT ? "root" : "uid 65534");
	}
}

/*
 * A tracer without CAP_SYS_MODULE must not get into a ring-0 task: neither
 * PTRACE_ATTACH nor opening /proc/PID/mem for writing.
 */
TEST_F(policy, ring0_task_not_traceable_without_cap_sys_module)
{
	int go[2], out[2], status, fd;
	char path[64], line[256] = "";
	pid_t victim, tracer;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(out));
	victim = fork();
	ASSERT_LE(0, victim);
	if (victim == 0) {
		dup2(go[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(go[1]);
		close(out[0]);
		execl(PROBE, PROBE, "--wait", (char *)NULL);
		_exit(121);
	}
	close(go[0]);
	close(out[1]);
	/* The line comes once the probe runs, and it says which ring. */
	ASSERT_LT(0, read(out[0], line, sizeof(line) - 1));
	ASSERT_EQ(1, sscanf(line, "cpl=%u", &self->p.cpl));
	if (self->p.cpl != 0) {
		close(go[1]);
		waitpid(victim, NULL, 0);
		SKIP(return, "the probe did not get ring 0");
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", victim);

	tracer = fork();
	ASSERT_LE(0, tracer);
	if (tracer == 0) {
		int bad = 0;

		if (drop_cap_sys_module())
			_exit(120);
		if (ptrace(PTRACE_ATTACH, victim, 0, 0) == 0) {
			bad |= 1;
			ptrace(PTRACE_DETACH, victim, 0, 0);
		}
		fd = open(path, O_RDWR);
		if (fd >= 0) {
			bad |= 2;
			close(fd);
		}
		_exit(bad);
	}
	ASSERT_EQ(tracer, waitpid(tracer, &status, 0));
	close(go[1]);
	waitpid(victim, NULL, 0);
	close(out[0]);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(120, WEXITSTATUS(status)) TH_LOG("could not drop CAP_SYS_MODULE");
	EXPECT_EQ(0, WEXITSTATUS(status) & 1) TH_LOG("PTRACE_ATTACH to a ring-0 task worked");
	EXPECT_EQ(0, WEXITSTATUS(status) & 2) TH_LOG("%s opened for writing", path);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--probe"))
		return probe_main(0);
	if (argc > 1 && !strcmp(argv[1], "--wait"))
		return probe_main(1);
	return test_harness_run(argc, argv);
}
