// SPDX-License-Identifier: GPL-2.0
/*
 * kml_audit_test.c - audit sees the direct call as a syscall instruction
 *
 * Audit reads a system call's number, arguments, architecture and result
 * from the registers the entry saved. A ring-0 task that enters through
 * the direct call (AT_SYSINFO) must leave the same audit record as one that
 * executes the syscall instruction at the call site.
 *
 * The test makes itself the audit daemon over NETLINK_AUDIT, adds an exit
 * rule for lseek() by its children, and lets a child call lseek() with
 * arguments no one else uses: through the syscall instruction, and through
 * the direct call where there is one (ring 0). The SYSCALL records must
 * carry the expected number, architecture, arguments and result, and be
 * alike. It runs in every mode; a kernel without audit is a skip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#define SEEK_FD		-1L		/* EBADF */
#define SEEK_OFFSET	0x6b6d6cL
#define SEEK_WHENCE	7L
#define SEEK_A3		0x33L		/* ignored by lseek(), audited */
#define NR_RECORDS	2

struct audit_msg {
	struct nlmsghdr nlh;
	char data[8192];
};

static int audit_send(int fd, int type, const void *data, size_t len)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	struct audit_msg msg = {};
	struct nlmsgerr *err;
	struct audit_msg ack;
	ssize_t n;

	msg.nlh.nlmsg_len = NLMSG_SPACE(len);
	msg.nlh.nlmsg_type = type;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	msg.nlh.nlmsg_seq = type;
	memcpy(NLMSG_DATA(&msg.nlh), data, len);
	if (sendto(fd, &msg, msg.nlh.nlmsg_len, 0, (struct sockaddr *)&addr,
		   sizeof(addr)) < 0)
		return -errno;
	/* The ack, skipping anything else that comes first. */
	for (;;) {
		n = recv(fd, &ack, sizeof(ack), 0);
		if (n < 0)
			return -errno;
		if (ack.nlh.nlmsg_type != NLMSG_ERROR)
			continue;
		err = NLMSG_DATA(&ack.nlh);
		return err->error;
	}
}

static int audit_set(int fd, int enabled, int pid)
{
	struct audit_status s = {
		.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID,
		.enabled = enabled,
		.pid = pid,
	};

	return audit_send(fd, AUDIT_SET, &s, sizeof(s));
}

/* An exit rule: lseek() by the children of @ppid. */
static int audit_rule(int fd, int type, int ppid)
{
	struct audit_rule_data r = {
		.flags = AUDIT_FILTER_EXIT,
		.action = AUDIT_ALWAYS,
		.field_count = 1,
	};

	r.mask[AUDIT_WORD(SYS_lseek)] |= AUDIT_BIT(SYS_lseek);
	r.fields[0] = AUDIT_PPID;
	r.values[0] = ppid;
	r.fieldflags[0] = AUDIT_EQUAL;
	return audit_send(fd, type, &r, sizeof(r));
}

static long seek(unsigned long entry)
{
	return kml_syscall4(entry, SYS_lseek, SEEK_FD, SEEK_OFFSET, SEEK_WHENCE,
			    SEEK_A3);
}

/* Copy the value of " @key=" in @rec into @val. */
static int field(const char *rec, const char *key, char *val, size_t size)
{
	char pat[32];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(rec, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	n = strcspn(p, " ");
	if (n >= size)
		return -1;
	memcpy(val, p, n);
	val[n] = '\0';
	return 0;
}

/* The fields both entries must agree on, as one string. */
static void summary(const char *rec, char *out, size_t size)
{
	static const char * const keys[] = {
		"arch", "syscall", "success", "exit", "a0", "a1", "a2", "a3",
	};
	char val[64];
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (field(rec, keys[i], val, sizeof(val)))
			snprintf(val, sizeof(val), "(none)");
		len += snprintf(out + len, size - len, "%s%s=%s",
				i ? " " : "", keys[i], val);
	}
}

/* Read SYSCALL records of @pid for up to @ms milliseconds. */
static int read_records(int fd, pid_t pid, char recs[][256], int max, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct audit_msg msg;
	char want[32], *text;
	int got = 0;
	ssize_t n;

	snprintf(want, sizeof(want), " pid=%d ", pid);
	while (got < max && poll(&pfd, 1, ms) > 0) {
		n = recv(fd, &msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			break;
		if (msg.nlh.nlmsg_type != AUDIT_SYSCALL)
			continue;
		text = NLMSG_DATA(&msg.nlh);
		text[msg.nlh.nlmsg_len - NLMSG_HDRLEN] = '\0';
		if (!strstr(text, want))
			continue;
		summary(text, recs[got++], 256);
	}
	return got;
}

TEST(direct_call_is_audited_like_syscall)
{
	unsigned long entry = getauxval(AT_SYSINFO);
	char recs[NR_RECORDS][256], expected[256];
	int fd, status, ret, got, want;
	pid_t pid;

	ASSERT_EQ(expected_cpl(), current_cpl());
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
	if (fd < 0 && (errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT))
		SKIP(return, "no audit in this kernel");
	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));

	ret = audit_set(fd, 1, getpid());
	ASSERT_EQ(0, ret) TH_LOG("AUDIT_SET: %s", strerror(-ret));
	ret = audit_rule(fd, AUDIT_ADD_RULE, getpid());
	ASSERT_EQ(0, ret) TH_LOG("AUDIT_ADD_RULE: %s", strerror(-ret));

	/* A task gets its audit context at fork, after audit is on. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (seek(0) != -EBADF)
			_exit(1);
		if (entry && seek(entry) != -EBADF)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status %#x", status);

	want = entry ? 2 : 1;
	got = read_records(fd, pid, recs, NR_RECORDS, 2000);

	audit_rule(fd, AUDIT_DEL_RULE, getpid());
	audit_set(fd, 0, 0);
	close(fd);

	snprintf(expected, sizeof(expected),
		 "arch=c000003e syscall=%d success=no exit=%d a0=%lx a1=%lx a2=%lx a3=%lx",
		 SYS_lseek, -EBADF, (unsigned long)SEEK_FD, SEEK_OFFSET,
		 SEEK_WHENCE, SEEK_A3);
	TH_LOG("%s: %d record(s)", entry ? "syscall instruction and direct call" :
	       "syscall instruction", got);
	ASSERT_EQ(want, got);
	for (int i = 0; i < got; i++)
		EXPECT_STREQ(expected, recs[i]);
}

TEST_HARNESS_MAIN
