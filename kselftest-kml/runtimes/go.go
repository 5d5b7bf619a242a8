// SPDX-License-Identifier: GPL-2.0
//
// Go in ring 0: goroutines on two vCPUs, asynchronous preemption (SIGURG),
// timers, signals and os/exec. Prints one "ok NAME" or "not ok NAME: why"
// line per check and the ring it runs in; scripts/check/runtimes compares the
// lines with a ring-3 run. Built static (CGO_ENABLED=0).
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func ring() int {
	f, err := os.Open("/proc/self/arch_status")
	if err != nil {
		return 3
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fields := strings.Fields(s.Text()); len(fields) == 2 &&
			fields[0] == "KML_ring0:" && fields[1] == "1" {
			return 0
		}
	}
	return 3
}

func check(name string, ok bool, why string) {
	if ok {
		fmt.Printf("ok %s\n", name)
	} else {
		fmt.Printf("not ok %s: %s\n", name, why)
	}
}

func goroutines() {
	var wg sync.WaitGroup
	var sum int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 100000; i++ {
				atomic.AddInt64(&sum, int64(i%7))
			}
		}(g)
	}
	wg.Wait()
	var want int64
	for i := 0; i < 100000; i++ {
		want += int64(i % 7)
	}
	check("goroutines (8, GOMAXPROCS 2)", sum == 8*want, fmt.Sprint(sum))

	ch := make(chan int)
	done := make(chan int)
	go func() {
		n := 0
		for v := range ch {
			n += v
		}
		done <- n
	}()
	for i := 1; i <= 1000; i++ {
		ch <- i
	}
	close(ch)
	n := <-done
	check("channels", n == 500500, fmt.Sprint(n))
}

// With one P, main runs again only if the spinning goroutine, which has no
// preemption point, is preempted by a signal (SIGURG): without that, the
// sleep never ends and the run hits its timeout.
func preemption() {
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	var stop, spinning int32
	go func() {
		atomic.StoreInt32(&spinning, 1)
		for atomic.LoadInt32(&stop) == 0 {
		}
	}()
	for atomic.LoadInt32(&spinning) == 0 {
		runtime.Gosched()
	}
	start := time.Now()
	time.Sleep(10 * time.Millisecond)
	atomic.StoreInt32(&stop, 1)
	slept := time.Since(start)
	check("asynchronous preemption of a spinning goroutine",
		slept < 5*time.Second, fmt.Sprintf("a 10 ms sleep took %v", slept))
}

func timers() {
	t := time.NewTicker(2 * time.Millisecond)
	n := 0
	for range t.C {
		if n++; n == 10 {
			break
		}
	}
	t.Stop()
	fired := make(chan bool, 1)
	time.AfterFunc(5*time.Millisecond, func() { fired <- true })
	select {
	case <-fired:
		check("timers (Ticker, AfterFunc)", n == 10, fmt.Sprint(n))
	case <-time.After(30 * time.Second):
		check("timers (Ticker, AfterFunc)", false, "AfterFunc never fired")
	}
}

func signals() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-c:
		check("signal.Notify SIGUSR1", s == syscall.SIGUSR1, s.String())
	case <-time.After(30 * time.Second):
		check("signal.Notify SIGUSR1", false, "no signal")
	}
	signal.Stop(c)
}

func execs() {
	out, err := exec.Command("/bin/echo", "hello").Output()
	check("os/exec /bin/echo", err == nil && string(out) == "hello\n",
		fmt.Sprint(err, string(out)))
	self, _ := os.Executable()
	out, err = exec.Command(self, "child").Output()
	want := fmt.Sprintf("child ring %d\n", ring())
	check("os/exec of itself (the child runs in the same ring)",
		err == nil && string(out) == want, fmt.Sprint(err, string(out)))
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		fmt.Printf("child ring %d\n", ring())
		return
	}
	runtime.GOMAXPROCS(2)
	fmt.Printf("ring %d\n", ring())
	goroutines()
	preemption()
	timers()
	signals()
	execs()
	fmt.Println("done")
}
