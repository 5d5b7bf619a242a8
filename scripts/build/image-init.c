// SPDX-License-Identifier: GPL-2.0
/*
 * image-init.c - PID 1 of a root file system made by
 * scripts/build/image2rootfs.
 *
 * It starts the program of a container image the way a container runtime
 * would: ENTRYPOINT followed by CMD as the arguments, ENV as the
 * environment, WORKDIR as the working directory and USER as the identity.
 * image2rootfs stores them in /lupine/app as pairs of NUL-terminated
 * strings, a key and its value:
 *
 *   arg      one argument: those of ENTRYPOINT, then those of CMD; the first
 *            is the program, looked up in the image's PATH
 *   env      one NAME=VALUE of ENV
 *   workdir  WORKDIR (default /; made when missing)
 *   user     USER: uid, name, uid:gid, name:group (default root); a name is
 *            looked up in the image's /etc/passwd and /etc/group, and the
 *            user's supplementary groups come from /etc/group
 *
 * HOME comes from /etc/passwd (or is /) unless ENV sets it, PATH is Docker's
 * default unless ENV sets it. The init mounts /proc, /sys, devtmpfs on /dev
 * and tmpfs on /tmp, prints "lupine-app-up: NS" (the boot-to-init time) and
 * runs the program with the console as stdio. As PID 1 it reaps every
 * orphan and passes SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 on
 * to the program. When the program ends, it reports its exit status on the
 * console as "lupine-app-exit: N" (128 + signal number for a killed
 * program; 126 when it cannot be started, 127 when it is not found), ends
 * what is left and reboots: under QEMU's -no-reboot that ends the VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../run/init-common.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define APP_FILE "/lupine/app"
#define MAX_ARGS 4096
#define MAX_GROUPS 256
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct app {
	char *argv[MAX_ARGS + 1];
	int argc;
	char *env[MAX_ARGS];
	int envc;
	const char *workdir;
	const char *user;
};

struct ids {
	uid_t uid;
	gid_t gid;
	char name[256];		/* the user's name in /etc/passwd, or "" */
	char home[PATH_MAX];
	gid_t groups[MAX_GROUPS];
	int ngroups;
};

/*
 * The program's pid, for the signal handler to pass signals on to; set
 * before the init waits, and only read by the handler.
 */
static pid_t app_pid;

static void finish(int status)
{
	report_kernel_log("lupine-app-klog");
	fprintf(stderr, "\nlupine-app-exit: %d\n", status);
	fflush(stderr);
	sync();
	reboot(RB_AUTOBOOT);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static int load_app(struct app *app)
{
	char *buf, *key, *val, *end;
	size_t len;

	buf = slurp(APP_FILE, &len);
	if (!buf) {
		fprintf(stderr, "lupine-init: %s: %s\n", APP_FILE, strerror(errno));
		return -1;
	}
	end = buf + len;
	for (key = buf; key < end; key = val + strlen(val) + 1) {
		val = key + strlen(key) + 1;
		if (val >= end) {
			fprintf(stderr, "lupine-init: %s: a key without a value\n",
				APP_FILE);
			return -1;
		}
		if (!strcmp(key, "arg") && app->argc < MAX_ARGS)
			app->argv[app->argc++] = val;
		else if (!strcmp(key, "env") && app->envc < MAX_ARGS)
			app->env[app->envc++] = val;
		else if (!strcmp(key, "workdir"))
			app->workdir = val;
		else if (!strcmp(key, "user"))
			app->user = val;
	}
	app->argv[app->argc] = NULL;
	return 0;
}

/* A decimal id; -1 when s is not one. */
static long number(const char *s)
{
	unsigned long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v > 0xfffffffeUL)
		return -1;
	return v;
}

/* Split line at ':' into at most n fields; returns how many there are. */
static int fields(char *line, char **f, int n)
{
	int i = 0;

	line[strcspn(line, "\n")] = '\0';
	while (i < n) {
		f[i++] = line;
		line = strchr(line, ':');
		if (!line)
			break;
		*line++ = '\0';
	}
	return i;
}

/*
 * Find the user in /etc/passwd, by name or (when numeric) by uid, the way
 * Docker does; fills in uid, gid, name and home. 0 when found.
 */
static int find_user(const char *user, struct ids *ids)
{
	long uid = number(user);
	char line[4096], *f[7];
	FILE *fp;
	int found = -1;

	fp = fopen("/etc/passwd", "re");
	if (!fp)
		return -1;
	while (found && fgets(line, sizeof(line), fp)) {
		if (fields(line, f, 7) < 7)
			continue;
		if (uid >= 0 ? number(f[2]) != uid : strcmp(f[0], user))
			continue;
		if (number(f[2]) < 0 || number(f[3]) < 0)
			continue;
		ids->uid = number(f[2]);
		ids->gid = number(f[3]);
		snprintf(ids->name, sizeof(ids->name), "%s", f[0]);
		snprintf(ids->home, sizeof(ids->home), "%s", *f[5] ? f[5] : "/");
		found = 0;
	}
	fclose(fp);
	return found;
}

/*
 * With group: the gid of group (a name in /etc/group, or a number). Without:
 * collect the groups that list ids->name as a member. 0 on success.
 */
static int find_groups(const char *group, struct ids *ids)
{
	char line[65536], *f[4], *m;
	long gid = group ? number(group) : -1;
	FILE *fp;

	fp = fopen("/etc/group", "re");
	while (fp && fgets(line, sizeof(line), fp)) {
		if (fields(line, f, 4) < 4 || number(f[2]) < 0)
			continue;
		if (group) {
			if (!strcmp(f[0], group) || number(f[2]) == gid) {
				ids->gid = number(f[2]);
				fclose(fp);
				return 0;
			}
			continue;
		}
		for (m = strtok(f[3], ","); m; m = strtok(NULL, ","))
			if (!strcmp(m, ids->name) && ids->ngroups < MAX_GROUPS)
				ids->groups[ids->ngroups++] = number(f[2]);
	}
	if (fp)
		fclose(fp);
	if (group && gid < 0)
		return -1;
	if (group)
		ids->gid = gid;
	return 0;
}

/* Docker's reading of USER; 0 on success, else a message was printed. */
static int lookup_ids(const char *spec, struct ids *ids)
{
	char user[256], *group;
	long uid;

	memset(ids, 0, sizeof(*ids));
	snprintf(ids->home, sizeof(ids->home), "/");
	snprintf(user, sizeof(user), "%s", spec && *spec ? spec : "0");
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	uid = number(user);
	if (find_user(user, ids)) {
		if (uid < 0) {
			fprintf(stderr, "lupine-init: USER %s: no such user in /etc/passwd\n",
				user);
			return -1;
		}
		ids->uid = uid;
	}
	if (group || ids->name[0]) {
		if (find_groups(group, ids)) {
			fprintf(stderr, "lupine-init: USER %s: no such group in /etc/group\n",
				spec);
			return -1;
		}
	}
	return 0;
}

static void mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

/* In the child: become what the image says and run its program. */
static void start_app(struct app *app)
{
	const char *workdir = app->workdir && *app->workdir ? app->workdir : "/";
	struct ids ids;
	int i;

	console_session();

	clearenv();
	setenv("PATH", DEFAULT_PATH, 1);
	for (i = 0; i < app->envc; i++)
		if (strchr(app->env[i], '='))
			putenv(app->env[i]);
	if (lookup_ids(app->user, &ids))
		_exit(126);
	setenv("HOME", ids.home, 0);

	if (chdir(workdir)) {
		if (errno == ENOENT)
			mkdirs(workdir);
		if (chdir(workdir)) {
			fprintf(stderr, "lupine-init: WORKDIR %s: %s\n", workdir,
				strerror(errno));
			_exit(126);
		}
	}

	/* A kernel without CONFIG_MULTIUSER has none of these; root is fine. */
	if ((setgroups(ids.ngroups, ids.groups) || setgid(ids.gid) ||
	     setuid(ids.uid)) && (ids.uid || ids.gid || ids.ngroups)) {
		fprintf(stderr, "lupine-init: USER %s (uid %u, gid %u): %s\n",
			app->user ? app->user : "", (unsigned int)ids.uid,
			(unsigned int)ids.gid, strerror(errno));
		_exit(126);
	}

	execvp(app->argv[0], app->argv);
	fprintf(stderr, "lupine-init: %s: %s\n", app->argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static void forward(int sig)
{
	if (app_pid > 0)
		kill(app_pid, sig);
}

int main(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
				    SIGUSR2 };
	static struct app app;
	struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
	struct timespec ts;
	int status;
	unsigned int i;
	pid_t pid, w;

	init_system();

	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(stderr, "lupine-app-up: %lld\n",
		(long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	fflush(stderr);

	if (load_app(&app))
		finish(126);
	if (app.argc == 0) {
		fprintf(stderr, "lupine-init: the image has no ENTRYPOINT or CMD\n");
		finish(127);
	}

	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	pid = fork();
	if (pid < 0) {
		perror("lupine-init: fork");
		finish(126);
	}
	if (pid == 0) {
		sa.sa_handler = SIG_DFL;
		for (i = 0; i < ARRAY_SIZE(sigs); i++)
			sigaction(sigs[i], &sa, NULL);
		start_app(&app);
	}
	app_pid = pid;

	/* Reap every orphan until the program itself ends. */
	for (;;) {
		w = wait(&status);
		if (w == pid)
			break;
		if (w < 0 && errno == ECHILD)
			finish(127);
	}
	kill(-1, SIGKILL);
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "lupine-init: %s killed by signal %d (%s)\n",
			app.argv[0], WTERMSIG(status), strsignal(WTERMSIG(status)));
		finish(128 + WTERMSIG(status));
	}
	finish(WEXITSTATUS(status));
	return 0;
}
