// SPDX-License-Identifier: GPL-2.0
/*
 * kml_sanity_test.c - the ring a program runs in matches what it is told
 *
 * Kernel Mode Linux runs programs from the trusted directory in ring 0 and
 * hands them a direct-call entry in AT_SYSINFO. Every other program must see
 * an ordinary ring-3 process: a user code segment with RPL 3, no AT_SYSINFO
 * on x86-64, and system calls that behave as on any kernel. These checks are
 * the ground truth the ring-0 tests are compared with.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kml_ring.h"

#ifndef AT_SYSINFO
#define AT_SYSINFO 32
#endif

/* Look AT_SYSINFO up in /proc/self/auxv, the kernel's own view. */
static int auxv_lookup(unsigned long type, unsigned long *val)
{
	unsigned long pair[2];
	int fd, found = 0;

	fd = open("/proc/self/auxv", O_RDONLY);
	if (fd < 0)
		return -1;
	while (read(fd, pair, sizeof(pair)) == sizeof(pair) && pair[0]) {
		if (pair[0] == type) {
			*val = pair[1];
			found = 1;
		}
	}
	close(fd);
	return found;
}

TEST(ring_matches_policy)
{
	EXPECT_EQ(expected_cpl(), current_cpl())
		TH_LOG("program %s for ring 0, KML %s: CPL %u",
		       self_marked() ? "marked" : "not marked",
		       kml_on() ? "on" : "off", current_cpl());
}

TEST(at_sysinfo_matches_ring)
{
	unsigned long val = 0;
	int found;

	found = auxv_lookup(AT_SYSINFO, &val);
	ASSERT_LE(0, found) TH_LOG("cannot read /proc/self/auxv");
	if (current_cpl() == 3) {
		EXPECT_EQ(0, found)
			TH_LOG("ring-3 task got AT_SYSINFO = %#lx", val);
	} else {
		EXPECT_EQ(1, found) TH_LOG("ring-0 task has no AT_SYSINFO");
		EXPECT_NE(0, val);
	}
}

TEST(getppid_matches_parent)
{
	pid_t parent = getpid(), child;
	int status;

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		long ppid = syscall(SYS_getppid);

		if (ppid != parent) {
			fprintf(stderr, "# child: getppid() = %ld, expected %d\n",
				ppid, parent);
			_exit(1);
		}
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(syscall(SYS_getpid), parent);
}

TEST(syscall_errors_come_back)
{
	long ret = syscall(SYS_close, -1);

	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, syscall(SYS_getppid + 100000L));
	EXPECT_EQ(ENOSYS, errno);
}

TEST_HARNESS_MAIN
