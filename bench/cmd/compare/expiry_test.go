package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsMemValue(t *testing.T) {
	for _, i := range []int{0, 7, 42, 999_999, 123_456_789} {
		assert.True(t, isMemValue(memValue(i), i), i)
		assert.False(t, isMemValue(memValue(i), i+1), i)
	}
	assert.False(t, isMemValue("value:0", 0))
	assert.False(t, isMemValue("xalue:00000000000000000000000001", 1))
}

func TestMemKeyValueSizes(t *testing.T) {
	for _, i := range []int{0, memKeys - 1} {
		assert.Len(t, memKey(i), 16)
		assert.Len(t, memValue(i), 32)
	}
}

func TestWalkStaysInRangeAndSpreads(t *testing.T) {
	for _, n := range []int{embLists, embZSets, netKeys, embKeys} {
		// Each worker visits every slot once in n steps (the network
		// comparison's 64 callers walk too).
		for w := range 64 {
			seen := make([]bool, n)
			for i := range n {
				j := walk(w, i, n)
				require.True(t, j >= 0 && j < n, "slot %d of %d", j, n)
				require.False(t, seen[j], "worker %d visits slot %d twice in %d steps", w, j, n)
				seen[j] = true
			}
		}
		// Two workers some steps apart meet on the same slot only now and
		// then, never step after step (which kept them in a lock-step
		// convoy when both used the same stride).
		const steps = 2048
		for lag := range 64 {
			for _, pair := range [][2]int{{0, 1}, {1, 0}} {
				met := 0
				for i := lag; i < lag+steps; i++ {
					if walk(pair[0], i, n) == walk(pair[1], i-lag, n) {
						met++
					}
				}
				assert.LessOrEqual(t, met, steps/16, "n %d, worker %d %d steps ahead", n, pair[0], lag)
			}
		}
	}
}
