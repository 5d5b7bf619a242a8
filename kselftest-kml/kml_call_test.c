// SPDX-License-Identifier: GPL-2.0
/*
 * kml_call_test.c - the KML direct call behaves like the syscall instruction
 *
 * A ring-0 task finds the kernel's direct-call entry in AT_SYSINFO and makes
 * its system calls with a plain call: number in RAX, arguments in RDI, RSI,
 * RDX, R10, R8, R9, result in RAX, only RCX and R11 clobbered. Everything
 * that looks at the registers of a system call must see what a syscall
 * instruction would have left: results and errors, restarts with and without
 * SA_RESTART, signal delivery and return, fork. Each case runs through the
 * direct call where AT_SYSINFO is present (ring 0) and through the syscall
 * instruction where it is not (ring 3), and must give the same results.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <ucontext.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#ifndef AT_SYSINFO
#define AT_SYSINFO 32
#endif

static unsigned long entry;

static void __attribute__((constructor)) find_entry(void)
{
	entry = getauxval(AT_SYSINFO);
}

#define FLAG_DF	0x400UL		/* EFLAGS.DF */
#define FLAG_AC	0x40000UL	/* EFLAGS.AC */

/*
 * sys3() entered with the flags @set set in EFLAGS (DF, AC), which SYSCALL's
 * flag mask clears on the way into the kernel and the direct call must
 * clear too; *@after gets EFLAGS as the call left it, before DF and AC are
 * cleared again. It steps over the red zone, which the pushes would hit.
 * SYS3_FLAGS(INSN) is the code around the call instruction or syscall.
 */
#define SYS3_FLAGS(insn)						\
	"sub $128, %%rsp\n\t"						\
	"pushfq\n\t"							\
	"or %[set], (%%rsp)\n\t"					\
	"popfq\n\t"							\
	insn "\n\t"							\
	"pushfq\n\t"							\
	"pop %[flags]\n\t"						\
	"cld\n\t"							\
	"pushfq\n\t"							\
	"andq $~0x40000, (%%rsp)\n\t"					\
	"popfq\n\t"							\
	"add $128, %%rsp"

static long sys3_flags(long nr, long a, long b, long c, unsigned long set,
		       unsigned long *after)
{
	unsigned long flags;
	long ret;

	if (entry)
		asm volatile (SYS3_FLAGS("call *%[entry]")
			      : "=a" (ret), [flags] "=&r" (flags)
			      : "a" (nr), "D" (a), "S" (b), "d" (c),
				[entry] "m" (entry), [set] "r" (set)
			      : "rcx", "r11", "memory", "cc");
	else
		asm volatile (SYS3_FLAGS("syscall")
			      : "=a" (ret), [flags] "=&r" (flags)
			      : "a" (nr), "D" (a), "S" (b), "d" (c), [set] "r" (set)
			      : "rcx", "r11", "memory", "cc");
	*after = flags;
	return ret;
}

/* One system call, through the direct call when there is one. */
static long sys3(long nr, long a, long b, long c)
{
	long ret;

	if (entry) {
		asm volatile ("call *%[entry]"
			      : "=a" (ret)
			      : "a" (nr), "D" (a), "S" (b), "d" (c),
				[entry] "m" (entry)
			      : "rcx", "r11", "memory", "cc");
	} else {
		asm volatile ("syscall"
			      : "=a" (ret)
			      : "a" (nr), "D" (a), "S" (b), "d" (c)
			      : "rcx", "r11", "memory", "cc");
	}
	return ret;
}

/* The direct call exists exactly for ring-0 tasks. */
TEST(direct_call_exactly_in_ring0)
{
	TH_LOG("CPL %u: system calls go through %s", current_cpl(),
	       entry ? "the direct call (AT_SYSINFO)" : "the syscall instruction");
	if (current_cpl() == 0) {
		EXPECT_NE(0, entry);
	} else {
		EXPECT_EQ(0, entry);
	}
}

TEST(results_and_errors)
{
	char buf[4] = "";
	int fds[2];

	EXPECT_EQ(getppid(), sys3(SYS_getppid, 0, 0, 0));
	EXPECT_EQ(-EBADF, sys3(SYS_close, -1, 0, 0));
	EXPECT_EQ(-ENOSYS, sys3(100000, 0, 0, 0));
	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(3, sys3(SYS_write, fds[1], (long)"abc", 3));
	EXPECT_EQ(3, sys3(SYS_read, fds[0], (long)buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	close(fds[0]);
	close(fds[1]);
}

/*
 * Load every register with a pattern, make a system call, and compare:
 * only RAX (the result), RCX and R11 may change.
 */
TEST(only_rcx_and_r11_are_clobbered)
{
	static const uint64_t want[] = {
		0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
		0x4444444444444444, 0x5555555555555555, 0x6666666666666666,
		0x7777777777777777, 0x8888888888888888, 0x9999999999999999,
		0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb, 0xcccccccccccccccc,
	};
	const uint64_t *wp = want;
	uint64_t got[12];
	long use_entry = !!entry;
	int i;

	asm volatile (
		"	cmpq	$0, %[use_entry]\n"
		"	pushq	%%rbp\n"
		"	pushq	%%rbx\n"
		"	pushq	%%r12\n"
		"	pushq	%%r13\n"
		"	pushq	%%r14\n"
		"	pushq	%%r15\n"
		"	pushq	%[got]\n"
		"	pushq	%[entry]\n"
		"	movq	0*8(%[want]), %%rbx\n"
		"	movq	1*8(%[want]), %%rbp\n"
		"	movq	2*8(%[want]), %%rdi\n"
		"	movq	3*8(%[want]), %%rsi\n"
		"	movq	4*8(%[want]), %%rdx\n"
		"	movq	5*8(%[want]), %%r8\n"
		"	movq	6*8(%[want]), %%r9\n"
		"	movq	7*8(%[want]), %%r10\n"
		"	movq	8*8(%[want]), %%r12\n"
		"	movq	9*8(%[want]), %%r13\n"
		"	movq	10*8(%[want]), %%r14\n"
		"	movq	11*8(%[want]), %%r15\n"
		"	movl	$%c[nr], %%eax\n"
		"	je	1f\n"
		"	call	*(%%rsp)\n"
		"	jmp	2f\n"
		"1:	syscall\n"
		"2:	addq	$8, %%rsp\n"
		"	popq	%%rax\n"
		"	movq	%%rbx, 0*8(%%rax)\n"
		"	movq	%%rbp, 1*8(%%rax)\n"
		"	movq	%%rdi, 2*8(%%rax)\n"
		"	movq	%%rsi, 3*8(%%rax)\n"
		"	movq	%%rdx, 4*8(%%rax)\n"
		"	movq	%%r8, 5*8(%%rax)\n"
		"	movq	%%r9, 6*8(%%rax)\n"
		"	movq	%%r10, 7*8(%%rax)\n"
		"	movq	%%r12, 8*8(%%rax)\n"
		"	movq	%%r13, 9*8(%%rax)\n"
		"	movq	%%r14, 10*8(%%rax)\n"
		"	movq	%%r15, 11*8(%%rax)\n"
		"	popq	%%r15\n"
		"	popq	%%r14\n"
		"	popq	%%r13\n"
		"	popq	%%r12\n"
		"	popq	%%rbx\n"
		"	popq	%%rbp\n"
		: [want] "+a" (wp)
		: [got] "r" (got), [entry] "r" (entry),
		  [use_entry] "r" (use_entry), [nr] "i" (SYS_getppid)
		: "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		  "memory", "cc");
	for (i = 0; i < 12; i++)
		EXPECT_EQ(want[i], got[i]) TH_LOG("register %d changed", i);
}

/*
 * A caller's DF and AC do not reach the kernel: with DF set there, the
 * kernel's string copies would run backwards (the data written would be
 * wrong, and kernel memory beside the buffer overwritten), and AC would
 * switch SMAP off for whatever runs next on the CPU. The caller gets both
 * back. DF alone too: the entry clears IF alone with CLI and takes POPF only
 * for a caller with any other flag set, which DF must count as.
 */
TEST(caller_flags_do_not_reach_the_kernel)
{
	static const unsigned long sets[] = { FLAG_DF | FLAG_AC, FLAG_DF };
	char out[64], in[64];
	unsigned long after;
	int fds[2], i, s;
	long ret;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < (int)sizeof(out); i++)
			out[i] = (char)(i * 7 + 1 + s);
		ASSERT_EQ(0, pipe(fds));
		ret = sys3_flags(SYS_write, fds[1], (long)out, sizeof(out),
				 sets[s], &after);
		EXPECT_EQ((long)sizeof(out), ret);
		EXPECT_EQ(sets[s], after & (FLAG_DF | FLAG_AC));
		ASSERT_EQ((ssize_t)sizeof(in), read(fds[0], in, sizeof(in)));
		EXPECT_EQ(0, memcmp(in, out, sizeof(out)))
			TH_LOG("flags %#lx: the kernel copied the data wrongly: DF reached it",
			       sets[s]);
		close(fds[0]);
		close(fds[1]);
	}
}

static void nothing(int sig)
{
}

/*
 * A child blocks in read() on an empty pipe while SIGALRM arrives; with
 * SA_RESTART the read goes on and gets the byte written later, without it
 * the read fails with EINTR. Both through sys3().
 */
static int read_across_signal(int restart)
{
	struct sigaction sa = {
		.sa_handler = nothing,
		.sa_flags = restart ? SA_RESTART : 0,
	};
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	int fds[2], status;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char c = 0;
		long n;

		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
		n = sys3(SYS_read, fds[0], (long)&c, 1);
		if (n == 1 && c == 'x')
			_exit(0);
		_exit(n == -EINTR ? 1 : 2);
	}
	usleep(300000);
	if (write(fds[1], "x", 1) != 1)
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	close(fds[0]);
	close(fds[1]);
	return WEXITSTATUS(status);
}

TEST(sa_restart_restarts)
{
	EXPECT_EQ(0, read_across_signal(1));
}

TEST(no_sa_restart_gives_eintr)
{
	EXPECT_EQ(1, read_across_signal(0));
}

static volatile int handled;

static void count(int sig)
{
	handled++;
}

TEST(signal_during_call_returns_to_caller)
{
	struct timespec ts = { .tv_nsec = 200000000 };
	struct itimerval it = { .it_value = { .tv_usec = 20000 } };
	struct sigaction sa = { .sa_handler = count };
	long ret;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	handled = 0;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	ret = sys3(SYS_nanosleep, (long)&ts, 0, 0);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_EQ(1, handled);
	signal(SIGALRM, SIG_DFL);
}

/*
 * rt_sigreturn made through the direct call: a restorer that calls the entry
 * instead of executing syscall. The kernel must find the signal frame where
 * a syscall instruction in the restorer would have had it, and return to
 * the interrupted code with the frame's registers. The signal interrupts
 * the code right after a syscall instruction, where RCX and R11 hold RIP
 * and the flags (the handler makes sure of it): what the direct call's
 * IRET-less return also looks for, although the return must go to RIP, not
 * to the caller of the restorer.
 */
asm(".pushsection .text\n"
    ".type kml_restorer_call, @function\n"
    "kml_restorer_call:\n\t"
    "movl $15, %eax\n\t"		/* rt_sigreturn */
    "call *entry(%rip)\n\t"
    "ud2\n"
    ".type kml_restorer_syscall, @function\n"
    "kml_restorer_syscall:\n\t"
    "movl $15, %eax\n\t"
    "syscall\n\t"
    "ud2\n"
    ".popsection");
void kml_restorer_call(void);
void kml_restorer_syscall(void);

#define SR_MAGIC 0x5a17c0de2b0a77edL

/* The kernel's struct sigaction on x86-64 (sa_restorer is honoured). */
struct kml_ksigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

#define KML_SA_RESTORER 0x04000000

static void sr_handler(int sig, siginfo_t *si, void *p)
{
	greg_t *g = ((ucontext_t *)p)->uc_mcontext.gregs;

	handled++;
	g[REG_RCX] = g[REG_RIP];
	g[REG_R11] = g[REG_EFL];
	g[REG_R12] = SR_MAGIC;
}

TEST(rt_sigreturn_through_the_call)
{
	struct kml_ksigaction sa = {
		.handler = sr_handler,
		.flags = SA_SIGINFO | KML_SA_RESTORER,
		.restorer = entry ? kml_restorer_call : kml_restorer_syscall,
	};
	long ret, r12;

	handled = 0;
	ASSERT_EQ(0, syscall(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 8));
	/* kill() with the syscall instruction: the signal comes on its return. */
	asm volatile ("xorl %%r12d, %%r12d\n\t"
		      "syscall\n\t"
		      "movq %%r12, %[r12]"
		      : "=a" (ret), [r12] "=r" (r12)
		      : "a" ((long)SYS_kill), "D" ((long)getpid()),
			"S" ((long)SIGUSR1)
		      : "rcx", "r11", "r12", "memory", "cc");
	EXPECT_EQ(0, ret);
	EXPECT_EQ(1, handled);
	EXPECT_EQ(SR_MAGIC, r12) TH_LOG("R12 %#lx after the return", r12);
	signal(SIGUSR1, SIG_DFL);
}

TEST(fork_returns_twice)
{
	int status;
	long pid;

	pid = sys3(SYS_fork, 0, 0, 0);
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(sys3(SYS_getppid, 0, 0, 0) == getppid() ? 42 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(42, WEXITSTATUS(status));
}

/*
 * A tracer stops the child at the entry and the exit of a system call made
 * through sys3(): it must see what a syscall instruction leaves: the number
 * in orig_rax, RCX = RIP, R11 = RFLAGS, a user CS, a syscall instruction
 * right before RIP, and the result in RAX at the exit.
 */
TEST(ptrace_sees_a_syscall)
{
	struct user_regs_struct regs;
	int status, stops = 0;
	unsigned long insn;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		sys3(SYS_getppid, 0, 0, 0);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD));
	do {
		ASSERT_EQ(0, ptrace(PTRACE_SYSCALL, pid, 0, 0));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSTOPPED(status));
		ASSERT_EQ(SIGTRAP | 0x80, WSTOPSIG(status));
		ASSERT_EQ(0, ptrace(PTRACE_GETREGS, pid, 0, &regs));
	} while (regs.orig_rax != SYS_getppid && ++stops < 20);
	ASSERT_EQ(SYS_getppid, regs.orig_rax);
	EXPECT_EQ(regs.rip, regs.rcx);
	EXPECT_EQ(regs.eflags, regs.r11);
	EXPECT_EQ(3, regs.cs & 3) TH_LOG("tracer sees CS %#llx", regs.cs);
	errno = 0;
	insn = ptrace(PTRACE_PEEKTEXT, pid, regs.rip - 2, 0);
	ASSERT_EQ(0, errno);
	EXPECT_EQ(0x050f, insn & 0xffff) TH_LOG("no syscall before RIP %#llx",
						regs.rip);

	ASSERT_EQ(0, ptrace(PTRACE_SYSCALL, pid, 0, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, ptrace(PTRACE_GETREGS, pid, 0, &regs));
	EXPECT_EQ(getpid(), (pid_t)regs.rax);

	ASSERT_EQ(0, ptrace(PTRACE_CONT, pid, 0, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * The fast return and the IRET one (after a signal handler) both come back
 * on the ring's own code segment: __KML_CS in ring 0, __USER_CS in ring 3.
 */
TEST(call_returns_on_the_rings_code_segment)
{
	EXPECT_EQ(expected_cs(), current_cs());
	EXPECT_EQ(getppid(), sys3(SYS_getppid, 0, 0, 0));
	EXPECT_EQ(expected_cs(), current_cs())
		TH_LOG("CS %#x after the call, want %#x", current_cs(),
		       expected_cs());
	handled = 0;
	ASSERT_NE(SIG_ERR, signal(SIGUSR1, count));
	EXPECT_EQ(0, sys3(SYS_kill, getpid(), SIGUSR1, 0));
	EXPECT_EQ(1, handled);
	EXPECT_EQ(expected_cs(), current_cs());
	signal(SIGUSR1, SIG_DFL);
}

/*
 * A tracer single-steps a child through a system call. In ring 0 the steps
 * enter the direct call and stop only in its first instructions, which run
 * as the caller's code until the POPF that clears TF; the kernel part runs
 * without TF and the child gets its result.
 */
TEST(single_step_through_the_call)
{
	struct user_regs_struct regs;
	long steps = 0, in_entry = 0;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(sys3(SYS_getppid, 0, 0, 0) == getppid() ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	for (;;) {
		ASSERT_EQ(0, ptrace(PTRACE_SINGLESTEP, pid, 0, 0));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (!WIFSTOPPED(status))
			break;
		ASSERT_EQ(SIGTRAP, WSTOPSIG(status));
		ASSERT_EQ(0, ptrace(PTRACE_GETREGS, pid, 0, &regs));
		EXPECT_EQ(3, regs.cs & 3) TH_LOG("tracer sees CS %#llx", regs.cs);
		if (entry && regs.rip - entry < 64)
			in_entry++;
		ASSERT_GT(1000000, ++steps);
	}
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	TH_LOG("%ld single steps, %ld of them in the direct call's entry",
	       steps, in_entry);
	if (entry) {
		EXPECT_LT(0, in_entry);
		EXPECT_GE(12, in_entry);
	}
}

/*
 * The direct call's entry writes below the caller's stack pointer before it
 * enters the kernel. A fault there must be an ordinary user fault, taken
 * with interrupts on (the fault handler refuses a user fault with them off,
 * with SIGSEGV): in a forked child, with the stack pointer 16 bytes above
 * a page boundary of a stack whose pages are shared copy-on-write, the
 * return address and the entry's first words go to the upper page and its
 * last one is the first write to the lower page.
 */
TEST(call_on_a_copy_on_write_stack)
{
	char *mem = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 1, 4 * 4096);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long ret;

		if (entry)
			asm volatile ("movq %%rsp, %%rbx\n\t"
				      "movq %%rdi, %%rsp\n\t"
				      "call *%%rsi\n\t"
				      "movq %%rbx, %%rsp"
				      : "=a" (ret)
				      : "a" (SYS_getppid), "D" (mem + 2 * 4096 + 16),
					"S" (entry)
				      : "rbx", "rcx", "r11", "memory", "cc");
		else
			asm volatile ("movq %%rsp, %%rbx\n\t"
				      "movq %%rdi, %%rsp\n\t"
				      "syscall\n\t"
				      "movq %%rbx, %%rsp"
				      : "=a" (ret)
				      : "a" (SYS_getppid), "D" (mem + 2 * 4096 + 16)
				      : "rbx", "rcx", "r11", "memory", "cc");
		_exit(ret == getppid() ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("child killed by signal %d",
					      WTERMSIG(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	munmap(mem, 4 * 4096);
}

/* Install a seccomp filter: @action for system call @nr, allow the rest. */
static int filter(long nr, unsigned int action)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static void errno_filter(void)
{
	if (filter(SYS_getppid, SECCOMP_RET_ERRNO | EPERM))
		_exit(10);
	_exit(sys3(SYS_getppid, 0, 0, 0) == -EPERM ? 0 : 11);
}

TEST(seccomp_errno)
{
	int status = kml_in_child(errno_filter);

	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 10)
		SKIP(return, "no seccomp filters in this kernel");
	EXPECT_EQ(0, WEXITSTATUS(status));
}

static void kill_filter(void)
{
	if (filter(SYS_getppid, SECCOMP_RET_KILL_PROCESS))
		_exit(10);
	sys3(SYS_getppid, 0, 0, 0);
	_exit(11);
}

TEST(seccomp_kill)
{
	int status = kml_in_child(kill_filter);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 10)
		SKIP(return, "no seccomp filters in this kernel");
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSYS, WTERMSIG(status));
}

static volatile long trapped_nr = -1;

static void on_sigsys(int sig, siginfo_t *info, void *ctx)
{
	ucontext_t *uc = ctx;

	trapped_nr = info->si_syscall;
	uc->uc_mcontext.gregs[REG_RAX] = 4242;
}

static void trap_filter(void)
{
	struct sigaction sa = {
		.sa_sigaction = on_sigsys,
		.sa_flags = SA_SIGINFO,
	};
	long ret;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);
	if (filter(SYS_getppid, SECCOMP_RET_TRAP))
		_exit(10);
	ret = sys3(SYS_getppid, 0, 0, 0);
	_exit(ret == 4242 && trapped_nr == SYS_getppid ? 0 : 11);
}

TEST(seccomp_trap)
{
	int status = kml_in_child(trap_filter);

	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 10)
		SKIP(return, "no seccomp filters in this kernel");
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
