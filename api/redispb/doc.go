// Package redispb is the Go form of the isa.redis.RedisService wire contract:
// the messages, the ValueType enum, and the gRPC client and server stubs
// generated from redis_service.proto.
//
// The .pb.go files are generated and checked in, so building never needs
// protoc. Regenerate them with scripts/gen-proto.sh and verify them with
// scripts/gen-proto.sh --check (both from the repository root).
package redispb
