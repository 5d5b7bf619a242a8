// SPDX-License-Identifier: GPL-2.0
/*
 * libc_kml_dso.c - a library for libc_kml_test's dlopen case
 *
 * Its system call goes through the libc the loader already mapped, so a
 * dlopen'ed object uses the direct call exactly when the program does.
 */
#include <unistd.h>

long dso_getppid(void)
{
	return getppid();
}
