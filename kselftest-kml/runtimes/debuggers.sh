#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gdb and strace (ring 3) attach to the debuggee (ring 0 when it runs from
# the trusted directory): scripts/check/runtimes runs this in a guest and checks
# its output. $1: the debuggee's path.
prog=$1
$prog >/tmp/debuggee.out 2>&1 &
pid=$!
i=0
until grep -q '^debuggee' /tmp/debuggee.out 2>/dev/null || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "parent $$"
sed -n 1p /tmp/debuggee.out
# Breakpoints, a variable written, 30 single steps from the entry of
# getppid() (through its system call and on), a backtrace three frames deep
# with the sum of the five calls, and a detach.
gdb -q -batch -nx -p $pid -ex 'break work' -ex 'set var go = 1' -ex continue \
	-ex 'break getppid' -ex continue -ex 'stepi 30' -ex 'delete 2' \
	-ex 'break report' -ex continue -ex bt -ex detach >/tmp/gdb.out 2>&1
echo "gdb exit $?"
sed 's/^/gdb: /' /tmp/gdb.out
# strace attaches, then the debuggee makes its last ten system calls.
strace -p $pid -e trace=getppid -o /tmp/strace.out &
spid=$!
sleep 1
kill -USR1 $pid
wait $pid
echo "debuggee exit $?"
wait $spid
echo "strace exit $?"
sed 's/^/strace: /' /tmp/strace.out
sed -n '2,$p' /tmp/debuggee.out
