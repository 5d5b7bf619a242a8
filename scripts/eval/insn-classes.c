// SPDX-License-Identifier: GPL-2.0
/*
 * insn-classes.c - a QEMU TCG plugin that counts the instructions a guest
 * executes inside the measurement windows the guest marks, by class, apart
 * for kernel and user text.
 *
 * The classes are what -icount weighs like any other instruction although
 * they cost far more on hardware: ring transitions (SYSCALL, SYSRET, IRET,
 * SYSENTER, SYSEXIT, INT n/INT3/INTO), far transfers (LRET, far CALL/JMP),
 * serializing or microcoded instructions (SWAPGS, MOV to/from CR and DR,
 * WRMSR, RDMSR, VERW, LFENCE, MFENCE, INVPCID, POPF, PUSHF, CLI, STI,
 * CPUID), mitigation sequences (every instruction inside an address range
 * given in the ranges file: the return and retpoline thunks, BHB clearing,
 * untraining; made from System.map by scripts/eval/bench), and the rest.
 *
 * Windows: the guest program executes a multi-byte NOP with a marker
 * displacement to open one (nopl 0x4b4d4c31(%rax,%rax,1), bytes 0f 1f 84
 * 00 31 4c 4d 4b, "1LMK") and to close it (displacement 0x4b4d4c30,
 * "0LMK"); kselftest-kml/kml_ring.h has the macros. A NOP changes nothing
 * in the guest, so the same binary runs without the plugin.
 *
 * QEMU 7.2's plugin API (version 1) reads no registers: kernel text is told
 * from user text by address (the upper half of the x86-64 address space is
 * the kernel's), and with more than one vCPU the counts would race, so the
 * plugin refuses to load then.
 *
 * Arguments (-plugin FILE,out=PATH[,ranges=PATH]):
 *   out     where to write the counts at exit (JSON, below)
 *   ranges  a file of "START END CLASS" lines (hexadecimal addresses, END
 *           exclusive; CLASS is "mitigation"), optional
 *   pcs=1   also count every instruction address executed in a window
 *           (scripts/eval/bench-classes --functions turns them into functions)
 *
 * Output: {"classes": [...], "windows": [{"user": {CLASS: N, ...},
 * "kernel": {...}[, "pcs": {"ADDRESS": N, ...}]}, ...]}, one entry per
 * closed window in order; a window still open at exit is left out. Built against qemu-plugin.h of Debian's
 * qemu source package (scripts/eval/bench does it); no glib needed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

#include "insn-marks.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum insn_class {
	C_SYSCALL, C_SYSRET, C_IRET, C_SYSENTER, C_SYSEXIT, C_INT,
	C_FAR, C_SWAPGS, C_MOVCR, C_WRMSR, C_RDMSR, C_VERW, C_LFENCE, C_MFENCE,
	C_INVPCID, C_POPF, C_PUSHF, C_CLI, C_STI, C_CPUID,
	C_MITIGATION, C_OTHER, C_NR
};

static const char *const class_names[C_NR] = {
	"syscall", "sysret", "iret", "sysenter", "sysexit", "int",
	"far_transfer", "swapgs", "mov_cr_dr", "wrmsr", "rdmsr", "verw",
	"lfence", "mfence", "invpcid", "popf", "pushf", "cli", "sti", "cpuid",
	"mitigation", "other",
};

/* The userdata of an instruction's callback: class, kernel bit, markers. */
#define UD_KERNEL	0x100
#define UD_OPEN		0x200
#define UD_CLOSE	0x400

#define MAX_WINDOWS	256
#define MAX_RANGES	256
/*
 * The per-address counts of pcs=1: open addressing on (opening, address),
 * where every window opened gets a new number, so that a window opened
 * again before it closed starts from nothing, as its class counts do.
 */
#define PC_SLOTS	(1U << 20)

struct counts {
	uint64_t n[2][C_NR];	/* [0] user, [1] kernel */
};

static struct counts current;
static struct counts *windows;
static unsigned int nr_windows;
static int in_window;
static const char *out_path;

static struct pc_slot {
	uint64_t pc, n;
	unsigned int window;
} *pc_slots;
static unsigned int pc_used, pc_gen, win_gen[MAX_WINDOWS];
static int pc_full;

static struct {
	uint64_t start, end;
} ranges[MAX_RANGES];
static unsigned int nr_ranges;

static const uint8_t mark_open[] = { INSN_MARK_OPEN_BYTES };
static const uint8_t mark_close[] = { INSN_MARK_CLOSE_BYTES };

/* The class of the instruction in @b (@len bytes); x86-64 only. */
static enum insn_class classify(const uint8_t *b, size_t len)
{
	size_t i = 0;
	int p66 = 0, rexw = 0;
	uint8_t op, modrm;

	for (; i < len; i++) {
		if (b[i] == 0x66)
			p66 = 1;
		else if (b[i] == 0x67 || b[i] == 0xf2 || b[i] == 0xf3 ||
			 b[i] == 0x2e || b[i] == 0x36 || b[i] == 0x3e ||
			 b[i] == 0x26 || b[i] == 0x64 || b[i] == 0x65 ||
			 b[i] == 0xf0)
			;
		else if ((b[i] & 0xf0) == 0x40)
			rexw = !!(b[i] & 0x08);
		else
			break;
	}
	if (i >= len)
		return C_OTHER;
	op = b[i++];
	switch (op) {
	case 0xcf:
		return C_IRET;
	case 0xcc: case 0xcd: case 0xce:
		return C_INT;
	case 0xca: case 0xcb:
		return C_FAR;
	case 0x9d:
		return C_POPF;
	case 0x9c:
		return C_PUSHF;
	case 0xfa:
		return C_CLI;
	case 0xfb:
		return C_STI;
	case 0xff:
		if (i < len) {
			modrm = (b[i] >> 3) & 7;
			if (modrm == 3 || modrm == 5)
				return C_FAR;
		}
		return C_OTHER;
	case 0x0f:
		break;
	default:
		return C_OTHER;
	}
	if (i >= len)
		return C_OTHER;
	op = b[i++];
	switch (op) {
	case 0x05:
		return C_SYSCALL;
	case 0x07:
		return C_SYSRET;
	case 0x34:
		return C_SYSENTER;
	case 0x35:
		return C_SYSEXIT;
	case 0x20: case 0x21: case 0x22: case 0x23:
		return C_MOVCR;
	case 0x30:
		return C_WRMSR;
	case 0x32:
		return C_RDMSR;
	case 0xa2:
		return C_CPUID;
	case 0x00:	/* group 6: /5 is VERW */
		return i < len && ((b[i] >> 3) & 7) == 5 ? C_VERW : C_OTHER;
	case 0x01:	/* group 7: 0f 01 f8 is SWAPGS */
		return i < len && b[i] == 0xf8 ? C_SWAPGS : C_OTHER;
	case 0xae:	/* group 15: LFENCE e8-ef, MFENCE f0-f7 (no prefix) */
		if (i < len && !p66 && b[i] >= 0xe8 && b[i] <= 0xef)
			return C_LFENCE;
		if (i < len && !p66 && b[i] >= 0xf0 && b[i] <= 0xf7)
			return C_MFENCE;
		return C_OTHER;
	case 0x38:	/* 66 0f 38 82: INVPCID */
		return p66 && i < len && b[i] == 0x82 ? C_INVPCID : C_OTHER;
	default:
		(void)rexw;
		return C_OTHER;
	}
}

static void count_pc(uint64_t pc)
{
	uint64_t h = (pc ^ ((uint64_t)pc_gen << 48)) * 0x9e3779b97f4a7c15ULL;
	unsigned int i = h >> 44;

	for (;; i = (i + 1) & (PC_SLOTS - 1)) {
		struct pc_slot *s = &pc_slots[i];

		if (s->n && s->pc == pc && s->window == pc_gen) {
			s->n++;
			return;
		}
		if (!s->n) {
			if (pc_used >= PC_SLOTS / 2) {
				pc_full = 1;
				return;
			}
			pc_used++;
			s->pc = pc;
			s->window = pc_gen;
			s->n = 1;
			return;
		}
	}
}

static void insn_exec(unsigned int vcpu, void *udata)
{
	uintptr_t ud = (uintptr_t)udata;

	(void)vcpu;
	if (ud & UD_OPEN) {
		memset(&current, 0, sizeof(current));
		in_window = 1;
		pc_gen++;
		return;
	}
	if (ud & UD_CLOSE) {
		if (in_window && nr_windows < MAX_WINDOWS) {
			win_gen[nr_windows] = pc_gen;
			windows[nr_windows++] = current;
		}
		in_window = 0;
		return;
	}
	if (in_window)
		current.n[!!(ud & UD_KERNEL)][ud & 0xff]++;
}

/* With pcs=1 an instruction's userdata points at its class and address. */
struct insn_info {
	uintptr_t ud;
	uint64_t pc;
};

static void insn_exec_pc(unsigned int vcpu, void *udata)
{
	const struct insn_info *ii = udata;

	if (in_window && !(ii->ud & (UD_OPEN | UD_CLOSE)))
		count_pc(ii->pc);
	insn_exec(vcpu, (void *)ii->ud);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i, len;
	struct qemu_plugin_insn *insn;
	const uint8_t *data;
	uintptr_t ud;
	uint64_t pc;
	unsigned int r;

	(void)id;
	for (i = 0; i < n; i++) {
		insn = qemu_plugin_tb_get_insn(tb, i);
		data = qemu_plugin_insn_data(insn);
		len = qemu_plugin_insn_size(insn);
		pc = qemu_plugin_insn_vaddr(insn);
		if (len == sizeof(mark_open) && !memcmp(data, mark_open, len)) {
			ud = UD_OPEN;
		} else if (len == sizeof(mark_close) && !memcmp(data, mark_close, len)) {
			ud = UD_CLOSE;
		} else {
			ud = classify(data, len);
			for (r = 0; r < nr_ranges; r++)
				if (pc >= ranges[r].start && pc < ranges[r].end)
					ud = C_MITIGATION;
			if (pc >= 0xffff800000000000ULL)
				ud |= UD_KERNEL;
		}
		if (pc_slots) {
			struct insn_info *ii = malloc(sizeof(*ii));

			if (!ii)
				abort();
			ii->ud = ud;
			ii->pc = pc;
			qemu_plugin_register_vcpu_insn_exec_cb(insn, insn_exec_pc,
							       QEMU_PLUGIN_CB_NO_REGS, ii);
			continue;
		}
		qemu_plugin_register_vcpu_insn_exec_cb(insn, insn_exec,
						       QEMU_PLUGIN_CB_NO_REGS,
						       (void *)ud);
	}
}

static void write_counts(FILE *f, const uint64_t *n)
{
	int c;

	fputc('{', f);
	for (c = 0; c < C_NR; c++)
		fprintf(f, "%s\"%s\": %" PRIu64, c ? ", " : "", class_names[c], n[c]);
	fputc('}', f);
}

static void write_pcs(FILE *f, unsigned int w)
{
	unsigned int i, first = 1;

	fputs(", \"pcs\": {", f);
	for (i = 0; i < PC_SLOTS; i++) {
		if (!pc_slots[i].n || pc_slots[i].window != win_gen[w])
			continue;
		fprintf(f, "%s\"%" PRIx64 "\": %" PRIu64, first ? "" : ", ",
			pc_slots[i].pc, pc_slots[i].n);
		first = 0;
	}
	fputc('}', f);
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	unsigned int w;
	FILE *f;
	int c;

	(void)id;
	(void)p;
	f = fopen(out_path, "w");
	if (!f) {
		perror(out_path);
		return;
	}
	fputs("{\"classes\": [", f);
	for (c = 0; c < C_NR; c++)
		fprintf(f, "%s\"%s\"", c ? ", " : "", class_names[c]);
	fputs("],\n \"windows\": [", f);
	for (w = 0; w < nr_windows; w++) {
		fprintf(f, "%s\n  {\"user\": ", w ? "," : "");
		write_counts(f, windows[w].n[0]);
		fputs(", \"kernel\": ", f);
		write_counts(f, windows[w].n[1]);
		if (pc_slots)
			write_pcs(f, w);
		fputc('}', f);
	}
	fprintf(f, "],\n \"pcs_complete\": %s}\n", pc_full ? "false" : "true");
	fclose(f);
}

static int read_ranges(const char *path)
{
	char line[256], cls[64];
	uint64_t s, e;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %63s", &s, &e, cls) != 3 ||
		    strcmp(cls, "mitigation"))
			continue;
		if (nr_ranges == MAX_RANGES) {
			fprintf(stderr, "insn-classes: more than %d ranges in %s\n",
				MAX_RANGES, path);
			fclose(f);
			return -1;
		}
		ranges[nr_ranges].start = s;
		ranges[nr_ranges++].end = e;
	}
	fclose(f);
	return 0;
}

/* ranges=PATH or pcs=1; 0 if taken, -1 otherwise (also on a bad file). */
static int ranges_arg(const char *arg)
{
	if (!strcmp(arg, "pcs=1")) {
		pc_slots = calloc(PC_SLOTS, sizeof(*pc_slots));
		return pc_slots ? 0 : -1;
	}
	return strncmp(arg, "ranges=", 7) ? -1 : read_ranges(arg + 7);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	out_path = plugin_setup("insn-classes", info, argc, argv, ranges_arg);
	if (!out_path)
		return -1;
	windows = calloc(MAX_WINDOWS, sizeof(*windows));
	if (!windows)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
