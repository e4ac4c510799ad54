package main

import (
	"fmt"

	"github.com/isa-cloud/isa-memstore/engine"
)

// The sorted-set commands of the embedded comparison: ZADD changes the
// scores of existing members (1000 sets x 100 members); ZRANGE 0 -1 reads
// a whole 100-member set in score order, which is what miniredis's direct
// ZMembers returns.
func init() {
	embeddedOps = append(embeddedOps,
		embeddedOp{
			name: "zadd", label: "ZADD",
			ours: func(env *embeddedEnv, w int) func(int) {
				return func(i int) {
					j := walk(w, i, embZSets*embZMembers)
					_, _ = env.db.ZAdd(env.zsets[j%embZSets], engine.ZAddOptions{},
						engine.ZMember{Member: env.fields[j/embZSets], Score: float64(i)})
				}
			},
			peer: func(env *embeddedEnv, w int) func(int) {
				return func(i int) {
					j := walk(w, i, embZSets*embZMembers)
					_, _ = env.m.ZAdd(env.zsets[j%embZSets], float64(i), env.fields[j/embZSets])
				}
			},
			floor: floorZAdd, floorAbout: "Go map lookups of key and member, B-tree delete and insert",
			shared: sharedFloorZAdd, sharedAbout: "the floor's sets shared by both workers, in a keyspace of 64 maps behind locks",
		},
		embeddedOp{
			name: "zrange", label: "ZRANGE 0 -1",
			load: func(env *embeddedEnv) error {
				for _, k := range env.zsets {
					for m := range embZMembers {
						if _, err := env.db.ZAdd(k, engine.ZAddOptions{}, engine.ZMember{Member: env.fields[m], Score: float64(m)}); err != nil {
							return err
						}
						if _, err := env.m.ZAdd(k, float64(m), env.fields[m]); err != nil {
							return err
						}
					}
				}
				floorLoadZRange(env)
				return nil
			},
			ours: func(env *embeddedEnv, w int) func(int) {
				return func(i int) {
					out, err := env.db.ZRange(env.zsets[walk(w, i, embZSets)], engine.ZRangeQuery{Start: 0, Stop: -1})
					if err != nil || len(out) != embZMembers {
						fail("engine ZRANGE", fmt.Errorf("%d members, err %v", len(out), err))
					}
				}
			},
			peer: func(env *embeddedEnv, w int) func(int) {
				return func(i int) {
					out, err := env.m.ZMembers(env.zsets[walk(w, i, embZSets)])
					if err != nil || len(out) != embZMembers {
						fail("miniredis ZMembers", fmt.Errorf("%d members, err %v", len(out), err))
					}
				}
			},
			floor: floorZRange, floorAbout: "Go map lookup of the key, in-order B-tree walk into a reused buffer",
		})
}
