package grpcserver

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// sessionData checks a session's data map.
func (s *service) sessionData(data map[string]string) error {
	if err := s.lim.count("data entries", len(data)); err != nil {
		return err
	}
	for k, v := range data {
		if err := s.lim.key("a data key", k); err != nil {
			return err
		}
		if err := s.lim.value("a data value", v); err != nil {
			return err
		}
	}
	return nil
}

func sessionInfo(s Session) *pb.SessionInfo {
	return &pb.SessionInfo{
		SessionId:    s.ID,
		UserId:       s.User,
		Data:         s.Data,
		CreatedAt:    timestamppb.New(s.CreatedAt),
		ExpiresAt:    timestamppb.New(s.ExpiresAt),
		LastAccessed: timestamppb.New(s.LastAccessed),
	}
}

// CreateSession implements RedisService.CreateSession.
func (s *service) CreateSession(ctx context.Context, req *pb.CreateSessionRequest) (*pb.CreateSessionResponse, error) {
	ttl, derr := duration("ttl", req.Ttl, false)
	t, err := s.lim.tenant(req, derr, s.sessionData(req.Data))
	if err != nil {
		return nil, err
	}
	sess, err := s.b.CreateSession(ctx, t, req.Data, ttl)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.CreateSessionResponse{SessionId: sess.ID, ExpiresAt: timestamppb.New(sess.ExpiresAt)}, nil
}

// GetSession implements RedisService.GetSession (by user and id: the
// request has no organization).
func (s *service) GetSession(ctx context.Context, req *pb.GetSessionRequest) (*pb.GetSessionResponse, error) {
	u, err := s.lim.user(req, s.lim.key("session_id", req.SessionId))
	if err != nil {
		return nil, err
	}
	sess, found, err := s.b.GetSession(ctx, u, req.SessionId)
	if err != nil {
		return nil, toStatus(err)
	}
	if !found {
		return &pb.GetSessionResponse{}, nil
	}
	return &pb.GetSessionResponse{Found: true, Session: sessionInfo(sess)}, nil
}

// UpdateSession implements RedisService.UpdateSession: data is merged;
// extend_ttl restarts the session's own TTL.
func (s *service) UpdateSession(ctx context.Context, req *pb.UpdateSessionRequest) (*pb.UpdateSessionResponse, error) {
	u, err := s.lim.user(req, s.lim.key("session_id", req.SessionId), s.sessionData(req.Data))
	if err != nil {
		return nil, err
	}
	ok, err := s.b.UpdateSession(ctx, u, req.SessionId, req.Data, req.ExtendTtl)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.UpdateSessionResponse{Success: ok}, nil
}

// DeleteSession implements RedisService.DeleteSession.
func (s *service) DeleteSession(ctx context.Context, req *pb.DeleteSessionRequest) (*pb.DeleteSessionResponse, error) {
	u, err := s.lim.user(req, s.lim.key("session_id", req.SessionId))
	if err != nil {
		return nil, err
	}
	ok, err := s.b.DeleteSession(ctx, u, req.SessionId)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.DeleteSessionResponse{Success: ok}, nil
}

// ListSessions implements RedisService.ListSessions (the tenant's own).
func (s *service) ListSessions(ctx context.Context, req *pb.ListSessionsRequest) (*pb.ListSessionsResponse, error) {
	t, err := s.lim.tenant(req)
	if err != nil {
		return nil, err
	}
	all, err := s.b.ListSessions(ctx, t)
	if err != nil {
		return nil, toStatus(err)
	}
	out := make([]*pb.SessionInfo, len(all))
	for i, sess := range all {
		out[i] = sessionInfo(sess)
	}
	return &pb.ListSessionsResponse{Sessions: out}, nil
}
