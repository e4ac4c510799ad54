package harness

import "sync"

// FirstError keeps the first non-nil error reported by many goroutines: a
// measurement whose calls fail measures nothing and must say so. The zero
// value is ready to use.
type FirstError struct {
	mu  sync.Mutex
	err error
}

// Note records err if it is the first non-nil one.
func (f *FirstError) Note(err error) {
	if err == nil {
		return
	}
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.mu.Unlock()
}

// Err is the first error noted, or nil.
func (f *FirstError) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
