package grpcserver

import (
	"math"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// service implements pb.RedisServiceServer over a Backend. Methods whose
// backend support does not exist yet are left to the embedded
// UnimplementedRedisServiceServer, which answers UNIMPLEMENTED: never a
// stub that pretends success.
type service struct {
	pb.UnimplementedRedisServiceServer
	b     Backend
	lim   Limits
	quit  <-chan struct{}
	conns *connCounter
	subs  subscriptions
}

// i32 narrows a count to an int32 response field, saturating instead of
// wrapping around (a count never turns negative).
func i32[T ~int | ~int64](n T) int32 {
	if int64(n) > int64(math.MaxInt32) {
		return math.MaxInt32
	}
	return int32(n)
}
