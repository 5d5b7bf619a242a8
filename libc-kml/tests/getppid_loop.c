// SPDX-License-Identifier: GPL-2.0
/*
 * getppid_loop.c - guest instructions per getppid() through libc-kml
 *
 * Calls getppid() through the C library in a loop and prints the cost per
 * call from CLOCK_MONOTONIC (vDSO, no system call). Under QEMU's -icount
 * shift=0 the clock counts guest instructions, so the figure is exact and
 * the same in every run: compare ring 3 (no AT_SYSINFO: the syscall
 * instruction) with ring 0 (the KML direct call). A benchmark; it reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "kml_ring.h"

#define ROUNDS 5

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A KML count of /proc/self/arch_status; -1 without KML. */
static long kml_count(const char *name)
{
	size_t len = strlen(name);
	char line[128];
	long val = -1;
	FILE *f;

	f = fopen("/proc/self/arch_status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			val = atol(line + len + 1);
	fclose(f);
	return val;
}

int main(int argc, char **argv)
{
	long sys0, call0;
	long calls = argc > 1 ? atol(argv[1]) : 20000;
	long long t0, t1, best = -1;
	long i;
	int r;

	if (calls <= 0) {
		fprintf(stderr, "usage: %s [CALLS]\n", argv[0]);
		return 2;
	}
	sys0 = kml_count("KML_syscall_insn");
	call0 = kml_count("KML_direct_call");
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		for (i = 0; i < calls; i++)
			getppid();
		t1 = now_ns();
		if (best < 0 || t1 - t0 < best)
			best = t1 - t0;
	}
	printf("getppid via libc-kml: %.1f ns per call (best of %d rounds of %ld), CPL %u, %s\n",
	       (double)best / calls, ROUNDS, calls, current_cpl(),
	       getauxval(32) ? "AT_SYSINFO present" : "no AT_SYSINFO");
	if (sys0 >= 0 && call0 >= 0)
		printf("kernel entries from ring 0 during the loops: %ld by direct call, %ld by syscall instruction\n",
		       kml_count("KML_direct_call") - call0,
		       kml_count("KML_syscall_insn") - sys0);
	return 0;
}
