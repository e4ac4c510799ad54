// Command compare measures isa-memstore against its peers (miniredis, a real
// redis-server) in one run and prints, per comparison, a table and one
// result line per target:
//
//	RESULT embedded-set: ratio 5.31 (target >= 5) met
//
// Usage:
//
//	go run ./bench/cmd/compare [-short] [-png out.png] [-rounds N] [-cpuprofile f] [-ops a,b] NAME...
//
// NAME is one of the comparisons below or "all". -short keeps each
// comparison under a minute. Every peer that needs a server (redis-server)
// is started on 127.0.0.1 by the program and stopped before it exits; a
// comparison whose peer or part is missing prints "SKIP name: reason". Our
// side and the peer are measured in the same run, in alternating rounds,
// and ratios are taken between medians.
//
// Each comparison is one file in this directory that registers itself.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/isa-cloud/isa-memstore/bench/internal/harness"
)

// config is what every comparison gets from the command line.
type config struct {
	// short keeps a comparison under a minute (fewer rounds, shorter
	// rounds, smaller request counts).
	short bool
	// rounds is how many rounds each contender runs (alternating).
	rounds int
	// round is how long one throughput round lasts.
	round time.Duration
	// explicitRounds is -rounds when given (0 otherwise), for comparisons
	// whose rounds are long enough that they run fewer by default.
	explicitRounds int
	// ops, when not empty, limits the embedded comparison to these
	// operations (-ops get,hset), for quick before/after checks of one
	// code path; the published figures come from full runs.
	ops []string
}

// comparison is one registered comparison.
type comparison struct {
	name  string
	order int
	about string
	// run prints its table and returns one Result per target it could
	// measure, plus SKIP lines (harness.Skip) for those it could not.
	run func(cfg config) (results []harness.Result, skips []string, err error)
}

var registry []comparison

// register adds a comparison; each comparison file calls it from init.
func register(c comparison) { registry = append(registry, c) }

func main() {
	short := flag.Bool("short", false, "keep each comparison under a minute")
	png := flag.String("png", "", "also write a throughput-vs-concurrency chart to this PNG file")
	rounds := flag.Int("rounds", 0, "rounds per contender (default 21, -short 9)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	ops := flag.String("ops", "", "comma-separated embedded operations to run (default all), e.g. get,hset")
	flag.Usage = usage
	flag.Parse()

	slices.SortFunc(registry, func(a, b comparison) int { return a.order - b.order })
	names, err := selected(flag.Args(), *png != "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		usage()
		os.Exit(2)
	}
	// Many short alternating rounds rather than a few long ones: on a
	// machine shared with other work the load shifts within seconds, and
	// fine interleaving lets both contenders see the same mix of it.
	cfg := config{short: *short, rounds: 21, round: 200 * time.Millisecond}
	if *short {
		cfg.rounds, cfg.round = 9, 100*time.Millisecond
	}
	if *rounds > 0 {
		cfg.rounds, cfg.explicitRounds = *rounds, *rounds
	}
	if *ops != "" {
		cfg.ops = strings.Split(*ops, ",")
	}

	// The program must stop by itself whatever happens to a peer: a
	// watchdog ends the process (and, through Pdeathsig, any redis-server
	// it started) if the run overstays its budget.
	budget := 45 * time.Minute
	if *short {
		budget = 12 * time.Minute
	}
	watchdog := time.AfterFunc(budget, func() {
		fmt.Fprintf(os.Stderr, "compare: still running after %v, giving up\n", budget)
		os.Exit(3)
	})
	defer watchdog.Stop()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	fmt.Print(harness.Machine())
	mode := "full"
	if *short {
		mode = "short"
	}
	fmt.Printf("run:     %s, %d rounds per contender, %v per throughput round, alternating; ratios of medians\n",
		mode, cfg.rounds, cfg.round)
	fmt.Printf("command: go run ./bench/cmd/compare %s\n", strings.Join(os.Args[1:], " "))

	failed := false
	met, notMet, skipped := 0, 0, 0
	for _, c := range registry {
		if !slices.Contains(names, c.name) {
			continue
		}
		fmt.Printf("\n== %s: %s\n", c.name, c.about)
		began := time.Now()
		results, skips, err := c.run(cfg)
		for _, s := range skips {
			fmt.Println(s)
			skipped++
		}
		for _, r := range results {
			fmt.Println(r)
			if r.Met() {
				met++
			} else {
				notMet++
			}
		}
		if err != nil {
			fmt.Printf("ERROR %s: %v\n", c.name, err)
			failed = true
		}
		fmt.Printf("(%s took %.1fs)\n", c.name, time.Since(began).Seconds())
	}
	if *png != "" {
		fmt.Printf("\n== chart: %s\n", *png)
		if err := writeChart(*png, cfg); err != nil {
			fmt.Printf("ERROR chart: %v\n", err)
			failed = true
		}
	}
	fmt.Printf("\nsummary: %d targets met, %d not met, %d skipped\n", met, notMet, skipped)
	if failed {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// selected expands "all" and checks the names; none is fine when only a
// chart is asked for.
func selected(args []string, chart bool) ([]string, error) {
	if len(args) == 0 && !chart {
		return nil, fmt.Errorf("name at least one comparison, or all")
	}
	var out []string
	for _, a := range args {
		if a == "all" {
			for _, c := range registry {
				out = append(out, c.name)
			}
			continue
		}
		if !slices.ContainsFunc(registry, func(c comparison) bool { return c.name == a }) {
			return nil, fmt.Errorf("unknown comparison %q", a)
		}
		out = append(out, a)
	}
	return out, nil
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: compare [-short] [-png out.png] [-rounds N] [-cpuprofile f] [-ops a,b] NAME...\n\ncomparisons (or all):\n")
	slices.SortFunc(registry, func(a, b comparison) int { return a.order - b.order })
	for _, c := range registry {
		fmt.Fprintf(os.Stderr, "  %-9s %s\n", c.name, c.about)
	}
	fmt.Fprintln(os.Stderr)
	flag.PrintDefaults()
}
