package grpcserver

import (
	"context"
	"errors"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/engine"
)

// ExecuteBatch implements RedisService.ExecuteBatch: the commands run
// atomically and in order; each failure is reported in errors as
// "{operation} failed for {key}: {reason}" (an unknown operation as
// "unknown operation: {op}"), executed_count counts the successes and
// success means no errors.
func (s *service) ExecuteBatch(ctx context.Context, req *pb.RedisBatchRequest) (*pb.RedisBatchResponse, error) {
	ops, verr := s.batchOps(req.Commands)
	t, err := s.lim.tenant(req, verr)
	if err != nil {
		return nil, err
	}
	opErrs, err := s.b.ExecuteBatch(ctx, t, ops)
	if err != nil {
		return nil, toStatus(err)
	}
	resp := &pb.RedisBatchResponse{}
	for i, e := range opErrs {
		switch {
		case e == nil:
			resp.ExecutedCount++
		case errors.Is(e, engine.ErrUnknownCommand):
			resp.Errors = append(resp.Errors, "unknown operation: "+ops[i].Op)
		default:
			resp.Errors = append(resp.Errors, ops[i].Op+" failed for "+ops[i].Key+": "+e.Error())
		}
	}
	resp.Success = len(resp.Errors) == 0
	return resp, nil
}

// batchOps validates the commands and converts them. An expiration may be
// negative: that is the command's business (SET refuses it, EXPIRE
// deletes), reported in its own error, not the request's.
func (s *service) batchOps(cmds []*pb.BatchCommand) ([]BatchOp, error) {
	if err := s.lim.count("commands", len(cmds)); err != nil {
		return nil, err
	}
	ops := make([]BatchOp, len(cmds))
	for i, c := range cmds {
		ttl, err := duration("expiration", c.GetExpiration(), true)
		if err != nil {
			return nil, err
		}
		for _, err := range []error{s.lim.key("operation", c.GetOperation()), s.lim.key("key", c.GetKey()), s.lim.value("value", c.GetValue())} {
			if err != nil {
				return nil, err
			}
		}
		ops[i] = BatchOp{Op: c.GetOperation(), Key: c.GetKey(), Value: c.GetValue(), TTL: ttl}
	}
	return ops, nil
}
