/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kml_ring.h - which ring a test program runs in, and which it should
 *
 * Kernel Mode Linux runs the programs under the trusted directory in ring 0
 * when the kernel command line has kml=on. Tests read the ring they really
 * run in from their own code segment selector.
 */
#ifndef KML_RING_H
#define KML_RING_H

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define TRUSTED_DIR "/trusted/"

/* The low two bits of CS: 0 in ring 0, 3 in ring 3. */
static inline unsigned int current_cpl(void)
{
	uint16_t cs;

	asm volatile ("mov %%cs, %0" : "=r" (cs));
	return cs & 3;
}

/*
 * Should KML be on in this boot? The command line says so (the last kml=
 * wins, as for every early parameter). The answer must not come from the
 * kernel's own view of KML, or a kernel that loses ring 0 would pass.
 */
static inline int kml_on(void)
{
	static char buf[4096];
	char *tok, *save;
	int on = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strncmp(tok, "kml=", 4))
			on = !strcmp(tok + 4, "on");
	return on;
}

/* Was this program started from the trusted directory? */
static inline int in_trusted_dir(void)
{
	char exe[4096];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return 0;
	exe[n] = '\0';
	return !strncmp(exe, TRUSTED_DIR, strlen(TRUSTED_DIR));
}

/* The ring this program must be in, by the policy. */
static inline unsigned int expected_cpl(void)
{
	return in_trusted_dir() && kml_on() ? 0 : 3;
}

#ifndef AT_SYSINFO
#define AT_SYSINFO 32
#endif

/*
 * A system call with four arguments: through the KML direct call at @entry
 * (AT_SYSINFO) when there is one, else through the syscall instruction.
 * The call steps over the 128-byte red zone, which it would overwrite.
 */
static inline long kml_syscall4(unsigned long entry, long nr, long a0,
				long a1, long a2, long a3)
{
	register long r10 asm("r10") = a3;
	long ret;

	if (entry)
		asm volatile ("sub $128, %%rsp\n\t"
			      "call *%[entry]\n\t"
			      "add $128, %%rsp"
			      : "=a" (ret)
			      : "a" (nr), "D" (a0), "S" (a1), "d" (a2),
				"r" (r10), [entry] "r" (entry)
			      : "rcx", "r11", "memory", "cc");
	else
		asm volatile ("syscall"
			      : "=a" (ret)
			      : "a" (nr), "D" (a0), "S" (a1), "d" (a2), "r" (r10)
			      : "rcx", "r11", "memory", "cc");
	return ret;
}

#endif /* KML_RING_H */
