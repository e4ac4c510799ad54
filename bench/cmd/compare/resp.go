package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/isa-cloud/isa-memstore/bench/internal/harness"
	"github.com/isa-cloud/isa-memstore/engine"
)

// The resp comparison: redis-benchmark, the tool Redis users know, against
// our RESP listener (served from this process), a real redis-server and a
// second, identical redis-server (the A/A calibration), in the same run,
// taking turns at going first:
//
//	redis-benchmark -t set,get -n 1000000 -c 50 [-P 16]
//
// (-short: -n 100000, one round; full: medians of 3 rounds). Besides
// requests per second it reports each server's CPU time per request,
// which other load on the machine barely moves: this process's CPU for
// ours (redis-benchmark is a separate process, so that is the server's),
// /proc/PID/stat for redis-server.
const respTarget = 1.0

func init() {
	register(comparison{
		name: "resp", order: 7,
		about: "redis-benchmark -t set,get -c 50 (and -P 16): our RESP listener vs redis-server (target >= 1.0 each)",
		run:   runResp,
	})
}

// benchRun is one redis-benchmark invocation's figures per test.
type benchRun map[string]float64 // "SET" -> requests per second

func runResp(cfg config) ([]harness.Result, []string, error) {
	names := []string{"resp-set", "resp-get", "resp-set-p16", "resp-get-p16"}
	skipAll := func(why string) ([]harness.Result, []string, error) {
		var s []string
		for _, n := range names {
			s = append(s, harness.Skip(n, why))
		}
		return nil, s, nil
	}
	if startRespListener == nil {
		return skipAll("needs the RESP listener (package resp, branch resp), not merged yet")
	}
	bench, err := exec.LookPath("redis-benchmark")
	if err != nil {
		return skipAll("redis-benchmark not found in PATH (Debian: apt-get install redis-tools)")
	}
	// A round of a million requests per test takes over a minute here. One
	// round swings the unpipelined ratios by ±25% from run to run (0.71
	// to 1.39 for SET over this machine's runs), so the full mode takes
	// the median of 3; -short keeps one round of 100k to stay under a
	// minute; -rounds overrides both. The order of the servers alternates
	// between pipeline levels and rounds.
	n, rounds := 1_000_000, 3
	if cfg.short {
		n, rounds = 100_000, 1
	}
	if cfg.explicitRounds > 0 {
		rounds = cfg.explicitRounds
	}

	eng, err := engine.Open(engine.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer eng.Close()
	oursAddr, stopOurs, err := startRespListener(eng)
	if err != nil {
		return nil, nil, err
	}
	defer stopOurs()
	srv, err := harness.StartRedis()
	if errors.Is(err, harness.ErrNoRedis) {
		return skipAll(err.Error())
	}
	if err != nil {
		return nil, nil, err
	}
	defer srv.Stop()
	// A second redis-server, measured like the other two, calibrates the
	// ratios: redis-benchmark is the bottleneck here (it runs at ~100% of
	// a core against either server), so what separates two servers is
	// this machine's noise plus whatever they change in the client's
	// cost per request, and the A/A ratio of two identical servers is
	// what the noise alone does in the same run.
	twin, err := harness.StartRedis()
	if err != nil {
		return nil, nil, err
	}
	defer twin.Stop()

	type side struct {
		name string
		addr string
		cpu  func() time.Duration
	}
	sides := []side{
		{"isa-memstore RESP", oursAddr, harness.CPUTime},
		{"redis-server", srv.Addr, func() time.Duration { return procCPU(srv.PID()) }},
		{"redis-server (twin)", twin.Addr, func() time.Duration { return procCPU(twin.PID()) }},
	}
	// rps[pipeline][side][test] samples, one per round in round order (so
	// that samples of one round can be paired); cpu per request likewise.
	type key struct {
		p    int
		side int
		test string
	}
	rps := map[key][]float64{}
	cpuPerReq := map[key][]float64{}
	for r := range rounds {
		for pi, p := range []int{1, 16} {
			// Each side goes first, second and third in turn.
			first := (2*r + pi) % len(sides)
			for k := range sides {
				si := (first + k) % len(sides)
				s := sides[si]
				for _, test := range []string{"set", "get"} {
					before := s.cpu()
					res, err := redisBenchmark(bench, s.addr, test, n, p)
					if err != nil {
						return nil, nil, fmt.Errorf("%s: %w", s.name, err)
					}
					used := s.cpu() - before
					tk := strings.ToUpper(test)
					rps[key{p, si, tk}] = append(rps[key{p, si, tk}], res[tk])
					cpuPerReq[key{p, si, tk}] = append(cpuPerReq[key{p, si, tk}], float64(used.Microseconds())/float64(n))
				}
			}
		}
	}

	t := harness.NewTable("test", "ours req/s", "redis req/s", "ratio", "rounds", "A/A ratio", "A/A rounds", "ours CPU µs/req", "redis CPU µs/req")
	var results []harness.Result
	var calib []string
	for _, p := range []int{1, 16} {
		for _, test := range []string{"SET", "GET"} {
			ours, peer, twin := rps[key{p, 0, test}], rps[key{p, 1, test}], rps[key{p, 2, test}]
			ratio := harness.Median(ours) / harness.Median(peer)
			aa := harness.Median(twin) / harness.Median(peer)
			label, name := test, "resp-"+strings.ToLower(test)
			if p > 1 {
				label += " -P " + strconv.Itoa(p)
				name += "-p" + strconv.Itoa(p)
			}
			t.Row(label, harness.Ops(harness.Median(ours)), harness.Ops(harness.Median(peer)), harness.Ratio(ratio),
				ratioRange(ours, peer), harness.Ratio(aa), ratioRange(twin, peer),
				fmt.Sprintf("%.2f", harness.Median(cpuPerReq[key{p, 0, test}])),
				fmt.Sprintf("%.2f", harness.Median(cpuPerReq[key{p, 1, test}])))
			results = append(results, harness.AtLeast(name, ratio, respTarget))
			calib = append(calib, fmt.Sprintf("CALIBRATION %s: %.2f (a second redis-server vs the first, same run; rounds %s)", name, aa, ratioRange(twin, peer)))
		}
	}
	t.Print(os.Stdout)
	fmt.Printf("redis-benchmark -t set|get -n %d -c 50 [-P 16], %d rounds, medians; each test runs alone so that CPU is charged to one test\n", n, rounds)
	fmt.Println("rounds: the ratio in each round (min..max); A/A: a second redis-server vs the first, the spread identical servers show")
	for _, l := range calib {
		fmt.Println(l)
	}
	return results, nil, nil
}

// ratioRange is the smallest and largest of a[i]/b[i] over paired
// samples (round i of each), "1.02" when there is one.
func ratioRange(a, b []float64) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range min(len(a), len(b)) {
		r := a[i] / b[i]
		lo, hi = min(lo, r), max(hi, r)
	}
	switch {
	case lo > hi:
		return "-"
	case lo == hi:
		return fmt.Sprintf("%.2f", lo)
	}
	return fmt.Sprintf("%.2f..%.2f", lo, hi)
}

// redisBenchmark runs one test and returns requests per second by test
// name, from its CSV output. It is given at most 5 minutes.
func redisBenchmark(bin, addr, test string, n, pipeline int) (benchRun, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-h", host, "-p", port, "-t", test,
		"-n", strconv.Itoa(n), "-c", "50", "-P", strconv.Itoa(pipeline), "--csv", "-q").Output()
	if err != nil {
		return nil, fmt.Errorf("redis-benchmark -t %s: %w", test, err)
	}
	return parseBenchCSV(string(out))
}

// parseBenchCSV reads redis-benchmark --csv output: a header line
// ("test","rps",...) then one line per test ("SET","98039.22",...).
func parseBenchCSV(out string) (benchRun, error) {
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("redis-benchmark output: %w", err)
	}
	res := benchRun{}
	for _, rec := range recs {
		if len(rec) < 2 || rec[0] == "test" {
			continue
		}
		v, err := strconv.ParseFloat(rec[1], 64)
		if err != nil {
			return nil, fmt.Errorf("redis-benchmark output %q: %w", rec, err)
		}
		res[rec[0]] = v
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("redis-benchmark printed no result: %q", out)
	}
	return res, nil
}

// procCPU is the CPU time (user + system) process pid has used, from
// /proc/PID/stat; 0 when it cannot be read.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after its
	// closing parenthesis are fixed: utime and stime are the 12th and
	// 13th after it.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const ticksPerSec = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticksPerSec
}
