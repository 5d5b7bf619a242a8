/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kml_ring.h - which ring a test program runs in, and which it should
 *
 * Kernel Mode Linux runs a program in ring 0 when the kernel command line has
 * kml=on, the program file carries the extended attribute security.kml = "1"
 * and a task with CAP_SYS_MODULE executes it. The test runner (scripts/run/vm)
 * marks everything under the trusted directory and runs the tests as root.
 * Tests read the ring they really run in from their own code segment
 * selector.
 */
#ifndef KML_RING_H
#define KML_RING_H

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#define TRUSTED_DIR "/trusted/"
#define KML_XATTR "security.kml"

/*
 * The code segment selectors: ring-3 code runs on __USER_CS (GDT entry 6,
 * RPL 3), ring-0 user code on __KML_CS (GDT entry 7, RPL 0), which only it
 * uses, so that the frame of every event says whose code it interrupted.
 */
#define KML_USER_CS	0x33
#define KML_RING0_CS	0x38

static inline unsigned int current_cs(void)
{
	uint16_t cs;

	asm volatile ("mov %%cs, %0" : "=r" (cs));
	return cs;
}

/* The low two bits of CS: 0 in ring 0, 3 in ring 3. */
static inline unsigned int current_cpl(void)
{
	return current_cs() & 3;
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

/* Does the file at @path carry the ring-0 mark? */
static inline int marked_for_ring0(const char *path)
{
	char value[2];

	return getxattr(path, KML_XATTR, value, sizeof(value)) == 1 &&
	       value[0] == '1';
}

/* Is this program's file marked for ring 0? */
static inline int self_marked(void)
{
	return marked_for_ring0("/proc/self/exe");
}

/*
 * The ring this program must be in, by the policy: the tests run as root,
 * so a marked program executed with kml=on is in ring 0.
 */
static inline unsigned int expected_cpl(void)
{
	return self_marked() && kml_on() ? 0 : 3;
}

/* The code segment selector this program must run on. */
static inline unsigned int expected_cs(void)
{
	return expected_cpl() == 0 ? KML_RING0_CS : KML_USER_CS;
}

/*
 * Copy file @from to @to with mode @mode: a fresh file, which carries no
 * extended attribute, so no ring-0 mark. Returns 0, or -1 with errno set.
 */
static inline int kml_copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in, out, ok = 0;
	ssize_t n;

	in = open(from, O_RDONLY);
	if (in < 0)
		return -1;
	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			ok = -1;
			break;
		}
	if (n < 0)
		ok = -1;
	close(in);
	if (close(out) || fchmodat(AT_FDCWD, to, mode, 0))
		ok = -1;
	return ok;
}

/* Run @fn in a child process; return its wait status, or -1. */
static inline int kml_in_child(void (*fn)(void))
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules 461
#endif
#define LSM_ID_KML 114

/* Is the KML LSM active (lsm_list_modules(2))? */
static inline int kml_lsm_active(void)
{
	uint64_t ids[64];
	uint32_t size = sizeof(ids);
	long i, n;

	n = syscall(__NR_lsm_list_modules, ids, &size, 0);
	for (i = 0; i < n; i++)
		if (ids[i] == LSM_ID_KML)
			return 1;
	return 0;
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

/*
 * Assembler text for the red zone checks, for asm with "memory" and RAX,
 * RCX clobbered. RED_ZONE_FILL writes 0x5a5a5a5a5a5a5a5a to the 128 bytes
 * below RSP and leaves that word in RAX; RED_ZONE_COUNT(reg) adds to REG
 * (an operand, such as "%[bad]") the number of those words that differ
 * from RAX. They use the local labels 90 to 92.
 */
#define RED_ZONE_FILL							\
	"	movq	$0x5a5a5a5a5a5a5a5a, %%rax\n"				\
	"	movq	$-128, %%rcx\n"					\
	"90:	movq	%%rax, (%%rsp, %%rcx)\n"				\
	"	addq	$8, %%rcx\n"						\
	"	jnz	90b\n"
#define RED_ZONE_COUNT(reg)						\
	"	movq	$-128, %%rcx\n"					\
	"91:	cmpq	%%rax, (%%rsp, %%rcx)\n"				\
	"	je	92f\n"							\
	"	incq	" reg "\n"						\
	"92:	addq	$8, %%rcx\n"						\
	"	jnz	91b\n"

/*
 * Measurement windows for scripts/eval/insn-classes.c, a QEMU TCG plugin that
 * counts the instructions between them by class: multi-byte NOPs whose
 * displacement the plugin recognises ("1LMK" opens, "0LMK" closes). They
 * do nothing, with or without the plugin.
 */
#define CLASS_WINDOW_OPEN()						\
	__asm__ volatile(".byte 0x0f, 0x1f, 0x84, 0x00, 0x31, 0x4c, 0x4d, 0x4b" \
			 ::: "memory")
#define CLASS_WINDOW_CLOSE()						\
	__asm__ volatile(".byte 0x0f, 0x1f, 0x84, 0x00, 0x30, 0x4c, 0x4d, 0x4b" \
			 ::: "memory")

#endif /* KML_RING_H */
