package client

import (
	"context"
	"fmt"
	"math"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// NoExpiration is the TTL of a key that exists but never expires.
const NoExpiration time.Duration = -1

// Set stores value at key, replacing any value and TTL (Redis SET).
func (c *Client) Set(ctx context.Context, key, value string) error {
	_, err := c.rpc.Set(ctx, &pb.SetRequest{UserId: c.user, OrganizationId: c.org, Key: key, Value: value})
	return err
}

// SetTTL stores value at key with a time to live (SET key value PX ttl).
// Sub-second TTLs keep millisecond precision; a zero ttl means no TTL, as
// Set; a negative one fails with ErrInvalidArgument.
func (c *Client) SetTTL(ctx context.Context, key, value string, ttl time.Duration) error {
	_, err := c.rpc.SetWithExpiration(ctx, &pb.SetWithExpirationRequest{
		UserId: c.user, OrganizationId: c.org, Key: key, Value: value, Expiration: durationpb.New(ttl),
	})
	return err
}

// Get returns the string at key, or Nil if there is none. A key of another
// type fails with ErrWrongType.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	r, err := c.rpc.Get(ctx, &pb.GetRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return foundValue(r.GetFound(), r.GetValue(), err)
}

// Append appends value to the string at key (creating it) and returns the
// new length (Redis APPEND).
func (c *Client) Append(ctx context.Context, key, value string) (int64, error) {
	r, err := c.rpc.Append(ctx, &pb.AppendRequest{UserId: c.user, OrganizationId: c.org, Key: key, Value: value})
	return r.GetLength(), err
}

// Del deletes keys of any type and returns how many existed (Redis DEL).
// One key uses the Delete RPC, several DeleteMultiple; none is a no-op.
func (c *Client) Del(ctx context.Context, keys ...string) (int, error) {
	switch len(keys) {
	case 0:
		return 0, nil
	case 1:
		r, err := c.rpc.Delete(ctx, &pb.DeleteRequest{UserId: c.user, OrganizationId: c.org, Key: keys[0]})
		return int(r.GetDeletedCount()), err
	}
	r, err := c.rpc.DeleteMultiple(ctx, &pb.DeleteMultipleRequest{UserId: c.user, OrganizationId: c.org, Keys: keys})
	return int(r.GetDeletedCount()), err
}

// Exists reports whether key exists (with a value of any type).
func (c *Client) Exists(ctx context.Context, key string) (bool, error) {
	r, err := c.rpc.Exists(ctx, &pb.ExistsRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return r.GetExists(), err
}

// Incr adds 1 to the integer at key (a missing key counts as 0) and returns
// the result. A non-integer value fails with ErrNotInteger, an overflow
// with ErrOverflow.
func (c *Client) Incr(ctx context.Context, key string) (int64, error) {
	return c.IncrBy(ctx, key, 1)
}

// IncrBy adds delta to the integer at key and returns the result (Redis
// INCRBY). The wire format reads a delta of 0 as 1 (the isA clients rely on
// that), so IncrBy refuses 0 with ErrInvalidArgument rather than silently
// incrementing; read the value with Get instead.
func (c *Client) IncrBy(ctx context.Context, key string, delta int64) (int64, error) {
	if delta == 0 {
		return 0, zeroDelta("IncrBy")
	}
	r, err := c.rpc.Increment(ctx, &pb.IncrementRequest{UserId: c.user, OrganizationId: c.org, Key: key, Delta: delta})
	return r.GetValue(), err
}

// Decr subtracts 1 from the integer at key and returns the result.
func (c *Client) Decr(ctx context.Context, key string) (int64, error) {
	return c.DecrBy(ctx, key, 1)
}

// DecrBy subtracts delta from the integer at key and returns the result
// (Redis DECRBY). Like IncrBy it refuses a delta of 0.
func (c *Client) DecrBy(ctx context.Context, key string, delta int64) (int64, error) {
	if delta == 0 {
		return 0, zeroDelta("DecrBy")
	}
	r, err := c.rpc.Decrement(ctx, &pb.DecrementRequest{UserId: c.user, OrganizationId: c.org, Key: key, Delta: delta})
	return r.GetValue(), err
}

// zeroDelta is the client-side refusal of a delta the wire cannot carry.
func zeroDelta(op string) error {
	return fmt.Errorf("memstore: %s with delta 0 (the wire reads 0 as 1): %w", op, ErrInvalidArgument)
}

// Expire sets key's time to live and reports whether the key exists (Redis
// PEXPIRE). A ttl <= 0 deletes the key, as Redis does.
func (c *Client) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	r, err := c.rpc.Expire(ctx, &pb.ExpireRequest{UserId: c.user, OrganizationId: c.org, Key: key, Expiration: durationpb.New(ttl)})
	return r.GetSuccess(), err
}

// TTL returns key's remaining time to live, in whole seconds as the wire
// carries it; NoExpiration for a key without one; Nil for a missing key.
func (c *Client) TTL(ctx context.Context, key string) (time.Duration, error) {
	r, err := c.rpc.GetTTL(ctx, &pb.GetTTLRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	if err != nil {
		return 0, err
	}
	return ttlFromSeconds(r.GetTtlSeconds())
}

// ttlFromSeconds decodes Redis TTL replies: -2 missing, -1 no TTL.
func ttlFromSeconds(s int64) (time.Duration, error) {
	switch {
	case s == -2:
		return 0, Nil
	case s < 0:
		return NoExpiration, nil
	}
	return time.Duration(s) * time.Second, nil
}

// Rename renames key to newKey, overwriting newKey and keeping the TTL
// (Redis RENAME). A missing key fails with ErrNoSuchKey.
func (c *Client) Rename(ctx context.Context, key, newKey string) error {
	_, err := c.rpc.Rename(ctx, &pb.RenameRequest{UserId: c.user, OrganizationId: c.org, OldKey: key, NewKey: newKey})
	return err
}

// ListKeys returns the tenant's keys matching a Redis glob pattern ("" is
// "*"), sorted, at most limit of them (limit <= 0: the server's default),
// and the number of matching keys before that truncation.
func (c *Client) ListKeys(ctx context.Context, pattern string, limit int) (keys []string, total int, err error) {
	r, err := c.rpc.ListKeys(ctx, &pb.ListKeysRequest{UserId: c.user, OrganizationId: c.org, Pattern: pattern, Limit: clamp32(limit)})
	return r.GetKeys(), int(r.GetTotalCount()), err
}

// clamp32 narrows an index or count to the wire's int32. Clamping keeps
// Redis semantics for ranges: an index beyond the int32 range is beyond any
// list's end anyway.
func clamp32(n int) int32 {
	switch {
	case n > math.MaxInt32:
		return math.MaxInt32
	case n < math.MinInt32:
		return math.MinInt32
	}
	return int32(n)
}

// foundValue applies the Nil convention to a (found, value) reply.
func foundValue(found bool, value string, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if !found {
		return "", Nil
	}
	return value, nil
}
