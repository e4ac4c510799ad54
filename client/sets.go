package client

import (
	"context"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// SAdd adds members to the set at key and returns how many were new.
func (c *Client) SAdd(ctx context.Context, key string, members ...string) (int, error) {
	r, err := c.rpc.SAdd(ctx, &pb.SAddRequest{UserId: c.user, OrganizationId: c.org, Key: key, Members: members})
	return int(r.GetAddedCount()), err
}

// SRem removes members from the set at key and returns how many were there
// (Redis SREM; the SRemove RPC).
func (c *Client) SRem(ctx context.Context, key string, members ...string) (int, error) {
	r, err := c.rpc.SRemove(ctx, &pb.SRemoveRequest{UserId: c.user, OrganizationId: c.org, Key: key, Members: members})
	return int(r.GetRemovedCount()), err
}

// SMembers returns the members of the set at key (empty if missing).
func (c *Client) SMembers(ctx context.Context, key string) ([]string, error) {
	r, err := c.rpc.SMembers(ctx, &pb.SMembersRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return r.GetMembers(), err
}

// SIsMember reports whether member is in the set at key.
func (c *Client) SIsMember(ctx context.Context, key, member string) (bool, error) {
	r, err := c.rpc.SIsMember(ctx, &pb.SIsMemberRequest{UserId: c.user, OrganizationId: c.org, Key: key, Member: member})
	return r.GetIsMember(), err
}

// SCard returns the number of members of the set at key.
func (c *Client) SCard(ctx context.Context, key string) (int, error) {
	r, err := c.rpc.SCard(ctx, &pb.SCardRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return int(r.GetCount()), err
}

// SUnion returns the union of the sets at keys (missing keys are empty).
func (c *Client) SUnion(ctx context.Context, keys ...string) ([]string, error) {
	r, err := c.rpc.SUnion(ctx, &pb.SUnionRequest{UserId: c.user, OrganizationId: c.org, Keys: keys})
	return r.GetMembers(), err
}

// SInter returns the intersection of the sets at keys.
func (c *Client) SInter(ctx context.Context, keys ...string) ([]string, error) {
	r, err := c.rpc.SInter(ctx, &pb.SInterRequest{UserId: c.user, OrganizationId: c.org, Keys: keys})
	return r.GetMembers(), err
}

// SDiff returns the members of the first set that are in none of the
// others.
func (c *Client) SDiff(ctx context.Context, keys ...string) ([]string, error) {
	r, err := c.rpc.SDiff(ctx, &pb.SDiffRequest{UserId: c.user, OrganizationId: c.org, Keys: keys})
	return r.GetMembers(), err
}
