# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers of the lupine scripts; sourced, never run.
#
# Every setting is an environment variable the caller may override:
#   O     output directory (default: build/ in the project)
#   KSRC  kernel source tree (default: $O/linux, made by "make tree")
#   V     kernel variant (see kernel/variants/)
#   VERBOSE=1  show full build output and the exact commands

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROG=${PROG:-$(basename "$0")}
# The kernel line: 7.3 (mainline, the series' primary base; its patches are
# in patches/) or 6.12 (the LTS backport, patches/6.12/). Each line has its
# pin in kernel/pins/ and, by default, its own output directory.
MAINLINE_KVER=7.3
KVER=${KVER:-$MAINLINE_KVER}
if ! [ -f "$TOP/kernel/pins/$KVER" ]; then
	echo "$PROG: error: KVER=$KVER: no kernel/pins/$KVER (lines: $(ls "$TOP/kernel/pins" | paste -sd' '))" >&2
	exit 1
fi
if [ "$KVER" = "$MAINLINE_KVER" ]; then
	PATCHES=$TOP/patches
	O=${O:-$TOP/build}
else
	PATCHES=$TOP/patches/$KVER
	O=${O:-$TOP/build/$KVER}
fi
case $O in /*) ;; *) O=$TOP/$O ;; esac
KSRC=${KSRC:-$O/linux}
case $KSRC in /*) ;; *) KSRC=$TOP/$KSRC ;; esac
RESULTS=${RESULTS:-$O/results}
case $RESULTS in /*) ;; *) RESULTS=$TOP/$RESULTS ;; esac
VERBOSE=${VERBOSE:-0}
export KVER O KSRC RESULTS VERBOSE
JOBS=${JOBS:-$(nproc)}
BASE_TAG=lupine-base

# shellcheck source=../kernel/pins/7.3
. "$TOP/kernel/pins/$KVER"
PIN=kernel/pins/$KVER

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

warn() {
	echo "$PROG: warning: $*" >&2
}

info() {
	echo "$PROG: $*" >&2
}

# Run a command, showing it first when VERBOSE=1.
run() {
	[ "$VERBOSE" = 1 ] && echo "+ $*" >&2
	"$@"
}

# LUPINE_CCACHE=1 sends every kernel build through ccache (Debian's
# package, from "make deps"), with one cache for all variants and both lines
# in $CCACHE_DIR. It pays off only when the same sources are built again
# (after "make clean", a second "make check-series"): between lupine and
# lupine-nokml the preprocessed text differs in nearly every file, because
# CONFIG_KERNEL_MODE_LINUX changes the disabled-feature masks that
# cpu_feature_enabled() expands everywhere, so a fresh "make check" finds
# nothing to share and pays for a second preprocessor run on every miss
# (about 20% of a file's compile time: 0.5 s of 2.7 s for
# kernel/sched/core.c). Off by default for that reason.
LUPINE_CCACHE=${LUPINE_CCACHE:-0}
export CCACHE_DIR=${CCACHE_DIR:-$TOP/build/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
KCC=gcc
if [ "$LUPINE_CCACHE" = 1 ] && command -v ccache >/dev/null; then
	KCC="ccache gcc"
fi

# make for the kernel tree: our own V= (the variant) and make flags of the
# top-level Makefile must not leak into Kbuild.
kmake() {
	local kv=0

	[ "$VERBOSE" = 1 ] && kv=1
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u MAKEOVERRIDES \
		make -C "$KSRC" V=$kv -j"$JOBS" CC="$KCC" HOSTCC="$KCC" "$@"
}

# judge_ktap NAME RUNRC [WHAT [LOG]]: judge $RESULTS/NAME.ktap with
# scripts/check/ktap-check (NAME.json, NAME.counts and NAME.summary beside it),
# print its verdict and, on failure, the failing lines and WHAT (the run that
# produced the stream, with log LOG) if it ended with a nonzero RUNRC.
# Returns 1 on any failure.
judge_ktap() {
	local name=$1 runrc=$2 what=${3:-the guest run} log=${4:-$RESULTS/$1.ktap} krc

	"$TOP/scripts/check/ktap-check" --name "$name" --json "$RESULTS/$name.json" \
		--results "$RESULTS" "$RESULTS/$name.ktap" >"$RESULTS/$name.summary"
	krc=$?
	tail -n 1 "$RESULTS/$name.summary"
	[ $krc = 0 ] && [ "$runrc" = 0 ] && return 0
	grep -v '^\[' "$RESULTS/$name.summary" | sed 's/^/  /'
	grep -a '# .*\(Expected\|FAIL\|not ok\)\|^ *not ok' "$RESULTS/$name.ktap" |
		head -n 20 | sed 's/^/  /'
	[ "$runrc" != 0 ] && echo "  $what ended with status $runrc; log: $log"
	return 1
}

# judge_console NAME LOG: the kernel log of a guest run (dmesg, printed by
# the guest after its tests) must hold no warning, oops or BUG splat, and no
# W^X complaint of the page attribute code. Writes RESULTS/NAME.ktap (one
# case) and judges it like any other stream; on failure prints the splat's
# first lines. Returns 1 on a splat or a missing log.
SPLAT_RE='WARNING: CPU: |WARNING: at |WARNING: [^ ]+:[0-9]+ at |BUG:|Oops:|cut here|Call Trace:|W\^X violation'
judge_console() {
	local name=$1 log=$2 splat

	if [ ! -s "$log" ]; then
		printf 'KTAP version 1\n1..1\nnot ok 1 %s: no kernel log (%s)\n' "$name" "$log" >"$RESULTS/$name.ktap"
	else
		splat=$(grep -a -m 1 -n -E "$SPLAT_RE" "$log")
		if [ -z "$splat" ]; then
			printf 'KTAP version 1\n1..1\nok 1 %s: the kernel logged no warning, oops or BUG\n' "$name" >"$RESULTS/$name.ktap"
		else
			{
				printf 'KTAP version 1\n1..1\nnot ok 1 %s: the kernel logged a splat (%s)\n' "$name" "$log"
				grep -a -A 12 -E "$SPLAT_RE" "$log" | head -n 14 | sed 's/^/# /'
			} >"$RESULTS/$name.ktap"
		fi
	fi
	judge_ktap "$name" 0 "the guest run" "$log"
}

# build_hello_set DIR: the hello set, static "hello, world" programs of four
# languages built with Debian's compilers (gcc, g++, golang-go, rustc), as
# DIR/hello-c, hello-cxx, hello-go and hello-rust; each prints "hello,
# world (LANG)" with LANG C, C++, Go or Rust. Status 1, with the reason on
# stderr, when a compiler is missing or fails.
build_hello_set() {
	local d=$1

	mkdir -p "$d"
	printf '#include <stdio.h>\nint main(void) { puts("hello, world (C)"); return 0; }\n' >"$d/c.c"
	printf '#include <iostream>\nint main() { std::cout << "hello, world (C++)" << std::endl; return 0; }\n' >"$d/cxx.cc"
	printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello, world (Go)") }\n' >"$d/go.go"
	printf 'fn main() {\n    println!("hello, world (Rust)");\n}\n' >"$d/rust.rs"
	gcc -O2 -static -o "$d/hello-c" "$d/c.c" &&
		g++ -O2 -static -o "$d/hello-cxx" "$d/cxx.cc" &&
		(cd "$d" && CGO_ENABLED=0 GOCACHE=$d/gocache GO111MODULE=off go build -o hello-go go.go) &&
		rustc -O -C target-feature=+crt-static -o "$d/hello-rust" "$d/rust.rs" || {
		echo "cannot build the hello set (gcc, g++, golang-go, rustc: make deps)" >&2
		return 1
	}
}

# build_app_client: build scripts/eval/app-client.c (static, glibc) into
# $O/app-client/app-client when it is older than its source, and print its
# path. The request client of scripts/eval/app-classes and the check of
# scripts/run/app redis: a static program, so no library joins it.
build_app_client() {
	local src=$TOP/scripts/eval/app-client.c bin=$O/app-client/app-client

	if ! [ -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$TOP/scripts/eval/insn-marks.h" -nt "$bin" ]; then
		mkdir -p "$O/app-client"
		gcc -O2 -static -s -Wall -Wextra -I "$TOP/scripts/eval" -o "$bin" "$src" >&2 ||
			{ warn "cannot build $src"; return 1; }
	fi
	echo "$bin"
}

# build_tcg_plugin NAME: build the QEMU TCG plugin scripts/eval/NAME.c into
# $O/qemu-plugin/NAME.so (if it is older than its source) and print its
# path. The header, qemu-plugin.h, comes from Debian's qemu source package
# of the installed QEMU (apt-get source; Debian ships it in no binary
# package), fetched once into $O/qemu-plugin/.
build_tcg_plugin() {
	local src=$TOP/scripts/eval/$1.c dir=$O/qemu-plugin so=$O/qemu-plugin/$1.so ver tarball

	if ! [ -f "$so" ] || [ "$src" -nt "$so" ] || [ "$TOP/scripts/eval/insn-marks.h" -nt "$so" ]; then
		mkdir -p "$dir"
		if ! [ -f "$dir/qemu-plugin.h" ]; then
			ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null) ||
				die "qemu-system-x86 is not installed: run 'make deps'"
			info "fetching Debian's qemu source $ver for qemu-plugin.h"
			rm -rf "$dir/src"
			mkdir -p "$dir/src"
			(cd "$dir/src" && apt-get source --download-only -q "qemu=$ver" >/dev/null 2>&1) ||
				die "apt-get source qemu=$ver failed (deb-src entries: make deps)"
			tarball=$(ls "$dir"/src/qemu_*.orig.tar.* | head -n 1)
			tar -xf "$tarball" -C "$dir/src" --wildcards '*/include/qemu/qemu-plugin.h' ||
				die "no include/qemu/qemu-plugin.h in $tarball"
			cp "$dir"/src/*/include/qemu/qemu-plugin.h "$dir/qemu-plugin.h"
			rm -rf "$dir/src"
		fi
		gcc -shared -fPIC -O2 -Wall -Wextra -I "$dir" -o "$so.tmp" "$src" ||
			die "cannot build $src"
		mv "$so.tmp" "$so"
	fi
	echo "$so"
}

# mitigation_ranges KERNEL LOGDIR: print the ranges file of the insn-classes
# plugin (scripts/eval/insn-classes.c, ranges=) for a kernel: its mitigation
# symbols (thunks, BHB clearing, untraining), each up to the next symbol,
# from its System.map, or for a kernel that ships none (Debian's) from
# /proc/kallsyms of a boot without KASLR (the counting boot must have none
# either, so that the addresses are the same). Leaves in LOGDIR
# classes-KERNEL.mapfile (the symbol table used) and, for a kernel without
# System.map, classes-KERNEL.kallsyms (reused on the next call). Returns 1
# when neither table can be had.
MITIGATION_RE='^(__x86_indirect_(call_|jump_|its_)?thunk|__x86_return_thunk|retbleed_|srso_|entry_untrain_ret|entry_ibpb|write_ibpb|clear_bhb_loop|its_(return|static)_thunk|call_depth_return_thunk|__x86_call_depth)'
mitigation_ranges() {
	local map=$(kernel_dir "$1")/System.map syms=$2/classes-$1.kallsyms

	if ! [ -f "$map" ]; then
		map=$syms
		[ -s "$map" ] || "$TOP/scripts/run/vm" --kernel "$1" --mem 512M --timeout 300 \
			--append nokaslr -- /bin/sh -c \
			'echo 0 >/proc/sys/kernel/kptr_restrict; grep " [tT] " /proc/kallsyms' \
			>"$map" 2>"$2/classes-$1.kallsyms.stderr" || return 1
		grep -q '^ffffffff' "$map" || return 1
	fi
	echo "$map" >"$2/classes-$1.mapfile"
	# Each up to the next symbol, at most 512 bytes: a thunk is short, and
	# the next symbol can be far (srso_alias_return_thunk ends a section).
	python3 - "$map" "$MITIGATION_RE" <<'PY'
import re, sys
line = re.compile(r'^([0-9a-f]{16}) [A-Za-z] (\S+)')
syms = sorted((int(m[1], 16), m[2]) for m in map(line.match, open(sys.argv[1])) if m)
want = re.compile(sys.argv[2])
for (a, n), (b, _) in zip(syms, syms[1:]):
	if want.match(n) and b > a:
		print(f'{a:x} {min(b, a + 512):x} mitigation {n}')
PY
}

# The list of known kernel variants.
variants() {
	local f

	for f in "$TOP"/kernel/variants/*.conf; do
		basename "$f" .conf
	done
	echo stock
}

# Directory of a built variant.
kernel_dir() {
	echo "$O/kernels/$1"
}

# Kernel image to boot for a variant name or a path; empty if none.
# A PVH-capable vmlinux boots without decompression, so it is preferred.
kernel_image() {
	local d

	if [ -f "$1" ]; then
		echo "$1"
		return
	fi
	d=$(kernel_dir "$1")
	if [ -f "$d/vmlinux" ] && grep -qx 'CONFIG_PVH=y' "$d/.config" 2>/dev/null; then
		echo "$d/vmlinux"
	elif [ -f "$d/bzImage" ]; then
		echo "$d/bzImage"
	fi
}

# need_kml_kernel VARIANT|PATH: die unless the kernel is built with KML (an
# image file is taken as it is).
need_kml_kernel() {
	[ -f "$1" ] && return
	[ -n "$(kernel_image "$1")" ] || die "the $1 kernel is not built: make kernel V=$1"
	grep -qx 'CONFIG_KERNEL_MODE_LINUX=y' "$(kernel_dir "$1")/.config" ||
		die "the $1 kernel has no KML (patches/ not applied?)"
}

need_tree() {
	[ -f "$KSRC/Makefile" ] || die "no kernel tree at $KSRC: run 'make tree' first (or set KSRC)"
}
