package client

import (
	"context"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// idempotent is the allow-list of RPCs that may be repeated after
// UNAVAILABLE: reads, whose repetition changes nothing a caller can see. A
// write is never on it, even when repeating it would happen to be harmless
// (SET, DEL): UNAVAILABLE after the request left says nothing about whether
// the server applied it, and a silent second INCR or LPUSH would corrupt
// data. Subscribe is a stream and is not retried either.
var idempotent = map[string]bool{
	pb.RedisService_Get_FullMethodName:           true,
	pb.RedisService_GetMultiple_FullMethodName:   true,
	pb.RedisService_Exists_FullMethodName:        true,
	pb.RedisService_GetTTL_FullMethodName:        true,
	pb.RedisService_ListKeys_FullMethodName:      true,
	pb.RedisService_HGet_FullMethodName:          true,
	pb.RedisService_HGetAll_FullMethodName:       true,
	pb.RedisService_HExists_FullMethodName:       true,
	pb.RedisService_HKeys_FullMethodName:         true,
	pb.RedisService_HValues_FullMethodName:       true,
	pb.RedisService_LRange_FullMethodName:        true,
	pb.RedisService_LLen_FullMethodName:          true,
	pb.RedisService_LIndex_FullMethodName:        true,
	pb.RedisService_SMembers_FullMethodName:      true,
	pb.RedisService_SIsMember_FullMethodName:     true,
	pb.RedisService_SCard_FullMethodName:         true,
	pb.RedisService_SUnion_FullMethodName:        true,
	pb.RedisService_SInter_FullMethodName:        true,
	pb.RedisService_SDiff_FullMethodName:         true,
	pb.RedisService_ZRange_FullMethodName:        true,
	pb.RedisService_ZRangeByScore_FullMethodName: true,
	pb.RedisService_ZRank_FullMethodName:         true,
	pb.RedisService_ZScore_FullMethodName:        true,
	pb.RedisService_ZCard_FullMethodName:         true,
	pb.RedisService_GetSession_FullMethodName:    true,
	pb.RedisService_ListSessions_FullMethodName:  true,
	pb.RedisService_GetStatistics_FullMethodName: true,
	pb.RedisService_GetKeyInfo_FullMethodName:    true,
	pb.RedisService_HealthCheck_FullMethodName:   true,
}

// retryPolicy repeats idempotent reads that failed with UNAVAILABLE.
type retryPolicy struct {
	maxAttempts int
	base, max   time.Duration
}

// invokeFunc is the shape of grpc.ClientConnInterface.Invoke.
type invokeFunc func(ctx context.Context, method string, req, reply any, opts ...grpc.CallOption) error

// invoke calls next once, or, for an idempotent method, up to maxAttempts
// times while it fails with UNAVAILABLE and ctx allows. The error returned
// after giving up is the last attempt's.
func (p retryPolicy) invoke(ctx context.Context, method string, req, reply any, next invokeFunc, opts ...grpc.CallOption) error {
	if p.maxAttempts <= 1 || !idempotent[method] {
		return next(ctx, method, req, reply, opts...)
	}
	for attempt := 1; ; attempt++ {
		err := next(ctx, method, req, reply, opts...)
		if err == nil || status.Code(err) != codes.Unavailable || attempt >= p.maxAttempts {
			return err
		}
		t := time.NewTimer(p.backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// backoff is the pause after the given failed attempt: an exponential
// ceiling base*2^(attempt-1), capped at max, of which a random half is
// drawn ("equal jitter") so that clients that failed together do not come
// back together, while the pause never collapses to nothing.
func (p retryPolicy) backoff(attempt int) time.Duration {
	d := p.max
	if shift := attempt - 1; shift < 30 {
		if e := p.base << shift; e < d {
			d = e
		}
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
