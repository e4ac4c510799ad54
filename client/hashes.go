package client

import (
	"context"
	"sort"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// HSet sets fields of the hash at key (creating it) and returns how many
// of them are new (Redis HSET). Fields are sent in sorted order, so the
// request is deterministic.
func (c *Client) HSet(ctx context.Context, key string, fields map[string]string) (int, error) {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	hf := make([]*pb.HashField, len(names))
	for i, f := range names {
		hf[i] = &pb.HashField{Field: f, Value: fields[f]}
	}
	r, err := c.rpc.HSet(ctx, &pb.HSetRequest{UserId: c.user, OrganizationId: c.org, Key: key, Fields: hf})
	return int(r.GetFieldsSet()), err
}

// HGet returns the value of field in the hash at key, or Nil if the key or
// the field is missing.
func (c *Client) HGet(ctx context.Context, key, field string) (string, error) {
	r, err := c.rpc.HGet(ctx, &pb.HGetRequest{UserId: c.user, OrganizationId: c.org, Key: key, Field: field})
	return foundValue(r.GetFound(), r.GetValue(), err)
}

// HGetAll returns the whole hash at key (empty for a missing key).
func (c *Client) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	r, err := c.rpc.HGetAll(ctx, &pb.HGetAllRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(r.GetFields()))
	for _, f := range r.GetFields() {
		m[f.GetField()] = f.GetValue()
	}
	return m, nil
}

// HDel deletes fields from the hash at key and returns how many existed
// (Redis HDEL).
func (c *Client) HDel(ctx context.Context, key string, fields ...string) (int, error) {
	r, err := c.rpc.HDelete(ctx, &pb.HDeleteRequest{UserId: c.user, OrganizationId: c.org, Key: key, Fields: fields})
	return int(r.GetDeletedCount()), err
}

// HExists reports whether the hash at key has field.
func (c *Client) HExists(ctx context.Context, key, field string) (bool, error) {
	r, err := c.rpc.HExists(ctx, &pb.HExistsRequest{UserId: c.user, OrganizationId: c.org, Key: key, Field: field})
	return r.GetExists(), err
}

// HKeys returns the field names of the hash at key.
func (c *Client) HKeys(ctx context.Context, key string) ([]string, error) {
	r, err := c.rpc.HKeys(ctx, &pb.HKeysRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return r.GetFields(), err
}

// HVals returns the values of the hash at key (the HValues RPC).
func (c *Client) HVals(ctx context.Context, key string) ([]string, error) {
	r, err := c.rpc.HValues(ctx, &pb.HValuesRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return r.GetValues(), err
}

// HIncrBy adds delta to the integer in field of the hash at key and returns
// the result (Redis HINCRBY; the HIncrement RPC).
func (c *Client) HIncrBy(ctx context.Context, key, field string, delta int64) (int64, error) {
	r, err := c.rpc.HIncrement(ctx, &pb.HIncrementRequest{UserId: c.user, OrganizationId: c.org, Key: key, Field: field, Delta: delta})
	return r.GetValue(), err
}
