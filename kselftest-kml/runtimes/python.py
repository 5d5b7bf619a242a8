# SPDX-License-Identifier: GPL-2.0
#
# Python in ring 0: threads, asyncio, signal timers, multiprocessing and
# subprocess. Prints one "ok NAME" or "not ok NAME: why" line per check and
# the ring it runs in; scripts/check/runtimes compares the lines with a
# ring-3 run.
import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time


def ring():
    try:
        with open('/proc/self/arch_status') as f:
            for line in f:
                if line.startswith('KML_ring0:'):
                    return 0 if line.split()[1] == '1' else 3
    except OSError:
        pass
    return 3


def check(name, cond, why=''):
    print(f'ok {name}' if cond else f'not ok {name}: {why}', flush=True)


def threads():
    lock, total = threading.Lock(), [0]

    def work(n):
        for i in range(n):
            with lock:
                total[0] += i

    ts = [threading.Thread(target=work, args=(2000,)) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    want = 4 * sum(range(2000))
    check('threads', total[0] == want, f'{total[0]} != {want}')


async def ticker(name, delay, out):
    for i in range(3):
        await asyncio.sleep(delay)
        out.append((name, i))


async def aio():
    out, q = [], asyncio.Queue()
    await asyncio.gather(ticker('a', 0.01, out), ticker('b', 0.015, out))

    async def producer():
        for i in range(5):
            await q.put(i)
        await q.put(None)

    async def consumer():
        got = []
        while (item := await q.get()) is not None:
            got.append(item)
        return got

    got = (await asyncio.gather(producer(), consumer()))[1]
    return sorted(out) == [(n, i) for n in 'ab' for i in range(3)] and got == list(range(5))


def signals():
    ticks = [0]

    def on_alarm(sig, frame):
        ticks[0] += 1

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.005, 0.005)
    end = time.monotonic() + 30
    while ticks[0] < 5 and time.monotonic() < end:
        sum(range(1000))
    signal.setitimer(signal.ITIMER_REAL, 0, 0)
    check('signal timer (setitimer, SIGALRM handler)', ticks[0] >= 5, f'{ticks[0]} ticks')

    got = []
    signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
    os.kill(os.getpid(), signal.SIGUSR1)
    check('signal sent to itself (SIGUSR1)', got == [signal.SIGUSR1], f'{got}')


def square(x):
    return x * x, ring()


def child_put(q):
    q.put(('child', os.getpid() != os.getppid(), ring()))


def processes():
    ctx = multiprocessing.get_context('fork')
    with ctx.Pool(2) as pool:
        res = pool.map(square, range(20))
    check('multiprocessing Pool.map', [r[0] for r in res] == [x * x for x in range(20)],
          f'{res}')
    check('multiprocessing workers run in the parent\'s ring',
          {r[1] for r in res} == {ring()}, f'{res}')
    q = ctx.Queue()
    p = ctx.Process(target=child_put, args=(q,))
    p.start()
    msg = q.get(timeout=60)
    p.join()
    check('multiprocessing Process and Queue', msg == ('child', True, ring()) and
          p.exitcode == 0, f'{msg} exit {p.exitcode}')


def subprocs():
    r = subprocess.run(['/bin/echo', 'hello'], capture_output=True, text=True, timeout=60)
    check('subprocess.run /bin/echo', r.returncode == 0 and r.stdout == 'hello\n',
          f'{r.returncode} {r.stdout!r}')
    r = subprocess.run([sys.executable, '-c', 'import sys; sys.exit(7)'], timeout=60)
    check('subprocess.run of the interpreter itself', r.returncode == 7, f'{r.returncode}')


def main():
    print(f'ring {ring()}', flush=True)
    threads()
    check('asyncio gather, sleep and queue', asyncio.run(aio()))
    signals()
    processes()
    subprocs()
    print('done', flush=True)


if __name__ == '__main__':
    main()
