package grpcserver

import (
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Defaults of Limits and Options.
const (
	DefaultMaxMessageBytes = 10 << 20 // what the earlier server allowed
	DefaultMaxKeyBytes     = 64 << 10
	DefaultMaxIDBytes      = 1 << 10
	DefaultMaxElements     = 100_000
	DefaultListKeysLimit   = 1000
	DefaultListKeysMax     = 100_000
)

// Limits bound what one request may carry. A request over a limit is
// refused before it reaches the backend, so it changes nothing. Zero fields
// take the defaults above.
type Limits struct {
	// MaxKeyBytes bounds every key, field, member, channel, lock key,
	// session id and pattern.
	MaxKeyBytes int
	// MaxValueBytes bounds every value and published message; 0 means the
	// server's maximum message size (no tighter bound than the transport).
	MaxValueBytes int
	// MaxIDBytes bounds user_id and organization_id.
	MaxIDBytes int
	// MaxElements bounds the elements of one request: keys, fields,
	// members, values, channels, batch commands, session data entries.
	MaxElements int
	// ListKeysDefault is the number of keys ListKeys answers when the
	// request's limit is <= 0.
	ListKeysDefault int
	// ListKeysMax caps ListKeys' limit; a larger limit is lowered to it
	// (total_count still tells the caller how many keys matched).
	ListKeysMax int
}

// withDefaults fills the zero fields; maxMsg is the server's message limit.
func (l Limits) withDefaults(maxMsg int) (Limits, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxKeyBytes, DefaultMaxKeyBytes)
	def(&l.MaxValueBytes, maxMsg)
	def(&l.MaxIDBytes, DefaultMaxIDBytes)
	def(&l.MaxElements, DefaultMaxElements)
	def(&l.ListKeysDefault, DefaultListKeysLimit)
	def(&l.ListKeysMax, DefaultListKeysMax)
	for name, v := range map[string]int{
		"MaxKeyBytes": l.MaxKeyBytes, "MaxValueBytes": l.MaxValueBytes, "MaxIDBytes": l.MaxIDBytes,
		"MaxElements": l.MaxElements, "ListKeysDefault": l.ListKeysDefault, "ListKeysMax": l.ListKeysMax,
	} {
		if v < 0 {
			return l, fmt.Errorf("grpcserver: limit %s must not be negative (got %d)", name, v)
		}
	}
	if l.ListKeysDefault > l.ListKeysMax {
		return l, fmt.Errorf("grpcserver: ListKeysDefault (%d) is above ListKeysMax (%d)", l.ListKeysDefault, l.ListKeysMax)
	}
	return l, nil
}

// tooLarge is the refusal of an oversized string. The message names what
// was too large and by how much, never its content: refusals are logged.
func tooLarge(what string, n, limit int) error {
	return status.Errorf(codes.ResourceExhausted, "%s is %d bytes, above the limit of %d bytes", what, n, limit)
}

func (l *Limits) ids(t Tenant) error {
	if len(t.User) > l.MaxIDBytes {
		return tooLarge("user_id", len(t.User), l.MaxIDBytes)
	}
	if len(t.Org) > l.MaxIDBytes {
		return tooLarge("organization_id", len(t.Org), l.MaxIDBytes)
	}
	return nil
}

// key checks one key-like string (key, field, member, channel, pattern).
func (l *Limits) key(what, s string) error {
	if len(s) > l.MaxKeyBytes {
		return tooLarge(what, len(s), l.MaxKeyBytes)
	}
	return nil
}

// value checks one value-like string (value, message).
func (l *Limits) value(what, s string) error {
	if len(s) > l.MaxValueBytes {
		return tooLarge(what, len(s), l.MaxValueBytes)
	}
	return nil
}

// count checks the number of elements of a request.
func (l *Limits) count(what string, n int) error {
	if n > l.MaxElements {
		return status.Errorf(codes.ResourceExhausted, "%d %s in one request, above the limit of %d", n, what, l.MaxElements)
	}
	return nil
}

// keys checks a list of key-like strings: their number and each size.
func (l *Limits) keys(what string, ks []string) error {
	if err := l.count(what, len(ks)); err != nil {
		return err
	}
	for _, k := range ks {
		if err := l.key("one of the "+what, k); err != nil {
			return err
		}
	}
	return nil
}

// values checks a list of value-like strings.
func (l *Limits) values(what string, vs []string) error {
	if err := l.count(what, len(vs)); err != nil {
		return err
	}
	for _, v := range vs {
		if err := l.value("one of the "+what, v); err != nil {
			return err
		}
	}
	return nil
}

// listLimit turns ListKeys' requested limit into the one to apply.
func (l *Limits) listLimit(requested int32) int {
	switch {
	case requested <= 0:
		return l.ListKeysDefault
	case int(requested) > l.ListKeysMax:
		return l.ListKeysMax
	}
	return int(requested)
}

// duration converts a request duration. An unset duration is 0. A malformed
// one (seconds and nanos of different signs, out of range) is refused, and
// so is a negative one unless negativeOK (EXPIRE's "<= 0 deletes").
func duration(what string, d *durationpb.Duration, negativeOK bool) (time.Duration, error) {
	if d == nil {
		return 0, nil
	}
	if err := d.CheckValid(); err != nil {
		return 0, status.Errorf(codes.InvalidArgument, "%s is not a valid duration: %v", what, err)
	}
	v := d.AsDuration()
	if v < 0 && !negativeOK {
		return 0, status.Errorf(codes.InvalidArgument, "%s must not be negative (got %v)", what, v)
	}
	return v, nil
}
