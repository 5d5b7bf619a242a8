// SPDX-License-Identifier: GPL-2.0
/*
 * The program that gdb and strace attach to (scripts/check/runtimes). It prints
 * its PID and ring, waits until a debugger sets "go", calls work() (five
 * getppid() calls: the direct call when built with kml-gcc, then report()), then waits for
 * SIGUSR1 and makes ten more getppid() calls for strace to see. Exits 0 if
 * every result was right, 1 if one was wrong, 2 if a wait took more than a
 * minute.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile int go;
static volatile sig_atomic_t usr1;

/* A number from /proc/self/arch_status ("KML_ring0:\t1"); -1 if none. */
static long arch_status(const char *key)
{
	FILE *f = fopen("/proc/self/arch_status", "r");
	size_t len = strlen(key);
	char line[128];
	long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = strtol(line + len + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* Where gdb reads the sum, three frames deep. */
__attribute__((noinline)) long report(long sum)
{
	__asm__ volatile("" : : "r"(sum) : "memory");
	return sum;
}

__attribute__((noinline)) long work(int n)
{
	long sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += getppid();
	return report(sum);
}

static void on_usr1(int sig)
{
	usr1 = sig;
}

int main(void)
{
	struct timespec ms = { 0, 1000000 };
	long want = getppid();
	int i, bad = 0;

	signal(SIGUSR1, on_usr1);
	printf("debuggee %d ring %d\n", getpid(),
	       arch_status("KML_ring0") == 1 ? 0 : 3);
	fflush(stdout);
	for (i = 0; !go; i++) {
		if (i == 60000)
			return 2;
		nanosleep(&ms, NULL);
	}
	bad |= work(5) != 5 * want;
	printf("work %s\n", bad ? "wrong" : "right");
	fflush(stdout);
	for (i = 0; !usr1; i++) {
		if (i == 60000)
			return 2;
		nanosleep(&ms, NULL);
	}
	for (i = 0; i < 10; i++)
		bad |= getppid() != want;
	printf("debuggee done %s, direct calls %ld\n", bad ? "wrong" : "right",
	       arch_status("KML_direct_call"));
	return bad;
}
