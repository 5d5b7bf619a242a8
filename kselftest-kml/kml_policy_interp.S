/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kml_policy_interp - an "ELF interpreter" that exits with its CPL
 *
 * kml_policy_test puts it where anyone could have written it and names it in
 * the PT_INTERP of a program under the trusted directory: the exit status
 * (0 in ring 0, 3 in ring 3) says which ring the interpreter's code got. The
 * exit goes through the syscall instruction, which works in either ring.
 */
	.text
	.globl	_start
_start:
	movl	%cs, %edi
	andl	$3, %edi
	movl	$231, %eax	/* exit_group */
	syscall
	ud2
	.section .note.GNU-stack, "", @progbits
