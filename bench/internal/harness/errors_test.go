package harness

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFirstError(t *testing.T) {
	var f FirstError
	assert.NoError(t, f.Err())
	f.Note(nil)
	assert.NoError(t, f.Err())
	first := errors.New("first")
	f.Note(first)
	f.Note(errors.New("second"))
	assert.Equal(t, first, f.Err())

	var g FirstError
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); g.Note(fmt.Errorf("e%d", i)) }()
	}
	wg.Wait()
	assert.Error(t, g.Err())
}
