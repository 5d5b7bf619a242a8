// SPDX-License-Identifier: GPL-2.0
/*
 * kml_ring_test.c - a program behaves the same in ring 0 as in ring 3
 *
 * Kernel Mode Linux runs the programs of the trusted directory in ring 0.
 * There, interrupts and exceptions do not switch stacks by themselves, page
 * faults lack the user bit, and the return to the program must not drop to
 * ring 3. Each case here checks one promise that holds for every process:
 * the red zone survives interrupts, faults become signals (also on a bad
 * stack), signals and sigaltstack work, system calls return to the ring
 * they came from, children inherit the ring, exec picks the ring of the new
 * program, and FPU state survives preemption. The same binary runs from the
 * trusted directory (ring 0 when the kernel has kml=on) and from anywhere
 * else (ring 3), and must pass in both.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#define RED_ZONE 128

/* Every case first checks that it runs in the ring the policy says. */
#define ASSERT_RING() \
	ASSERT_EQ(expected_cpl(), current_cpl()) \
		TH_LOG("running at CPL %u, the policy says %u", \
		       current_cpl(), expected_cpl())

TEST(runs_in_the_ring_the_policy_says)
{
	TH_LOG("program %s for ring 0, KML %s: CPL %u",
	       self_marked() ? "marked" : "not marked",
	       kml_on() ? "on" : "off", current_cpl());
	EXPECT_EQ(expected_cpl(), current_cpl());
}

static volatile unsigned int handler_cs;

static void note_cs(int sig)
{
	handler_cs = current_cs();
}

/*
 * Ring-0 user code runs on a code selector of its own, never on the
 * kernel's: the syscall return, the IRET after a signal handler and the
 * handler itself all give it back.
 */
TEST(code_segment_is_the_rings_own)
{
	ASSERT_RING();
	EXPECT_EQ(expected_cs(), current_cs())
		TH_LOG("CS %#x, want %#x", current_cs(), expected_cs());
	EXPECT_EQ(getppid(), syscall(SYS_getppid));
	EXPECT_EQ(expected_cs(), current_cs());
	ASSERT_NE(SIG_ERR, signal(SIGUSR1, note_cs));
	ASSERT_EQ(0, raise(SIGUSR1));
	EXPECT_EQ(expected_cs(), handler_cs)
		TH_LOG("handler ran on CS %#x", handler_cs);
	EXPECT_EQ(expected_cs(), current_cs());
	signal(SIGUSR1, SIG_DFL);
}

TEST(syscall_returns_to_the_same_ring)
{
	unsigned int before = current_cpl();
	long pid;

	ASSERT_RING();

	pid = syscall(SYS_getpid);
	EXPECT_EQ(getpid(), pid);
	EXPECT_EQ(before, current_cpl());
}

/*
 * Move the stack pointer well below the compiler's own red zone, fill the
 * red zone below it, wait long enough for timer interrupts to arrive, and
 * count the words that changed.
 */
static long red_zone_damage(long spins)
{
	long damaged;

	asm volatile (
		"	subq	$256, %%rsp\n"
		RED_ZONE_FILL
		"	movq	%[spins], %%rdx\n"
		"2:	pause\n"
		"	decq	%%rdx\n"
		"	jnz	2b\n"
		"	xorq	%[damaged], %[damaged]\n"
		RED_ZONE_COUNT("%[damaged]")
		"	addq	$256, %%rsp\n"
		: [damaged] "=&r" (damaged)
		: [spins] "r" (spins)
		: "rax", "rcx", "rdx", "memory", "cc");
	return damaged;
}

TEST(red_zone_survives_interrupts)
{
	struct timespec start, now;
	long damaged = 0;

	ASSERT_RING();

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		damaged += red_zone_damage(200000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 1);
	EXPECT_EQ(0, damaged) TH_LOG("%ld red-zone words overwritten", damaged);
}

static sigjmp_buf jump;
static volatile int caught_sig;
static volatile unsigned int handler_cpl;
static volatile uintptr_t handler_sp;

static void catcher(int sig, siginfo_t *info, void *ctx)
{
	int local;

	caught_sig = sig;
	handler_cpl = current_cpl();
	handler_sp = (uintptr_t)&local;
	siglongjmp(jump, 1);
}

static void catch(int sig, int onstack)
{
	struct sigaction sa = {
		.sa_sigaction = catcher,
		.sa_flags = SA_SIGINFO | SA_NODEFER | (onstack ? SA_ONSTACK : 0),
	};

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Run @fault and check that signal @sig comes back, in the same ring. */
#define EXPECT_FAULT(sig, fault) do {					\
	catch(sig, 0);							\
	caught_sig = 0;							\
	if (!sigsetjmp(jump, 1)) {					\
		fault;							\
	}								\
	EXPECT_EQ(sig, caught_sig);					\
	EXPECT_EQ(expected_cpl(), handler_cpl);				\
	signal(sig, SIG_DFL);						\
} while (0)

TEST(null_dereference_is_sigsegv)
{
	ASSERT_RING();
	EXPECT_FAULT(SIGSEGV, *(volatile int *)0 = 1);
}

TEST(noncanonical_access_is_sigsegv)
{
	ASSERT_RING();
	EXPECT_FAULT(SIGSEGV, *(volatile long *)0x8000000000000000UL = 1);
}

TEST(ud2_is_sigill)
{
	ASSERT_RING();
	EXPECT_FAULT(SIGILL, asm volatile ("ud2"));
}

TEST(int3_is_sigtrap)
{
	ASSERT_RING();
	EXPECT_FAULT(SIGTRAP, asm volatile ("int3"));
}

TEST(divide_error_is_sigfpe)
{
	ASSERT_RING();
	EXPECT_FAULT(SIGFPE, asm volatile ("xorl %%ecx, %%ecx\n\tdivl %%ecx"
					   ::: "eax", "ecx", "edx"));
}

TEST(bad_stack_pointer_faults_onto_sigaltstack)
{
	static char altstack[65536];
	stack_t ss = {
		.ss_sp = altstack,
		.ss_size = sizeof(altstack),
	};

	ASSERT_RING();

	ASSERT_EQ(0, sigaltstack(&ss, NULL));
	catch(SIGSEGV, 1);
	caught_sig = 0;
	if (!sigsetjmp(jump, 1)) {
		asm volatile ("movq %%rsp, %%rbx\n\t"
			      "movq $0x10, %%rsp\n\t"
			      "pushq $0\n\t"
			      "movq %%rbx, %%rsp"
			      ::: "rbx", "memory");
	}
	EXPECT_EQ(SIGSEGV, caught_sig);
	EXPECT_TRUE(handler_sp >= (uintptr_t)altstack &&
		    handler_sp < (uintptr_t)altstack + sizeof(altstack))
		TH_LOG("handler ran at %#lx, not on the alternate stack",
		       (unsigned long)handler_sp);
	signal(SIGSEGV, SIG_DFL);
}

static int grow(int depth)
{
	volatile char pad[4096];

	pad[depth % sizeof(pad)] = 1;
	if (depth == 0)
		return 0;
	return grow(depth - 1) + pad[depth % sizeof(pad)];
}

/* About 4 MiB of stack, page by page: every page is a growth fault. */
TEST(stack_grows_on_demand)
{
	ASSERT_RING();
	EXPECT_EQ(1000, grow(1000));
}

static volatile int ticks;

static void on_alarm(int sig)
{
	ticks++;
}

TEST(timer_signals_arrive)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = 10000 },
		.it_value = { .tv_usec = 10000 },
	};
	struct timespec start, now;

	ASSERT_RING();

	signal(SIGALRM, on_alarm);
	ticks = 0;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while (ticks < 5 && now.tv_sec - start.tv_sec < 5);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	EXPECT_LE(5, ticks);
	EXPECT_EQ(expected_cpl(), current_cpl());
}

TEST(child_inherits_the_ring)
{
	unsigned int cpl = current_cpl();
	int status;
	pid_t pid;

	ASSERT_RING();

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(current_cpl() == cpl ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

#define CPL_ENV "KML_RING_TEST_REPORT_CPL"

#define EXEC_ENV "KML_RING_TEST_EXEC"

/*
 * Started with EXEC_ENV set: execute that program, which reports its ring.
 * Started with CPL_ENV set: report the ring as the exit status, at once.
 */
static void __attribute__((constructor)) report_cpl(void)
{
	char *next = getenv(EXEC_ENV);

	if (next) {
		char *argv[] = { next, NULL };
		char *envp[] = { CPL_ENV "=1", NULL };

		execve(next, argv, envp);
		_exit(100);
	}
	if (getenv(CPL_ENV))
		_exit(current_cpl());
}

/* Run @path with CPL_ENV set; return the CPL it reports, or -1. */
static int cpl_of(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { CPL_ENV "=1", NULL };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(100);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Copy this program to @path, without its ring-0 mark. */
static int copy_self(const char *path)
{
	char buf[65536];
	int in, out, ok = 0;
	ssize_t n;

	in = open("/proc/self/exe", O_RDONLY);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (in >= 0 && out >= 0) {
		ok = 1;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, n) != n)
				ok = 0;
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ok;
}

TEST(exec_of_untrusted_program_runs_in_ring3)
{
	const char *copy = "/tmp/kml_ring_test.untrusted";

	ASSERT_RING();

	ASSERT_TRUE(copy_self(copy));
	EXPECT_EQ(3, cpl_of(copy));
	unlink(copy);
}

/* From this program to an untrusted copy (ring 3) and back to this one. */
TEST(exec_from_untrusted_back_to_trusted)
{
	const char *copy = "/tmp/kml_ring_test.untrusted";
	char exe[4096], env[4200];
	char *argv[] = { (char *)copy, NULL };
	char *envp[] = { env, NULL };
	int status;
	ssize_t n;
	pid_t pid;

	ASSERT_RING();

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	snprintf(env, sizeof(env), "%s=%s", EXEC_ENV, exe);
	ASSERT_TRUE(copy_self(copy));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execve(copy, argv, envp);
		_exit(100);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ((int)expected_cpl(), WEXITSTATUS(status));
	unlink(copy);
}

TEST(exec_of_this_program_runs_in_its_ring)
{
	ASSERT_RING();
	EXPECT_EQ((int)expected_cpl(), cpl_of("/proc/self/exe"));
}

TEST(sigbus_past_end_of_file)
{
	const char *path = "/tmp/kml_ring_test.sigbus";
	volatile char *map;
	int fd;

	ASSERT_RING();

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 1));
	map = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_FAULT(SIGBUS, map[4096] = 1);
	munmap((void *)map, 2 * 4096);
	close(fd);
	unlink(path);
}

static volatile int bottom;

/* Recurse without end: the stack limit must end it with SIGSEGV. */
static int __attribute__((noinline)) bottomless(volatile char *prev)
{
	volatile char pad[1024];

	pad[0] = prev ? prev[0] + 1 : 0;
	if (bottom)
		return pad[0];
	return bottomless(pad) + pad[1];
}

TEST(stack_overflow_kills_with_sigsegv)
{
	int status;
	pid_t pid;

	ASSERT_RING();

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		_exit(bottomless(NULL));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
}

static void *thread_cpl(void *arg)
{
	cpu_set_t set;
	int *cpl = arg;
	int cpu;

	/* Visit every CPU, so that the thread migrates while it runs. */
	for (cpu = 0; cpu < CPU_SETSIZE && cpu < 8; cpu++) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			break;
		sched_yield();
		if (current_cpl() != (unsigned int)*cpl) {
			*cpl = current_cpl();
			break;
		}
	}
	return NULL;
}

TEST(threads_on_every_cpu_keep_the_ring)
{
	int cpl[4], i;
	pthread_t t[4];

	ASSERT_RING();

	for (i = 0; i < 4; i++) {
		cpl[i] = expected_cpl();
		ASSERT_EQ(0, pthread_create(&t[i], NULL, thread_cpl, &cpl[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ((int)expected_cpl(), cpl[i]) TH_LOG("thread %d", i);
	}
}

TEST(stack_guard_faults_onto_sigaltstack)
{
	static char altstack[65536];
	stack_t ss = {
		.ss_sp = altstack,
		.ss_size = sizeof(altstack),
	};
	int status;
	pid_t pid;

	ASSERT_RING();

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (sigaltstack(&ss, NULL))
			_exit(101);
		catch(SIGSEGV, 1);
		caught_sig = 0;
		if (!sigsetjmp(jump, 1))
			bottomless(NULL);
		if (caught_sig != SIGSEGV)
			_exit(102);
		if (handler_sp < (uintptr_t)altstack ||
		    handler_sp >= (uintptr_t)altstack + sizeof(altstack))
			_exit(103);
		_exit(handler_cpl == expected_cpl() ? 0 : 104);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("the child died of signal %d",
					     WTERMSIG(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

static volatile int depth, max_depth;

static void nested(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (depth < 3)
		raise(SIGUSR1);
	depth--;
}

TEST(nested_signals_unwind)
{
	struct sigaction sa = { .sa_handler = nested, .sa_flags = SA_NODEFER };

	ASSERT_RING();

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	depth = 0;
	max_depth = 0;
	raise(SIGUSR1);
	EXPECT_EQ(3, max_depth);
	EXPECT_EQ(0, depth);
	EXPECT_EQ(expected_cpl(), current_cpl());
	signal(SIGUSR1, SIG_DFL);
}

TEST(signal_ends_a_child)
{
	int status;
	pid_t pid;

	ASSERT_RING();

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (;;)
			pause();
	}
	usleep(10000);
	ASSERT_EQ(0, kill(pid, SIGTERM));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGTERM, WTERMSIG(status));
}

TEST(symlink_to_this_program_runs_in_its_ring)
{
	const char *link = "/tmp/kml_ring_test.link";
	char exe[4096];
	ASSERT_RING();

	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	unlink(link);
	ASSERT_EQ(0, symlink(exe, link));
	/* The file that runs decides, not the name it was started by. */
	EXPECT_EQ((int)expected_cpl(), cpl_of(link));
	unlink(link);
}

/*
 * The mark decides, not the place: an unmarked copy of this program in the
 * trusted directory runs in ring 3, in a chroot as well.
 */
TEST(unmarked_copy_in_trusted_dir_runs_in_ring3)
{
	const char *root = "/tmp/kml_ring_test.root";
	int status;
	pid_t pid;

	ASSERT_RING();

	mkdir(TRUSTED_DIR, 0755);
	ASSERT_TRUE(copy_self(TRUSTED_DIR "kml_ring_test.unmarked"));
	EXPECT_EQ(3, cpl_of(TRUSTED_DIR "kml_ring_test.unmarked"));
	unlink(TRUSTED_DIR "kml_ring_test.unmarked");

	mkdir(root, 0755);
	mkdir("/tmp/kml_ring_test.root/trusted", 0755);
	ASSERT_TRUE(copy_self("/tmp/kml_ring_test.root/trusted/t"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (chroot(root) || chdir("/"))
			_exit(101);
		_exit(cpl_of("/trusted/t"));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(3, WEXITSTATUS(status));
	unlink("/tmp/kml_ring_test.root/trusted/t");
	rmdir("/tmp/kml_ring_test.root/trusted");
	rmdir(root);
}

/* Hold @val in xmm7 across @yields sched_yield() calls; return xmm7. */
static double hold_xmm7(double val, int yields)
{
	double got;

	asm volatile ("movsd	%[val], %%xmm7\n"
		      "1:	movl	$%c[nr], %%eax\n"
		      "	syscall\n"
		      "	decl	%[n]\n"
		      "	jnz	1b\n"
		      "	movsd	%%xmm7, %[got]\n"
		      : [got] "=m" (got), [n] "+r" (yields)
		      : [val] "m" (val), [nr] "i" (SYS_sched_yield)
		      : "rax", "rcx", "r11", "xmm7", "memory", "cc");
	return got;
}

/* Hold a pattern in ymm7 across @yields sched_yield() calls. */
static int hold_ymm7(int yields)
{
	static const uint64_t pattern[4] = {
		0x0123456789abcdef, 0xfedcba9876543210,
		0x1122334455667788, 0x99aabbccddeeff00,
	};
	uint64_t got[4];

	asm volatile ("vmovdqu	%[pat], %%ymm7\n"
		      "1:	movl	$%c[nr], %%eax\n"
		      "	syscall\n"
		      "	decl	%[n]\n"
		      "	jnz	1b\n"
		      "	vmovdqu	%%ymm7, %[got]\n"
		      : [got] "=m" (got), [n] "+r" (yields)
		      : [pat] "m" (pattern), [nr] "i" (SYS_sched_yield)
		      : "rax", "rcx", "r11", "xmm7", "memory", "cc");
	return !memcmp(got, pattern, sizeof(got));
}

TEST(avx_state_survives_preemption)
{
	int status;
	pid_t pid;

	ASSERT_RING();
	if (!__builtin_cpu_supports("avx"))
		SKIP(return, "no AVX on this CPU");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		asm volatile ("vpxor %%ymm7, %%ymm7, %%ymm7" ::: "xmm7");
		for (int i = 0; i < 400; i++)
			sched_yield();
		_exit(0);
	}
	EXPECT_TRUE(hold_ymm7(200));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
}

TEST(sse_state_survives_preemption)
{
	static const double want = 3.25;
	int status;
	double got;
	pid_t pid;

	ASSERT_RING();

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		hold_xmm7(-1.0, 400);
		_exit(0);
	}
	got = hold_xmm7(want, 200);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(got == want) TH_LOG("xmm7 holds %f, expected %f", got, want);
}

TEST_HARNESS_MAIN
