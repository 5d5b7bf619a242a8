// SPDX-License-Identifier: GPL-2.0
/*
 * kml_fuzz_test.c - random system calls leave the kernel standing
 *
 * A ring-0 task enters the kernel by a plain call, with no privilege change
 * to check its registers for it, so the entry must take anything a caller
 * can put there: every system call number, in range or not, with arguments
 * that mix small integers, file descriptors, pointers into a scratch
 * mapping, NULL, kernel addresses, non-canonical addresses and -1. This test
 * makes such calls through the direct call where AT_SYSINFO is present (ring
 * 0) and through the syscall instruction where it is not, in forked children
 * that each run one batch, so that a signal ends only its batch. The parent
 * checks that every child ends by exit or by a signal, counts calls, errors
 * and signals, and then that the kernel still answers a system call
 * correctly. In ring 0 the calls must have gone through the direct call.
 *
 * The seed is printed; "--seed N" (or KML_FUZZ_SEED) repeats a run, "--calls
 * N" (or KML_FUZZ_CALLS) sets its length (default: a short run for CI).
 *
 * Some calls are never made because they would end or wreck the test, or
 * change the guest under its runner (see excluded[] for each reason);
 * calls that manage memory are made only on the scratch mapping,
 * rt_sigaction() only with handlers of this program, and fcntl() and ioctl()
 * never name the process that gets I/O signals (F_SETOWN, F_SETSIG, ...).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/mman.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#ifndef AT_SYSINFO
#define AT_SYSINFO 32
#endif
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

#define NR_RANGE	460
#define DEFAULT_CALLS	20000
#define BATCH		200
#define SCRATCH_SIZE	(64 * 1024)
#define GUARD_SIZE	(1024 * 1024)
#define REFRESH_EVERY	16
#define TICK_US		20000
#define BATCH_SECONDS	3
#define KILL_SECONDS	15
#define FILE_LIMIT	(1 << 20)

static unsigned long entry;
static unsigned long long opt_seed;
static unsigned long opt_calls = DEFAULT_CALLS;
static int seed_given;

static void __attribute__((constructor)) find_entry(void)
{
	entry = getauxval(AT_SYSINFO);
}

/*
 * One system call with six arguments, through the direct call when there is
 * one. The call pushes a return address and the entry works below the stack
 * pointer: step over the red zone around it.
 */
static long fuzz_syscall(long nr, const long *a)
{
	register long r10 asm("r10") = a[3];
	register long r8 asm("r8") = a[4];
	register long r9 asm("r9") = a[5];
	long ret;

	if (entry) {
		asm volatile ("sub $128, %%rsp\n\t"
			      "call *%[entry]\n\t"
			      "add $128, %%rsp"
			      : "=a" (ret), "+r" (r10), "+r" (r8), "+r" (r9)
			      : "a" (nr), "D" (a[0]), "S" (a[1]), "d" (a[2]),
				[entry] "r" (entry)
			      : "rcx", "r11", "memory", "cc");
	} else {
		asm volatile ("syscall"
			      : "=a" (ret), "+r" (r10), "+r" (r8), "+r" (r9)
			      : "a" (nr), "D" (a[0]), "S" (a[1]), "d" (a[2])
			      : "rcx", "r11", "memory", "cc");
	}
	return ret;
}

/* System calls this test never makes, and why. */
static const struct {
	int nr;
	const char *why;
} excluded[] = {
	{ SYS_rt_sigreturn, "restores a random frame: not a call" },
	{ SYS_exit, "ends the batch" },
	{ SYS_exit_group, "ends the batch" },
	{ SYS_fork, "forks without bound (fork is tested in kml_call_test)" },
	{ SYS_vfork, "shares the stack of the batch" },
	{ SYS_clone, "random flags and stacks: threads on garbage stacks" },
	{ SYS_clone3, "random flags and stacks: threads on garbage stacks" },
	{ SYS_execve, "replaces the test" },
	{ SYS_execveat, "replaces the test" },
	{ SYS_kill, "a random pid (0, -1, 1) reaches the runner or init" },
	{ SYS_tkill, "a random tid reaches the runner" },
	{ SYS_tgkill, "a random tid reaches the runner" },
	{ SYS_rt_sigqueueinfo, "signals a random pid" },
	{ SYS_rt_tgsigqueueinfo, "signals a random tid" },
	{ SYS_pidfd_send_signal, "signals the process of a pidfd" },
	{ SYS_pidfd_getfd, "copies fds of other processes (init's console)" },
	{ SYS_ptrace, "attaches to the runner or init and stops it" },
	{ SYS_process_vm_writev, "writes into other processes" },
	{ SYS_reboot, "reboots the guest" },
	{ SYS_kexec_load, "loads a kernel" },
	{ SYS_kexec_file_load, "loads a kernel" },
	{ SYS_init_module, "loads kernel code" },
	{ SYS_finit_module, "loads kernel code" },
	{ SYS_delete_module, "unloads kernel code" },
	{ SYS_brk, "moves the heap of the C library" },
	{ SYS_setrlimit, "can lift RLIMIT_CORE and RLIMIT_FSIZE and fill the guest's memory" },
	{ SYS_prlimit64, "limits a random pid: the runner or init" },
	{ SYS_personality, "changes the address space layout of the batch" },
	{ SYS_arch_prctl, "moves the TLS of the C library (FS)" },
	{ SYS_seccomp, "filters the batch's own calls, kills it" },
	{ SYS_iopl, "I/O privilege: no meaning in ring 0, port access in ring 3" },
	{ SYS_ioperm, "I/O port access" },
	{ SYS_syslog, "clears the kernel log or silences the console the checks read" },
	{ SYS_vhangup, "hangs up the console: SIGHUP to the runner" },
	{ SYS_settimeofday, "sets the guest's clock under the runner" },
	{ SYS_clock_settime, "sets the guest's clock under the runner" },
	{ SYS_adjtimex, "sets the guest's clock under the runner" },
	{ SYS_clock_adjtime, "sets the guest's clock under the runner" },
	{ SYS_mknod, "device nodes (/dev/mem, /dev/port, the console) for later writes" },
	{ SYS_mknodat, "device nodes (/dev/mem, /dev/port, the console) for later writes" },
	{ SYS_acct, "turns on process accounting for the whole guest" },
	{ SYS_sched_setscheduler, "real-time policy on a random pid starves the guest" },
	{ SYS_sched_setparam, "real-time priority on a random pid" },
	{ SYS_sched_setattr, "real-time policy on a random pid starves the guest" },
};

/* What the children report; shared with the parent. */
struct stats {
	unsigned long issued;
	unsigned long errors;
	unsigned long enosys;
	long last_nr;
	long last_args[6];
};

static int is_excluded(long nr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(excluded); i++)
		if (excluded[i].nr == nr)
			return 1;
	return 0;
}

static uint64_t rng;

/* splitmix64: small, and the same sequence everywhere for a seed. */
static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static char *scratch;
static int fds[16];
static int nfds;

static const unsigned long kernel_addrs[] = {
	0xffffffff81000000UL,	/* kernel text */
	0xffff888000000000UL,	/* direct map */
	0xffffffffff600000UL,	/* vsyscall page */
	0xfffffe0000000000UL,	/* cpu entry area */
	0xffffc90000000000UL,	/* vmalloc space */
};

static const unsigned long odd_addrs[] = {
	0x00007ffffffff000UL,	/* last user page (4-level) */
	0x0000800000000000UL,	/* non-canonical with 4 levels */
	0x8000000000000000UL,	/* non-canonical */
	0x00ff800000000000UL,	/* non-canonical with 5 levels */
	0xfffffffffffff000UL,	/* the top page, -4096 */
};

static long random_arg(void)
{
	switch (rnd() % 12) {
	case 0:
		return rnd() % 8;
	case 1:
		return rnd() % 65536;
	case 2:
		return fds[rnd() % nfds];
	case 3:
		return (long)(scratch + rnd() % SCRATCH_SIZE);
	case 4:
		return (long)(scratch + (rnd() % (SCRATCH_SIZE / 4096)) * 4096);
	case 5:
		return 0;
	case 6:
		return kernel_addrs[rnd() % ARRAY_SIZE(kernel_addrs)] +
		       (rnd() % 4 ? 0 : rnd() % (16 << 20));
	case 7:
		return -1;
	case 8:
		return rnd();
	case 9:
		return odd_addrs[rnd() % ARRAY_SIZE(odd_addrs)];
	case 10:
		return 1L << (rnd() % 24);
	default:
		return (uint32_t)rnd();
	}
}

static long random_nr(void)
{
	static const long odd[] = {
		NR_RANGE, NR_RANGE + 1, NR_RANGE + 3, 512, 1000,
		0x40000000 | 39,	/* x32 getpid */
		-1, 0x7fffffff, 0x80000000L,
		(1L << 32) | 39,	/* upper bits set on getpid */
		0x8000000000000000L,
	};
	long nr;

	if (rnd() % 100 < 3)
		return odd[rnd() % ARRAY_SIZE(odd)];
	do {
		nr = rnd() % NR_RANGE;
	} while (is_excluded(nr));
	return nr;
}

static struct {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	unsigned long mask;
} safe_act;
static unsigned long restorer;
static volatile unsigned long ticks;

static void tick(int sig)
{
	ticks++;
}

/* Keep the arguments of memory management calls inside the scratch area. */
static void fix_args(long nr, long *a)
{
	unsigned long off = (rnd() % (SCRATCH_SIZE / 4096)) * 4096;
	unsigned long len = rnd() % (SCRATCH_SIZE - off + 1);

	switch (nr) {
	case SYS_mmap:
	case SYS_mprotect:
	case SYS_munmap:
	case SYS_madvise:
	case SYS_mlock:
	case SYS_munlock:
	case SYS_mlock2:
	case SYS_mincore:
	case SYS_msync:
	case SYS_mbind:
	case SYS_pkey_mprotect:
	case SYS_remap_file_pages:
	case 462:	/* mseal */
		a[0] = (long)scratch + off;
		a[1] = len;
		break;
	case SYS_mremap:
		a[0] = (long)scratch + off;
		a[1] = len;
		a[2] = rnd() % (SCRATCH_SIZE - off + 1);
		a[3] &= MREMAP_MAYMOVE;
		a[4] = (long)scratch;
		break;
	case SYS_rt_sigaction: {
		static const unsigned long flags[] = {
			SA_RESTART, SA_NODEFER, SA_RESETHAND, SA_SIGINFO,
			SA_ONSTACK,
		};
		unsigned int i;

		safe_act.handler = (unsigned long[]){ (unsigned long)SIG_DFL,
			(unsigned long)SIG_IGN, (unsigned long)tick }[rnd() % 3];
		safe_act.flags = SA_RESTORER;
		for (i = 0; i < ARRAY_SIZE(flags); i++)
			if (rnd() & 1)
				safe_act.flags |= flags[i];
		safe_act.restorer = restorer;
		safe_act.mask = rnd();
		a[1] = rnd() % 4 ? (long)&safe_act : 0;
		break;
	}
	case SYS_prctl:
		if (a[0] == PR_SET_DUMPABLE || a[0] == PR_SET_SECCOMP)
			a[0] = PR_GET_DUMPABLE;
		break;
	case SYS_fcntl:
		/* I/O signals to another pid or group: the runner. */
		if (a[1] == F_SETOWN || a[1] == F_SETOWN_EX || a[1] == F_SETSIG)
			a[1] = F_GETOWN;
		break;
	case SYS_ioctl:
		if (a[1] == FIOSETOWN || a[1] == SIOCSPGRP || a[1] == TIOCSPGRP)
			a[1] = FIONREAD;
		break;
	}
}

/* The watchdog of the batch: SIGALRM ends blocking calls with EINTR. */
static void arm_tick(void)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = TICK_US },
		.it_value = { .tv_usec = TICK_US },
	};
	struct sigaction sa = { .sa_handler = tick };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void add_fd(int fd)
{
	if (fd >= 0 && nfds < (int)ARRAY_SIZE(fds))
		fds[nfds++] = fd;
}

/* Set the child up: quiet stdio, its own fds, limits, the watchdog tick. */
static int child_setup(const char *dir)
{
	struct rlimit fsize = { FILE_LIMIT, FILE_LIMIT }, core = { 0, 0 };
	struct {
		unsigned long handler, flags, restorer, mask;
	} old;
	int null, p[2], s[2];

	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return -1;
	syscall(SYS_close_range, 3, ~0U, 0);
	if (chdir(dir))
		return -1;
	if (setrlimit(RLIMIT_FSIZE, &fsize) || setrlimit(RLIMIT_CORE, &core))
		return -1;
	nfds = 0;
	add_fd(0);
	add_fd(1);
	if (!pipe2(p, O_NONBLOCK)) {
		add_fd(p[0]);
		add_fd(p[1]);
	}
	if (!socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s)) {
		add_fd(s[0]);
		add_fd(s[1]);
	}
	add_fd(eventfd(0, EFD_NONBLOCK));
	add_fd(epoll_create1(0));
	add_fd(open(".", O_RDONLY | O_DIRECTORY));
	add_fd(open("f", O_RDWR | O_CREAT, 0600));
	add_fd(memfd_create("kml_fuzz", 0));
	add_fd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	arm_tick();
	if (syscall(SYS_rt_sigaction, SIGALRM, NULL, &old, 8))
		return -1;
	restorer = old.restorer;
	return 0;
}

/* One batch in a child: @n calls from the stream of @seed. */
static void __attribute__((noreturn)) run_batch(uint64_t seed, unsigned long n,
						struct stats *st, const char *dir)
{
	unsigned long i;
	long a[6], ret;
	int j;

	if (child_setup(dir))
		_exit(100);
	rng = seed;
	for (i = 0; i < n; i++) {
		long nr = random_nr();

		if (i % REFRESH_EVERY == REFRESH_EVERY - 1)
			arm_tick();
		for (j = 0; j < 6; j++)
			a[j] = random_arg();
		fix_args(nr, a);
		st->last_nr = nr;
		memcpy(st->last_args, a, sizeof(a));
		st->issued++;
		ret = fuzz_syscall(nr, a);
		if (ret < 0 && ret >= -4095) {
			st->errors++;
			if (ret == -ENOSYS)
				st->enosys++;
		}
	}
	syscall(SYS_exit_group, 0);
	for (;;)
		;
}

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	alarmed = 1;
}

/* Wait for @pid, at most @secs seconds; -1 with errno EINTR on timeout. */
static pid_t wait_for(pid_t pid, siginfo_t *si, unsigned int secs)
{
	int ret;

	alarmed = 0;
	alarm(secs);
	do {
		ret = waitid(P_PID, pid, si, WEXITED | WNOWAIT);
	} while (ret < 0 && errno == EINTR && !alarmed);
	alarm(0);
	return ret;
}

/* The counts of /proc/PID/arch_status of a child that has ended. */
static long arch_count(pid_t pid, const char *key)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/arch_status", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

/*
 * The same getppid() through the path under test: the kernel still answers,
 * and correctly, after the batches.
 */
static long checked_getppid(void)
{
	long a[6] = { 0 };

	return fuzz_syscall(SYS_getppid, a);
}

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* The batches have their own watchdog; a long run must not hit the harness's. */
TEST_F_TIMEOUT(fuzz, random_calls_leave_the_kernel_standing, 24 * 3600)
{
	unsigned long batches = 0, by_exit = 0, by_signal = 0, by_watchdog = 0;
	unsigned long direct = 0, insn = 0, other_exit = 0, calls = 0;
	unsigned long errors = 0, enosys = 0, sigcount[65] = { 0 };
	char dir[] = "/tmp/kml_fuzz.XXXXXX", sigs[512] = "";
	struct sigaction sa = { .sa_handler = on_alarm };
	struct stats *st;
	int i, len = 0;

	TH_LOG("seed %llu, %lu calls through %s (CPL %u), batches of %d; "
	       "repeat with --seed %llu --calls %lu",
	       opt_seed, opt_calls,
	       entry ? "the direct call" : "the syscall instruction",
	       current_cpl(), BATCH, opt_seed, opt_calls);
	ASSERT_EQ(expected_cpl(), current_cpl());
	if (expected_cpl() == 0)
		ASSERT_NE(0, entry) TH_LOG("ring 0 without AT_SYSINFO");

	/*
	 * Guard pages around the scratch area: a call that writes past its end
	 * (getrandom(scratch + off, 64K)) must fault, not reach a neighbouring
	 * mapping, which may be shared with the parent and the harness.
	 */
	scratch = mmap(NULL, SCRATCH_SIZE + 2 * GUARD_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, scratch);
	scratch += GUARD_SIZE;
	ASSERT_EQ(0, mprotect(scratch, SCRATCH_SIZE, PROT_READ | PROT_WRITE));
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, st);
	ASSERT_NE(NULL, mkdtemp(dir)) TH_LOG("mkdtemp: %s", strerror(errno));

	/* Paths in the scratch area: short names, no '/', so all stay in dir. */
	rng = opt_seed;
	for (i = 0; i < SCRATCH_SIZE; i++) {
		char c = rnd() % 8 ? 'a' + rnd() % 26 : (rnd() % 2 ? '.' : '\0');

		scratch[i] = c;
	}

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));

	while (calls < opt_calls) {
		unsigned long n = opt_calls - calls < BATCH ? opt_calls - calls : BATCH;
		siginfo_t si = { 0 };
		long d, s;
		pid_t pid;

		memset(st, 0, sizeof(*st));
		st->last_nr = -1;
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			run_batch(opt_seed ^ (batches * 0x9e3779b97f4a7c15ULL), n, st, dir);
		batches++;
		if (wait_for(pid, &si, BATCH_SECONDS) < 0) {
			ASSERT_EQ(EINTR, errno);
			kill(pid, SIGKILL);
			by_watchdog++;
			ASSERT_EQ(0, wait_for(pid, &si, KILL_SECONDS))
				TH_LOG("batch %lu: child %d still there %ds after SIGKILL; "
				       "last call %ld(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)",
				       batches, pid, KILL_SECONDS, st->last_nr,
				       st->last_args[0], st->last_args[1], st->last_args[2],
				       st->last_args[3], st->last_args[4], st->last_args[5]);
		}
		d = arch_count(pid, "KML_direct_call:");
		s = arch_count(pid, "KML_syscall_insn:");
		direct += d > 0 ? d : 0;
		insn += s > 0 ? s : 0;
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
		if (si.si_code == CLD_EXITED && si.si_status == 0) {
			by_exit++;
		} else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED) {
			by_signal++;
			sigcount[si.si_status & 63]++;
		} else {
			other_exit++;
			TH_LOG("batch %lu: child ended with code %d, status %d",
			       batches, si.si_code, si.si_status);
		}
		/* A batch that never got going would repeat forever. */
		ASSERT_NE(0, st->issued) TH_LOG("batch %lu made no call", batches);
		calls += st->issued;
		errors += st->errors;
		enosys += st->enosys;
	}
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);

	sigcount[SIGKILL] -= by_watchdog;
	for (i = 1; i < 65; i++)
		if (sigcount[i])
			len += snprintf(sigs + len, sizeof(sigs) - len, " %s:%lu",
					sigabbrev_np(i) ? sigabbrev_np(i) : "RT", sigcount[i]);
	TH_LOG("%lu calls in %lu batches: %lu errors (%lu ENOSYS); batches ended "
	       "by exit %lu, by signal %lu (%s ), by the watchdog %lu",
	       calls, batches, errors, enosys, by_exit, by_signal - by_watchdog,
	       sigs, by_watchdog);
	TH_LOG("KML counts of the children: %lu direct calls, %lu syscall instructions",
	       direct, insn);

	EXPECT_EQ(0, other_exit);
	EXPECT_LE(opt_calls, calls);
	EXPECT_EQ(getppid(), checked_getppid());
	EXPECT_EQ(getppid(), syscall(SYS_getppid));
	if (entry) {
		/* Every fuzzed call entered through the direct call. */
		EXPECT_LE(calls, direct);
	}
}

int main(int argc, char **argv)
{
	const char *env;
	int i, j;

	env = getenv("KML_FUZZ_SEED");
	if (env && *env) {
		opt_seed = strtoull(env, NULL, 0);
		seed_given = 1;
	}
	env = getenv("KML_FUZZ_CALLS");
	if (env && *env)
		opt_calls = strtoul(env, NULL, 0);
	for (i = j = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			opt_seed = strtoull(argv[++i], NULL, 0);
			seed_given = 1;
		} else if (!strcmp(argv[i], "--calls") && i + 1 < argc) {
			opt_calls = strtoul(argv[++i], NULL, 0);
		} else {
			argv[j++] = argv[i];
		}
	}
	argv[j] = NULL;
	if (!seed_given) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		opt_seed = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	return test_harness_run(j, argv);
}
