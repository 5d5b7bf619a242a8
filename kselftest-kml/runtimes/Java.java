// SPDX-License-Identifier: GPL-2.0
//
// Java in ring 0: threads, enough allocation for garbage collections, a
// NullPointerException the JVM raises from a SIGSEGV, and deep recursion
// that ends in a StackOverflowError (the JVM's stack guard pages). Prints
// one "ok NAME" or "not ok NAME: why" line per check and the ring it runs
// in; scripts/check/runtimes compares the lines with a ring-3 run.
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

public class Java {
	static int ring() {
		try {
			for (String l : Files.readAllLines(Path.of("/proc/self/arch_status")))
				if (l.startsWith("KML_ring0:"))
					return l.split("\\s+")[1].equals("1") ? 0 : 3;
		} catch (Exception e) {
		}
		return 3;
	}

	static void check(String name, boolean ok, String why) {
		System.out.println(ok ? "ok " + name : "not ok " + name + ": " + why);
	}

	static long counter;

	static void threads() throws Exception {
		Thread[] ts = new Thread[4];
		for (int t = 0; t < ts.length; t++) {
			ts[t] = new Thread(() -> {
				for (int i = 0; i < 20000; i++)
					synchronized (Java.class) {
						counter++;
					}
			});
			ts[t].start();
		}
		for (Thread t : ts)
			t.join();
		check("threads (4, synchronized)", counter == 80000, "" + counter);

		ExecutorService pool = Executors.newFixedThreadPool(3);
		List<Future<Long>> fs = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			final long n = i;
			fs.add(pool.submit(() -> n * n));
		}
		long sum = 0;
		for (Future<Long> f : fs)
			sum += f.get();
		pool.shutdown();
		check("executor (3 threads, 12 tasks)", sum == 506, "" + sum);
	}

	static long collections() {
		long n = 0;
		for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
			n += Math.max(gc.getCollectionCount(), 0);
		return n;
	}

	static void allocation() {
		long before = collections();
		AtomicLong keep = new AtomicLong();
		List<byte[]> live = new ArrayList<>();
		for (int i = 0; i < 4000; i++) {
			byte[] b = new byte[64 * 1024];
			b[i % b.length] = (byte)i;
			keep.addAndGet(b[i % b.length]);
			live.add(b);
			if (live.size() > 64)
				live.clear();
		}
		long after = collections();
		check("garbage collections (250 MiB allocated, 64 MiB heap)", after > before,
		      before + " -> " + after);
	}

	static int length(String s) {
		return s.length();
	}

	// Once length() is compiled, a null argument faults (SIGSEGV) and the
	// JVM's handler turns the fault into the exception.
	static void nullPointer() {
		long sum = 0;
		int caught = 0;
		for (int i = 0; i < 200000; i++)
			sum += length("abc");
		for (int i = 0; i < 1000; i++) {
			try {
				sum += length(i % 2 == 0 ? null : "abc");
			} catch (NullPointerException e) {
				caught++;
			}
		}
		check("NullPointerException caught (500 times)", caught == 500 && sum == 601500,
		      caught + " caught, sum " + sum);
	}

	static int depth;

	static void recurse() {
		depth++;
		recurse();
	}

	static void stackOverflow() {
		for (int round = 0; round < 3; round++) {
			depth = 0;
			try {
				recurse();
				check("StackOverflowError caught", false, "returned");
				return;
			} catch (StackOverflowError e) {
			}
		}
		check("StackOverflowError caught (3 times)", depth > 1000, "depth " + depth);
	}

	public static void main(String[] args) throws Exception {
		System.out.println("ring " + ring());
		threads();
		allocation();
		nullPointer();
		stackOverflow();
		System.out.println("done");
	}
}
