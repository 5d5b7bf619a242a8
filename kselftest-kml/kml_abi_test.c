// SPDX-License-Identifier: GPL-2.0
/*
 * kml_abi_test.c - the corners of the x86-64 user ABI, in ring 0 and ring 3
 *
 * The kernel's own x86 selftests, run in ring 0, found places where Kernel
 * Mode Linux took a user event for a kernel one or lost the task's state:
 * a call into the vsyscall page (a kernel address user code may execute
 * from), a jump to a non-canonical address, an IRET that faults on a bad
 * stack segment, a GS segment of the program's own, and a tracer that
 * writes back the registers it read. Each case here checks one of them on
 * its own, so that a regression shows as a failed case instead of a dead
 * guest. The same binary runs in ring 0 (under the trusted directory with
 * kml=on) and in ring 3, and must pass in both.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#ifndef UC_STRICT_RESTORE_SS
#define UC_STRICT_RESTORE_SS 0x4
#endif

#define VSYSCALL_ADDR		0xffffffffff600000UL
#define SEG_VALUE		0x6b6d6c21U

#define ASSERT_RING() \
	ASSERT_EQ(expected_cpl(), current_cpl()) \
		TH_LOG("running at CPL %u, the policy says %u", \
		       current_cpl(), expected_cpl())

static sigjmp_buf jump;
static volatile int caught_sig;
static volatile unsigned int handler_cpl;

static void catcher(int sig, siginfo_t *info, void *ctx)
{
	caught_sig = sig;
	handler_cpl = current_cpl();
	siglongjmp(jump, 1);
}

/* Run @code; return the signal that interrupted it, or 0. */
#define SIGNAL_OF(sig, code) ({						\
	struct sigaction sa = {						\
		.sa_sigaction = catcher,				\
		.sa_flags = SA_SIGINFO | SA_NODEFER,			\
	};								\
	sigemptyset(&sa.sa_mask);					\
	sigaction(sig, &sa, NULL);					\
	caught_sig = 0;							\
	if (!sigsetjmp(jump, 1)) {					\
		code;							\
	}								\
	signal(sig, SIG_DFL);						\
	caught_sig;							\
})

static int has_vsyscall_page(void)
{
	char line[256];
	int found = 0;
	FILE *maps;

	maps = fopen("/proc/self/maps", "r");
	if (!maps)
		return 0;
	while (fgets(line, sizeof(line), maps))
		if (strstr(line, "[vsyscall]"))
			found = 1;
	fclose(maps);
	return found;
}

/*
 * The vsyscall page is at a kernel address, but it is user code: the kernel
 * emulates the call when the fetch faults. In ring 0 that fault must not be
 * taken for a fault of the kernel.
 */
TEST(vsyscall_gettimeofday_is_emulated)
{
	long (*vgtod)(struct timeval *, struct timezone *) =
		(void *)VSYSCALL_ADDR;
	struct timeval vtv, tv;
	long ret;

	ASSERT_RING();
	if (!has_vsyscall_page())
		SKIP(return, "no vsyscall page (vsyscall=none)");

	ASSERT_EQ(0, gettimeofday(&tv, NULL));
	ret = vgtod(&vtv, NULL);
	EXPECT_EQ(0, ret);
	EXPECT_GE(vtv.tv_sec, tv.tv_sec);
	EXPECT_LE(vtv.tv_sec, tv.tv_sec + 10);
	EXPECT_EQ(expected_cpl(), current_cpl());
}

TEST(vsyscall_page_off_an_entry_is_sigsegv)
{
	ASSERT_RING();
	if (!has_vsyscall_page())
		SKIP(return, "no vsyscall page (vsyscall=none)");

	EXPECT_EQ(SIGSEGV, SIGNAL_OF(SIGSEGV,
		((void (*)(void))(VSYSCALL_ADDR + 0x10))()));
	EXPECT_EQ(expected_cpl(), handler_cpl);
}

/*
 * Non-canonical with 4- and 5-level paging. QEMU reports the fetch fault
 * at the target itself, a kernel-half address in ring 0.
 */
TEST(call_to_noncanonical_address_is_sigsegv)
{
	ASSERT_RING();
	EXPECT_EQ(SIGSEGV, SIGNAL_OF(SIGSEGV,
		((void (*)(void))0x8000000000000000UL)()));
	EXPECT_EQ(expected_cpl(), handler_cpl);
	EXPECT_EQ(SIGSEGV, SIGNAL_OF(SIGSEGV,
		((void (*)(void))0x8000000000001000UL)()));
	EXPECT_EQ(expected_cpl(), handler_cpl);
}

static volatile unsigned short bogus_ss;

static void set_bogus_ss(int sig, siginfo_t *info, void *ctx_void)
{
	ucontext_t *ctx = ctx_void;

	/* SS is in the top 16 bits of the CS/GS/FS word of the sigcontext. */
	ctx->uc_mcontext.gregs[REG_CSGSFS] &= 0x0000ffffffffffffUL;
	ctx->uc_mcontext.gregs[REG_CSGSFS] |= (greg_t)bogus_ss << 48;
	ctx->uc_flags |= UC_STRICT_RESTORE_SS;
}

/*
 * rt_sigreturn to a bad SS: the IRET to ring 3 faults in the kernel and the
 * fault becomes a SIGSEGV for the task. An LDT selector takes the ESPFIX64
 * return, a GDT one the ordinary IRET. A ring-0 task returns with the
 * kernel's selectors whatever the signal frame says, so for it the
 * sigreturn simply succeeds.
 */
static int sigreturn_to_ss(unsigned short ss)
{
	struct sigaction sa = {
		.sa_sigaction = set_bogus_ss,
		.sa_flags = SA_SIGINFO,
	};

	bogus_ss = ss;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	return SIGNAL_OF(SIGSEGV, raise(SIGUSR1));
}

TEST(sigreturn_to_bad_ss)
{
	static const unsigned short selectors[] = {
		0x2f,	/* LDT slot 5, RPL 3: there is no LDT */
		0x33,	/* __USER_CS: not a data segment */
	};
	int want = expected_cpl() ? SIGSEGV : 0;

	ASSERT_RING();
	for (int i = 0; i < sizeof(selectors) / sizeof(selectors[0]); i++) {
		EXPECT_EQ(want, sigreturn_to_ss(selectors[i]))
			TH_LOG("SS %#x", selectors[i]);
		EXPECT_EQ(expected_cpl(), current_cpl());
	}
	signal(SIGUSR1, SIG_DFL);
}

static unsigned long sysinfo;

/* getppid() @n times, through the direct call where there is one. */
static void getppid_loop(int n)
{
	while (n--)
		kml_syscall4(sysinfo, SYS_getppid, 0, 0, 0, 0);
}

static unsigned int gs_read(void)
{
	unsigned int val;

	asm volatile ("movl %%gs:0, %0" : "=r" (val));
	return val;
}

/* Enter the kernel every way a program can, and reschedule. */
static void enter_kernel_every_way(void)
{
	int status;
	pid_t pid;

	sysinfo = getauxval(AT_SYSINFO);
	getppid_loop(1000);
	sysinfo = 0;
	getppid_loop(1000);
	for (int i = 0; i < 50; i++)
		sched_yield();
	pid = fork();
	if (pid == 0)
		_exit(gs_read() == SEG_VALUE ? 0 : 1);
	waitpid(pid, &status, 0);
	usleep(20000);
}

/*
 * A program may give GS a segment of its own. In ring 0 it then runs with
 * that GS base too; the kernel, which keeps its per-CPU base in GS, must not
 * run on it after any entry, and must give the program its own back.
 */
TEST(ldt_gs_segment_survives_kernel_entries)
{
	struct user_desc desc = {
		.entry_number = 0,
		.limit = sizeof(unsigned int) - 1,
		.seg_32bit = 1,
	};
	unsigned int *target;
	unsigned short sel;

	ASSERT_RING();
	target = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ASSERT_NE(MAP_FAILED, target);
	*target = SEG_VALUE;
	desc.base_addr = (unsigned int)(uintptr_t)target;
	if (syscall(SYS_modify_ldt, 1, &desc, sizeof(desc)))
		SKIP(return, "no modify_ldt: %s", strerror(errno));

	/* LDT slot 0, RPL 3 */
	asm volatile ("mov %0, %%gs" : : "rm" ((unsigned short)0x7));
	EXPECT_EQ(SEG_VALUE, gs_read());
	enter_kernel_every_way();
	asm volatile ("mov %%gs, %0" : "=rm" (sel));
	EXPECT_EQ(0x7, sel);
	EXPECT_EQ(SEG_VALUE, gs_read());
	EXPECT_EQ(expected_cpl(), current_cpl());
	asm volatile ("mov %0, %%gs" : : "rm" ((unsigned short)0));
}

/* The same through arch_prctl(ARCH_SET_GS) and a GS base of 64 bits. */
TEST(arch_prctl_gs_base_survives_kernel_entries)
{
	static unsigned int value = SEG_VALUE;
	unsigned long base = 0;

	ASSERT_RING();
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, &value));
	EXPECT_EQ(SEG_VALUE, gs_read());
	enter_kernel_every_way();
	EXPECT_EQ(SEG_VALUE, gs_read());
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &base));
	EXPECT_EQ((unsigned long)&value, base);
	EXPECT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL));
}

static void tracee_redirected(void)
{
	_exit(current_cpl() == expected_cpl() ? 42 : 43);
}

/*
 * A debugger reads the registers, writes them back (changed or not) and
 * lets the tracee go on: gdb's "call" and "return" do exactly that.
 */
TEST(ptrace_setregs_writes_back_what_getregs_read)
{
	struct user_regs_struct regs, redirect;
	int status;
	pid_t pid;

	ASSERT_RING();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));

	ASSERT_EQ(0, ptrace(PTRACE_GETREGS, pid, NULL, &regs));
	EXPECT_EQ(0, ptrace(PTRACE_SETREGS, pid, NULL, &regs))
		TH_LOG("PTRACE_SETREGS: %s (gs %#llx, gs_base %#llx)",
		       strerror(errno), regs.gs, regs.gs_base);

	redirect = regs;
	redirect.rip = (unsigned long)tracee_redirected;
	redirect.rsp = ((regs.rsp - 256) & ~15UL) - 8;
	EXPECT_EQ(0, ptrace(PTRACE_SETREGS, pid, NULL, &redirect));
	ASSERT_EQ(0, ptrace(PTRACE_CONT, pid, NULL, NULL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (WIFSTOPPED(status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	EXPECT_EQ(42, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
