// SPDX-License-Identifier: GPL-2.0
/*
 * kml_controls_test.c - per-task controls that CPL 0 cannot enforce fail
 *
 * Some controls a task sets on itself are enforced by the CPU only at
 * CPL > 0: the I/O permissions of ioperm() and iopl() (the TSS I/O bitmap),
 * RDTSC faulting (PR_SET_TSC, CR4.TSD), CPUID faulting (ARCH_SET_CPUID) and
 * user shadow stacks (ARCH_SHSTK_ENABLE, IA32_U_CET). For a ring-0 task each
 * must fail with EOPNOTSUPP and change nothing, rather than report success
 * and enforce nothing. An exec into ring 0 by a task that holds one of the
 * controls that survive execve() (PR_SET_TSC, ioperm(), iopl()) must fail
 * the same way.
 *
 * In ring 3 every case is the positive control: the control works (the
 * port read, RDTSC or CPUID then raises SIGSEGV) for root, and ioperm() and
 * iopl() fail with EPERM for an unprivileged user. In ring 0 the cases run
 * as root and as uid 65534 (a ring-0 task stays in ring 0 when it drops its
 * privileges). A case whose control this kernel or CPU lacks is skipped,
 * saying so.
 *
 * "kml_controls_test --cpl" exits with its CPL; "--exec CONTROL PROGRAM"
 * sets CONTROL (none, tsc, ioperm, iopl), then executes PROGRAM --cpl and,
 * if that fails, exits with 100 + errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <asm/prctl.h>
#include <sys/io.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#ifndef ARCH_SHSTK_ENABLE
#define ARCH_SHSTK_ENABLE	0x5001
#define ARCH_SHSTK_SHSTK	(1ULL << 0)
#endif

#define MARKED		TRUSTED_DIR "kml_controls_marked"
#define UNMARKED	"/tmp/kml_controls_unmarked"
#define NOBODY		65534
#define PORT		0x80	/* the POST diagnostic port: reading it is harmless */

static void read_port(void)
{
	inb(PORT);
}

static void read_tsc(void)
{
	unsigned int lo, hi;

	asm volatile ("rdtsc" : "=a" (lo), "=d" (hi));
}

static void run_cpuid(void)
{
	unsigned int a = 0, b, c = 0, d;

	asm volatile ("cpuid" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
}

/* Run @op in a child: the signal that killed it, 0 if it exited, -1 on error. */
static int signal_of(void (*op)(void))
{
	int status = kml_in_child(op);

	if (status == -1)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* 0 if the call succeeded, else its errno. */
static int err_of(long ret)
{
	return ret == -1 ? errno : 0;
}

static int drop_to_nobody(void)
{
	return setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ? -1 : 0;
}

/* The errno of @op(1) in a child that became uid 65534; -1 on error. */
static int err_as_nobody(long (*op)(int on))
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (drop_to_nobody())
			_exit(255);
		_exit(err_of(op(1)));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

static long ioperm_op(int on)
{
	return ioperm(PORT, 1, on);
}

static long iopl_op(int on)
{
	return iopl(on ? 3 : 0);
}

/* Does /proc/cpuinfo list @flag for the first CPU? */
static int cpu_flag(const char *flag)
{
	char line[8192], *tok, *save;
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (tok = strtok_r(line, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			if (!strcmp(tok, flag))
				found = 1;
		break;
	}
	fclose(f);
	return found;
}

FIXTURE(controls) {
	unsigned int cpl;
};

FIXTURE_SETUP(controls)
{
	self->cpl = current_cpl();
	ASSERT_EQ(expected_cpl(), self->cpl);
	if (geteuid() != 0)
		SKIP(return, "must run as root: it plays the unprivileged user itself");
}

FIXTURE_TEARDOWN(controls)
{
}

/* ioperm() and iopl(): the TSS I/O bitmap and IOPL bind only CPL > 0. */
static void check_io(struct __test_metadata *_metadata, unsigned int cpl,
		     long (*op)(int on), const char *name)
{
	int err = err_of(op(1));

	if (err == ENOSYS)
		SKIP(return, "%s: kernel without CONFIG_X86_IOPL_IOPERM", name);
	if (cpl == 0) {
		EXPECT_EQ(EOPNOTSUPP, err) TH_LOG("%s(on) in ring 0", name);
		EXPECT_EQ(EOPNOTSUPP, err_of(op(0))) TH_LOG("%s(off) in ring 0", name);
		EXPECT_EQ(EOPNOTSUPP, err_as_nobody(op))
			TH_LOG("%s(on) in ring 0 as uid %d", name, NOBODY);
		return;
	}
	ASSERT_EQ(0, err) TH_LOG("%s(on) as root in ring 3", name);
	EXPECT_EQ(0, signal_of(read_port)) TH_LOG("port read after %s(on)", name);
	ASSERT_EQ(0, err_of(op(0))) TH_LOG("%s(off) as root in ring 3", name);
	EXPECT_EQ(SIGSEGV, signal_of(read_port)) TH_LOG("port read after %s(off)", name);
	EXPECT_EQ(EPERM, err_as_nobody(op)) TH_LOG("%s(on) as uid %d", name, NOBODY);
}

TEST_F(controls, ioperm)
{
	check_io(_metadata, self->cpl, ioperm_op, "ioperm");
}

TEST_F(controls, iopl)
{
	check_io(_metadata, self->cpl, iopl_op, "iopl");
}

/* PR_SET_TSC: CR4.TSD makes RDTSC fault only at CPL > 0. */
TEST_F(controls, rdtsc_faulting)
{
	int err = err_of(prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0));
	int mode = -1;

	if (self->cpl == 0) {
		EXPECT_EQ(EOPNOTSUPP, err);
		ASSERT_EQ(0, prctl(PR_GET_TSC, &mode, 0, 0, 0));
		EXPECT_EQ(PR_TSC_ENABLE, mode);
		EXPECT_EQ(0, signal_of(read_tsc));
		return;
	}
	ASSERT_EQ(0, err);
	EXPECT_EQ(SIGSEGV, signal_of(read_tsc));
	ASSERT_EQ(0, prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0));
	EXPECT_EQ(0, signal_of(read_tsc));
}

/* ARCH_SET_CPUID: CPUID faulting applies only at CPL > 0. */
TEST_F(controls, cpuid_faulting)
{
	int err = err_of(syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0));

	if (self->cpl == 0) {
		EXPECT_EQ(EOPNOTSUPP, err);
		EXPECT_EQ(1, syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0));
		return;
	}
	if (err == ENODEV)
		SKIP(return, "no CPUID faulting on this CPU");
	ASSERT_EQ(0, err);
	EXPECT_EQ(SIGSEGV, signal_of(run_cpuid));
}

/*
 * ARCH_SHSTK_ENABLE: user shadow stacks (IA32_U_CET) bind only CPL 3. In
 * ring 3 it is enabled in a child that then makes no call or return: its
 * shadow stack starts empty.
 */
TEST_F(controls, user_shadow_stack)
{
	int status;
	long ret;
	pid_t pid;

	if (!cpu_flag("user_shstk"))
		SKIP(return, "no user shadow stacks on this CPU or kernel");
	if (self->cpl == 0) {
		ret = syscall(SYS_arch_prctl, ARCH_SHSTK_ENABLE, ARCH_SHSTK_SHSTK);
		EXPECT_EQ(EOPNOTSUPP, err_of(ret));
		return;
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		asm volatile ("syscall" : "=a" (ret)
			      : "a" (SYS_arch_prctl), "D" (ARCH_SHSTK_ENABLE),
				"S" (ARCH_SHSTK_SHSTK)
			      : "rcx", "r11", "memory");
		asm volatile ("syscall" : : "a" (SYS_exit_group), "D" (ret != 0)
			      : "rcx", "r11", "memory");
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * "UNMARKED --exec CONTROL MARKED": the exit status of the marked program
 * (its CPL), or 100 + errno of the failed exec.
 */
static int exec_with(const char *control)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(UNMARKED, UNMARKED, "--exec", control, MARKED, (char *)NULL);
		_exit(199);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * PR_SET_TSC and the I/O permissions survive execve(): an exec into ring 0
 * by a task that holds one fails. The task setting them is an unmarked copy
 * of this program, in ring 3 whatever ring this one runs in.
 */
TEST_F(controls, exec_into_ring0)
{
	int want = kml_on() ? 0 : 3;

	if (!kml_lsm_active())
		SKIP(return, "no KML LSM in this kernel: no exec into ring 0");
	mkdir(TRUSTED_DIR, 0755);
	ASSERT_EQ(0, kml_copy_file("/proc/self/exe", MARKED, 0755));
	ASSERT_EQ(0, setxattr(MARKED, KML_XATTR, "1", 1, 0));
	ASSERT_EQ(0, kml_copy_file("/proc/self/exe", UNMARKED, 0755));

	/* The positive control: nothing set, the marked program runs. */
	EXPECT_EQ(want, exec_with("none"));
	EXPECT_EQ(want ? want : 100 + EOPNOTSUPP, exec_with("tsc"));
	if (err_of(ioperm(PORT, 1, 0)) != ENOSYS) {
		EXPECT_EQ(want ? want : 100 + EOPNOTSUPP, exec_with("ioperm"));
		EXPECT_EQ(want ? want : 100 + EOPNOTSUPP, exec_with("iopl"));
	}
}

/* Set @control, then execute @program --cpl. */
static int exec_main(const char *control, const char *program)
{
	if (!strcmp(control, "tsc") && prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0))
		return 198;
	if (!strcmp(control, "ioperm") && ioperm(PORT, 1, 1))
		return 198;
	if (!strcmp(control, "iopl") && iopl(3))
		return 198;
	execl(program, program, "--cpl", (char *)NULL);
	return 100 + errno;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--cpl"))
		return current_cpl();
	if (argc > 3 && !strcmp(argv[1], "--exec"))
		return exec_main(argv[2], argv[3]);
	return test_harness_run(argc, argv);
}
