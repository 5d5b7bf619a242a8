// SPDX-License-Identifier: GPL-2.0
/*
 * kml_bench.c - latency of system calls and process operations
 *
 * A benchmark in the manner of lmbench's lat_syscall family (lat_syscall,
 * lat_sig, lat_pipe, lat_proc, lat_ctx): the null system call, a one-byte
 * read and write, stat, fstat, open+close, installing and catching a signal,
 * a pipe round trip between two processes, fork+exit, fork+execve, a context
 * switch (also to a ring-3 partner, for a program in ring 0), the same
 * three with threads (pthread_create+join, and a round trip and a switch
 * between two threads of one process), and
 * clock_gettime() through the vDSO as a control that normally
 * enters no kernel at all. Every call goes through the C library, as a program would
 * make it, so a C library that enters the kernel by a direct call (Kernel
 * Mode Linux) shows its gain here; one extra row issues getppid with a bare
 * syscall instruction, whatever the library does.
 *
 * Each operation runs a warm-up, then R rounds of N iterations timed with
 * CLOCK_MONOTONIC around the whole loop; the median, lowest and highest cost
 * per operation over the rounds are reported. The context switch is that of
 * two processes pinned to one CPU passing a byte back and forth over two
 * pipes, less the same pipe traffic within one process, per switch.
 *
 * What it measures: how long the kernel's path for each operation is, as the
 * program sees it from user space. Under QEMU's -icount shift=0 the guest
 * clock advances one nanosecond per instruction, and with --icount the
 * figures are labelled as what they then are: instructions executed per
 * operation, which repeat from run to run (to a fraction of a percent with
 * --no-aslr, below).
 *
 * What it does not measure: the micro-architectural cost of an operation.
 * Instruction counts do not see how expensive the mode switch of the syscall
 * and sysret instructions, swapgs, a page-table switch or a flushed TLB is;
 * they count each as one instruction or not at all. Time measured under an
 * emulator (TCG) is not hardware time either. Only runs on hardware, or
 * under KVM, give latencies; instruction counts give path lengths.
 *
 * With --no-aslr the program runs itself again without address space
 * randomization: the layout then repeats from run to run, and so do the
 * page tables fork and exec work through, which otherwise move their cost
 * by a few percent from one boot to the next.
 *
 * This is a benchmark: it reports, it never passes or fails on a number. It
 * exits non-zero only when an operation cannot be run at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kml_ring.h"

#define DEFAULT_ROUNDS 7
/*
 * Seconds to wait before measuring. A kernel that has just booted may still
 * run deferred work: Debian's spends about half of the CPU on it during its
 * first second in a microVM. Idle time costs nothing under -icount.
 */
#define DEFAULT_SETTLE 2
#define MAX_ROUNDS 1000
/* Run by fork+execve: exit at once. */
#define EXIT_ARG "--exit-at-once"
#define ECHO_ARG "--echo"		/* echo stdin to stdout, byte by byte */
/* An unmarked copy of this program: it runs in ring 3 whatever this one does. */
#define RING3_COPY "/tmp/kml_bench_ring3"
#define SCRATCH_NAME "kml_bench.XXXXXX"
#define MARK_BEGIN "kml_bench-json-begin"
#define MARK_END "kml_bench-json-end"

static struct {
	int zero;		/* /dev/zero, read-only */
	int null;		/* /dev/null, write-only */
	int file;		/* the scratch file */
	char path[4096];	/* the scratch file: $TMPDIR or P_tmpdir */
	char self[4096];	/* this program, for fork+execve */
	pid_t pid;		/* our own, for kill() */
	pid_t partner;		/* the other end of the ping-pong */
	pthread_t thread;	/* ... or a thread */
	int threaded;		/* the partner is a thread */
	int partner_in, partner_out;	/* a partner thread's pipe ends */
	int to_partner, from_partner;
	int loop[2];		/* a pipe to ourselves: context-switch overhead */
	cpu_set_t cpus;		/* affinity before pinning */
	int pinned;
} b = { .zero = -1, .null = -1, .file = -1, .partner = -1,
	.to_partner = -1, .from_partner = -1, .loop = { -1, -1 },
	.partner_in = -1, .partner_out = -1 };

static volatile sig_atomic_t caught;
static char why[256];

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

/* --tsc: read the time stamp counter instead of the clock. */
static int use_tsc;

/*
 * The clock in ns, or with --tsc the TSC, serialised on both sides: LFENCE
 * before RDTSC waits for the instructions before it to complete, LFENCE
 * after keeps the ones after from starting early.
 */
static long long now_ns(void)
{
	struct timespec ts;
	unsigned int lo, hi;

	if (use_tsc) {
		__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a" (lo), "=d" (hi) :: "memory");
		return (long long)((unsigned long long)hi << 32 | lo);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long raw_getppid(void)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" ((long)SYS_getppid)
		      : "rcx", "r11", "memory");
	return ret;
}

/* --- the operations ---------------------------------------------------- */

static int run_clock(long n)
{
	struct timespec ts;

	while (n--)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return 0;
}

static int run_null(long n)
{
	while (n--)
		getppid();
	return 0;
}

static int run_raw(long n)
{
	while (n--)
		raw_getppid();
	return 0;
}

static int run_read(long n)
{
	char c;

	while (n--)
		if (read(b.zero, &c, 1) != 1)
			return fail("read of /dev/zero: %s", strerror(errno));
	return 0;
}

static int run_write(long n)
{
	char c = 'x';

	while (n--)
		if (write(b.null, &c, 1) != 1)
			return fail("write to /dev/null: %s", strerror(errno));
	return 0;
}

static int run_stat(long n)
{
	struct stat st;

	while (n--)
		if (stat(b.path, &st))
			return fail("stat %s: %s", b.path, strerror(errno));
	return 0;
}

static int run_fstat(long n)
{
	struct stat st;

	while (n--)
		if (fstat(b.file, &st))
			return fail("fstat: %s", strerror(errno));
	return 0;
}

static int run_openclose(long n)
{
	int fd;

	while (n--) {
		fd = open(b.path, O_RDONLY);
		if (fd < 0)
			return fail("open %s: %s", b.path, strerror(errno));
		close(fd);
	}
	return 0;
}

static void on_usr1(int sig)
{
	caught++;
}

static int run_sigaction(long n)
{
	struct sigaction sa = { .sa_handler = on_usr1 }, old;

	while (n--)
		if (sigaction(SIGUSR1, &sa, &old))
			return fail("sigaction: %s", strerror(errno));
	return 0;
}

/*
 * Minor faults: map N fresh anonymous pages, write one byte to each (a fault
 * that allocates and maps a zeroed page), unmap them. Per iteration: one
 * fault and its share of the mmap(), the munmap() and the freeing.
 */
static int run_fault(long n)
{
	long page = sysconf(_SC_PAGESIZE), i;
	volatile char *p;

	p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	for (i = 0; i < n; i++)
		p[i * page] = 1;
	if (munmap((void *)p, n * page))
		return fail("munmap: %s", strerror(errno));
	return 0;
}

/*
 * A sleep of 1 us and the wake-up: the hrtimer's interrupt ends the idle
 * time (no instructions under -icount), wakes the task and returns to it.
 */
static int run_sleep(long n)
{
	struct timespec us = { 0, 1000 };

	while (n--)
		if (nanosleep(&us, NULL))
			return fail("nanosleep: %s", strerror(errno));
	return 0;
}

static int setup_sigcatch(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	b.pid = getpid();
	if (sigaction(SIGUSR1, &sa, NULL))
		return fail("sigaction: %s", strerror(errno));
	return 0;
}

static int run_sigcatch(long n)
{
	long want = n;

	caught = 0;
	while (n--)
		kill(b.pid, SIGUSR1);
	if (caught != want)
		return fail("%ld signals sent, %ld caught", want, (long)caught);
	return 0;
}

static void teardown_sigcatch(void)
{
	signal(SIGUSR1, SIG_DFL);
}

/* The two pipes between us and a partner: down to it, up from it. */
static int open_pipes(int down[2], int up[2])
{
	if (pipe(down))
		return fail("pipe: %s", strerror(errno));
	if (pipe(up)) {
		close(down[0]);
		close(down[1]);
		return fail("pipe: %s", strerror(errno));
	}
	return 0;
}

static void close_pipes(int down[2], int up[2])
{
	close(down[0]);
	close(down[1]);
	close(up[0]);
	close(up[1]);
}

/*
 * The partner process: echo every byte back until the pipe closes; with
 * @program, that program does it, run as "PROGRAM --echo" on the pipes.
 */
static int start_partner_process(const char *program)
{
	int down[2], up[2];
	char c;

	if (open_pipes(down, up))
		return -1;
	fflush(NULL);
	b.partner = fork();
	if (b.partner < 0) {
		fail("fork: %s", strerror(errno));
		close_pipes(down, up);
		return -1;
	}
	if (b.partner == 0 && program) {
		if (dup2(down[0], STDIN_FILENO) < 0 || dup2(up[1], STDOUT_FILENO) < 0)
			_exit(127);
		close_pipes(down, up);
		execl(program, program, ECHO_ARG, (char *)NULL);
		_exit(127);
	}
	if (b.partner == 0) {
		close(down[1]);
		close(up[0]);
		while (read(down[0], &c, 1) == 1 && write(up[1], &c, 1) == 1)
			;
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	b.to_partner = down[1];
	b.from_partner = up[0];
	return 0;
}

static int start_partner(void)
{
	return start_partner_process(NULL);
}

/* A partner thread: echo every byte back until the pipe closes. */
static void *partner_thread(void *arg)
{
	char c;

	while (read(b.partner_in, &c, 1) == 1 && write(b.partner_out, &c, 1) == 1)
		;
	return NULL;
}

static int start_partner_thread(void)
{
	int down[2], up[2], err;

	if (open_pipes(down, up))
		return -1;
	b.partner_in = down[0];
	b.partner_out = up[1];
	b.to_partner = down[1];
	b.from_partner = up[0];
	err = pthread_create(&b.thread, NULL, partner_thread, NULL);
	if (err) {
		close_pipes(down, up);
		b.partner_in = b.partner_out = b.to_partner = b.from_partner = -1;
		return fail("pthread_create: %s", strerror(err));
	}
	b.threaded = 1;
	return 0;
}

static void stop_partner(void)
{
	if (b.to_partner >= 0)
		close(b.to_partner);
	if (b.partner > 0)
		waitpid(b.partner, NULL, 0);
	if (b.threaded)
		pthread_join(b.thread, NULL);
	if (b.from_partner >= 0)
		close(b.from_partner);
	if (b.partner_in >= 0)
		close(b.partner_in);
	if (b.partner_out >= 0)
		close(b.partner_out);
	b.to_partner = -1;
	b.from_partner = -1;
	b.partner = -1;
	b.threaded = 0;
	b.partner_in = -1;
	b.partner_out = -1;
}

static int run_pingpong(long n)
{
	char c = 'x';

	while (n--) {
		if (write(b.to_partner, &c, 1) != 1 ||
		    read(b.from_partner, &c, 1) != 1)
			return fail("pipe round trip: %s", strerror(errno));
	}
	return 0;
}

/*
 * Both tasks on the CPU we are on, so that each hand-over is a switch. The
 * partner, process or thread, inherits the affinity.
 */
static int pin_and_loop(void)
{
	cpu_set_t one;
	int cpu;

	cpu = sched_getcpu();
	if (cpu >= 0 && !sched_getaffinity(0, sizeof(b.cpus), &b.cpus)) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		b.pinned = !sched_setaffinity(0, sizeof(one), &one);
	}
	if (pipe(b.loop))
		return fail("pipe: %s", strerror(errno));
	return 0;
}

static int setup_ctxsw(void)
{
	return pin_and_loop() ? -1 : start_partner();
}

/*
 * The partner is an unmarked copy of this program, so it runs in ring 3:
 * from a ring-0 program every hand-over switches between a ring-0 and a
 * ring-3 task (KML writes CR4 for SMEP and SMAP on each); from a ring-3
 * program this is ctxsw again, with an exec'ed partner.
 */
static int setup_xctxsw(void)
{
	if (!b.self[0] || kml_copy_file(b.self, RING3_COPY, 0755))
		return fail("copying %s to %s: %s", b.self, RING3_COPY, strerror(errno));
	return pin_and_loop() ? -1 : start_partner_process(RING3_COPY);
}

static int setup_tctxsw(void)
{
	return pin_and_loop() ? -1 : start_partner_thread();
}

/* The pipe traffic of one round trip, without the other process. */
static int base_ctxsw(long n)
{
	char c = 'x';

	while (n--) {
		if (write(b.loop[1], &c, 1) != 1 || read(b.loop[0], &c, 1) != 1 ||
		    write(b.loop[1], &c, 1) != 1 || read(b.loop[0], &c, 1) != 1)
			return fail("pipe to self: %s", strerror(errno));
	}
	return 0;
}

static void teardown_ctxsw(void)
{
	stop_partner();
	close(b.loop[0]);
	close(b.loop[1]);
	b.loop[0] = -1;
	b.loop[1] = -1;
	if (b.pinned)
		sched_setaffinity(0, sizeof(b.cpus), &b.cpus);
	b.pinned = 0;
}

static int run_fork(long n)
{
	pid_t pid;
	int status;

	fflush(NULL);
	while (n--) {
		pid = fork();
		if (pid < 0)
			return fail("fork: %s", strerror(errno));
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid)
			return fail("waitpid: %s", strerror(errno));
	}
	return 0;
}

static void *thread_exit(void *arg)
{
	return arg;
}

static int run_thread(long n)
{
	pthread_t t;
	int err;

	while (n--) {
		err = pthread_create(&t, NULL, thread_exit, NULL);
		if (err)
			return fail("pthread_create: %s", strerror(err));
		err = pthread_join(t, NULL);
		if (err)
			return fail("pthread_join: %s", strerror(err));
	}
	return 0;
}

static int setup_exec(void)
{
	if (!b.self[0])
		return fail("cannot tell where this program is (no /proc?)");
	return 0;
}

static int run_exec(long n)
{
	char *argv[] = { b.self, EXIT_ARG, NULL };
	pid_t pid;
	int status;

	fflush(NULL);
	while (n--) {
		pid = fork();
		if (pid < 0)
			return fail("fork: %s", strerror(errno));
		if (pid == 0) {
			execve(b.self, argv, environ);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid)
			return fail("waitpid: %s", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			return fail("execve of %s failed (status %#x)", b.self,
				    status);
	}
	return 0;
}

struct op {
	const char *id;		/* for --only */
	const char *name;	/* for the report */
	long iterations;	/* per round, at --scale 1 */
	int per;		/* operations per iteration */
	int (*setup)(void);
	int (*run)(long n);
	int (*base)(long n);	/* overhead to subtract, or NULL */
	void (*teardown)(void);
};

/*
 * Iterations per round: about ten million instructions per round on the
 * lupine kernel, so that under -icount every round takes a fraction of a
 * host second and a whole run a minute or so.
 */
static const struct op ops[] = {
	{ "clock", "clock_gettime (vDSO)", 150000, 1, NULL, run_clock },
	{ "null", "getppid", 50000, 1, NULL, run_null },
	{ "raw", "getppid (raw syscall insn)", 50000, 1, NULL, run_raw },
	{ "read", "read (1 byte, /dev/zero)", 30000, 1, NULL, run_read },
	{ "write", "write (1 byte, /dev/null)", 35000, 1, NULL, run_write },
	{ "stat", "stat (tmpfs file)", 4500, 1, NULL, run_stat },
	{ "fstat", "fstat", 15000, 1, NULL, run_fstat },
	{ "openclose", "open+close (tmpfs file)", 3300, 1, NULL,
	  run_openclose },
	{ "sigaction", "signal handler install", 22000, 1, NULL,
	  run_sigaction },
	{ "sigcatch", "signal catch", 3600, 1, setup_sigcatch, run_sigcatch,
	  NULL, teardown_sigcatch },
	{ "fault", "minor fault (fresh anonymous page)", 4000, 1, NULL, run_fault },
	{ "sleep", "nanosleep 1 us and wake-up", 1500, 1, NULL, run_sleep },
	{ "pipe", "pipe round trip", 1400, 1, start_partner, run_pingpong,
	  NULL, stop_partner },
	{ "ctxsw", "context switch (2 procs, 1 CPU)", 1200, 2, setup_ctxsw,
	  run_pingpong, base_ctxsw, teardown_ctxsw },
	{ "xctxsw", "context switch, ring-3 partner", 1200, 2,
	  setup_xctxsw, run_pingpong, base_ctxsw, teardown_ctxsw },
	{ "fork", "fork+exit", 55, 1, NULL, run_fork },
	{ "exec", "fork+execve", 20, 1, setup_exec, run_exec },
	/* The same with threads instead of processes */
	{ "tpipe", "pipe round trip (2 threads)", 1400, 1,
	  start_partner_thread, run_pingpong, NULL, stop_partner },
	{ "tctxsw", "context switch (2 threads, 1 CPU)", 1200, 2, setup_tctxsw,
	  run_pingpong, base_ctxsw, teardown_ctxsw },
	{ "thread", "pthread_create+join", 300, 1, NULL, run_thread },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NR_OPS ((int)ARRAY_SIZE(ops))

struct result {
	int done;
	long iterations;
	int rounds;
	double median, min, max;
	char error[sizeof(why)];
};

static int cmp_double(const void *p, const void *q)
{
	double x = *(const double *)p, y = *(const double *)q;

	return (x > y) - (x < y);
}

/* One round: the cost of one operation, less the op's own overhead. */
static int round_once(const struct op *op, long n, double *cost)
{
	long long t0, base = 0;

	if (op->base) {
		t0 = now_ns();
		if (op->base(n))
			return -1;
		base = now_ns() - t0;
	}
	t0 = now_ns();
	if (op->run(n))
		return -1;
	*cost = (double)(now_ns() - t0 - base) / ((double)n * op->per);
	return 0;
}

static int measure(const struct op *op, long n, int rounds, struct result *r)
{
	double v[MAX_ROUNDS], cost;
	int i, ret = -1;

	r->iterations = n;
	r->rounds = rounds;
	why[0] = '\0';
	if (op->setup && op->setup())
		goto out;
	if (round_once(op, n / 10 + 1, &cost))
		goto out;
	for (i = 0; i < rounds; i++)
		if (round_once(op, n, &v[i]))
			goto out;
	qsort(v, rounds, sizeof(v[0]), cmp_double);
	r->min = v[0];
	r->max = v[rounds - 1];
	r->median = (v[(rounds - 1) / 2] + v[rounds / 2]) / 2;
	r->done = 1;
	ret = 0;
out:
	if (op->teardown)
		op->teardown();
	if (ret)
		snprintf(r->error, sizeof(r->error), "%s",
			 why[0] ? why : "failed");
	return ret;
}

/*
 * --classes: a warm-up, then one round of N iterations between the window
 * markers of scripts/eval/insn-classes.c, for an op without a baseline of its
 * own (the plugin cannot subtract one). 0 on success, -1 on a failure
 * before the window, -2 on one inside it (the plugin counted a window).
 */
static int class_window(const struct op *op, long n)
{
	int ret = -1;

	why[0] = '\0';
	if (op->setup && op->setup())
		goto out;
	if (op->run(n / 10 + 1))
		goto out;
	CLASS_WINDOW_OPEN();
	ret = op->run(n) ? -2 : 0;
	CLASS_WINDOW_CLOSE();
out:
	if (op->teardown)
		op->teardown();
	return ret;
}

/* --- setup and report -------------------------------------------------- */

static int setup(void)
{
	const char *dir = getenv("TMPDIR");

	b.zero = open("/dev/zero", O_RDONLY);
	b.null = open("/dev/null", O_WRONLY);
	if (b.zero < 0 || b.null < 0) {
		perror("kml_bench: open /dev/zero, /dev/null");
		return -1;
	}
	if (!dir || !*dir)
		dir = P_tmpdir;
	snprintf(b.path, sizeof(b.path), "%s/%s", dir, SCRATCH_NAME);
	b.file = mkstemp(b.path);
	if (b.file < 0) {
		fprintf(stderr, "kml_bench: cannot create %s: %s\n", b.path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void cleanup(void)
{
	if (b.file >= 0) {
		close(b.file);
		unlink(b.path);
	}
}

/*
 * Wait until a terminal has sent what we wrote: a guest's init may power
 * off as soon as we exit, and the serial console's buffer goes with it.
 */
static void drain(void)
{
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
}

static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	if (fgets(buf, size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* A JSON string: ours are plain, but the kernel's version need not be. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void usage(FILE *f, const char *prog)
{
	int i;

	fprintf(f,
		"Usage: %s [--format md|json] [--rounds R] [--scale F]\n"
		"       [--only OP[,OP...]] [--settle SEC] [--icount] [--no-aslr]\n"
		"       [--markers] [--classes] [--tsc] [--list]\n"
		"\n"
		"Latency of system calls and process operations: median, lowest\n"
		"and highest cost per operation over R rounds (default %d).\n"
		"--scale multiplies every op's iterations per round, --settle\n"
		"waits before measuring (default %d s), --icount labels the\n"
		"figures as instructions (QEMU -icount shift=0), --tsc measures\n"
		"in TSC cycles (LFENCE; RDTSC; LFENCE) instead of clock ns,\n"
		"--no-aslr runs\n"
		"without address space randomization, --markers puts the JSON\n"
		"between lines %s and %s. --classes runs each op (but those\n"
		"with a baseline) once, N iterations between the window markers\n"
		"of the insn-classes TCG plugin, and reports its window number.\n"
		"\nOperations:\n", prog, DEFAULT_ROUNDS, DEFAULT_SETTLE,
		MARK_BEGIN, MARK_END);
	for (i = 0; i < NR_OPS; i++)
		fprintf(f, "  %-10s %-34s %ld per round\n", ops[i].id,
			ops[i].name, ops[i].iterations);
}

/*
 * Mark the ops named in a comma-separated list; -1 on an unknown name. The
 * list is split in a copy: argv must stay whole for the exec of --no-aslr
 * (split in place, "--only null,read" came back as "--only null").
 */
static int select_ops(const char *arg, int *wanted)
{
	char *list = strdup(arg), *name, *save;
	int i;

	if (!list)
		return -1;
	memset(wanted, 0, NR_OPS * sizeof(*wanted));
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NR_OPS; i++)
			if (!strcmp(name, ops[i].id))
				break;
		if (i == NR_OPS) {
			fprintf(stderr, "kml_bench: no operation '%s' (see --list)\n",
				name);
			free(list);
			return -1;
		}
		wanted[i] = 1;
	}
	free(list);
	return 0;
}

int main(int argc, char **argv)
{
	static struct result res[NR_OPS];
	int wanted[NR_OPS], json = 0, markers = 0, rounds = DEFAULT_ROUNDS;
	int settle = DEFAULT_SETTLE, no_aslr = 0, aslr, classes = 0, window = 0;
	int ret;
	const char *unit = "ns", *measure_by = "clock";
	char clocksource[64], *end;
	struct utsname uts;
	double scale = 1;
	int i, first, failed = 0;
	ssize_t len;
	long n;

	if (argc == 2 && !strcmp(argv[1], EXIT_ARG))
		_exit(0);
	if (argc == 2 && !strcmp(argv[1], ECHO_ARG)) {
		char c;

		while (read(STDIN_FILENO, &c, 1) == 1 && write(STDOUT_FILENO, &c, 1) == 1)
			;
		return 0;
	}

	for (i = 0; i < NR_OPS; i++)
		wanted[i] = 1;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--icount")) {
			unit = "instructions";
			measure_by = "icount";
		} else if (!strcmp(arg, "--tsc")) {
			use_tsc = 1;
			unit = "TSC cycles";
			measure_by = "tsc";
		} else if (!strcmp(arg, "--no-aslr")) {
			no_aslr = 1;
		} else if (!strcmp(arg, "--markers")) {
			markers = 1;
		} else if (!strcmp(arg, "--classes")) {
			classes = 1;
		} else if (!strcmp(arg, "--list")) {
			usage(stdout, argv[0]);
			return 0;
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout, argv[0]);
			return 0;
		} else if (!strcmp(arg, "--format") && val) {
			i++;
			if (!strcmp(val, "json"))
				json = 1;
			else if (strcmp(val, "md"))
				goto bad;
		} else if (!strcmp(arg, "--rounds") && val) {
			i++;
			rounds = strtol(val, &end, 10);
			if (*end || rounds < 1 || rounds > MAX_ROUNDS)
				goto bad;
		} else if (!strcmp(arg, "--settle") && val) {
			i++;
			settle = strtol(val, &end, 10);
			if (*end || settle < 0)
				goto bad;
		} else if (!strcmp(arg, "--scale") && val) {
			i++;
			scale = strtod(val, &end);
			if (*end || !(scale > 0))
				goto bad;
		} else if (!strcmp(arg, "--only") && val) {
			i++;
			if (select_ops(argv[i], wanted))
				return 2;
		} else {
			goto bad;
		}
	}

	len = readlink("/proc/self/exe", b.self, sizeof(b.self) - 1);
	b.self[len > 0 ? len : 0] = '\0';
	aslr = !(personality(0xffffffff) & ADDR_NO_RANDOMIZE);
	if (no_aslr && aslr && b.self[0] &&
	    personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE) != -1) {
		execv(b.self, argv);
		fprintf(stderr, "kml_bench: cannot run %s again: %s\n", b.self,
			strerror(errno));
		return 1;
	}
	if (setup())
		return 1;
	if (settle)
		sleep(settle);
	if (uname(&uts))
		snprintf(uts.release, sizeof(uts.release), "unknown");
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  clocksource, sizeof(clocksource));

	if (classes) {
		/* One window per op, in order: "window K" is the plugin's K-th. */
		if (markers)
			printf("%s\n", MARK_BEGIN);
		printf("{\"measure\": \"classes\", \"cpl\": %u, \"kernel\": ",
		       current_cpl());
		json_string(uts.release);
		printf(", \"ops\": [\n");
		first = 1;
		for (i = 0; i < NR_OPS; i++) {
			if (!wanted[i] || ops[i].base)
				continue;
			n = (long)(ops[i].iterations * scale + 0.5);
			if (n < 1)
				n = 1;
			printf("%s  {\"id\": \"%s\", \"name\": \"%s\", \"iterations\": %ld, \"per\": %d, ",
			       first ? "" : ",\n", ops[i].id, ops[i].name, n, ops[i].per);
			first = 0;
			fflush(stdout);
			ret = class_window(&ops[i], n);
			if (ret) {
				failed++;
				window += ret == -2;
				printf("\"window\": null, \"error\": ");
				json_string(why[0] ? why : "failed");
				printf("}");
				continue;
			}
			printf("\"window\": %d}", window++);
		}
		printf("\n]}\n");
		if (markers)
			printf("%s\n", MARK_END);
		cleanup();
		drain();
		return failed ? 1 : 0;
	}

	if (!json) {
		printf("| operation | %s per op (median) | min | max | rounds x iterations |\n",
		       unit);
		printf("|---|---:|---:|---:|---:|\n");
		fflush(stdout);
	}
	for (i = 0; i < NR_OPS; i++) {
		if (!wanted[i])
			continue;
		n = (long)(ops[i].iterations * scale + 0.5);
		if (n < 1)
			n = 1;
		if (measure(&ops[i], n, rounds, &res[i])) {
			failed++;
			fprintf(stderr, "kml_bench: %s: %s\n", ops[i].name,
				res[i].error);
		}
		if (json)
			continue;
		if (res[i].done)
			printf("| %s | %.1f | %.1f | %.1f | %d x %ld |\n",
			       ops[i].name, res[i].median, res[i].min,
			       res[i].max, rounds, n);
		else
			printf("| %s | error: %s | | | |\n", ops[i].name,
			       res[i].error);
		fflush(stdout);
	}
	cleanup();

	if (!json) {
		printf("\nCPL %u, kernel %s, clocksource %s, ASLR %s; ",
		       current_cpl(), uts.release, clocksource,
		       aslr ? "on" : "off");
		printf("%d rounds after %d s of settling and a warm-up, %s per operation\n",
		       rounds, settle, unit);
		drain();
		return failed ? 1 : 0;
	}

	if (markers)
		printf("%s\n", MARK_BEGIN);
	printf("{\"unit\": \"%s\", \"measure\": \"%s\", \"cpl\": %u,\n",
	       unit, measure_by, current_cpl());
	printf(" \"kernel\": ");
	json_string(uts.release);
	printf(", \"clocksource\": ");
	json_string(clocksource);
	printf(", \"aslr\": %s, \"scale\": %g, \"settle\": %d, \"ops\": [\n",
	       aslr ? "true" : "false", scale, settle);
	first = 1;
	for (i = 0; i < NR_OPS; i++) {
		if (!wanted[i])
			continue;
		printf("%s  {\"id\": \"%s\", \"name\": \"%s\", ",
		       first ? "" : ",\n", ops[i].id, ops[i].name);
		if (res[i].done) {
			printf("\"median\": %.2f, \"min\": %.2f, \"max\": %.2f, ",
			       res[i].median, res[i].min, res[i].max);
		} else {
			printf("\"median\": null, \"min\": null, \"max\": null, \"error\": ");
			json_string(res[i].error);
			printf(", ");
		}
		printf("\"rounds\": %d, \"iterations\": %ld}",
		       res[i].rounds, res[i].iterations);
		first = 0;
	}
	printf("\n]}\n");
	if (markers)
		printf("%s\n", MARK_END);
	drain();
	return failed ? 1 : 0;

bad:
	fprintf(stderr, "kml_bench: bad or incomplete option '%s'\n", argv[i]);
	usage(stderr, argv[0]);
	return 2;
}
