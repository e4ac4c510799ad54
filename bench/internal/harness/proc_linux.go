package harness

import "syscall"

// childAttr makes a server the harness starts die with it, even when the
// comparison is killed before it can stop the server.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
