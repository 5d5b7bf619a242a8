// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_probe.c - cost of a few system calls, as a small table
 *
 * Times getppid, a read of zero bytes and a one-byte write to /dev/null,
 * each issued with the syscall instruction in a tight loop (and, in a
 * ring-0 task of Kernel Mode Linux, through the direct call from AT_SYSINFO), and prints the
 * median, lowest and highest cost per call over several rounds. Time comes
 * from CLOCK_MONOTONIC through the vDSO, so the clock itself costs no system
 * call. Under QEMU's -icount shift=0 the guest clock advances one nanosecond
 * per instruction: pass --icount and the table says instructions, and the
 * figures are the same in every run. This is a benchmark: it reports, it
 * does not pass or fail on a number.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kml_ring.h"

#define ROUNDS 7
#define DEFAULT_CALLS 20000

/* The KML direct-call entry, from AT_SYSINFO; zero where there is none. */
static unsigned long kml_entry;

static long raw_syscall3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a), "S" (b), "d" (c)
		      : "rcx", "r11", "memory");
	return ret;
}

static long direct_call3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile ("call *%[entry]"
		      : "=a" (ret)
		      : "a" (nr), "D" (a), "S" (b), "d" (c),
			[entry] "m" (kml_entry)
		      : "rcx", "r11", "memory", "cc");
	return ret;
}

struct op {
	const char *name;
	long nr, a, b, c;
};

typedef long (*call_fn)(long nr, long a, long b, long c);

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double measure(call_fn call, const struct op *op, long calls)
{
	long long start, end;
	long i;

	start = now_ns();
	for (i = 0; i < calls; i++)
		call(op->nr, op->a, op->b, op->c);
	end = now_ns();
	return (double)(end - start) / calls;
}

int main(int argc, char **argv)
{
	static char byte = 'x';
	static char buf[1];
	long calls = DEFAULT_CALLS;
	const char *unit = "ns";
	double r[ROUNDS];
	int zero, null, i, k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--icount"))
			unit = "instructions";
		else if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			calls = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--icount] [--calls N]\n", argv[0]);
			return 2;
		}
	}
	if (calls <= 0) {
		fprintf(stderr, "%s: --calls must be positive\n", argv[0]);
		return 2;
	}
	zero = open("/dev/zero", O_RDONLY);
	null = open("/dev/null", O_WRONLY);
	if (zero < 0 || null < 0) {
		perror("open /dev/zero, /dev/null");
		return 1;
	}

	const struct op ops[] = {
		{ "getppid", SYS_getppid, 0, 0, 0 },
		{ "read(0 bytes)", SYS_read, zero, (long)buf, 0 },
		{ "write(1 byte, /dev/null)", SYS_write, null, (long)&byte, 1 },
	};

	kml_entry = getauxval(32);

	static const struct {
		const char *how;
		call_fn call;
	} paths[] = {
		{ "syscall", raw_syscall3 },
		{ "direct call", direct_call3 },
	};
	int p, npaths = kml_entry ? 2 : 1;

	printf("| system call | path | %s per call (median) | min | max |\n", unit);
	printf("|---|---|---:|---:|---:|\n");
	for (k = 0; k < (int)(sizeof(ops) / sizeof(ops[0])); k++) {
		for (p = 0; p < npaths; p++) {
			call_fn call = paths[p].call;

			if (call(ops[k].nr, ops[k].a, ops[k].b, ops[k].c) < 0) {
				fprintf(stderr, "%s fails: cannot time it\n", ops[k].name);
				return 1;
			}
			measure(call, &ops[k], calls / 10 + 1);
			for (i = 0; i < ROUNDS; i++)
				r[i] = measure(call, &ops[k], calls);
			qsort(r, ROUNDS, sizeof(r[0]), cmp_double);
			printf("| %s | %s | %.1f | %.1f | %.1f |\n", ops[k].name,
			       paths[p].how, r[ROUNDS / 2], r[0], r[ROUNDS - 1]);
		}
	}
	printf("\n%d rounds of %ld calls each, CPL %u%s\n", ROUNDS, calls,
	       current_cpl(), kml_entry ? ", direct call from AT_SYSINFO" : "");
	return 0;
}
