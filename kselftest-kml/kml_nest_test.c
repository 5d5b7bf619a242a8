// SPDX-License-Identifier: GPL-2.0
/*
 * kml_nest_test - events that nest in NMI handlers, under load
 *
 * Run it with NMIs injected from the host (scripts/run/vm --nmi-rate) on a
 * kernel with CONFIG_KML_NMI_TEST, whose NMI handler reads user memory and
 * so takes a page fault inside every NMI. Meanwhile workers in ring 0 (this
 * program, when it runs from the trusted directory with kml=on) and in
 * ring 3 (an unmarked copy of it) take page faults, timer signals and system
 * calls, and check that nothing they hold changes under them: registers
 * across system calls and interrupts, the red zone below their stack
 * pointer, the pages they fault in. A frame of an interrupted event that a
 * nested event overwrote would return to the wrong place or with the wrong
 * registers: a worker fails or dies, or the kernel logs a splat.
 *
 *   kml_nest_test [SECONDS]        (default 30; output KTAP)
 *
 * The last case reads the hook's counts: how many NMIs hit a frame on the
 * entry stack, the window the nesting protocol guards. It is skipped on a
 * kernel without the hook.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kml_ring.h"

#ifndef AT_SYSINFO
#define AT_SYSINFO 32
#endif

#define WORKERS		2
#define PAGES		16
#define COUNTS		"/sys/module/kml_nmi_test/parameters/counts"
#define RING3_COPY	"/tmp/kml_nest_test_ring3"

static unsigned long entry;
static volatile unsigned long ticks;

static void tick(int sig)
{
	ticks++;
}

/*
 * getppid with callee-saved registers and the red zone set to known
 * values; returns the number of those that changed.
 */
static long checked_call(void)
{
	long bad, ret;

	asm volatile (
		"	pushq	%%rbx\n"
		"	pushq	%%rbp\n"
		"	pushq	%%r12\n"
		"	pushq	%%r13\n"
		"	pushq	%%r14\n"
		"	pushq	%%r15\n"
		"	subq	$256, %%rsp\n"
		RED_ZONE_FILL
		"	movq	%%rax, %%rbx\n"
		"	movq	%%rax, %%rbp\n"
		"	movq	%%rax, %%r12\n"
		"	movq	%%rax, %%r13\n"
		"	movq	%%rax, %%r14\n"
		"	movq	%%rax, %%r15\n"
		"	movl	$110, %%eax\n"		/* getppid */
		"	testq	%[entry], %[entry]\n"
		"	jz	2f\n"
		"	subq	$128, %%rsp\n"		/* the call's own pushes */
		"	call	*%[entry]\n"
		"	addq	$128, %%rsp\n"
		"	jmp	3f\n"
		"2:	syscall\n"
		"3:	movq	%%rax, %[ret]\n"
		"	movq	$0x5a5a5a5a5a5a5a5a, %%rax\n"
		"	xorl	%k[bad], %k[bad]\n"
		RED_ZONE_COUNT("%[bad]")
		"	cmpq	%%rax, %%rbx\n"
		"	je	6f\n"
		"	incq	%[bad]\n"
		"6:	cmpq	%%rax, %%rbp\n"
		"	je	7f\n"
		"	incq	%[bad]\n"
		"7:	cmpq	%%rax, %%r12\n"
		"	je	8f\n"
		"	incq	%[bad]\n"
		"8:	cmpq	%%rax, %%r15\n"
		"	je	9f\n"
		"	incq	%[bad]\n"
		"9:	addq	$256, %%rsp\n"
		"	popq	%%r15\n"
		"	popq	%%r14\n"
		"	popq	%%r13\n"
		"	popq	%%r12\n"
		"	popq	%%rbp\n"
		"	popq	%%rbx\n"
		: [bad] "=&d" (bad), [ret] "=&D" (ret)
		: [entry] "S" (entry)
		: "rax", "rcx", "r8", "r9", "r10", "r11", "memory", "cc");
	if (ret != getppid())
		bad++;
	return bad;
}

/* One worker: runs until @deadline; returns the number of rounds, or -1. */
static long worker(time_t deadline)
{
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	long rounds = 0;
	int i;

	signal(SIGALRM, tick);
	setitimer(ITIMER_REAL, &it, NULL);
	while (time(NULL) < deadline) {
		unsigned char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		for (i = 0; i < PAGES; i++)
			p[i * 4096 + (rounds % 4096)] = (unsigned char)(i + rounds);
		for (i = 0; i < PAGES; i++) {
			if (p[i * 4096 + (rounds % 4096)] != (unsigned char)(i + rounds)) {
				fprintf(stderr, "page %d lost its byte\n", i);
				return -1;
			}
		}
		munmap(p, PAGES * 4096);
		for (i = 0; i < 64; i++) {
			if (checked_call()) {
				fprintf(stderr, "registers or red zone changed across a call\n");
				return -1;
			}
		}
		rounds++;
	}
	return rounds;
}

/* Start WORKERS workers of program @prog (NULL: this process, forked). */
static int run_workers(const char *prog, int seconds, long *rounds)
{
	time_t deadline = time(NULL) + seconds;
	pid_t pids[WORKERS];
	int i, status, ok = 1;
	char arg[32];

	*rounds = 0;
	snprintf(arg, sizeof(arg), "%ld", (long)deadline);
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return 0;
		if (pids[i] == 0) {
			long n;

			if (prog) {
				execl(prog, prog, "--worker", arg, (char *)NULL);
				_exit(2);
			}
			n = worker(deadline);
			printf("# worker %d in ring %u: %ld rounds\n", getpid(),
			       current_cpl(), n);
			fflush(stdout);
			_exit(n < 0 ? 1 : 0);
		}
	}
	for (i = 0; i < WORKERS; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# worker %d: %s %d\n", pids[i],
			       WIFSIGNALED(status) ? "killed by signal" : "exit",
			       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			ok = 0;
		} else {
			(*rounds)++;
		}
	}
	return ok;
}

int main(int argc, char **argv)
{
	unsigned long nmis, windows, faults;
	int seconds = 30, ok0, ok3, other, status = 0;
	long done0 = 0;
	FILE *f;

	entry = getauxval(AT_SYSINFO);
	if (argc == 3 && !strcmp(argv[1], "--worker")) {
		long n = worker((time_t)atol(argv[2]));

		printf("# worker %d in ring %u: %ld rounds\n", getpid(),
		       current_cpl(), n);
		return n < 0 ? 1 : 0;
	}
	if (argc > 1)
		seconds = atoi(argv[1]);
	if (seconds <= 0) {
		fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
		return 2;
	}

	printf("TAP version 13\n1..3\n");
	printf("# %d workers in ring %u and %d in an unmarked copy, %d s\n",
	       WORKERS, current_cpl(), WORKERS, seconds);
	fflush(stdout);
	if (kml_copy_file("/proc/self/exe", RING3_COPY, 0755)) {
		printf("Bail out! cannot copy the program to %s: %s\n",
		       RING3_COPY, strerror(errno));
		return 1;
	}
	/* Both sets at once: the copy's workers exec, this one's fork. */
	other = fork();
	if (other == 0) {
		long n;

		n = run_workers(RING3_COPY, seconds, &n);
		fflush(stdout);
		_exit(n ? 0 : 1);
	}
	ok0 = run_workers(NULL, seconds, &done0);
	ok3 = other > 0 && waitpid(other, &status, 0) == other &&
	      WIFEXITED(status) && !WEXITSTATUS(status);
	unlink(RING3_COPY);
	printf("%s 1 workers in ring %u\n", ok0 ? "ok" : "not ok", current_cpl());
	printf("%s 2 workers of the unmarked copy (ring 3)\n", ok3 ? "ok" : "not ok");

	f = fopen(COUNTS, "r");
	if (!f) {
		printf("ok 3 NMIs hit the entry stack # SKIP no %s (CONFIG_KML_NMI_TEST)\n",
		       COUNTS);
		return ok0 && ok3 ? 0 : 1;
	}
	if (fscanf(f, "%lu %lu %lu", &nmis, &windows, &faults) != 3)
		nmis = windows = faults = 0;
	fclose(f);
	printf("# NMIs %lu, of them on a frame on the entry stack %lu, faulting reads %lu\n",
	       nmis, windows, faults);
	printf("%s 3 NMIs hit the entry stack\n", windows ? "ok" : "not ok");
	return ok0 && ok3 && windows ? 0 : 1;
}
