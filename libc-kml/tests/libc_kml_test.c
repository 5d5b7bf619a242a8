// SPDX-License-Identifier: GPL-2.0
/*
 * libc_kml_test.c - libc-kml behaves like musl, in every ring
 *
 * libc-kml makes its system calls through the KML direct call when the
 * kernel hands one out in AT_SYSINFO (a ring-0 task) and with the syscall
 * instruction otherwise. Everything a libc does around system calls must
 * work either way: results and errors with up to six arguments, threads,
 * pthread cancellation before and during a blocking read, signals that
 * interrupt a blocking read with and without SA_RESTART, fork and exec,
 * vfork, posix_spawn, a clone() child returning on its own stack, thread
 * exit, dlopen. The proof that the direct call is taken comes from the
 * kernel's per-task counts of ring-0 entries in /proc/self/arch_status. Built
 * with kml-gcc, static and dynamic; the same binary runs in every mode.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#ifndef AT_SYSINFO
#define AT_SYSINFO 32
#endif

#define CHILD_ENV "LIBC_KML_CHILD"
#define CHILD_STATUS 40
#define GETPPID_CALLS 1000
#define SETTLE_US 100000

extern char **environ;

/* Started again by the exec tests: report the ring in the exit status. */
static void __attribute__((constructor)) exec_child(void)
{
	if (getenv(CHILD_ENV))
		_exit(CHILD_STATUS + current_cpl());
}

static int expected_child_status(void)
{
	return CHILD_STATUS + current_cpl();
}

static char *self_path(void)
{
	static char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return NULL;
	exe[n] = '\0';
	return exe;
}

/* The value of a "Name:\tN" line of FILE; -1 if absent. */
static long file_field(const char *file, const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long val = -1;
	FILE *f;

	f = fopen(file, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ':') {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static long status_field(const char *name)
{
	return file_field("/proc/self/status", name);
}

/* Linked dynamically: the kernel loaded an interpreter for us. */
static int is_dynamic(void)
{
	return getauxval(AT_BASE) != 0;
}

/* KML's lines in /proc/self/arch_status; -1 if absent (KML off or none). */
static long kml_field(const char *name)
{
	return file_field("/proc/self/arch_status", name);
}

TEST(entry_exactly_in_ring0)
{
	unsigned long entry = getauxval(AT_SYSINFO);

	TH_LOG("CPL %u (expected %u), AT_SYSINFO %#lx", current_cpl(),
	       expected_cpl(), entry);
	ASSERT_EQ(expected_cpl(), current_cpl());
	if (current_cpl() == 0) {
		EXPECT_NE(0, entry);
	} else {
		EXPECT_EQ(0, entry);
	}
}

/*
 * The proof: N getppid() calls through libc are N direct calls in ring 0
 * and no syscall instruction; a ring-3 task makes no ring-0 entries. A
 * static program makes none with the syscall instruction at all: musl
 * takes AT_SYSINFO before its first system call (the counts start at
 * execve). The dynamic loader makes a few before it has read AT_SYSINFO.
 */
TEST(kml_counters)
{
	long ring0, sys0, call0, sys1, call1;
	pid_t ppid = getppid();
	int i;

	ring0 = kml_field("KML_ring0");
	sys0 = kml_field("KML_syscall_insn");
	call0 = kml_field("KML_direct_call");
	for (i = 0; i < GETPPID_CALLS; i++)
		ASSERT_EQ(ppid, getppid());
	sys1 = kml_field("KML_syscall_insn");
	call1 = kml_field("KML_direct_call");
	TH_LOG("CPL %u, KML_ring0 %ld: syscall insn %ld -> %ld, direct call %ld -> %ld around %d getppid()",
	       current_cpl(), ring0, sys0, sys1, call0, call1, GETPPID_CALLS);

	if (current_cpl() == 0) {
		ASSERT_EQ(1, ring0) TH_LOG("no KML_ring0: 1 in /proc/self/arch_status");
		ASSERT_LE(0, sys0);
		ASSERT_LE(0, call0);
		if (!is_dynamic())
			EXPECT_EQ(0, sys0);
		EXPECT_EQ(0, sys1 - sys0);
		/* the reads of arch_status themselves are direct calls too */
		EXPECT_LE(GETPPID_CALLS, call1 - call0);
		return;
	}
	if (ring0 < 0 && sys0 < 0 && call0 < 0)
		SKIP(return, "KML is off or absent: no KML lines in /proc/self/arch_status");
	ASSERT_EQ(0, ring0);
	EXPECT_EQ(0, sys1);
	EXPECT_EQ(0, call1);
}

TEST(getppid_read_write)
{
	char buf[8] = { 0 };
	int p[2];

	EXPECT_EQ(status_field("PPid"), getppid());
	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(5, write(p[1], "lupin", 5));
	EXPECT_EQ(5, read(p[0], buf, sizeof(buf)));
	EXPECT_STREQ("lupin", buf);
	EXPECT_EQ(-1, read(-1, buf, 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, write(p[0], buf, 1));
	EXPECT_EQ(EBADF, errno);
	close(p[0]);
	close(p[1]);
}

/* pread/pwrite take four arguments (r10), mmap six (r8, r9). */
TEST(four_and_six_arguments)
{
	char path[] = "/tmp/libc-kml-XXXXXX";
	long page = sysconf(_SC_PAGESIZE);
	char buf[4] = { 0 };
	char *m;
	int fd;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	unlink(path);
	ASSERT_EQ(0, ftruncate(fd, 2 * page));
	EXPECT_EQ(3, pwrite(fd, "kml", 3, page + 5));
	EXPECT_EQ(3, pread(fd, buf, 3, page + 5));
	EXPECT_STREQ("kml", buf);
	m = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(0, memcmp(m + 5, "kml", 3));
	EXPECT_EQ(0, munmap(m, page));
	close(fd);
}

static void *thread_calls(void *arg)
{
	int *fd = arg;
	pid_t ppid = getppid();
	long i;

	for (i = 0; i < 2000; i++) {
		if (getppid() != ppid || write(fd[1], "", 1) != 1)
			return (void *)1;
	}
	return NULL;
}

TEST(threads)
{
	pthread_t t[4];
	char buf[512];
	long total = 0;
	void *res;
	int p[2], i;
	ssize_t n;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, fcntl(p[0], F_SETFL, O_NONBLOCK));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, thread_calls, p));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &res));
		EXPECT_EQ(NULL, res);
		while ((n = read(p[0], buf, sizeof(buf))) > 0)
			total += n;
	}
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		total += n;
	EXPECT_EQ(4 * 2000, total);
	close(p[0]);
	close(p[1]);
}

struct reader {
	int fd;
	sem_t ready;
	sem_t go;
	int cleaned;
	int defer;
};

static void reader_cleanup(void *arg)
{
	((struct reader *)arg)->cleaned = 1;
}

static void *blocking_reader(void *arg)
{
	struct reader *r = arg;
	char c;

	pthread_cleanup_push(reader_cleanup, r);
	if (r->defer)
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	sem_post(&r->ready);
	if (r->defer) {
		/* Wait for the cancel request, then enable and block. */
		while (sem_trywait(&r->go))
			sched_yield();
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	}
	read(r->fd, &c, 1);
	pthread_cleanup_pop(0);
	return NULL;
}

static void cancel_reader(struct __test_metadata *_metadata, int defer)
{
	struct reader r = { .defer = defer };
	pthread_t t;
	void *res;
	char c;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	r.fd = p[0];
	ASSERT_EQ(0, sem_init(&r.ready, 0, 0));
	ASSERT_EQ(0, sem_init(&r.go, 0, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, blocking_reader, &r));
	ASSERT_EQ(0, sem_wait(&r.ready));
	if (!defer)
		usleep(SETTLE_US);
	ASSERT_EQ(0, pthread_cancel(t));
	if (defer)
		sem_post(&r.go);
	ASSERT_EQ(0, pthread_join(t, &res));
	EXPECT_EQ(PTHREAD_CANCELED, res);
	EXPECT_EQ(1, r.cleaned);
	/* The cancelled read took nothing from the pipe. */
	ASSERT_EQ(1, write(p[1], "x", 1));
	ASSERT_EQ(0, fcntl(p[0], F_SETFL, O_NONBLOCK));
	EXPECT_EQ(1, read(p[0], &c, 1));
	close(p[0]);
	close(p[1]);
}

TEST(cancel_before_read)
{
	cancel_reader(_metadata, 1);
}

TEST(cancel_during_read)
{
	cancel_reader(_metadata, 0);
}

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

struct interrupter {
	pthread_t target;
	int fd;
};

static void *interrupt_then_write(void *arg)
{
	struct interrupter *in = arg;

	usleep(SETTLE_US);
	pthread_kill(in->target, SIGUSR1);
	usleep(SETTLE_US);
	write(in->fd, "r", 1);
	return NULL;
}

static void signal_during_read(struct __test_metadata *_metadata, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };
	struct interrupter in;
	pthread_t t;
	ssize_t n;
	char c = 0;
	int p[2];

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pipe(p));
	in.target = pthread_self();
	in.fd = p[1];
	caught = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, interrupt_then_write, &in));
	n = read(p[0], &c, 1);
	EXPECT_EQ(SIGUSR1, caught);
	if (flags & SA_RESTART) {
		EXPECT_EQ(1, n);
		EXPECT_EQ('r', c);
	} else {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EINTR, errno);
	}
	pthread_join(t, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

TEST(signal_restarts_read)
{
	signal_during_read(_metadata, SA_RESTART);
}

TEST(signal_interrupts_read)
{
	signal_during_read(_metadata, 0);
}

static char *child_env[] = { CHILD_ENV "=1", NULL };

/* In a new child: run this program again as the ring-reporting child. */
static void exec_self_as_child(void)
{
	char *argv[] = { "libc_kml_child", NULL };

	execve(self_path(), argv, child_env);
	_exit(127);
}

/* Wait for child @pid: its exit status, or -1 if it did not exit. */
static int child_exit_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST(fork_exec)
{
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		exec_self_as_child();
	EXPECT_EQ(expected_child_status(), child_exit_status(pid));
}

TEST(vfork_exit_and_exec)
{
	volatile int canary = 0x1abe1;
	pid_t pid;

	pid = vfork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(getppid() > 0 ? 7 : 8);
	EXPECT_EQ(7, child_exit_status(pid));
	EXPECT_EQ(0x1abe1, canary);

	pid = vfork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		exec_self_as_child();
	EXPECT_EQ(expected_child_status(), child_exit_status(pid));
	EXPECT_EQ(0x1abe1, canary);
}

TEST(posix_spawn_child)
{
	char *argv[] = { "libc_kml_child", NULL };
	pid_t pid;
	int st;

	ASSERT_EQ(0, posix_spawn(&pid, self_path(), NULL, NULL, argv, child_env));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(expected_child_status(), WEXITSTATUS(st));
}

static int clone_child(void *arg)
{
	*(volatile pid_t *)arg = getppid();
	return 5;
}

/* The child returns on its own stack and exits from clone()'s wrapper. */
TEST(clone_child_exit)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	volatile pid_t seen = 0;
	pid_t pid;
	int st;

	pid = clone(clone_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, (void *)&seen);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(5, WEXITSTATUS(st));
	EXPECT_EQ(getpid(), seen);
}

static void *detached(void *arg)
{
	sem_post(arg);
	return NULL;
}

/* Detached threads free their own stack on exit (__unmapself). */
TEST(detached_thread_exit)
{
	pthread_attr_t a;
	pthread_t t;
	sem_t done;
	int i;

	ASSERT_EQ(0, sem_init(&done, 0, 0));
	ASSERT_EQ(0, pthread_attr_init(&a));
	ASSERT_EQ(0, pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED));
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, pthread_create(&t, &a, detached, &done));
		ASSERT_EQ(0, sem_wait(&done));
	}
	usleep(SETTLE_US / 10);
	EXPECT_EQ(getppid(), status_field("PPid"));
}

/* Only the dynamic build has a loader to dlopen() with. */
#ifdef LIBC_KML_DYNAMIC
TEST(dlopen_library)
{
	char path[4096], *slash;
	long (*fn)(void);
	void *h;

	snprintf(path, sizeof(path), "%s", self_path());
	slash = strrchr(path, '/');
	ASSERT_NE(NULL, slash);
	snprintf(slash + 1, sizeof(path) - (slash + 1 - path), "libc_kml_dso.so");
	h = dlopen(path, RTLD_NOW);
	ASSERT_NE(NULL, h) TH_LOG("dlopen %s: %s", path, dlerror());
	fn = (long (*)(void))dlsym(h, "dso_getppid");
	ASSERT_NE(NULL, fn);
	EXPECT_EQ(getppid(), fn());
	EXPECT_EQ(0, dlclose(h));
}
#endif

TEST_HARNESS_MAIN
