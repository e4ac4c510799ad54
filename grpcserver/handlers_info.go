package grpcserver

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// GetStatistics implements RedisService.GetStatistics: the tenant's
// figures, plus connections_received, which is the server's.
func (s *service) GetStatistics(ctx context.Context, req *pb.GetStatisticsRequest) (*pb.GetStatisticsResponse, error) {
	t, err := s.lim.tenant(req)
	if err != nil {
		return nil, err
	}
	st, err := s.b.Statistics(ctx, t)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.GetStatisticsResponse{
		TotalKeys:           st.Keys,
		MemoryUsedBytes:     st.MemoryBytes,
		CommandsProcessed:   st.Commands,
		ConnectionsReceived: s.conns.total.Load(),
		HitRate:             st.HitRate,
		KeyTypeDistribution: st.KeysByType,
	}, nil
}

// valueTypes maps Redis type names to the wire enum.
var valueTypes = map[string]pb.ValueType{
	"string": pb.ValueType_VALUE_TYPE_STRING,
	"hash":   pb.ValueType_VALUE_TYPE_HASH,
	"list":   pb.ValueType_VALUE_TYPE_LIST,
	"set":    pb.ValueType_VALUE_TYPE_SET,
	"zset":   pb.ValueType_VALUE_TYPE_ZSET,
}

// noKeyTTL is GetTTL's (and TTL's) answer for a missing key.
const noKeyTTL = -2

// GetKeyInfo implements RedisService.GetKeyInfo (ttl_seconds -1/-2 as
// GetTTL).
func (s *service) GetKeyInfo(ctx context.Context, req *pb.GetKeyInfoRequest) (*pb.GetKeyInfoResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	info, found, err := s.b.KeyInfo(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	if !found {
		return &pb.GetKeyInfoResponse{TtlSeconds: noKeyTTL}, nil
	}
	return &pb.GetKeyInfoResponse{
		Exists:       true,
		Type:         valueTypes[info.Type],
		TtlSeconds:   info.TTLSeconds,
		SizeBytes:    info.Size,
		CreatedAt:    timestamppb.New(info.CreatedAt),
		LastAccessed: timestamppb.New(info.LastAccessed),
	}, nil
}

// HealthCheck implements RedisService.HealthCheck. It needs no user. An
// unhealthy backend is an answer (healthy=false and why), not an RPC
// error: the caller asked a question and gets its answer.
func (s *service) HealthCheck(ctx context.Context, req *pb.RedisHealthCheckRequest) (*pb.RedisHealthCheckResponse, error) {
	used, err := s.b.Health(ctx, req.DeepCheck)
	resp := &pb.RedisHealthCheckResponse{
		Healthy:          err == nil,
		RedisStatus:      "healthy",
		ConnectedClients: s.conns.open.Load(),
		UsedMemoryBytes:  used,
		CheckedAt:        timestamppb.New(time.Now()),
		Message:          "ok",
	}
	if req.DeepCheck {
		resp.Message = "ok: write, read and delete round trip succeeded"
	}
	if err != nil {
		resp.RedisStatus = "unhealthy"
		resp.Message = err.Error()
	}
	return resp, nil
}
