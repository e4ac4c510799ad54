package harness

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Machine describes where a run happened, for the top of the output: the
// figures are only comparable between runs on the same kind of machine.
func Machine() string {
	var b strings.Builder
	fmt.Fprintf(&b, "date:    %s\n", time.Now().UTC().Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(&b, "machine: nproc %d, GOMAXPROCS %d, memory %s, cpu %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), memTotal(), cpuModel())
	if l, err := os.ReadFile("/proc/loadavg"); err == nil {
		// Other work on the machine slows every contender; the ratios,
		// measured in alternating rounds, suffer much less than the
		// absolute figures. The load average says how busy it was.
		fmt.Fprintf(&b, "load:    %s (1, 5, 15 min load average at start)\n", strings.Join(strings.Fields(string(l))[:3], " "))
	}
	if p, err := os.ReadFile("/proc/pressure/cpu"); err == nil {
		// "some avg60=92.57": the share of the last minute in which some
		// runnable task waited for a CPU.
		for _, f := range strings.Fields(string(p)) {
			if v, ok := strings.CutPrefix(f, "avg60="); ok {
				fmt.Fprintf(&b, "cpu pressure: %s%% of the last minute some task waited for a CPU\n", v)
				break
			}
		}
	}
	fmt.Fprintf(&b, "go:      %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if v := redisVersion(); v != "" {
		fmt.Fprintf(&b, "redis:   %s\n", v)
	} else {
		fmt.Fprintf(&b, "redis:   redis-server not found in PATH\n")
	}
	return b.String()
}

// procField returns the value of the first line of a /proc file that
// starts with key, or "".
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func memTotal() string {
	v := procField("/proc/meminfo", "MemTotal")
	var kb int64
	if _, err := fmt.Sscanf(v, "%d kB", &kb); err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
}

func cpuModel() string {
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		return v
	}
	return "unknown"
}

func redisVersion() string {
	out, err := exec.Command("redis-server", "--version").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
