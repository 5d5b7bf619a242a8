// SPDX-License-Identifier: GPL-2.0
/*
 * insn-hot.c - a QEMU TCG plugin that counts the kernel instructions a
 * guest executes from reset until its init says it runs, per 16-byte block
 * of kernel text, for scripts/eval/boot-profile.
 *
 * Where -icount's guest clock also advances while a vCPU idles (QEMU skips to
 * the next timer with sleep=off), these are instructions executed, each counted
 * where it ran: scripts/eval/boot-profile turns the blocks into functions with
 * System.map. The end is the init's marker, the multi-byte NOP that opens a
 * window of scripts/eval/insn-classes.c (bytes 0f 1f 84 00 31 4c 4d 4b), which
 * scripts/run/vm-init.c executes first thing in main(). Before the first
 * instruction in the kernel's half of the address space run the firmware, the
 * boot loader, the decompressor or the PVH entry and the startup code at
 * physical addresses: counted apart. With more than one vCPU the counts would
 * race; the plugin refuses to load then. No register reads (plugin API version
 * 1): kernel text is told by address.
 *
 * Arguments (-plugin FILE,out=PATH): PATH gets "total N" (instructions in
 * the kernel's half from its first one to the marker), "user_start 0|1"
 * (the marker was seen), "outside_text N" (of total, outside the 128 MiB of
 * text from 0xffffffff80000000), "before_kernel N", "user N" (low-address
 * instructions between, the C library's start-up of init and anything
 * else) and one "ADDRESS COUNT" line per block of text executed
 * (hexadecimal address of the block, decimal count) at exit; then one
 * "call SITE TARGET CALLS INSTRUCTIONS" line per call site in kernel text
 * (hexadecimal addresses of the call instruction and of the first
 * instruction after it, decimal counts): how often it ran and the kernel
 * instructions from the call to its return, callees included. The plugin
 * keeps its own stack of calls (CALL pushes, RET pops; a RET with no call
 * left is ignored), which a stack switch of the kernel (a task switch, an
 * interrupt that does not return where it came from) can mismatch: an
 * approximation, good for finding who calls a hot function, not exact as
 * the blocks are.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

#include "insn-marks.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* Kernel text (linked at 0xffffffff81000000): 128 MiB from 0xffffffff80000000, 16-byte blocks. */
#define TEXT_BASE	0xffffffff80000000ULL
#define TEXT_SIZE	(128ULL << 20)
#define BLOCK_SHIFT	4
#define NR_BLOCKS	(TEXT_SIZE >> BLOCK_SHIFT)
#define USER_TOP	0x0000800000000000ULL

static const uint8_t init_mark[] = { INSN_MARK_OPEN_BYTES };

/* The call sites (open addressing) and the plugin's stack of calls. */
#define SITE_SLOTS	(1U << 16)
#define STACK_DEPTH	512

static struct site {
	uint64_t pc, target, calls, insns;
} *sites;
static struct {
	struct site *site;
	uint64_t start;
} stack[STACK_DEPTH];
static unsigned int depth;
static uint64_t pending_call;	/* a call executed, its target not seen yet */

/* The kind of an instruction, in the low bits of its userdata. */
#define K_CALL	1
#define K_RET	2

static uint64_t *blocks;
static uint64_t total, outside, before, user;
static int kernel_seen, user_started;
static const char *out_path;

static struct site *site_of(uint64_t pc, uint64_t target)
{
	unsigned int i = (unsigned int)((pc * 0x9e3779b97f4a7c15ULL) >> 48);

	for (;; i = (i + 1) & (SITE_SLOTS - 1)) {
		if (!sites[i].pc) {
			sites[i].pc = pc;
			sites[i].target = target;
			return &sites[i];
		}
		if (sites[i].pc == pc)
			return &sites[i];
	}
}

static void track_calls(uint64_t pc, unsigned int kind)
{
	struct site *s;

	if (pending_call) {
		s = site_of(pending_call, pc);
		s->calls++;
		if (depth < STACK_DEPTH) {
			stack[depth].site = s;
			stack[depth++].start = total;
		}
		pending_call = 0;
	}
	if (kind == K_CALL) {
		pending_call = pc;
	} else if (kind == K_RET && depth) {
		depth--;
		stack[depth].site->insns += total - stack[depth].start;
	}
}

static void insn_exec(unsigned int vcpu, void *udata)
{
	uint64_t pc = (uintptr_t)udata & ~3ULL;
	unsigned int kind = (uintptr_t)udata & 3;

	(void)vcpu;
	if (user_started)
		return;
	if (pc < USER_TOP) {
		if (kernel_seen)
			user++;
		else
			before++;
		return;
	}
	kernel_seen = 1;
	total++;
	if (sites)
		track_calls(pc, kind);
	if (pc >= TEXT_BASE && pc - TEXT_BASE < TEXT_SIZE)
		blocks[(pc - TEXT_BASE) >> BLOCK_SHIFT]++;
	else
		outside++;
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	user_started = 1;
}

/*
 * K_CALL for a near CALL (e8, ff /2), K_RET for a near RET (c3, c2), 0
 * otherwise. The kind rides in bits 0-1 of the userdata, whose address is
 * therefore rounded down to 4 bytes: blocks are 16 bytes, and a call site
 * so rounded stays in its function (functions start 16-byte aligned).
 */
static unsigned int insn_kind(struct qemu_plugin_insn *insn)
{
	const uint8_t *b = qemu_plugin_insn_data(insn);
	size_t len = qemu_plugin_insn_size(insn), i = 0;

	while (i < len && ((b[i] & 0xf0) == 0x40 || b[i] == 0x2e || b[i] == 0x3e ||
			   b[i] == 0xf2 || b[i] == 0xf3 || b[i] == 0x66))
		i++;
	if (i >= len)
		return 0;
	if (b[i] == 0xe8)
		return K_CALL;
	if (b[i] == 0xff && i + 1 < len && ((b[i + 1] >> 3) & 7) == 2)
		return K_CALL;
	if (b[i] == 0xc3 || b[i] == 0xc2)
		return K_RET;
	return 0;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	struct qemu_plugin_insn *insn;

	(void)id;
	if (user_started)
		return;
	for (i = 0; i < n; i++) {
		insn = qemu_plugin_tb_get_insn(tb, i);
		if (qemu_plugin_insn_size(insn) == sizeof(init_mark) &&
		    !memcmp(qemu_plugin_insn_data(insn), init_mark, sizeof(init_mark))) {
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
			continue;
		}
		qemu_plugin_register_vcpu_insn_exec_cb(insn, insn_exec,
						       QEMU_PLUGIN_CB_NO_REGS,
						       (void *)(uintptr_t)((qemu_plugin_insn_vaddr(insn) & ~3ULL) |
									   insn_kind(insn)));
	}
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	uint64_t b;
	FILE *f;

	(void)id;
	(void)p;
	f = fopen(out_path, "w");
	if (!f) {
		perror(out_path);
		return;
	}
	fprintf(f, "total %" PRIu64 "\nuser_start %d\noutside_text %" PRIu64 "\n"
		"before_kernel %" PRIu64 "\nuser %" PRIu64 "\n", total, user_started,
		outside, before, user);
	for (b = 0; b < NR_BLOCKS; b++)
		if (blocks[b])
			fprintf(f, "%" PRIx64 " %" PRIu64 "\n",
				(uint64_t)(TEXT_BASE + (b << BLOCK_SHIFT)), blocks[b]);
	for (b = 0; b < SITE_SLOTS; b++)
		if (sites[b].pc && sites[b].calls)
			fprintf(f, "call %" PRIx64 " %" PRIx64 " %" PRIu64 " %" PRIu64 "\n",
				sites[b].pc, sites[b].target, sites[b].calls, sites[b].insns);
	fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	out_path = plugin_setup("insn-hot", info, argc, argv, NULL);
	if (!out_path)
		return -1;
	blocks = calloc(NR_BLOCKS, sizeof(*blocks));
	sites = calloc(SITE_SLOTS, sizeof(*sites));
	if (!blocks || !sites)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
