// SPDX-License-Identifier: GPL-2.0
/*
 * vm-init.c - PID 1 of the VMs that scripts/vm boots.
 *
 * It mounts the pseudo file systems, marks the files listed in /lupine/trust
 * for ring 0, runs the command that scripts/vm stored in /lupine/cmd with the
 * console as stdio, reports the kernel log's warnings, oopses and BUGs (see
 * report_kernel_log()) and the command's exit status on lines tagged with
 * the run's token from /lupine/token, and reboots. The VM runs with QEMU's
 * -no-reboot and the kernel's reboot=t, so the reboot ends it. The token
 * keeps output of the command from passing for a report.
 *
 * Marking is the administrator's step of Kernel Mode Linux: the extended
 * attribute security.kml = "1", which only a task with CAP_SYS_MODULE may
 * set (this init has every capability). On a KML kernel booted with kml=on,
 * a marked program executed by root runs in ring 0, and maps code only from
 * marked files (its loader and libraries, which scripts/vm lists too).
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

#define MAX_ARGS 256

static char token[64] = "none";

static void say(const char *fmt, const char *a, long long n)
{
	fprintf(stderr, fmt, a, n);
	fflush(stderr);
}

static ssize_t slurp(const char *path, char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* Is kml=on on the kernel command line? */
static int kml_on(void)
{
	char buf[4096], *tok, *save;
	int on = 0;

	if (slurp("/proc/cmdline", buf, sizeof(buf)) <= 0)
		return 0;
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strncmp(tok, "kml=", 4))
			on = !strcmp(tok + 4, "on");
	return on;
}

/*
 * Mark every file listed in /lupine/trust (one guest path per line) with
 * security.kml. A kernel without KML or without TMPFS_XATTR refuses the
 * attribute: that matters, and is reported, only with kml=on.
 */
static void mark_trusted(void)
{
	static char list[65536];
	char *path, *save;
	int loud = kml_on();

	if (slurp("/lupine/trust", list, sizeof(list)) <= 0)
		return;
	for (path = strtok_r(list, "\n", &save); path; path = strtok_r(NULL, "\n", &save))
		if (setxattr(path, "security.kml", "1", 1, 0) && loud)
			fprintf(stderr, "lupine-init: cannot mark %s for ring 0: %s\n",
				path, strerror(errno));
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
	static char cmd[65536];
	char *argv[MAX_ARGS + 1];
	struct timespec ts;
	int argc = 0, status;
	ssize_t len, i;
	pid_t pid, w;

	init_system();
	mark_trusted();

	len = slurp("/lupine/token", token, sizeof(token));
	if (len > 0 && token[len - 1] == '\n')
		token[len - 1] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &ts);
	say("lupine-up-%s: %lld\n", token,
	    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);

	len = slurp("/lupine/cmd", cmd, sizeof(cmd));
	for (i = 0; i < len && argc < MAX_ARGS; i += strlen(cmd + i) + 1)
		argv[argc++] = cmd + i;
	argv[argc] = NULL;
	if (argc == 0) {
		fprintf(stderr, "lupine-init: no command in /lupine/cmd\n");
		finish(127);
	}

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
