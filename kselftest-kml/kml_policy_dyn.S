/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kml_policy_dyn - a program whose only purpose is its PT_INTERP
 *
 * Linked with the ELF interpreter /tmp/kml_policy_interp (see the Makefile),
 * which runs instead of this code: the kernel starts the interpreter, and
 * kml_policy_interp never jumps here.
 */
	.text
	.globl	_start
_start:
	ud2
	.section .note.GNU-stack, "", @progbits
