package main

import "github.com/isa-cloud/isa-memstore/bench/internal/harness"

// The resp comparison: redis-benchmark -t set,get -c 50, without and with
// -P 16, against our RESP listener and a real redis-server in the same run
// (resp-set, resp-get, resp-set-p16, resp-get-p16, target >= 1.0 each).
// It needs the RESP listener.
func init() {
	register(comparison{
		name: "resp", order: 7,
		about: "redis-benchmark -t set,get -c 50 (and -P 16): our RESP listener vs redis-server",
		run: func(config) ([]harness.Result, []string, error) {
			var skips []string
			for _, n := range []string{"resp-set", "resp-get", "resp-set-p16", "resp-get-p16"} {
				skips = append(skips, harness.Skip(n, "needs the RESP listener (package resp, branch resp), not merged yet"))
			}
			return nil, skips, nil
		},
	})
}
