// SPDX-License-Identifier: GPL-2.0
/*
 * kml_policy_test.c - who gets ring 0, and by which routes nobody else does
 *
 * A program in ring 0 owns the machine, so granting ring 0 must take as much
 * privilege as loading a kernel module, and an explicit choice: the KML LSM
 * admits a program marked with the extended attribute security.kml = "1"
 * and executed by a task with CAP_SYS_MODULE. Run as root on a kernel booted
 * with kml=on, this test marks a copy of itself (the probe) and tries every
 * route to CPL 0 that does not come with that privilege: an unprivileged
 * user (uid and gid 65534, no capabilities) executing the probe, root
 * without CAP_SYS_MODULE, an unmarked copy in the trusted directory, an exec
 * with no_new_privs or under a tracer without CAP_SYS_MODULE, a script or an
 * ELF interpreter nobody marked, setting the mark without CAP_SYS_MODULE,
 * ptrace and /proc/PID/mem of a ring-0 task, and code mapped into a ring-0
 * task from unmarked files or shared memory. It also checks what a ring-0
 * program must get: secure-exec (AT_SECURE, so the dynamic loader ignores
 * LD_PRELOAD, LD_LIBRARY_PATH and LD_AUDIT) and a task that is not dumpable.
 *
 * Each closed route has its positive control: the same route taken with the
 * privilege (and the marks) it needs gets ring 0, or the test proves
 * nothing. On a KML kernel booted without kml=on every route, the
 * privileged ones too, must stay in ring 3 with no secure exec; on a kernel
 * without the KML LSM there is no policy to test and every case is skipped.
 *
 * The probe is this program run as "kml_policy_test --probe": it prints its
 * CPL, AT_SECURE and dumpable flag on one line ("--wait": then it waits for
 * the end of its standard input; "--map FILE": it tries to map code). The
 * ELF interpreter case uses kml_policy_dyn, a program whose PT_INTERP names
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
#include <linux/types.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#define PROBE		TRUSTED_DIR "kml_policy_probe"
#define DYN		TRUSTED_DIR "kml_policy_dyn"
#define POLICY_INTERP	"/tmp/kml_policy_interp"
#define SCRIPT		"/tmp/kml_policy_script"
#define UNMARKED	TRUSTED_DIR "kml_policy_unmarked"
#define CODE		"/tmp/kml_policy_code"
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

/* 0 if @ok, else the errno of the failure. */
static int result(int ok)
{
	return ok ? 0 : errno;
}

/*
 * Try to map code: from @file (unmarked) with mmap() and with mprotect(),
 * from this program's own marked file, anonymous memory, and a System V
 * shared memory segment. Print the CPL and each result (0 or an errno).
 */
static int probe_map(const char *file)
{
	int fd, self, id, exec_file, prot_file, exec_self, exec_anon, shm_exec;
	void *p;

	fd = open(file, O_RDONLY);
	self = open("/proc/self/exe", O_RDONLY);
	if (fd < 0 || self < 0)
		return 2;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	exec_file = result(p != MAP_FAILED);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	prot_file = p == MAP_FAILED ? -1 : result(!mprotect(p, 4096, PROT_READ | PROT_EXEC));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, self, 0);
	exec_self = result(p != MAP_FAILED);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	exec_anon = result(p != MAP_FAILED);
	id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0) {
		/* -2: a kernel without System V IPC, where the route is absent */
		shm_exec = errno == ENOSYS ? -2 : -1;
	} else {
		p = shmat(id, NULL, SHM_EXEC);
		shm_exec = result(p != (void *)-1);
		shmctl(id, IPC_RMID, NULL);
	}
	printf("cpl=%u exec_file=%d mprotect_file=%d exec_self=%d exec_anon=%d shm_exec=%d\n",
	       current_cpl(), exec_file, prot_file, exec_self, exec_anon, shm_exec);
	return 0;
}

/* Set (@on) or remove the ring-0 mark of @path. */
static int mark(const char *path, int on)
{
	return on ? setxattr(path, KML_XATTR, "1", 1, 0) : removexattr(path, KML_XATTR);
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
	if (kml_copy_file("/proc/self/exe", PROBE, 0755) || mark(PROBE, 1))
		return -1;
	if (kml_copy_file("/proc/self/exe", UNMARKED, 0755) ||
	    kml_copy_file("/proc/self/exe", CODE, 0755))
		return -1;
	dyn = sibling("kml_policy_dyn");
	if (!dyn || kml_copy_file(dyn, DYN, 0755) || mark(DYN, 1))
		return -1;
	interp = sibling("kml_policy_interp");
	if (!interp || kml_copy_file(interp, POLICY_INTERP, 0777))
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

enum who { ROOT, NOBODY_USER, ROOT_NO_MODULE, ROOT_NNP };

/*
 * Run @path with up to two arguments as @who, its standard output read into
 * @out (@size bytes, NUL-terminated; may be NULL). Returns the wait status,
 * or -1 if the child could not be started. Exit status 120: the privileges
 * could not be dropped; 121: the exec failed.
 */
static int spawn(enum who who, const char *path, const char *arg1,
		 const char *arg2, char *out, size_t size)
{
	int fds[2], status;
	ssize_t n = 0;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		if ((who == NOBODY_USER && drop_to_nobody()) ||
		    (who == ROOT_NO_MODULE && drop_cap_sys_module()) ||
		    (who == ROOT_NNP && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)))
			_exit(120);
		execl(path, path, arg1, arg2, (char *)NULL);
		_exit(121);
	}
	close(fds[1]);
	if (out) {
		n = read(fds[0], out, size - 1);
		out[n > 0 ? n : 0] = '\0';
	}
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/*
 * Run @path (with "--probe") as @who and read the probe's line. Returns 0 and
 * fills @p, or -1 with @why set.
 */
static int run_probe(enum who who, const char *path, struct probe *p,
		     const char **why)
{
	char line[256];
	int status;

	status = spawn(who, path, "--probe", NULL, line, sizeof(line));
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		*why = status == -1 ? "could not start the probe" :
			WIFEXITED(status) && WEXITSTATUS(status) == 120 ?
			"could not drop privileges" :
			WIFEXITED(status) && WEXITSTATUS(status) == 121 ?
			"exec failed" : "the probe failed";
		return -1;
	}
	if (sscanf(line, "cpl=%u secure=%lu dumpable=%d", &p->cpl,
		   &p->secure, &p->dumpable) != 3) {
		*why = "no line from the probe";
		return -1;
	}
	return 0;
}

FIXTURE(policy) {
	struct probe p;
	/* The CPL the privileged route must get: 0 with kml=on, else 3. */
	unsigned int want;
};

/*
 * Without the KML LSM (a kernel without KML) nothing here applies. With it
 * but without kml=on, every route, the privileged ones too, runs in ring 3;
 * only setting the mark still takes CAP_SYS_MODULE.
 */
FIXTURE_SETUP(policy)
{
	if (geteuid() != 0)
		SKIP(return, "must run as root: it plays the other users itself");
	if (!kml_lsm_active())
		SKIP(return, "no KML LSM in this kernel: no policy to test");
	self->want = kml_on() ? 0 : 3;
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
	EXPECT_EQ(self->want, self->p.cpl);
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

/* The place is not the policy: an unmarked copy in the trusted directory. */
TEST_F(policy, unmarked_program_stays_in_ring3)
{
	const char *why = "";

	ASSERT_EQ(0, run_probe(ROOT, UNMARKED, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(3, self->p.cpl) TH_LOG("root ran the unmarked " UNMARKED " at CPL 0");
}

/* no_new_privs forbids every privilege an exec could give, ring 0 too. */
TEST_F(policy, no_new_privs_stays_in_ring3)
{
	const char *why = "";

	ASSERT_EQ(0, run_probe(ROOT_NNP, PROBE, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(3, self->p.cpl);
}

/*
 * A script names the marked probe as its interpreter. Unmarked, the script
 * runs in ring 3 for anyone; marked, in ring 0 for root only.
 */
TEST_F(policy, script_needs_its_own_mark)
{
	const char *why = "";

	ASSERT_EQ(0, run_probe(NOBODY_USER, SCRIPT, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(3, self->p.cpl) TH_LOG("unprivileged script through " PROBE);
	ASSERT_EQ(0, run_probe(ROOT, SCRIPT, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(3, self->p.cpl) TH_LOG("root's unmarked script through " PROBE);

	ASSERT_EQ(0, mark(SCRIPT, 1)) TH_LOG("marking " SCRIPT ": %s", strerror(errno));
	ASSERT_EQ(0, run_probe(NOBODY_USER, SCRIPT, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(3, self->p.cpl) TH_LOG("unprivileged marked script");
	ASSERT_EQ(0, run_probe(ROOT, SCRIPT, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(self->want, self->p.cpl) TH_LOG("root's marked script: CPL %u", self->p.cpl);
}

/* A ring-0 program is a secure exec and its task is not dumpable. */
TEST_F(policy, ring0_is_secure_exec_and_not_dumpable)
{
	const char *why = "";

	ASSERT_EQ(0, run_probe(ROOT, PROBE, &self->p, &why)) TH_LOG("%s", why);
	ASSERT_EQ(self->want, self->p.cpl);
	if (self->want) {
		/* KML off: the mark grants nothing, secure exec included. */
		EXPECT_EQ(0, self->p.secure) TH_LOG("AT_SECURE without ring 0");
		EXPECT_EQ(1, self->p.dumpable) TH_LOG("not dumpable without ring 0");
		return;
	}
	EXPECT_EQ(1, self->p.secure) TH_LOG("AT_SECURE is %lu", self->p.secure);
	EXPECT_EQ(0, self->p.dumpable) TH_LOG("PR_GET_DUMPABLE is %d", self->p.dumpable);
	/* Ring 3 is untouched: no secure exec for an unprivileged user. */
	ASSERT_EQ(0, run_probe(NOBODY_USER, PROBE, &self->p, &why)) TH_LOG("%s", why);
	EXPECT_EQ(0, self->p.secure) TH_LOG("AT_SECURE for a ring-3 exec");
}

/* Run DYN as @who; its interpreter exits with its CPL. Returns the status. */
static int run_dyn(enum who who)
{
	return spawn(who, DYN, NULL, NULL, NULL, 0);
}

/*
 * The program is marked, its ELF interpreter (PT_INTERP) is a file anyone
 * could have written: that code must not run in ring 0, for root either
 * (a refused exec, an error or a kill, closes the route too). Once the
 * interpreter is marked as well, root's exec runs it in ring 0.
 */
TEST_F(policy, elf_interpreter_needs_its_own_mark)
{
	int status;

	status = run_dyn(ROOT);
	EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("root: the unmarked interpreter " POLICY_INTERP " ran at CPL 0");
	status = run_dyn(NOBODY_USER);
	ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 120)
		TH_LOG("could not drop privileges");
	EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("uid 65534: the interpreter " POLICY_INTERP " ran at CPL 0");

	ASSERT_EQ(0, mark(POLICY_INTERP, 1)) TH_LOG("marking: %s", strerror(errno));
	status = run_dyn(ROOT);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == (int)self->want)
		TH_LOG("root: the marked interpreter, status %#x", status);
	status = run_dyn(NOBODY_USER);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3)
		TH_LOG("uid 65534: the marked interpreter did not run at CPL 3 (status %#x)", status);
	mark(POLICY_INTERP, 0);
}

/*
 * Only CAP_SYS_MODULE sets or removes the mark: not the file's owner, not
 * root without it; and "1" is its only value.
 */
TEST_F(policy, mark_needs_cap_sys_module)
{
	int status, fd;
	pid_t pid;

	fd = open(CODE, O_RDONLY);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, chown(CODE, NOBODY, NOBODY));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		if (drop_to_nobody())
			_exit(120);
		if (setxattr(CODE, KML_XATTR, "1", 1, 0) == 0 || errno != EPERM)
			bad |= 1;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(120, WEXITSTATUS(status)) TH_LOG("could not drop privileges");
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the owner, uid 65534, marked its file");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		if (drop_cap_sys_module())
			_exit(120);
		if (setxattr(CODE, KML_XATTR, "1", 1, 0) == 0 || errno != EPERM)
			bad |= 1;
		if (removexattr(PROBE, KML_XATTR) == 0 || errno != EPERM)
			bad |= 2;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(120, WEXITSTATUS(status)) TH_LOG("could not drop CAP_SYS_MODULE");
	EXPECT_EQ(0, WEXITSTATUS(status) & 1) TH_LOG("root without CAP_SYS_MODULE set the mark");
	EXPECT_EQ(0, WEXITSTATUS(status) & 2) TH_LOG("root without CAP_SYS_MODULE removed the mark");

	EXPECT_EQ(-1, setxattr(CODE, KML_XATTR, "0", 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setxattr(CODE, KML_XATTR, "1\n", 2, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mark(CODE, 1)) TH_LOG("root could not mark: %s", strerror(errno));
	EXPECT_EQ(0, mark(CODE, 0)) TH_LOG("root could not unmark: %s", strerror(errno));
	chown(CODE, 0, 0);
}

/* Run the probe with "--map CODE" as @who and parse its line. */
static int run_map_probe(enum who who, int r[6])
{
	char line[256];
	int status;

	status = spawn(who, PROBE, "--map", CODE, line, sizeof(line));
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return sscanf(line, "cpl=%d exec_file=%d mprotect_file=%d exec_self=%d exec_anon=%d shm_exec=%d",
		      &r[0], &r[1], &r[2], &r[3], &r[4], &r[5]) == 6 ? 0 : -1;
}

/*
 * A ring-0 task maps code only from marked files (not a library anyone could
 * write, by mmap() or by mprotect()) and never from System V shared memory;
 * its own file and anonymous memory (a JIT) stay allowed. A ring-3 task
 * keeps every one of them.
 */
TEST_F(policy, ring0_maps_code_only_from_marked_files)
{
	int r[6];

	ASSERT_EQ(0, run_map_probe(ROOT, r)) TH_LOG("the probe failed");
	ASSERT_EQ((int)self->want, r[0]);
	if (self->want) {
		/* KML off: a ring-3 task keeps every mapping. */
		EXPECT_EQ(0, r[1]);
		EXPECT_EQ(0, r[2]);
		return;
	}
	EXPECT_EQ(EACCES, r[1]) TH_LOG("mmap(PROT_EXEC) of unmarked " CODE ": %d", r[1]);
	EXPECT_EQ(EACCES, r[2]) TH_LOG("mprotect(PROT_EXEC) of unmarked " CODE ": %d", r[2]);
	EXPECT_EQ(0, r[3]) TH_LOG("mmap(PROT_EXEC) of its own marked file: %d", r[3]);
	EXPECT_EQ(0, r[4]) TH_LOG("anonymous PROT_EXEC memory: %d", r[4]);
	if (r[5] == -2)
		TH_LOG("no System V IPC in this kernel: no shmat(SHM_EXEC) route to close");
	else
		EXPECT_EQ(EACCES, r[5]) TH_LOG("shmat(SHM_EXEC): %d", r[5]);

	ASSERT_EQ(0, run_map_probe(NOBODY_USER, r)) TH_LOG("the probe failed");
	ASSERT_EQ(3, r[0]);
	EXPECT_EQ(0, r[1]);
	EXPECT_EQ(0, r[2]);
	EXPECT_EQ(0, r[3]);
	EXPECT_EQ(0, r[4]);
	if (r[5] != -2)
		EXPECT_EQ(0, r[5]);
}

/*
 * The probe, started under PTRACE_TRACEME, is traced by a process that has
 * (or lacks) CAP_SYS_MODULE; that process reports the probe's CPL as its exit
 * status: 103 if PTRACE_TRACEME was refused, other values from 100 up are
 * errors.
 */
static int traced_probe_cpl(int tracer_has_cap)
{
	int fds[2], status;
	pid_t tracer;

	if (pipe(fds))
		return -1;
	tracer = fork();
	if (tracer < 0)
		return -1;
	if (tracer == 0) {
		char line[256] = "";
		unsigned int cpl;
		pid_t child;
		int st;

		if (!tracer_has_cap && drop_cap_sys_module())
			_exit(120);
		child = fork();
		if (child < 0)
			_exit(101);
		if (child == 0) {
			dup2(fds[1], STDOUT_FILENO);
			close(fds[0]);
			if (ptrace(PTRACE_TRACEME, 0, 0, 0))
				_exit(122);
			raise(SIGSTOP);
			execl(PROBE, PROBE, "--probe", (char *)NULL);
			_exit(121);
		}
		close(fds[1]);
		while (waitpid(child, &st, 0) == child && WIFSTOPPED(st))
			ptrace(PTRACE_CONT, child, 0,
			       WSTOPSIG(st) == SIGSTOP || WSTOPSIG(st) == SIGTRAP ?
			       0 : WSTOPSIG(st));
		if (WIFEXITED(st) && WEXITSTATUS(st) == 122)
			_exit(103);
		if (read(fds[0], line, sizeof(line) - 1) <= 0 ||
		    sscanf(line, "cpl=%u", &cpl) != 1)
			_exit(102);
		_exit(cpl);
	}
	close(fds[0]);
	close(fds[1]);
	if (waitpid(tracer, &status, 0) != tracer || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * An exec under a tracer without CAP_SYS_MODULE stays in ring 3. Where this
 * test itself runs in ring 0, so does the child that asks to be traced:
 * then PTRACE_TRACEME itself must be refused.
 */
TEST_F(policy, traced_exec_needs_a_privileged_tracer)
{
	int cpl;

	cpl = traced_probe_cpl(0);
	ASSERT_NE(120, cpl) TH_LOG("could not drop CAP_SYS_MODULE");
	if (current_cpl() == 0) {
		EXPECT_EQ(103, cpl) TH_LOG("a ring-0 task let a tracer without CAP_SYS_MODULE in: %d",
					   cpl);
	} else {
		EXPECT_EQ(3, cpl) TH_LOG("traced by a tracer without CAP_SYS_MODULE: %d", cpl);
	}
	cpl = traced_probe_cpl(1);
	EXPECT_EQ((int)self->want, cpl) TH_LOG("traced by root: %d", cpl);
}

/*
 * A tracer without CAP_SYS_MODULE must not get into a ring-0 task: neither
 * PTRACE_ATTACH nor opening /proc/PID/mem for writing. With CAP_SYS_MODULE
 * both work.
 */
static int try_attach(pid_t victim, int drop)
{
	char path[64];
	int status, fd;
	pid_t tracer;

	snprintf(path, sizeof(path), "/proc/%d/mem", victim);
	tracer = fork();
	if (tracer < 0)
		return -1;
	if (tracer == 0) {
		int got = 0;

		if (drop && drop_cap_sys_module())
			_exit(120);
		if (ptrace(PTRACE_ATTACH, victim, 0, 0) == 0) {
			got |= 1;
			waitpid(victim, NULL, __WALL);
			ptrace(PTRACE_DETACH, victim, 0, 0);
		}
		fd = open(path, O_RDWR);
		if (fd >= 0) {
			got |= 2;
			close(fd);
		}
		_exit(got);
	}
	if (waitpid(tracer, &status, 0) != tracer || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(policy, ring0_task_not_traceable_without_cap_sys_module)
{
	int go[2], out[2], got;
	char line[256] = "";
	pid_t victim;

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
	if (self->p.cpl != self->want) {
		close(go[1]);
		waitpid(victim, NULL, 0);
		ASSERT_EQ(self->want, self->p.cpl);
	}

	got = try_attach(victim, 1);
	EXPECT_NE(120, got) TH_LOG("could not drop CAP_SYS_MODULE");
	if (self->want) {
		/* KML off: a ring-3 task, traceable as any other. */
		EXPECT_EQ(3, got) TH_LOG("root without CAP_SYS_MODULE: %d", got);
	} else {
		EXPECT_EQ(0, got & 1) TH_LOG("PTRACE_ATTACH to a ring-0 task worked");
		EXPECT_EQ(0, got & 2) TH_LOG("/proc/%d/mem opened for writing", victim);
	}
	got = try_attach(victim, 0);
	EXPECT_EQ(3, got) TH_LOG("root with CAP_SYS_MODULE: %d (1: attach, 2: mem)", got);

	close(go[1]);
	waitpid(victim, NULL, 0);
	close(out[0]);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--probe"))
		return probe_main(0);
	if (argc > 1 && !strcmp(argv[1], "--wait"))
		return probe_main(1);
	if (argc > 2 && !strcmp(argv[1], "--map"))
		return probe_map(argv[2]);
	return test_harness_run(argc, argv);
}
