package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
	seen := map[int]bool{}
	for w := range embeddedWorkers {
		for i := range 1000 {
			j := walk(w, i, embKeys)
			assert.GreaterOrEqual(t, j, 0)
			assert.Less(t, j, embKeys)
			seen[j] = true
		}
	}
	assert.Len(t, seen, 2000, "the two workers' first 1000 keys must not collide")
}
