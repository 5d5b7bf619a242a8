/* SPDX-License-Identifier: GPL-2.0 */
/*
 * init-common.h - what every PID 1 of lupine's guests does first
 *
 * Shared by scripts/run/vm-init.c (the test VMs) and scripts/build/image-init.c
 * (the init of root file systems made from container images): mount devtmpfs
 * and take the console as stdio, then mount /proc, /sys and the tmpfs and
 * devpts file systems, and make the /dev/fd and /dev/std* links that udev
 * would. At the end of the run, report_kernel_log() tells the runner whether
 * the kernel logged a warning, oops or BUG meanwhile.
 */
#ifndef LUPINE_INIT_COMMON_H
#define LUPINE_INIT_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/*
 * Read a whole file, of any size and also one of /proc (whose size stat()
 * does not know), into a NUL-terminated buffer of malloc(). NULL on error
 * (errno set); *lenp gets the length without the NUL.
 */
static char *slurp(const char *path, size_t *lenp)
{
	size_t len = 0, size = 4096;
	char *buf = malloc(size), *bigger;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf)
		goto fail;
	for (;;) {
		if (len + 1 == size) {
			bigger = realloc(buf, size * 2);
			if (!bigger)
				goto fail;
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	n = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = n;
	return NULL;
}

static void mnt(const char *src, const char *dir, const char *type,
		const char *opts, int required)
{
	int err;

	mkdir(dir, 0755);
	err = mount(src, dir, type, 0, opts) ? errno : 0;
	/*
	 * A kernel without CONFIG_SHMEM (lupine-base) has a "tmpfs" that is
	 * ramfs but takes no options: use ramfs itself.
	 */
	if (err == EINVAL && !strcmp(type, "tmpfs"))
		err = mount("ramfs", dir, "ramfs", 0, opts) ? errno : 0;
	if (err && (required || err != ENODEV))
		fprintf(stderr, "lupine-init: mount %s on %s: %s\n", type, dir,
			strerror(err));
}

static void init_system(void)
{
	int fd;

	mnt("devtmpfs", "/dev", "devtmpfs", NULL, 1);
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	mnt("proc", "/proc", "proc", NULL, 1);
	symlink("/proc/self/fd", "/dev/fd");
	symlink("/proc/self/fd/0", "/dev/stdin");
	symlink("/proc/self/fd/1", "/dev/stdout");
	symlink("/proc/self/fd/2", "/dev/stderr");
	mnt("sysfs", "/sys", "sysfs", NULL, 1);
	mnt("tmpfs", "/tmp", "tmpfs", "mode=1777", 1);
	mnt("tmpfs", "/dev/shm", "tmpfs", "mode=1777", 0);
	mnt("devpts", "/dev/pts", "devpts", NULL, 0);
}

static pid_t console_child;

/*
 * Pass on a signal another process sent (kill(2): si_code <= 0). Those of the
 * terminal (SIGINT, SIGHUP, ...) already reach the whole foreground process
 * group, the program with it.
 */
static void console_forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (console_child > 0 && si->si_code <= 0)
		kill(console_child, sig);
}

/*
 * Start a session on the console for the program and return in a child that
 * runs it. The session leader is a process of its own that waits for the
 * program and exits as it did, but only once the console has sent all its
 * output: when a session leader exits, the hangup of its terminal throws
 * away what the UART has not sent yet, which were the last lines of a
 * program that wrote quickly and exited. The program is not the leader, so
 * its process group and the SIGHUP that processes it leaves behind get are
 * as before. The signals an init passes on (SIGTERM, SIGINT, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2) reach the leader, which passes them on to the
 * program. Never returns in the leader.
 */
static void console_session(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
				    SIGUSR2 };
	struct sigaction sa = { .sa_sigaction = console_forward,
				.sa_flags = SA_SIGINFO };
	unsigned int i;
	int status;
	pid_t pid, w;

	setsid();
	ioctl(0, TIOCSCTTY, 0);
	/* Forward from before the fork: no signal is lost in between. */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	pid = fork();
	if (pid < 0) {
		perror("lupine-init: fork");
		_exit(127);
	}
	if (pid == 0) {
		sa.sa_handler = SIG_DFL;
		sa.sa_flags = 0;
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], &sa, NULL);
		return;
	}
	console_child = pid;

	do {
		w = waitpid(pid, &status, 0);
	} while (w < 0 && errno == EINTR);
	tcdrain(STDOUT_FILENO);
	tcdrain(STDERR_FILENO);
	if (w < 0)
		_exit(127);
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		kill(getpid(), WTERMSIG(status));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WEXITSTATUS(status));
}

/*
 * The kernel log lines that make a run fail (an extended regular
 * expression): the first line of a WARN() in either format (7.3: "WARNING:
 * FILE:LINE at ..." or "WARNING: at ...", 6.12: "WARNING: CPU: N PID: N
 * at ..."), BUG() and the "BUG:" reports, an oops, the "cut here" line, the
 * stack dump that lockdep, RCU and the rest print ("Call Trace:"), and the
 * page attribute code's W^X check. A printk that merely begins with
 * "WARNING:" (the deprecated "mand" mount option) is none of these.
 * scripts/lib.sh (SPLAT_RE) judges saved logs with the same expression.
 */
#define SPLAT_RE "WARNING: CPU: |WARNING: at |WARNING: [^ ]+:[0-9]+ at |" \
		 "BUG:|Oops:|cut here|Call Trace:|W\\^X violation"

#define SPLAT_LINES_MAX 40

/*
 * report_kernel_log - Report the kernel log's splats to the runner
 * @tag: the prefix of the report lines, "lupine-klog-TOKEN" or
 *	 "lupine-app-klog"
 *
 * Reads the whole kernel log (syslog(2), what dmesg reads), prints each line
 * that carries a splat mark and the lines after it (at most
 * SPLAT_LINES_MAX in all) as "TAG: LINE", then "TAG-count: N", the number of
 * marked lines (-1 if the log cannot be read). The runner takes these lines
 * out of the console output and fails the run on N != 0.
 */
static void report_kernel_log(const char *tag)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	int len, marked = 0, shown = 0, after = 0;
	char *buf, *line, *save;
	regex_t splat;

	buf = size > 0 ? malloc(size + 1) : NULL;
	len = buf ? klogctl(3, buf, size) : -1;	/* SYSLOG_ACTION_READ_ALL */
	if (len >= 0 && regcomp(&splat, SPLAT_RE, REG_EXTENDED | REG_NOSUB))
		len = -1;
	if (len < 0) {
		fprintf(stderr, "\n%s-count: -1\n", tag);
		free(buf);
		return;
	}
	buf[len] = '\0';
	fputc('\n', stderr);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!regexec(&splat, line, 0, NULL, 0)) {
			marked++;
			after = 12;
		} else if (after > 0) {
			after--;
		} else {
			continue;
		}
		if (shown++ < SPLAT_LINES_MAX)
			fprintf(stderr, "%s: %s\n", tag,
				line[0] == '<' && strchr(line, '>') ?
				strchr(line, '>') + 1 : line);
	}
	fprintf(stderr, "%s-count: %d\n", tag, marked);
	regfree(&splat);
	free(buf);
}

#endif /* LUPINE_INIT_COMMON_H */
