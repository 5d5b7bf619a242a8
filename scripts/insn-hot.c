// SPDX-License-Identifier: GPL-2.0
/*
 * insn-hot.c - a QEMU TCG plugin that counts the kernel instructions a
 * guest executes from reset until its init says it runs, per 16-byte block
 * of kernel text, for scripts/boot-profile.
 *
 * Where -icount's guest clock also advances while a vCPU idles (QEMU skips
 * to the next timer with sleep=off), these are instructions executed, each
 * counted where it ran: scripts/boot-profile turns the blocks into functions
 * with System.map. The end is the init's marker, the multi-byte NOP that
 * opens a window of scripts/insn-classes.c (bytes 0f 1f 84 00 31 4c 4d 4b),
 * which scripts/vm-init.c executes first thing in main(). Before the first
 * instruction in the kernel's half of the address space run the firmware,
 * the boot loader, the decompressor or the PVH entry and the startup code
 * at physical addresses: counted apart. With more than one vCPU the counts
 * would race; the plugin refuses to load then. No register reads (plugin
 * API version 1): kernel text is told by address.
 *
 * Arguments (-plugin FILE,out=PATH): PATH gets "total N" (instructions in
 * the kernel's half from its first one to the marker), "user_start 0|1"
 * (the marker was seen), "outside_text N" (of total, outside the 128 MiB of
 * text from 0xffffffff80000000), "before_kernel N", "user N" (low-address
 * instructions between, the C library's start-up of init and anything
 * else) and one "ADDRESS COUNT" line per block of text executed
 * (hexadecimal address of the block, decimal count) at exit.
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

static uint64_t *blocks;
static uint64_t total, outside, before, user;
static int kernel_seen, user_started;
static const char *out_path;

static void insn_exec(unsigned int vcpu, void *udata)
{
	uint64_t pc = (uintptr_t)udata;

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
		"before_kernel %" PRIu64 "\nuser %" PRIu64 "\n", total, user_started,
		outside, before, user);
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
	out_path = plugin_setup("insn-hot", info, argc, argv, NULL);
	if (!out_path)
		return -1;
	blocks = calloc(NR_BLOCKS, sizeof(*blocks));
	if (!blocks)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
