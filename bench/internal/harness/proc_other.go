//go:build !linux

package harness

import "syscall"

// childAttr: only Linux can tie a child's life to its parent's; elsewhere a
// comparison killed before it stops its servers leaves them running.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
