package redispb_test

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/isa-cloud/isa-memstore/api/redispb"
)

// These tests pin the generated code to the wire contract in
// shared/spec/redis-service.md (sections 1-4): existing clients depend on every
// name, number and type, so a slip in the .proto must fail here, not in
// production.

const pkg = "isa.redis."

// rpcs is section 2 of the spec: every RPC in order with its request and
// response message and whether the server streams.
var rpcs = []struct {
	name, req, resp string
	serverStream    bool
}{
	{"Set", "SetRequest", "SetResponse", false},
	{"Get", "GetRequest", "GetResponse", false},
	{"GetMultiple", "GetMultipleRequest", "GetMultipleResponse", false},
	{"SetWithExpiration", "SetWithExpirationRequest", "SetResponse", false},
	{"Increment", "IncrementRequest", "IncrementResponse", false},
	{"Decrement", "DecrementRequest", "DecrementResponse", false},
	{"Append", "AppendRequest", "AppendResponse", false},
	{"Delete", "DeleteRequest", "DeleteResponse", false},
	{"DeleteMultiple", "DeleteMultipleRequest", "DeleteResponse", false},
	{"Exists", "ExistsRequest", "ExistsResponse", false},
	{"Expire", "ExpireRequest", "ExpireResponse", false},
	{"GetTTL", "GetTTLRequest", "GetTTLResponse", false},
	{"Rename", "RenameRequest", "RenameResponse", false},
	{"ListKeys", "ListKeysRequest", "ListKeysResponse", false},
	{"HSet", "HSetRequest", "HSetResponse", false},
	{"HGet", "HGetRequest", "HGetResponse", false},
	{"HGetAll", "HGetAllRequest", "HGetAllResponse", false},
	{"HDelete", "HDeleteRequest", "HDeleteResponse", false},
	{"HExists", "HExistsRequest", "HExistsResponse", false},
	{"HKeys", "HKeysRequest", "HKeysResponse", false},
	{"HValues", "HValuesRequest", "HValuesResponse", false},
	{"HIncrement", "HIncrementRequest", "HIncrementResponse", false},
	{"LPush", "LPushRequest", "LPushResponse", false},
	{"RPush", "RPushRequest", "RPushResponse", false},
	{"LPop", "LPopRequest", "LPopResponse", false},
	{"RPop", "RPopRequest", "RPopResponse", false},
	{"LRange", "LRangeRequest", "LRangeResponse", false},
	{"LLen", "LLenRequest", "LLenResponse", false},
	{"LIndex", "LIndexRequest", "LIndexResponse", false},
	{"LTrim", "LTrimRequest", "LTrimResponse", false},
	{"SAdd", "SAddRequest", "SAddResponse", false},
	{"SRemove", "SRemoveRequest", "SRemoveResponse", false},
	{"SMembers", "SMembersRequest", "SMembersResponse", false},
	{"SIsMember", "SIsMemberRequest", "SIsMemberResponse", false},
	{"SCard", "SCardRequest", "SCardResponse", false},
	{"SUnion", "SUnionRequest", "SUnionResponse", false},
	{"SInter", "SInterRequest", "SInterResponse", false},
	{"SDiff", "SDiffRequest", "SDiffResponse", false},
	{"ZAdd", "ZAddRequest", "ZAddResponse", false},
	{"ZRemove", "ZRemoveRequest", "ZRemoveResponse", false},
	{"ZRange", "ZRangeRequest", "ZRangeResponse", false},
	{"ZRangeByScore", "ZRangeByScoreRequest", "ZRangeByScoreResponse", false},
	{"ZRank", "ZRankRequest", "ZRankResponse", false},
	{"ZScore", "ZScoreRequest", "ZScoreResponse", false},
	{"ZCard", "ZCardRequest", "ZCardResponse", false},
	{"ZIncrement", "ZIncrementRequest", "ZIncrementResponse", false},
	{"AcquireLock", "AcquireLockRequest", "AcquireLockResponse", false},
	{"ReleaseLock", "ReleaseLockRequest", "ReleaseLockResponse", false},
	{"RenewLock", "RenewLockRequest", "RenewLockResponse", false},
	{"Publish", "PublishRequest", "PublishResponse", false},
	{"Subscribe", "SubscribeRequest", "MessageResponse", true},
	{"Unsubscribe", "UnsubscribeRequest", "UnsubscribeResponse", false},
	{"ExecuteBatch", "RedisBatchRequest", "RedisBatchResponse", false},
	{"CreateSession", "CreateSessionRequest", "CreateSessionResponse", false},
	{"GetSession", "GetSessionRequest", "GetSessionResponse", false},
	{"UpdateSession", "UpdateSessionRequest", "UpdateSessionResponse", false},
	{"DeleteSession", "DeleteSessionRequest", "DeleteSessionResponse", false},
	{"ListSessions", "ListSessionsRequest", "ListSessionsResponse", false},
	{"GetStatistics", "GetStatisticsRequest", "GetStatisticsResponse", false},
	{"GetKeyInfo", "GetKeyInfoRequest", "GetKeyInfoResponse", false},
	{"HealthCheck", "RedisHealthCheckRequest", "RedisHealthCheckResponse", false},
}

// service looks the service up through the global registry, as server
// reflection and other generic tooling do, rather than through the Go symbol.
func service(t *testing.T) protoreflect.ServiceDescriptor {
	t.Helper()
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(pkg + "RedisService")
	require.NoError(t, err)
	sd, ok := d.(protoreflect.ServiceDescriptor)
	require.True(t, ok, "%s is a %T, not a service", d.FullName(), d)
	return sd
}

func TestFileDescriptor(t *testing.T) {
	fd := redispb.File_redis_service_proto
	assert.Equal(t, "redis_service.proto", fd.Path(), "the original file name, shown by reflection")
	assert.Equal(t, protoreflect.FullName("isa.redis"), fd.Package())
	assert.Equal(t, protoreflect.Proto3, fd.Syntax())

	var imports []string
	for i := 0; i < fd.Imports().Len(); i++ {
		imports = append(imports, fd.Imports().Get(i).Path())
	}
	assert.ElementsMatch(t, []string{"google/protobuf/duration.proto", "google/protobuf/timestamp.proto"}, imports,
		"only the well-known types: no common.proto")

	reg, err := protoregistry.GlobalFiles.FindFileByPath("redis_service.proto")
	require.NoError(t, err)
	assert.Equal(t, fd, reg)
	assert.Equal(t, 1, fd.Services().Len())
	assert.Equal(t, 0, fd.Extensions().Len())
}

func TestServiceMethods(t *testing.T) {
	sd := service(t)
	assert.Equal(t, protoreflect.FullName("isa.redis.RedisService"), sd.FullName())
	require.Len(t, rpcs, 61, "the spec table itself")
	require.Equal(t, len(rpcs), sd.Methods().Len())

	streaming := 0
	for i, want := range rpcs {
		m := sd.Methods().Get(i)
		t.Run(want.name, func(t *testing.T) {
			assert.Equal(t, protoreflect.Name(want.name), m.Name(), "RPC order follows the spec")
			assert.Equal(t, protoreflect.FullName(pkg+want.req), m.Input().FullName())
			assert.Equal(t, protoreflect.FullName(pkg+want.resp), m.Output().FullName())
			assert.Equal(t, want.serverStream, m.IsStreamingServer())
			assert.False(t, m.IsStreamingClient(), "no RPC streams requests")
		})
		if m.IsStreamingServer() {
			streaming++
			assert.Equal(t, protoreflect.Name("Subscribe"), m.Name())
		}
	}
	assert.Equal(t, 1, streaming, "exactly one server-streaming RPC")
}

// TestGRPCServiceDesc checks what grpc-go actually registers: the method paths
// clients call, /isa.redis.RedisService/<Method>.
func TestGRPCServiceDesc(t *testing.T) {
	desc := redispb.RedisService_ServiceDesc
	assert.Equal(t, "isa.redis.RedisService", desc.ServiceName)
	assert.Equal(t, "redis_service.proto", desc.Metadata)

	unary := map[string]bool{}
	for _, m := range desc.Methods {
		unary[m.MethodName] = true
	}
	require.Len(t, desc.Streams, 1)
	assert.Equal(t, grpc.StreamDesc{StreamName: "Subscribe", ServerStreams: true},
		grpc.StreamDesc{StreamName: desc.Streams[0].StreamName, ServerStreams: desc.Streams[0].ServerStreams, ClientStreams: desc.Streams[0].ClientStreams})

	assert.Len(t, unary, 60)
	for _, r := range rpcs {
		assert.Equal(t, !r.serverStream, unary[r.name], "%s registered as unary", r.name)
	}
	assert.Equal(t, "/isa.redis.RedisService/Set", redispb.RedisService_Set_FullMethodName)
	assert.Equal(t, "/isa.redis.RedisService/Subscribe", redispb.RedisService_Subscribe_FullMethodName)
	assert.Equal(t, "/isa.redis.RedisService/HealthCheck", redispb.RedisService_HealthCheck_FullMethodName)
}

func TestMessages(t *testing.T) {
	fd := redispb.File_redis_service_proto
	require.Equal(t, 125, fd.Messages().Len())

	// Every message is an RPC request/response or one of the five shared types.
	want := map[string]bool{"KeyValue": true, "HashField": true, "ZSetMember": true, "SessionInfo": true, "BatchCommand": true}
	for _, r := range rpcs {
		want[r.req], want[r.resp] = true, true
	}
	got := map[string]bool{}
	for i := 0; i < fd.Messages().Len(); i++ {
		md := fd.Messages().Get(i)
		got[string(md.Name())] = true
		assert.Equal(t, 0, md.Oneofs().Len(), "%s: no oneof (and so no proto3 optional)", md.Name())
		assert.Equal(t, 0, md.Enums().Len(), "%s: no nested enum", md.Name())
		for j := 0; j < md.Messages().Len(); j++ {
			assert.True(t, md.Messages().Get(j).IsMapEntry(), "%s: only map entries are nested", md.Name())
		}
	}
	assert.Equal(t, want, got)
}

func TestValueType(t *testing.T) {
	fd := redispb.File_redis_service_proto
	require.Equal(t, 1, fd.Enums().Len())
	ed := fd.Enums().Get(0)
	assert.Equal(t, protoreflect.FullName("isa.redis.ValueType"), ed.FullName())

	want := []string{"VALUE_TYPE_STRING", "VALUE_TYPE_HASH", "VALUE_TYPE_LIST", "VALUE_TYPE_SET", "VALUE_TYPE_ZSET"}
	require.Equal(t, len(want), ed.Values().Len())
	for n, name := range want {
		v := ed.Values().ByNumber(protoreflect.EnumNumber(n))
		require.NotNil(t, v, "value %d", n)
		assert.Equal(t, protoreflect.Name(name), v.Name())
	}
	assert.Equal(t, "VALUE_TYPE_ZSET", redispb.ValueType_VALUE_TYPE_ZSET.String())
	assert.Equal(t, redispb.ValueType(4), redispb.ValueType_VALUE_TYPE_ZSET)
}

// fieldType renders a field's type the way the spec writes it; short drops
// this package's prefix from message and enum names.
func fieldType(fd protoreflect.FieldDescriptor, short bool) string {
	if fd.IsMap() {
		return fmt.Sprintf("map<%s, %s>", fieldType(fd.MapKey(), short), fieldType(fd.MapValue(), short))
	}
	var name string
	switch fd.Kind() {
	case protoreflect.MessageKind:
		name = string(fd.Message().FullName())
	case protoreflect.EnumKind:
		name = string(fd.Enum().FullName())
	default:
		name = fd.Kind().String()
	}
	if short {
		name = strings.TrimPrefix(name, pkg)
	}
	if fd.IsList() {
		return "repeated " + name
	}
	return name
}

func TestFieldSample(t *testing.T) {
	const ts, dur = "google.protobuf.Timestamp", "google.protobuf.Duration"
	tests := []struct {
		msg, field string
		number     protoreflect.FieldNumber
		typ        string
	}{
		{"SessionInfo", "session_id", 1, "string"},
		{"SessionInfo", "user_id", 2, "string"},
		{"SessionInfo", "data", 3, "map<string, string>"},
		{"SessionInfo", "created_at", 4, ts},
		{"SessionInfo", "expires_at", 5, ts},
		{"SessionInfo", "last_accessed", 6, ts},
		{"GetStatisticsResponse", "total_keys", 1, "int64"},
		{"GetStatisticsResponse", "hit_rate", 5, "double"},
		{"GetStatisticsResponse", "key_type_distribution", 6, "map<string, int64>"},
		{"GetKeyInfoResponse", "exists", 1, "bool"},
		{"GetKeyInfoResponse", "type", 2, "isa.redis.ValueType"},
		{"GetKeyInfoResponse", "ttl_seconds", 3, "int64"},
		{"GetKeyInfoResponse", "last_accessed", 6, ts},
		{"BatchCommand", "operation", 1, "string"},
		{"BatchCommand", "expiration", 4, dur},
		{"ZRangeByScoreRequest", "key", 3, "string"},
		{"ZRangeByScoreRequest", "min_score", 4, "double"},
		{"ZRangeByScoreRequest", "max_score", 5, "double"},
		{"ZRangeByScoreRequest", "offset", 6, "int32"},
		{"ZRangeByScoreRequest", "count", 7, "int32"},
		{"ZSetMember", "score", 2, "double"},
		{"GetMultipleRequest", "keys", 3, "repeated string"},
		{"GetMultipleResponse", "values", 1, "repeated isa.redis.KeyValue"},
		{"DeleteResponse", "deleted_count", 2, "int32"},
		{"GetTTLResponse", "ttl_seconds", 1, "int64"},
		{"SetWithExpirationRequest", "expiration", 5, dur},
		{"IncrementRequest", "delta", 4, "int64"},
		{"HIncrementRequest", "delta", 5, "int64"},
		{"ZIncrementRequest", "delta", 5, "double"},
		{"ListKeysRequest", "limit", 4, "int32"},
		{"ListKeysResponse", "total_count", 2, "int32"},
		{"AcquireLockRequest", "lock_key", 3, "string"},
		{"AcquireLockRequest", "ttl", 4, dur},
		{"AcquireLockRequest", "wait_timeout", 5, dur},
		{"AcquireLockResponse", "expires_at", 3, ts},
		{"RenewLockRequest", "ttl", 5, dur},
		{"MessageResponse", "timestamp", 3, ts},
		{"RedisBatchRequest", "commands", 3, "repeated isa.redis.BatchCommand"},
		{"RedisBatchResponse", "errors", 3, "repeated string"},
		{"CreateSessionRequest", "data", 3, "map<string, string>"},
		{"GetSessionRequest", "session_id", 2, "string"},
		{"GetSessionResponse", "session", 2, "isa.redis.SessionInfo"},
		{"UpdateSessionRequest", "extend_ttl", 4, "bool"},
		{"ListSessionsResponse", "sessions", 1, "repeated isa.redis.SessionInfo"},
		{"RedisHealthCheckRequest", "deep_check", 1, "bool"},
		{"RedisHealthCheckResponse", "connected_clients", 3, "int64"},
		{"RedisHealthCheckResponse", "checked_at", 5, ts},
	}
	msgs := redispb.File_redis_service_proto.Messages()
	for _, tt := range tests {
		t.Run(tt.msg+"."+tt.field, func(t *testing.T) {
			md := msgs.ByName(protoreflect.Name(tt.msg))
			require.NotNil(t, md)
			fd := md.Fields().ByName(protoreflect.Name(tt.field))
			require.NotNil(t, fd)
			assert.Equal(t, tt.number, fd.Number())
			assert.Equal(t, tt.typ, fieldType(fd, false))
			assert.False(t, fd.HasPresence() && fd.Message() == nil, "proto3 scalars carry no presence")
		})
	}
}

// TestMessagesMatchSpec compares every message, field by field and in order,
// with testdata/messages.txt, a verbatim copy of the spec's section 4.
func TestMessagesMatchSpec(t *testing.T) {
	f, err := os.Open("testdata/messages.txt")
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })

	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	require.NoError(t, sc.Err())
	require.Len(t, want, 125)

	msgs := redispb.File_redis_service_proto.Messages()
	require.Equal(t, len(want), msgs.Len())
	for i := 0; i < msgs.Len(); i++ {
		md := msgs.Get(i)
		fields := make([]string, 0, md.Fields().Len())
		for j := 0; j < md.Fields().Len(); j++ {
			fd := md.Fields().Get(j)
			fields = append(fields, fmt.Sprintf("%d %s:%s", fd.Number(), fd.Name(), fieldType(fd, true)))
		}
		got := fmt.Sprintf("- `%s`: %s", md.Name(), strings.Join(fields, ", "))
		assert.Equal(t, want[i], got, "message %d", i)
	}
}

// TestWireCompatibility decodes bytes built by hand from the field numbers, as
// a client generated from the original .proto would send them, and checks the
// Go fields they land in.
func TestWireCompatibility(t *testing.T) {
	t.Run("SetRequest", func(t *testing.T) {
		var b []byte
		for n, s := range []string{"user-001", "org-001", "key", "value"} {
			b = protowire.AppendTag(b, protowire.Number(n+1), protowire.BytesType)
			b = protowire.AppendString(b, s)
		}
		var req redispb.SetRequest
		require.NoError(t, proto.Unmarshal(b, &req))
		assert.Equal(t, "user-001", req.GetUserId())
		assert.Equal(t, "org-001", req.GetOrganizationId())
		assert.Equal(t, "key", req.GetKey())
		assert.Equal(t, "value", req.GetValue())
	})

	t.Run("ZRangeByScoreRequest", func(t *testing.T) {
		var b []byte
		b = protowire.AppendTag(b, 4, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, math.Float64bits(100))
		b = protowire.AppendTag(b, 5, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, math.Float64bits(180))
		b = protowire.AppendTag(b, 6, protowire.VarintType)
		b = protowire.AppendVarint(b, 2)
		b = protowire.AppendTag(b, 7, protowire.VarintType)
		b = protowire.AppendVarint(b, math.MaxUint64) // int32 -1: sign-extended to 64 bits on the wire
		var req redispb.ZRangeByScoreRequest
		require.NoError(t, proto.Unmarshal(b, &req))
		assert.Equal(t, 100.0, req.GetMinScore())
		assert.Equal(t, 180.0, req.GetMaxScore())
		assert.Equal(t, int32(2), req.GetOffset())
		assert.Equal(t, int32(-1), req.GetCount())
	})

	t.Run("BatchCommand expiration", func(t *testing.T) {
		b, err := proto.Marshal(&redispb.BatchCommand{Operation: "SET", Expiration: durationpb.New(300 * time.Second)})
		require.NoError(t, err)
		num, typ, n := protowire.ConsumeTag(b)
		require.Positive(t, n)
		assert.Equal(t, protowire.Number(1), num)
		assert.Equal(t, protowire.BytesType, typ)
		_, m := protowire.ConsumeBytes(b[n:])
		b = b[n+m:]
		num, typ, n = protowire.ConsumeTag(b)
		require.Positive(t, n)
		assert.Equal(t, protowire.Number(4), num, "expiration is field 4")
		assert.Equal(t, protowire.BytesType, typ, "a Duration message")
	})

	t.Run("GetStatisticsResponse map", func(t *testing.T) {
		in := &redispb.GetStatisticsResponse{KeyTypeDistribution: map[string]int64{"zset": 7}}
		b, err := proto.Marshal(in)
		require.NoError(t, err)
		num, typ, n := protowire.ConsumeTag(b)
		require.Positive(t, n)
		assert.Equal(t, protowire.Number(6), num)
		assert.Equal(t, protowire.BytesType, typ)
		var out redispb.GetStatisticsResponse
		require.NoError(t, proto.Unmarshal(b, &out))
		assert.Equal(t, int64(7), out.GetKeyTypeDistribution()["zset"])
	})
}
