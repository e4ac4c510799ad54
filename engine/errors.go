package engine

// Error is an engine error carrying Redis's error text. Errors of the same
// kind compare equal under errors.Is even when their text differs (for
// example the command name inside "ERR invalid expire time in 'set'
// command"), so callers match on the exported sentinels below.
type Error struct {
	kind string
	msg  string
}

// Error returns the Redis error text.
func (e *Error) Error() string { return e.msg }

// Is reports whether target is an *Error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.kind == e.kind
}

// Kind is a stable identifier of the error's kind ("wrongtype", "notint",
// ...), for tables keyed by kind.
func (e *Error) Kind() string { return e.kind }

func newError(kind, msg string) *Error { return &Error{kind: kind, msg: msg} }

// withText returns an error of the same kind with a different text.
func (e *Error) withText(msg string) *Error { return &Error{kind: e.kind, msg: msg} }

// The engine's error vocabulary. Every exported *Error must appear in the
// gRPC layer's error table (a test there enforces it).
var (
	ErrWrongType  = newError("wrongtype", "WRONGTYPE Operation against a key holding the wrong kind of value")
	ErrNotInteger = newError("notint", "ERR value is not an integer or out of range")
	ErrNotFloat   = newError("notfloat", "ERR value is not a valid float")
	ErrOverflow   = newError("overflow", "ERR increment or decrement would overflow")
	// ErrNaNOrInf is INCRBYFLOAT's refusal to store NaN or an infinity.
	ErrNaNOrInf  = newError("naninf", "ERR increment would produce NaN or Infinity")
	ErrNoSuchKey = newError("nokey", "ERR no such key")
	ErrSyntax    = newError("syntax", "ERR syntax error")
	// ErrInvalidExpire carries the command name in its text, as Redis does.
	ErrInvalidExpire = newError("badexpire", "ERR invalid expire time")
	// ErrInvalidArgument is for arguments Redis rejects with a specific
	// message (incompatible options, out-of-range counts, ...).
	ErrInvalidArgument = newError("badarg", "ERR invalid argument")
	// ErrTooLarge is a value that would exceed the maximum string size.
	ErrTooLarge = newError("toolarge", "ERR string exceeds maximum allowed size (proto-max-bulk-len)")
	// ErrOOM is a write refused because the memory limit is reached.
	ErrOOM = newError("oom", "OOM command not allowed when used memory > 'maxmemory'.")
	// ErrClosed is any call on a closed engine.
	ErrClosed = newError("closed", "ERR the engine is closed")
	// ErrUnknownCommand is an operation name the engine does not know (in
	// an atomic batch); its text names the operation, as Redis's does.
	ErrUnknownCommand = newError("unknowncmd", "ERR unknown command")
	// ErrInternal is a broken invariant (a bug), such as a health check
	// that reads back something else than it wrote.
	ErrInternal = newError("internal", "ERR internal error")
)

// Errors lists every exported error kind, for tables that must cover them
// all (the gRPC error mapping and its test).
func Errors() []*Error {
	return []*Error{
		ErrWrongType, ErrNotInteger, ErrNotFloat, ErrOverflow, ErrNaNOrInf,
		ErrNoSuchKey, ErrSyntax, ErrInvalidExpire, ErrInvalidArgument,
		ErrTooLarge, ErrOOM, ErrClosed, ErrUnknownCommand,
		ErrInternal,
	}
}

func invalidExpire(cmd string) error {
	return ErrInvalidExpire.withText("ERR invalid expire time in '" + cmd + "' command")
}

func invalidArg(msg string) error { return ErrInvalidArgument.withText(msg) }

// wrongArgs is Redis's arity error for cmd.
func wrongArgs(cmd string) error {
	return invalidArg("ERR wrong number of arguments for '" + cmd + "' command")
}

// errNotPositive is Redis's reply to a negative count (LPOP, SPOP, ZPOPMIN,
// ...).
var errNotPositive = invalidArg("ERR value is out of range, must be positive")
