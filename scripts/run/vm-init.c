// SPDX-License-Identifier: GPL-2.0
/*
 * vm-init.c - PID 1 of the VMs that scripts/run/vm boots.
 *
 * It mounts the pseudo file systems, marks the files listed in /lupine/trust
 * for ring 0, runs the command that scripts/run/vm stored in /lupine/cmd
 * with the console as stdio, reports the kernel log's warnings, oopses and BUGs (see
 * report_kernel_log()) and the command's exit status on lines tagged with
 * the run's token from /lupine/token, and reboots. With /lupine/settle
 * present (scripts/run/vm --settle) it first waits until the guest's CPUs
 * are idle (see settle()). The VM runs with QEMU's
 * -no-reboot and the kernel's reboot=t, so the reboot ends it. The token
 * keeps output of the command from passing for a report.
 *
 * Marking is the administrator's step of Kernel Mode Linux: the extended
 * attribute security.kml = "1", which only a task with CAP_SYS_MODULE may
 * set (this init has every capability). On a KML kernel booted with kml=on,
 * a marked program executed by root runs in ring 0, and maps code only from
 * marked files (its loader and libraries, which scripts/run/vm lists too).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "init-common.h"
#include "../eval/insn-marks.h"

static char token[64] = "none";

static void say(const char *fmt, const char *a, long long n)
{
	fprintf(stderr, fmt, a, n);
	fflush(stderr);
}

/* Is kml=on on the kernel command line? */
static int kml_on(void)
{
	char *buf, *tok, *save;
	size_t len;
	int on = 0;

	buf = slurp("/proc/cmdline", &len);
	if (!buf)
		return 0;
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strncmp(tok, "kml=", 4))
			on = !strcmp(tok + 4, "on");
	free(buf);
	return on;
}

/*
 * Mark every file listed in /lupine/trust (one guest path per line) with
 * security.kml. A kernel without KML or without TMPFS_XATTR refuses the
 * attribute: that matters, and is reported, only with kml=on.
 */
static void mark_trusted(void)
{
	char *list, *path, *save;
	int loud = kml_on();
	size_t len;

	/* Any length: a language runtime's library has thousands of files. */
	list = slurp("/lupine/trust", &len);
	if (!list) {
		if (errno != ENOENT)
			perror("lupine-init: /lupine/trust");
		return;
	}
	for (path = strtok_r(list, "\n", &save); path; path = strtok_r(NULL, "\n", &save))
		if (setxattr(path, "security.kml", "1", 1, 0) && loud)
			fprintf(stderr, "lupine-init: cannot mark %s for ring 0: %s\n",
				path, strerror(errno));
	free(list);
}

/* CPU time of every CPU so far, from /proc/stat's "cpu" line, in ticks. */
static int cpu_ticks(unsigned long long *busy, unsigned long long *all)
{
	unsigned long long v[8] = { 0 };
	size_t len;
	char *buf;
	int i, n;

	buf = slurp("/proc/stat", &len);
	if (!buf)
		return -1;
	/* user nice system idle iowait irq softirq steal */
	n = sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	free(buf);
	if (n < 5)
		return -1;
	*all = 0;
	for (i = 0; i < 8; i++)
		*all += v[i];
	*busy = *all - v[3] - v[4];
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Wait until the guest is idle: at most SETTLE_BUSY_PCT percent of the CPU
 * time of a SETTLE_WINDOW_MS window of guest time was busy (not idle, not
 * waiting for I/O), for at most SETTLE_MAX_MS. A kernel can go on working
 * after init runs: Debian's runs its crypto self-tests in kernel threads
 * (cryptomgr_test), for up to 2 s of guest time under -icount, which a
 * benchmark started at once would count as its own. Report the guest
 * nanoseconds waited, or -1 when the guest stayed busy, on a line tagged
 * with the token, and the busy share of the last window in percent (-1
 * when /proc/stat could not be read).
 */
#define SETTLE_WINDOW_MS	500
#define SETTLE_BUSY_PCT		5
#define SETTLE_MAX_MS		60000

static void settle(void)
{
	struct timespec win = { 0, SETTLE_WINDOW_MS * 1000000L };
	unsigned long long busy0, all0, busy1, all1;
	long long start = now_ns(), waited;
	int pct = -1;
	char line[128];

	if (access("/lupine/settle", F_OK))
		return;
	for (;;) {
		if (cpu_ticks(&busy0, &all0))
			break;
		nanosleep(&win, NULL);
		if (cpu_ticks(&busy1, &all1))
			break;
		waited = now_ns() - start;
		if (all1 > all0 && busy1 >= busy0) {
			pct = (int)((busy1 - busy0) * 100 / (all1 - all0));
			if ((busy1 - busy0) * 100 <= SETTLE_BUSY_PCT * (all1 - all0)) {
				snprintf(line, sizeof(line), "lupine-settle-%s: %lld %d\n",
					 token, waited, pct);
				goto out;
			}
		}
		if (waited >= SETTLE_MAX_MS * 1000000LL)
			break;
	}
	snprintf(line, sizeof(line), "lupine-settle-%s: -1 %d\n", token, pct);
out:
	fputs(line, stderr);
	fflush(stderr);
}

static void finish(int status)
{
	char tag[96];

	snprintf(tag, sizeof(tag), "lupine-klog-%s", token);
	report_kernel_log(tag);
	fprintf(stderr, "\nlupine-exit-%s: %d\n", token, status);
	fflush(stderr);
	/* Let the UART send everything before the reboot cuts it off. */
	tcdrain(STDERR_FILENO);
	sync();
	reboot(RB_AUTOBOOT);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int main(void)
{
	char *cmd, *tok, **argv;
	size_t len, i, argc = 0;
	pid_t pid, w;
	int status;

	/*
	 * Init runs: the marker that ends the count of scripts/eval/insn-hot.c
	 * (boot-profile). A NOP, with or without the plugin.
	 */
	__asm__ volatile(INSN_MARK_ASM(INSN_MARK_OPEN_BYTES) ::: "memory");
	init_system();
	mark_trusted();

	tok = slurp("/lupine/token", &len);
	if (tok) {
		tok[strcspn(tok, "\n")] = '\0';
		snprintf(token, sizeof(token), "%s", tok);
		free(tok);
	}
	say("lupine-up-%s: %lld\n", token, now_ns());
	settle();

	/* The arguments, each ended by a NUL; as many as the runner wrote. */
	cmd = slurp("/lupine/cmd", &len);
	for (i = 0; cmd && i < len; i += strlen(cmd + i) + 1)
		argc++;
	argv = calloc(argc + 1, sizeof(*argv));
	if (!argv || argc == 0) {
		fprintf(stderr, "lupine-init: no command in /lupine/cmd\n");
		finish(127);
	}
	for (argc = 0, i = 0; i < len; i += strlen(cmd + i) + 1)
		argv[argc++] = cmd + i;

	setenv("PATH", "/usr/local/bin:/bin:/sbin:/usr/bin:/usr/sbin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "linux", 1);

	pid = fork();
	if (pid < 0) {
		perror("lupine-init: fork");
		finish(127);
	}
	if (pid == 0) {
		console_session();
		chdir("/");
		execvp(argv[0], argv);
		fprintf(stderr, "lupine-init: %s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	do {
		w = wait(&status);
	} while (w != pid && !(w < 0 && errno == ECHILD));
	if (w < 0)
		finish(127);
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "lupine-init: %s killed by signal %d (%s)\n",
			argv[0], WTERMSIG(status), strsignal(WTERMSIG(status)));
		finish(128 + WTERMSIG(status));
	}
	finish(WEXITSTATUS(status));
	return 0;
}
