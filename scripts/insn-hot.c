// SPDX-License-Identifier: GPL-2.0
/*
 * insn-hot.c - a QEMU TCG plugin that counts the kernel instructions a
 * guest executes from reset until its first user-space instruction (the
 * start of init), per 16-byte block of kernel text, for scripts/boot-profile.
 *
 * Where -icount's guest clock also advances while a vCPU idles (QEMU skips
 * to the next timer with sleep=off), these are instructions executed, each
 * counted where it ran: scripts/boot-profile turns the blocks into functions
 * with System.map. With more than one vCPU the counts would race; the
 * plugin refuses to load then. No register reads (plugin API version 1):
 * user space is told by address (below the canonical hole).
 *
 * Arguments (-plugin FILE,out=PATH): PATH gets "total N" (kernel
 * instructions from its first one at its link address to init's first),
 * "user_start 0|1", "outside_text N" (of total, outside the 128 MiB of
 * text), "before_kernel N" (the firmware, boot loader, decompressor and
 * startup code at physical addresses) and one "ADDRESS COUNT" line per
 * block of text executed (hexadecimal address of the block, decimal count)
 * at exit.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* Kernel text (linked at 0xffffffff81000000): 128 MiB from 0xffffffff80000000, 16-byte blocks. */
#define TEXT_BASE	0xffffffff80000000ULL
#define TEXT_SIZE	(128ULL << 20)
#define BLOCK_SHIFT	4
#define NR_BLOCKS	(TEXT_SIZE >> BLOCK_SHIFT)
#define USER_TOP	0x0000800000000000ULL

static uint64_t *blocks;
static uint64_t total, outside, before;
static int kernel_seen, user_started;
static const char *out_path;

static void insn_exec(unsigned int vcpu, void *udata)
{
	uint64_t pc = (uintptr_t)udata;

	(void)vcpu;
	if (user_started)
		return;
	/*
	 * Below the kernel's first instruction at its link address run the
	 * firmware, the boot loader, the decompressor and startup_64 at
	 * physical addresses: counted apart. After it, a low address is user
	 * space.
	 */
	if (!kernel_seen && pc < TEXT_BASE) {
		before++;
		return;
	}
	kernel_seen = 1;
	if (pc < USER_TOP) {
		user_started = 1;
		return;
	}
	total++;
	if (pc >= TEXT_BASE && pc - TEXT_BASE < TEXT_SIZE)
		blocks[(pc - TEXT_BASE) >> BLOCK_SHIFT]++;
	else
		outside++;
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
		qemu_plugin_register_vcpu_insn_exec_cb(insn, insn_exec,
						       QEMU_PLUGIN_CB_NO_REGS,
						       (void *)(uintptr_t)qemu_plugin_insn_vaddr(insn));
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
		"before_kernel %" PRIu64 "\n", total, user_started, outside, before);
	for (b = 0; b < NR_BLOCKS; b++)
		if (blocks[b])
			fprintf(f, "%" PRIx64 " %" PRIu64 "\n",
				(uint64_t)(TEXT_BASE + (b << BLOCK_SHIFT)), blocks[b]);
	fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	if (!info->system_emulation || info->system.max_vcpus > 1) {
		fprintf(stderr, "insn-hot: system emulation with one vCPU only\n");
		return -1;
	}
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			out_path = argv[i] + 4;
		} else {
			fprintf(stderr, "insn-hot: unknown argument '%s'\n", argv[i]);
			return -1;
		}
	}
	if (!out_path) {
		fprintf(stderr, "insn-hot: out=PATH is required\n");
		return -1;
	}
	blocks = calloc(NR_BLOCKS, sizeof(*blocks));
	if (!blocks)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
