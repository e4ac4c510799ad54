package client

import (
	"context"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// LPush inserts values at the head of the list at key, one after the other
// (so the last one ends up first), and returns the new length (Redis LPUSH).
func (c *Client) LPush(ctx context.Context, key string, values ...string) (int, error) {
	r, err := c.rpc.LPush(ctx, &pb.LPushRequest{UserId: c.user, OrganizationId: c.org, Key: key, Values: values})
	return int(r.GetLength()), err
}

// RPush appends values to the list at key and returns the new length
// (Redis RPUSH).
func (c *Client) RPush(ctx context.Context, key string, values ...string) (int, error) {
	r, err := c.rpc.RPush(ctx, &pb.RPushRequest{UserId: c.user, OrganizationId: c.org, Key: key, Values: values})
	return int(r.GetLength()), err
}

// LPop removes and returns the first element of the list at key, or Nil if
// the list is empty or missing.
func (c *Client) LPop(ctx context.Context, key string) (string, error) {
	r, err := c.rpc.LPop(ctx, &pb.LPopRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return foundValue(r.GetFound(), r.GetValue(), err)
}

// RPop removes and returns the last element of the list at key, or Nil if
// the list is empty or missing.
func (c *Client) RPop(ctx context.Context, key string) (string, error) {
	r, err := c.rpc.RPop(ctx, &pb.RPopRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return foundValue(r.GetFound(), r.GetValue(), err)
}

// LRange returns the elements from start to stop inclusive; negative
// indices count from the end (-1 is the last), as Redis LRANGE.
func (c *Client) LRange(ctx context.Context, key string, start, stop int) ([]string, error) {
	r, err := c.rpc.LRange(ctx, &pb.LRangeRequest{UserId: c.user, OrganizationId: c.org, Key: key, Start: clamp32(start), Stop: clamp32(stop)})
	return r.GetValues(), err
}

// LLen returns the length of the list at key (0 if missing).
func (c *Client) LLen(ctx context.Context, key string) (int, error) {
	r, err := c.rpc.LLen(ctx, &pb.LLenRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return int(r.GetLength()), err
}

// LIndex returns the element at index (negative from the end), or Nil when
// the index is out of range or the list is missing.
func (c *Client) LIndex(ctx context.Context, key string, index int) (string, error) {
	r, err := c.rpc.LIndex(ctx, &pb.LIndexRequest{UserId: c.user, OrganizationId: c.org, Key: key, Index: clamp32(index)})
	return foundValue(r.GetFound(), r.GetValue(), err)
}

// LTrim keeps only the elements from start to stop inclusive (Redis LTRIM).
func (c *Client) LTrim(ctx context.Context, key string, start, stop int) error {
	_, err := c.rpc.LTrim(ctx, &pb.LTrimRequest{UserId: c.user, OrganizationId: c.org, Key: key, Start: clamp32(start), Stop: clamp32(stop)})
	return err
}
