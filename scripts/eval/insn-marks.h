/* SPDX-License-Identifier: GPL-2.0 */
/*
 * insn-marks.h - the marker instructions the TCG plugins of scripts/eval/
 * (insn-classes.c, insn-hot.c) recognise, and the plugins' shared argument
 * handling. A marker is a multi-byte NOP (nopl DISP(%rax,%rax,1)) whose
 * displacement spells "1LMK" (open a window; vm-init.c's "init runs") or
 * "0LMK" (close it): it does nothing with or without a plugin.
 * kselftest-kml/kml_ring.h has the same bytes for the test programs, which
 * build without scripts/.
 */
#ifndef LUPINE_INSN_MARKS_H
#define LUPINE_INSN_MARKS_H

#define INSN_MARK_OPEN_BYTES	0x0f, 0x1f, 0x84, 0x00, 0x31, 0x4c, 0x4d, 0x4b
#define INSN_MARK_CLOSE_BYTES	0x0f, 0x1f, 0x84, 0x00, 0x30, 0x4c, 0x4d, 0x4b
#define INSN_MARK_STR(...)	#__VA_ARGS__
#define INSN_MARK_ASM(bytes)	".byte " INSN_MARK_STR(bytes)

#ifdef QEMU_PLUGIN_VERSION
#include <stdio.h>
#include <string.h>

/*
 * The checks every plugin here makes at install: system emulation with one
 * vCPU (API version 1 reads no registers; counts of several vCPUs would
 * race), and out=PATH among the arguments. An argument that is not out= and
 * that @other (may be NULL) does not take is refused. Returns out's PATH,
 * or NULL after saying why on stderr.
 */
static const char *plugin_setup(const char *name, const qemu_info_t *info,
				int argc, char **argv, int (*other)(const char *arg))
{
	const char *out = NULL;
	int i;

	if (!info->system_emulation || info->system.max_vcpus > 1) {
		fprintf(stderr, "%s: system emulation with one vCPU only\n", name);
		return NULL;
	}
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			out = argv[i] + 4;
		} else if (!other || other(argv[i])) {
			fprintf(stderr, "%s: bad argument '%s'\n", name, argv[i]);
			return NULL;
		}
	}
	if (!out)
		fprintf(stderr, "%s: out=PATH is required\n", name);
	return out;
}
#endif

#endif /* LUPINE_INSN_MARKS_H */
