package grpcserver

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/pubsub"
)

// Publish implements RedisService.Publish: the real number of subscribers
// reached.
func (s *service) Publish(ctx context.Context, req *pb.PublishRequest) (*pb.PublishResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("channel", req.Channel), s.lim.value("message", req.Message))
	if err != nil {
		return nil, err
	}
	n, err := s.b.Publish(ctx, t, req.Channel, req.Message)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.PublishResponse{SubscriberCount: i32(n)}, nil
}

var errNoChannels = status.Error(codes.InvalidArgument, "channels is required: a subscription needs at least one channel")

// Subscribe implements RedisService.Subscribe: one MessageResponse per
// message until the client leaves, Unsubscribe removes the stream's last
// channel or the server shuts down (all clean ends), or the client cannot
// keep up (RESOURCE_EXHAUSTED; publishers never wait for a subscriber).
// The response headers are sent once the subscription is live, so a client
// that has them knows later publishes reach it.
func (s *service) Subscribe(req *pb.SubscribeRequest, stream pb.RedisService_SubscribeServer) error {
	var empty error
	if len(req.Channels) == 0 {
		empty = errNoChannels
	}
	t, err := s.lim.tenant(req, empty, s.lim.keys("channels", req.Channels))
	if err != nil {
		return err
	}
	ctx := stream.Context()
	sub, err := s.b.Subscribe(ctx, t, req.Channels)
	if err != nil {
		return toStatus(err)
	}
	defer sub.Close()
	defer s.subs.add(t, sub)()
	if err := stream.SendHeader(metadata.MD{}); err != nil {
		return err
	}
	for {
		select {
		case m, ok := <-sub.C():
			if !ok {
				if err := sub.Err(); !errors.Is(err, pubsub.ErrClosed) {
					return toStatus(err)
				}
				return nil // unsubscribed from its last channel
			}
			if err := stream.Send(&pb.MessageResponse{Channel: m.Channel, Message: m.Payload, Timestamp: timestamppb.New(m.Time)}); err != nil {
				return err
			}
		case <-ctx.Done():
			return toStatus(ctx.Err())
		case <-s.quit:
			return nil
		}
	}
}

// Unsubscribe implements RedisService.Unsubscribe: it removes channels
// (all of them when none are named, as UNSUBSCRIBE) from the caller's open
// Subscribe streams; a stream left without channels ends.
func (s *service) Unsubscribe(ctx context.Context, req *pb.UnsubscribeRequest) (*pb.UnsubscribeResponse, error) {
	t, err := s.lim.tenant(req, s.lim.keys("channels", req.Channels))
	if err != nil {
		return nil, err
	}
	if c, ok := s.b.(TenantChecker); ok {
		// No backend call follows: the backend's refusal of the ids must
		// be asked for.
		if err := c.CheckTenant(t); err != nil {
			return nil, toStatus(err)
		}
	}
	s.subs.unsubscribe(t, req.Channels)
	return &pb.UnsubscribeResponse{Success: true}, nil
}
