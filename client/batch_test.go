package client

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestBatchOps(t *testing.T) {
	const u, o = "u1", "o1"
	runOps(t, []opCase{
		{
			name: "ExecuteBatch", method: "ExecuteBatch", resp: &pb.RedisBatchResponse{Success: true, ExecutedCount: 3},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ExecuteBatch(ctx,
					BatchCommand{Op: "SET", Key: "a", Value: "1"},
					BatchCommand{Op: "set", Key: "b", Value: "2", TTL: 300 * time.Second},
					BatchCommand{Op: "GET", Key: "a"})
			},
			req: &pb.RedisBatchRequest{UserId: u, OrganizationId: o, Commands: []*pb.BatchCommand{
				{Operation: "SET", Key: "a", Value: "1"},
				{Operation: "set", Key: "b", Value: "2", Expiration: durationpb.New(300 * time.Second)},
				{Operation: "GET", Key: "a"},
			}},
			want: 3,
		},
		{
			name: "MSet is a batch of SETs in key order", method: "ExecuteBatch", resp: &pb.RedisBatchResponse{Success: true, ExecutedCount: 2},
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.MSet(ctx, map[string]string{"b": "2", "a": "1"})
			},
			req: &pb.RedisBatchRequest{UserId: u, OrganizationId: o, Commands: []*pb.BatchCommand{
				{Operation: "SET", Key: "a", Value: "1"}, {Operation: "SET", Key: "b", Value: "2"},
			}},
		},
		{
			name: "MGet", method: "GetMultiple",
			resp: &pb.GetMultipleResponse{Values: []*pb.KeyValue{{Key: "a", Value: "1"}, {Key: "c", Value: ""}}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.MGet(ctx, "a", "b", "c") },
			req:  &pb.GetMultipleRequest{UserId: u, OrganizationId: o, Keys: []string{"a", "b", "c"}},
			want: map[string]string{"a": "1", "c": ""},
		},
		{
			name: "MGet of nothing sends nothing", method: "GetMultiple",
			call: func(ctx context.Context, c *Client) (any, error) { return c.MGet(ctx) },
			want: map[string]string{},
		},
	})
}

func TestExecuteBatchErrors(t *testing.T) {
	f, c := startFake(t)
	f.on("ExecuteBatch", reply(&pb.RedisBatchResponse{
		ExecutedCount: 2,
		Errors: []string{
			"INCR failed for a: b: ERR value is not an integer or out of range",
			"unknown operation: FROB",
			"set failed for k: WRONGTYPE Operation against a key holding the wrong kind of value",
			"something nobody expected",
		},
	}))
	cmds := []BatchCommand{
		{Op: "SET", Key: "a", Value: "x"},
		{Op: "incr", Key: "a: b"}, // a key with the separator inside
		{Op: "FROB", Key: "z"},
		{Op: "GET", Key: "k"},
		{Op: "SET", Key: "k", Value: "v"},
	}
	n, err := c.ExecuteBatch(testCtx(t), cmds...)
	require.Equal(t, 2, n)
	var be *BatchError
	require.ErrorAs(t, err, &be)
	require.Equal(t, 2, be.Executed)
	require.Len(t, be.Failed, 4)
	require.Equal(t, []int{1, 2, 4, -1}, []int{be.Failed[0].Index, be.Failed[1].Index, be.Failed[2].Index, be.Failed[3].Index})
	require.ErrorIs(t, be.Failed[0], ErrNotInteger)
	require.Equal(t, "a: b", be.Failed[0].Key)
	require.ErrorIs(t, be.Failed[2], ErrWrongType)
	require.Equal(t, codes.FailedPrecondition, status.Code(be.Failed[2].Err))
	require.ErrorIs(t, err, ErrWrongType, "errors.Is sees through the batch error")
	require.NotErrorIs(t, err, ErrNoSuchKey)
	require.Contains(t, err.Error(), "something nobody expected")
}

func TestGetMany(t *testing.T) {
	for _, n := range []int{0, 1, GetManyChunk, GetManyChunk + 1, 5*GetManyChunk + 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f, c := startFake(t)
			// The fake finds every key whose number is even.
			f.on("GetMultiple", func(_ context.Context, req proto.Message) (proto.Message, error) {
				keys := req.(*pb.GetMultipleRequest).GetKeys()
				if len(keys) > GetManyChunk {
					return nil, status.Error(codes.InvalidArgument, "chunk too big")
				}
				r := &pb.GetMultipleResponse{}
				for _, k := range keys {
					var i int
					_, _ = fmt.Sscanf(k, "k%d", &i)
					if i%2 == 0 {
						r.Values = append(r.Values, &pb.KeyValue{Key: k, Value: "v" + k})
					}
				}
				return r, nil
			})
			keys := make([]string, n)
			want := map[string]string{}
			for i := range keys {
				keys[i] = fmt.Sprintf("k%d", i)
				if i%2 == 0 {
					want[keys[i]] = "v" + keys[i]
				}
			}
			got, err := c.GetMany(testCtx(t), keys)
			require.NoError(t, err)
			require.Equal(t, want, got)
			require.Equal(t, (n+GetManyChunk-1)/GetManyChunk, f.count("GetMultiple"))
		})
	}
	t.Run("a failing chunk fails the whole", func(t *testing.T) {
		f, c := startFake(t, WithRetries(1, 0, 0))
		f.on("GetMultiple", fail(codes.ResourceExhausted, "too much"))
		keys := make([]string, 3*GetManyChunk)
		for i := range keys {
			keys[i] = fmt.Sprint(i)
		}
		got, err := c.GetMany(testCtx(t), keys)
		require.ErrorIs(t, err, ErrResourceExhausted)
		require.Nil(t, got)
	})
}
