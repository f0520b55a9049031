// SPDX-License-Identifier: MIT
// tests/linux-table/go/gorun.go — the Go runtime under the personality: goroutines on threads,
// channels, a mutex, timers, garbage collection of ~200 MiB, reading and hashing a file,
// os/exec (exec), a panic (panic). Built by tools/linux-table with Debian's golang-go.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

func gc() {
	var keep [][]byte
	total := 0
	for i := 0; i < 2000; i++ {
		b := make([]byte, 100*1024)
		b[0] = byte(i)
		total += len(b)
		if i%100 == 0 {
			keep = append(keep, b)
		}
	}
	runtime.GC()
	var st runtime.MemStats
	runtime.ReadMemStats(&st)
	fmt.Printf("gc: allocated %d MiB, kept %d blocks, collections ran: %v\n", total>>20, len(keep), st.NumGC > 0)
}

func workers() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	results := map[int]int{}
	jobs := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				s := 0
				for k := 0; k <= j*1000; k++ {
					s += k % 7
				}
				mu.Lock()
				results[j] = s
				mu.Unlock()
			}
		}()
	}
	for j := 0; j < 200; j++ {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	keys := make([]int, 0, len(results))
	sum := 0
	for k, v := range results {
		keys = append(keys, k)
		sum += v
	}
	sort.Ints(keys)
	fmt.Printf("workers: %d results, sum %d, first %d last %d\n", len(results), sum, keys[0], keys[len(keys)-1])
}

func timers() {
	start := time.Now()
	t := time.NewTimer(20 * time.Millisecond)
	tick := time.NewTicker(5 * time.Millisecond)
	n := 0
loop:
	for {
		select {
		case <-tick.C:
			n++
		case <-t.C:
			break loop
		}
	}
	tick.Stop()
	fmt.Printf("timers: waited at least 20ms: %v, ticks seen: %v\n", time.Since(start) >= 20*time.Millisecond, n >= 1)
}

func hashfile() {
	self, err := os.Executable()
	if err != nil {
		fmt.Println("hash: no executable:", err)
		return
	}
	data, err := os.ReadFile(self)
	if err != nil {
		fmt.Println("hash: read failed:", err)
		return
	}
	h := sha256.Sum256(data)
	fmt.Printf("hash: read %v bytes of myself, sha256 is %d bytes\n", len(data) > 1000000, len(h))
}

func run() {
	out, err := exec.Command("echo", "from", "a", "child").Output()
	fmt.Printf("exec: %q err=%v\n", strings.TrimSpace(string(out)), err)
}

func main() {
	fmt.Println("go: hello,", runtime.GOOS, runtime.GOARCH)
	gc()
	workers()
	timers()
	hashfile()
	if len(os.Args) > 1 && os.Args[1] == "exec" {
		run()
	}
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		var m map[string]int
		m["x"] = 1
	}
}
