# SPDX-License-Identifier: GPL-2.0
#
# lupine: Kernel Mode Linux for Linux 7.3 (mainline) and 6.12 LTS, and
# Lupine-style specialized kernels. "make help" lists the targets and the
# variables in effect.

# Kernel line (kernel/pins/KVER): 7.3, mainline, the series' primary base
# (patches/); 6.12, the LTS backport (patches/6.12/). The mainline line is
# named once, in scripts/lib.sh; the LTS line is every other pin.
MAINLINE := $(shell sed -n 's/^MAINLINE_KVER=//p' scripts/lib.sh)
LTS := $(filter-out $(MAINLINE),$(notdir $(wildcard kernel/pins/*)))
KVER ?= $(MAINLINE)
# Kernel variant (kernel/variants/*.conf, or stock).
V ?= lupine
# Output directory (one per line) and kernel tree.
ifeq ($(KVER),$(MAINLINE))
O ?= $(CURDIR)/build
else
O ?= $(CURDIR)/build/$(KVER)
endif
KSRC ?= $(O)/linux
RESULTS ?= $(O)/results
# Guest settings for the VM runs.
CPUS ?= 1
QEMU ?= qemu-system-x86_64
TIMEOUT ?= 300
# VERBOSE=1 shows full build output and the exact QEMU command lines.
VERBOSE ?= 0

export KVER O KSRC RESULTS CPUS QEMU TIMEOUT VERBOSE
# Our V is the variant: keep it away from Kbuild and from the scripts.
unexport V
MAKEOVERRIDES :=

VARIANTS := $(sort $(basename $(notdir $(wildcard kernel/variants/*.conf)))) stock
VM := scripts/run/vm
# Variants that "make boot-stats" measures.
BOOT_VARIANTS ?= lupine lupine-nokml stock
# Seconds of stress-ng per ring: "make stress" and "make check-stress".
STRESS_TIME ?= 300
STRESS_CHECK_TIME ?= 20
# System calls per mode of "make fuzz", and its seed (empty: from the time);
# seconds of trinity per ring in "make fuzz" and "make check-fuzz".
TRINITY_TIME ?= 600
TRINITY_CHECK_TIME ?= 30
TRINITY_SEED ?=
FUZZ_CALLS ?= 100000
FUZZ_SEED ?=
# The application of "make derive" and the applications of "make eval".
APP ?= redis
APPS ?= hello redis nginx memcached python

.PHONY: help deps tree export kernel kernels selftests libc bench-libc redis nginx demo boot-stats boot-profile bench bench-beyond stress fuzz eval app-classes fork-survey density derive ablate \
	upstream-selftests policy-routes check lts-prepare check-prepare check-lts check-long check-debug check-vm check-selftests check-upstream check-libc check-kunit check-pristine check-series check-bench check-image check-stress check-runtimes check-fuzz check-eval check-density check-hello \
	clean distclean

# ktap_gate PROGRAM,NAME: run PROGRAM (KTAP on stdout) into RESULTS/NAME.ktap,
# judge it with scripts/check/ktap-check, print its count line (and the
# diagnostics of what failed), fail as it does.
define ktap_gate
@mkdir -p $(RESULTS)
@$(1) | tee $(RESULTS)/$(2).ktap | \
	scripts/check/ktap-check --name $(2) --results $(RESULTS) >$(RESULTS)/$(2).summary; \
	rc=$$?; grep '^ktap-check: ' $(RESULTS)/$(2).summary; exit $$rc
endef

help:
	@echo 'lupine - Kernel Mode Linux for Linux $(MAINLINE) (and $(LTS) LTS), and Lupine-style microVM kernels'
	@echo
	@echo 'Every target works on the kernel line KVER: $(MAINLINE) (mainline, default; patches/,'
	@echo 'output in build/) or $(LTS) (the LTS backport; patches/$(LTS)/, output in build/$(LTS)/).'
	@echo
	@echo 'Setup and build:'
	@echo '  deps          install what lupine needs (Debian packages, the source of both lines)'
	@echo '  tree          unpack the pinned KVER source into KSRC, apply the line'"'"'s series'
	@echo '  export        write the commits of KSRC on lupine-base back into the line'"'"'s patches'
	@echo '  kernel        build variant V into O/kernels/V (V=stock: Debian cloud kernel)'
	@echo '  kernels       build every variant: $(VARIANTS)'
	@echo '  selftests     build kselftest-kml into O/kselftest'
	@echo '  libc          build libc-kml (musl + libc-kml/patches) and kml-gcc into O/libc-kml'
	@echo
	@echo 'Run:'
	@echo '  demo          the main job: syscall cost in ring 3 and ring 0 on lupine (--icount)'
	@echo '  sizes         build every variant of KVER and tabulate bzImage/vmlinux sizes'
	@echo '  boot-stats    sizes, boot-to-init time and smallest memory of BOOT_VARIANTS'
	@echo '  boot-profile  one deterministic boot of V: phases, initcalls, kernel functions by'
	@echo '                instructions before init (RESULTS/boot-profile/V.md); BARE=1: an initramfs'
	@echo '                of the init and one static program, no busybox (a hello guest)'
	@echo '  bench         syscall latency benchmark on every mode (--icount): O/results/bench'
	@echo '  bench-beyond  1 vs 2 vCPUs, processes vs threads, static vs dynamic in ring 0'
	@echo '  upstream-selftests  the kernel'"'"'s x86, futex, timers, signal and ptrace selftests'
	@echo '                in ring 3, ring 0 and without KML; table in Documentation/kml-selftests.rst'
	@echo '  redis         redis-server built with kml-gcc, in ring 0 on lupine, answering redis-cli'
	@echo '  nginx         nginx built with kml-gcc, in ring 0 on lupine, serving busybox wget'
	@echo '  eval          the Lupine evaluation of every variant and application kernel: size,'
	@echo '                boot, memory, redis and nginx throughput: O/results/eval (APPS=$(APPS));'
	@echo '                then app-classes, fork-survey and density'
	@echo '  app-classes   redis and nginx (kml-gcc builds) in ring 3 and ring 0 on lupine, a client'
	@echo '                of ours in the guest: instructions by class and MODELLED cycles per'
	@echo '                request (QEMU plugin, --icount): O/results/eval/app-classes.md and .json'
	@echo '  fork-survey   how many applications use fork: Debian'"'"'s servers traced in a guest of'
	@echo '                microvm (processes, threads, exec, linking, SMP, options beyond'
	@echo '                lupine-base): O/results/eval/fork-survey.md and .json'
	@echo '  density       how many hello and redis guests fit in 4 GiB: 4 guests of each of stock,'
	@echo '                microvm and the lupine kernels at once, the PSS of each QEMU:'
	@echo '                O/results/eval/density.md, .json and .png'
	@echo '  derive        derive APP'"'"'s Kconfig fragment from a strace of it, build that kernel'
	@echo '                and run APP on it (APP=$(APP))'
	@echo '  ablate        build lupine-APP without each option of app-APP.config in turn and'
	@echo '                run APP: which options it needs (APP=$(APP); minutes per option)'
	@echo '  stress        stress-ng in ring 0 and ring 3 on lupine, 2 vCPUs, 5 minutes each: O/results/stress'
	@echo '  fuzz          trinity (Debian'"'"'s) for TRINITY_TIME seconds per ring, then kml_fuzz_test with'
	@echo '                FUZZ_CALLS random system calls (the direct call), in ring 0 and ring 3'
	@echo '  policy-routes  kml_policy_test alone (the KML LSM: who gets ring 0), as root with kml=on'
	@echo '  check         the gates that fit in about an hour: on $(MAINLINE) check-series (builds after'
	@echo '                the last patch; they are the test kernels), check-vm, check-protections, check-selftests,'
	@echo '                check-debug,'
	@echo '                check-upstream, check-libc, check-kunit, check-pristine, check-image,'
	@echo '                check-bench, check-density, check-hello, check-stress, check-runtimes, check-fuzz;'
	@echo '                then check-lts.'
	@echo '                Wall time per gate: RESULTS/timing'
	@echo '  check-lts     the $(LTS) backport: check-series (lupine after the last patch),'
	@echo '                check-pristine, kselftest-kml in ring 3, ring 0, KML off (RESULTS/$(LTS)/)'
	@echo '  check-long    what check leaves out for time (about 2 hours): check-series with both'
	@echo '                builds after every patch and check-eval on $(MAINLINE); check-series and'
	@echo '                every kselftest-kml mode (with lupine-nokml) on $(LTS) (RESULTS/long/)'
	@echo '  check-vm      the VM runner: exit status, panic, timeout, files, SMP'
	@echo '  check-protections  CPU/bug flags and vulnerabilities files: lupine without kml=on'
	@echo '                equals lupine-nokml; with kml=on only FSGSBASE/IBT/FRED go'
	@echo '  check-selftests  kselftest-kml in every mode (nokml, KML ring 3/ring 0/off), 1 and 2 vCPUs'
	@echo '  check-pristine  git am of the line'"'"'s series onto its pristine upstream tarball'
	@echo '  check-kunit   x86_kml and kml_lsm KUnit suites (variant kunit, kunit.py exec): no kml=, kml=on, refused (pti, ia32)'
	@echo '  check-upstream  upstream selftests (minus the slow ones) in ring 3 and ring 0 against'
	@echo '                kselftest-kml/upstream-expected-$(KVER).txt'
	@echo '  check-libc    libc-kml tests (static, dynamic) in ring 0, ring 3, nokml and stock guests'
	@echo '  check-series  checkpatch --strict and bisectable builds of patches/'
	@echo '  check-image   scripts/build/image2rootfs: formats, whiteouts, refusals, boots'
	@echo '  check-bench   a short bench run, its outputs checked'
	@echo '  check-stress  a short stress run (STRESS_CHECK_TIME seconds per ring), judged'
	@echo '  check-runtimes  Python, Go, Java, Node.js, gdb and strace with a ring-0 program, each'
	@echo '                against the same run in ring 3 (scripts/check/runtimes)'
	@echo '  check-fuzz    trinity for TRINITY_CHECK_TIME seconds in ring 0 and ring 3, judged'
	@echo '  check-eval    application kernels, eval --quick, derive-config, fork-survey and'
	@echo '                app-classes, judged'
	@echo '  check-density  scripts/eval/density on two lupine-nokml guests: numbers, no QEMU left, refusals'
	@echo '  check-hello   lupine-hello: hello alone, the hello set (C, C++, Go, Rust) in ring 3 and'
	@echo '                ring 0, libc-kml hello in ring 0 in 12 MiB (scripts/check/test-hello)'
	@echo '  check-debug   lupine-debug (x86_debug.config, DEBUG_ENTRY, lockdep, noinstr validation):'
	@echo '                no build warning, kselftest-kml in ring 0 and ring 3, kml_nest_test under'
	@echo '                host NMIs (NEST_SECONDS, NEST_NMI_RATE); no kernel splat anywhere'
	@echo
	@echo 'Variables in effect:'
	@echo '  KVER=$(KVER)  (lines: $(MAINLINE) mainline, $(LTS) LTS)'
	@echo '  V=$(V)  (variants: $(VARIANTS))'
	@echo '  O=$(O)'
	@echo '  KSRC=$(KSRC)'
	@echo '  RESULTS=$(RESULTS)'
	@echo '  CPUS=$(CPUS)  QEMU=$(QEMU)  TIMEOUT=$(TIMEOUT)  VERBOSE=$(VERBOSE)'
	@echo '  STRESS_TIME=$(STRESS_TIME)  STRESS_CHECK_TIME=$(STRESS_CHECK_TIME)  FUZZ_CALLS=$(FUZZ_CALLS)  FUZZ_SEED=$(FUZZ_SEED)'
	@echo
	@echo 'One command boots a kernel and runs a program: scripts/run/vm --help'

deps:
	@scripts/build/deps

tree:
	@scripts/build/tree

export:
	@scripts/build/export

kernel: tree
	@scripts/build/kernel $(V)

kernels: tree
	@set -e; for v in $(VARIANTS); do scripts/build/kernel $$v; done

selftests: tree
	@scripts/build/selftests

libc:
	@scripts/build/libc

redis: libc
	@scripts/build/kernel lupine
	@scripts/build/redis

nginx: libc
	@scripts/build/kernel lupine
	@scripts/build/nginx

demo: tree selftests libc
	@scripts/build/kernel lupine
	@mkdir -p $(O)/demo
	@$(O)/libc-kml/bin/kml-gcc -O2 -static -I kselftest-kml \
		-o $(O)/demo/getppid_loop libc-kml/tests/getppid_loop.c
	@echo
	@echo "== syscall cost on lupine with kml=on, QEMU TCG -icount shift=0 (1 ns = 1 instruction)"
	@echo "== ring 3: the probe outside the trusted directory"
	@$(VM) --kernel lupine --append kml=on --icount --stats \
		--file $(O)/kselftest/kml/syscall_probe -- syscall_probe --icount
	@echo
	@echo "== ring 0: root marks the same probe for ring 0, the administrator's one step"
	@echo "==   (setfattr -n security.kml -v 1 FILE: CAP_SYS_MODULE only), and runs it:"
	@echo "==   by syscall and by the direct call"
	@$(VM) --kernel lupine --append kml=on --icount \
		--file $(O)/kselftest/kml/syscall_probe --file /usr/bin/setfattr -- \
		sh -c 'setfattr -n security.kml -v 1 /usr/local/bin/syscall_probe && syscall_probe --icount'
	@echo
	@echo "== libc-kml: getppid() through the C library of a kml-gcc program, ring 3 then ring 0"
	@$(VM) --kernel lupine --append kml=on --icount \
		--file $(O)/demo/getppid_loop --trusted $(O)/demo/getppid_loop \
		-- sh -c 'getppid_loop && /trusted/getppid_loop'

# Every variant of the kernel line built, with its size (results/sizes.md;
# make KVER=$(LTS) sizes for the backport).
sizes: tree
	@scripts/build/sizes $(SIZE_VARIANTS)

# Where the boot of V goes: phases and initcalls (guest clock under
# -icount) and kernel functions by instructions executed before init (the
# insn-hot plugin), in RESULTS/boot-profile/V.{md,json,png}.
boot-profile: tree
	@scripts/build/kernel $(V)
	@scripts/eval/boot-profile --kernel $(V) --out $(RESULTS)/boot-profile $(if $(filter 1,$(BARE)),--bare)

boot-stats: tree
	@set -e; for v in $(BOOT_VARIANTS); do scripts/build/kernel $$v; done
	@mkdir -p $(RESULTS)
	@scripts/eval/boot-stats $(BOOT_VARIANTS) | tee $(RESULTS)/boot-stats.md

# kml_bench built with kml-gcc: its system calls take the direct call in ring 0.
bench-libc: libc
	@mkdir -p $(O)/libc-kml-bench
	@$(O)/libc-kml/bin/kml-gcc -O2 -Wall -static -o $(O)/libc-kml-bench/kml_bench \
		kselftest-kml/kml_bench.c

bench: tree selftests bench-libc
	@scripts/build/kernel lupine-nokml
	@scripts/build/kernel lupine
	@scripts/build/kernel stock
	@scripts/eval/bench --icount
	@scripts/eval/bench-classes
	@if [ -w /dev/kvm ] && grep -qw -e vmx -e svm /proc/cpuinfo; then \
		scripts/eval/bench --tsc --out $(RESULTS)/bench-kvm-tsc; \
	else \
		echo "bench: no vmx/svm on this host, so no KVM run in TSC cycles (scripts/eval/bench --tsc on a host with them)"; \
	fi

# make check: the gates that fit in about an hour on a 2-core host, the
# mainline line first, then the LTS backport (check-lts, in O/LTS, results
# in RESULTS/LTS/). check-series comes first and builds lupine and
# lupine-nokml after the last patch in their usual output directories: those
# are the kernels every later gate boots. The other kernels are built in the
# background while the guests of the gates before them run (lts-prepare,
# check-prepare). The builds after every other patch
# (about 35 minutes more per line), the application kernels of check-eval and the
# backport's KML-off build are reported as skipped here and run in "make
# check-long". Every gate's wall time goes to RESULTS/timing ("GATE SECONDS"
# lines); scripts/check/summary prints it as a table.
CHECKS := check-series check-vm check-protections check-selftests check-upstream check-libc \
	check-pristine check-image check-bench check-density check-stress check-runtimes check-fuzz \
	check-hello check-kunit check-debug
check: tree
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)/$(LTS); rc=0; t0=$$(date +%s); lts_pid=; \
	for t in $(CHECKS) check-lts; do \
		s=$$(date +%s); echo "== $$t (at $$(( (s - t0) / 60 )) min)"; \
		if [ $$t = check-lts ]; then \
			if [ -n "$$lts_pid" ]; then \
				wait $$lts_pid && echo "check-lts: $(LTS) tree and lupine ready (log: $(RESULTS)/$(LTS)/lts-prepare.log)" || \
					{ echo "check-lts: preparing $(LTS) in the background failed, check-lts does it again:"; \
					  tail -n 20 $(RESULTS)/$(LTS)/lts-prepare.log; }; \
			fi; \
			$(MAKE) --no-print-directory KVER=$(LTS) O=$(O)/$(LTS) KSRC=$(O)/$(LTS)/linux \
				RESULTS=$(RESULTS)/$(LTS) check-lts || rc=1; \
		else \
			SERIES_BUILD=last $(MAKE) --no-print-directory $$t || rc=1; \
		fi; \
		echo "$$t $$(( $$(date +%s) - s ))" >>$(RESULTS)/timing; \
		if [ $$t = check-series ]; then \
			echo "== in the background (nice 10): $(LTS)'s tree, selftests and lupine (log: $(RESULTS)/$(LTS)/lts-prepare.log), then $(CHECK_PREPARE) (log: $(RESULTS)/check-prepare.log)"; \
			{ nice -n 10 $(MAKE) --no-print-directory KVER=$(LTS) O=$(O)/$(LTS) KSRC=$(O)/$(LTS)/linux \
				RESULTS=$(RESULTS)/$(LTS) lts-prepare >$(RESULTS)/$(LTS)/lts-prepare.log 2>&1; \
			  lrc=$$?; nice -n 10 $(MAKE) --no-print-directory check-prepare >$(RESULTS)/check-prepare.log 2>&1; \
			  exit $$lrc; } & lts_pid=$$!; \
		fi; \
	done; \
	{ echo "KTAP version 1"; echo "1..2"; \
	  echo "ok 1 check-eval # SKIP application kernels (about 20 minutes): make check-long"; \
	  echo "ok 2 check-selftests nokml ($(LTS)) # SKIP the backport's lupine-nokml: make check-long"; \
	} >$(RESULTS)/not-in-check.ktap; echo "0 0 2" >$(RESULTS)/not-in-check.counts; \
	echo "== not in make check (make check-long): the builds after every patch but the last, check-eval, the $(LTS) KML-off build"; \
	echo "== summary (after $$(( ($$(date +%s) - t0) / 60 )) min)"; scripts/check/summary $(RESULTS) $$rc

# What check-lts builds, made while the mainline gates run: their guests
# leave a core idle much of the time (1-vCPU runs), and at nice 10 the build
# takes little from them otherwise.
lts-prepare: tree selftests
	@scripts/build/kernel lupine

# Then the kernels of the last mainline gates (check-hello, check-kunit,
# check-debug: about 16 minutes of builds on two idle cores), in the order
# those gates run. A gate that reaches its kernel while it is still being
# built waits for it (scripts/build/kernel locks the output directory); a
# background build that fails is built, and reported, again by its gate.
CHECK_PREPARE := lupine-hello kunit lupine-debug
check-prepare: tree
	@for v in $(CHECK_PREPARE); do scripts/build/kernel $$v || exit 1; done

# The LTS backport in make check: its series gate (checkpatch and git am of
# every patch, lupine built after the last one), git am onto its pristine
# tarball, and the kselftest-kml matrix on that kernel (kml_policy_test
# included): ring 3, ring 0 and KML off (kml=on not given), on 1 and 2 vCPUs.
check-lts: tree selftests
	@rc=0; \
	echo "== check-series ($(KVER))"; \
	SERIES_BUILD=last SERIES_VARIANTS=lupine scripts/check/check-series || rc=1; \
	echo "== check-pristine ($(KVER))"; $(MAKE) --no-print-directory check-pristine || rc=1; \
	echo "== check-selftests ($(KVER): kml-ring3 kml-ring0 kml-off)"; \
	{ scripts/build/kernel lupine && scripts/check/run-selftests kml-ring3 kml-ring0 kml-off; } || rc=1; \
	exit $$rc

# What make check leaves out for time, on both lines: the series gate with
# both builds after every patch, the application kernels (check-eval), and
# the backport's lupine-nokml with the no-KML mode of its matrix. About two
# hours on a 2-core host; results in RESULTS/long/ and RESULTS/long/$(LTS)/.
check-long: tree
	@rc=0; t0=$$(date +%s); mkdir -p $(RESULTS)/long; \
	for t in check-series check-eval; do \
		echo "== $$t ($(KVER))"; \
		$(MAKE) --no-print-directory RESULTS=$(RESULTS)/long $$t || rc=1; \
	done; \
	for t in check-series check-selftests; do \
		echo "== $$t ($(LTS))"; \
		$(MAKE) --no-print-directory KVER=$(LTS) O=$(O)/$(LTS) KSRC=$(O)/$(LTS)/linux \
			RESULTS=$(RESULTS)/long/$(LTS) $$t || rc=1; \
	done; \
	echo "== summary (after $$(( ($$(date +%s) - t0) / 60 )) min)"; scripts/check/summary $(RESULTS)/long $$rc

check-vm: tree selftests
	@scripts/build/kernel lupine-nokml
	@scripts/build/kernel lupine
	@scripts/build/kernel stock
	$(call ktap_gate,scripts/check/test-vm,check-vm)

# The entry code on a debug kernel (lupine-debug: x86_debug.config,
# DEBUG_ENTRY, PROVE_LOCKING, NOINSTR_VALIDATION, the KML NMI test hook): a
# build log without warnings, the kselftest-kml suite in ring 0 and ring 3,
# and events that nest in NMIs injected from the host (scripts/check/check-debug).
check-debug: tree selftests
	@mkdir -p $(RESULTS)
	@scripts/check/check-debug

# The protections a boot shows (CPU and bug flags, the vulnerabilities
# files): KML built in but not turned on changes none of them.
check-protections: tree
	@scripts/build/kernel lupine-nokml
	@scripts/build/kernel lupine
	$(call ktap_gate,scripts/check/protections,check-protections)

check-image: tree
	@scripts/build/kernel lupine-nokml
	$(call ktap_gate,scripts/check/test-image2rootfs,check-image)

check-selftests: tree selftests
	@scripts/build/kernel lupine-nokml
	@scripts/build/kernel lupine
	@scripts/check/run-selftests

upstream-selftests: tree selftests
	@scripts/build/kernel lupine-nokml
	@scripts/build/kernel lupine
	@scripts/check/upstream-selftests --table

check-upstream: tree selftests
	@scripts/build/kernel lupine
	@scripts/check/upstream-selftests --quick kml-ring3 kml-ring0

check-libc: tree selftests libc
	@scripts/build/kernel lupine-nokml
	@scripts/build/kernel lupine
	@scripts/build/kernel stock
	@scripts/check/check-libc

check-kunit: tree
	@scripts/check/kunit

check-pristine:
	$(call ktap_gate,scripts/check/check-pristine,check-pristine)

bench-beyond: tree selftests bench-libc
	@scripts/build/kernel lupine
	@scripts/eval/bench-beyond

check-bench: tree selftests bench-libc
	@scripts/build/kernel lupine-nokml
	@scripts/build/kernel lupine
	@scripts/build/kernel stock
	$(call ktap_gate,scripts/check/test-bench,check-bench)

# Every variant, and the kml-gcc redis and nginx for ring 0.
eval: tree libc
	@set -e; for v in $(filter-out kunit,$(VARIANTS)); do scripts/build/kernel $$v; done
	@scripts/build/redis >/dev/null
	@scripts/build/nginx >/dev/null
	@rc=0; scripts/eval/eval --apps "$(APPS)" || rc=1; scripts/eval/app-classes || rc=1; \
		scripts/eval/fork-survey || rc=1; scripts/eval/density || rc=1; exit $$rc

# redis and nginx (the kml-gcc builds) in ring 3 and ring 0 on lupine: per
# request, instructions by class and modelled cycles (scripts/eval/app-classes),
# in O/results/eval/app-classes.{md,json,png}; four boots, about half a minute.
app-classes: tree libc
	@scripts/build/kernel lupine
	@scripts/build/redis >/dev/null
	@scripts/build/nginx --build-only >/dev/null
	@scripts/eval/app-classes

# Debian's servers under strace in a guest of microvm (scripts/eval/fork-survey):
# processes, threads, exec, linking, SMP, kernel options; about 10 minutes.
fork-survey: tree
	@scripts/build/kernel microvm
	@scripts/eval/fork-survey

# Guests per 4 GiB of host memory (scripts/eval/density): hello and redis guests
# of stock, microvm and the lupine kernels, and the static redis alone in its
# guest (the kml-gcc build) on lupine-redis, 4 at once, the PSS of each QEMU;
# the --mem of each kernel from eval's results when "make eval" left them.
# The kernels it boots by default:
DENSITY_KERNELS := stock microvm lupine-nokml lupine-hello lupine-redis
density: tree libc
	@set -e; for v in $(DENSITY_KERNELS); do scripts/build/kernel $$v; done
	@scripts/build/redis >/dev/null
	@scripts/eval/density

derive: tree
	@scripts/build/kernel lupine
	@scripts/build/derive-config --verify $(APP)

ablate: tree
	@scripts/eval/ablate $(APP)

check-eval: tree libc
	@scripts/build/kernel lupine-nokml
	@scripts/build/kernel lupine
	@scripts/build/kernel stock
	@scripts/build/kernel lupine-hello
	@scripts/build/kernel lupine-redis
	@scripts/build/kernel lupine-nginx
	@scripts/build/kernel lupine-memcached
	@scripts/build/kernel lupine-python
	@scripts/build/redis >/dev/null
	@scripts/build/nginx --build-only >/dev/null
	$(call ktap_gate,scripts/check/test-eval,check-eval)

# lupine-hello runs its hello set and hello within its memory goal (about
# five minutes, most of it the kernel's build).
check-hello: tree libc
	@scripts/build/kernel lupine-hello
	$(call ktap_gate,scripts/check/test-hello,check-hello)

# scripts/eval/density on lupine-nokml, which check-series builds (about a minute).
check-density: tree
	@scripts/build/kernel lupine-nokml
	$(call ktap_gate,scripts/check/test-density,check-density)

check-series: tree
	@scripts/check/check-series

# stress-ng in ring 0 and in ring 3 ($(STRESS_TIME) or $(STRESS_CHECK_TIME) s
# each), judged as KTAP.
stress check-stress: tree
	@scripts/build/kernel lupine
	@mkdir -p $(RESULTS)
	@scripts/check/stress --out $(RESULTS)/$@ \
		--time $(if $(filter stress,$@),$(STRESS_TIME),$(STRESS_CHECK_TIME)) | \
		tee $(RESULTS)/$@.ktap | \
		scripts/check/ktap-check --name $@ --results $(RESULTS) >$(RESULTS)/$@.summary; \
		rc=$$?; cat $(RESULTS)/$@.summary; \
		[ -f $(RESULTS)/$@/stress.md ] && echo "table: $(RESULTS)/$@/stress.md"; exit $$rc

# Language runtimes (Python, Go, Java, Node.js) and the debuggers (gdb and
# strace attached) with a ring-0 program, each against the same run in ring
# 3 (scripts/check/runtimes). About two minutes.
check-runtimes: tree libc
	@scripts/build/kernel lupine
	@mkdir -p $(RESULTS)
	@scripts/check/runtimes --out $(RESULTS)/runtimes | tee $(RESULTS)/$@.ktap | \
		scripts/check/ktap-check --name $@ --results $(RESULTS) >$(RESULTS)/$@.summary; \
		rc=$$?; cat $(RESULTS)/$@.summary; echo "table: $(RESULTS)/runtimes/runtimes.md"; exit $$rc

# Who gets ring 0, alone: kml_policy_test (also part of the kselftest-kml
# matrix of check-selftests) as root in one guest with kml=on.
policy-routes: tree selftests
	@scripts/build/kernel lupine
	@scripts/check/policy-routes

# trinity (Debian's binary: the syscall instruction) in ring 0 and ring 3,
# then kml_fuzz_test, whose calls in ring 0 take the direct call.
fuzz: tree selftests
	@scripts/build/kernel lupine
	@mkdir -p $(RESULTS)
	@rc=0; scripts/check/trinity --time $(TRINITY_TIME) $(if $(TRINITY_SEED),--seed $(TRINITY_SEED)) \
		--out $(RESULTS)/trinity >$(RESULTS)/trinity.ktap || rc=1; \
		cat $(RESULTS)/trinity.ktap; echo "table: $(RESULTS)/trinity/trinity.md"; \
		scripts/check/fuzz --calls $(FUZZ_CALLS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) || rc=1; \
		exit $$rc

check-fuzz: tree
	@scripts/build/kernel lupine
	@mkdir -p $(RESULTS)
	@scripts/check/trinity --time $(TRINITY_CHECK_TIME) --out $(RESULTS)/trinity | tee $(RESULTS)/$@.ktap | \
		scripts/check/ktap-check --name $@ --results $(RESULTS) >$(RESULTS)/$@.summary; \
		rc=$$?; cat $(RESULTS)/$@.summary; echo "table: $(RESULTS)/trinity/trinity.md"; exit $$rc

clean:
	rm -rf $(O)/kernels $(O)/kselftest $(O)/kselftest-kml $(O)/kselftest-upstream \
		$(O)/kselftest-upstream-build $(O)/vm $(RESULTS) \
		$(O)/libc-kml $(O)/libc-kml-build $(O)/libc-kml-tests

distclean:
	rm -rf $(O)
