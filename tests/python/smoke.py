#!/usr/bin/python3
"""Smoke test of a RedisService server from Python, as the isA clients use it.

Usage: smoke.py HOST:PORT   (stubs generated from api/redispb/redis_service.proto
must be importable: run.sh generates them and sets PYTHONPATH).

Like the existing isa_common clients it gzips every request, sends no auth
metadata and uses the proto's field names. Each check prints one line; a
check whose RPC the server answers UNIMPLEMENTED is SKIPPED (loudly), any
other failure FAILS. The last line is "smoke: N passed, N failed, N skipped";
the exit status is 1 if anything failed.
"""

import sys
import traceback
import uuid

import grpc
from google.protobuf import duration_pb2

import redis_service_pb2 as pb
import redis_service_pb2_grpc as pb_grpc


class Skip(Exception):
    """The server does not implement an RPC the check needs."""


def call(rpc, request):
    try:
        return rpc(request, timeout=10)
    except grpc.RpcError as e:
        if e.code() == grpc.StatusCode.UNIMPLEMENTED:
            raise Skip(e.details())
        raise


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def main(addr):
    channel = grpc.insecure_channel(
        addr,
        compression=grpc.Compression.Gzip,
        options=[("grpc.max_receive_message_length", 100 << 20)],
    )
    stub = pb_grpc.RedisServiceStub(channel)
    user = "py-user-" + uuid.uuid4().hex
    org = "py-org-" + uuid.uuid4().hex
    ids = dict(user_id=user, organization_id=org)

    def set_get():
        r = call(stub.Set, pb.SetRequest(key="greeting", value="hello", **ids))
        expect(r.success and r.message, "Set: success with a message")
        r = call(stub.Get, pb.GetRequest(key="greeting", **ids))
        expect(r.found and r.value == "hello", "Get: %r" % r)
        r = call(stub.Get, pb.GetRequest(key="missing", **ids))
        expect(not r.found and r.value == "", "Get of a missing key")
        r = call(stub.SetWithExpiration, pb.SetWithExpirationRequest(
            key="tmp", value="v", expiration=duration_pb2.Duration(seconds=2), **ids))
        expect(r.success, "SetWithExpiration")
        r = call(stub.GetTTL, pb.GetTTLRequest(key="tmp", **ids))
        expect(0 < r.ttl_seconds <= 2, "GetTTL: %d" % r.ttl_seconds)

    def permission_denied():
        try:
            stub.Get(pb.GetRequest(key="k"), timeout=10)
        except grpc.RpcError as e:
            expect(e.code() == grpc.StatusCode.PERMISSION_DENIED, "code %s" % e.code())
            return
        raise AssertionError("Get without user_id succeeded")

    def tenants():
        other = dict(user_id="py-user-" + uuid.uuid4().hex, organization_id=org)
        r = call(stub.Get, pb.GetRequest(key="greeting", **other))
        expect(not r.found, "another user sees the key")

    def hset():
        r = call(stub.HSet, pb.HSetRequest(key="h", fields=[
            pb.HashField(field="a", value="1"), pb.HashField(field="counter", value="10")], **ids))
        expect(r.success and r.fields_set == 2, "HSet: %r" % r)
        r = call(stub.HGet, pb.HGetRequest(key="h", field="a", **ids))
        expect(r.found and r.value == "1", "HGet: %r" % r)
        r = call(stub.HIncrement, pb.HIncrementRequest(key="h", field="counter", delta=5, **ids))
        expect(r.value == 15, "HIncrement: %r" % r)

    def zadd():
        r = call(stub.ZAdd, pb.ZAddRequest(key="z", members=[
            pb.ZSetMember(member="player1", score=100),
            pb.ZSetMember(member="player2", score=200),
            pb.ZSetMember(member="player3", score=150)], **ids))
        expect(r.added_count == 3, "ZAdd: %r" % r)
        r = call(stub.ZScore, pb.ZScoreRequest(key="z", member="player2", **ids))
        expect(r.found and r.score == 200, "ZScore: %r" % r)
        r = call(stub.ZRangeByScore, pb.ZRangeByScoreRequest(key="z", min_score=100, max_score=180, **ids))
        expect([(m.member, m.score) for m in r.members] == [("player1", 100), ("player3", 150)],
               "ZRangeByScore: %r" % r)

    def lock():
        r = call(stub.AcquireLock, pb.AcquireLockRequest(
            lock_key="job", ttl=duration_pb2.Duration(seconds=10), **ids))
        expect(r.acquired and r.lock_id, "AcquireLock: %r" % r)
        r2 = call(stub.RenewLock, pb.RenewLockRequest(
            lock_key="job", lock_id=r.lock_id, ttl=duration_pb2.Duration(seconds=10), **ids))
        expect(r2.renewed, "RenewLock")
        r3 = call(stub.ReleaseLock, pb.ReleaseLockRequest(lock_key="job", lock_id=r.lock_id, **ids))
        expect(r3.released, "ReleaseLock")

    def session():
        r = call(stub.CreateSession, pb.CreateSessionRequest(data={"role": "admin"}, **ids))
        expect(r.session_id, "CreateSession: %r" % r)
        g = call(stub.GetSession, pb.GetSessionRequest(user_id=user, session_id=r.session_id))
        expect(g.found and g.session.data["role"] == "admin" and "created_at" in g.session.data,
               "GetSession: %r" % g)
        l = call(stub.ListSessions, pb.ListSessionsRequest(**ids))
        expect(r.session_id in [s.session_id for s in l.sessions], "ListSessions")

    checks = [
        ("set/get", set_get),
        ("empty user_id is PERMISSION_DENIED", permission_denied),
        ("tenants are isolated", tenants),
        ("hset", hset),
        ("zadd", zadd),
        ("lock", lock),
        ("session", session),
    ]
    passed = failed = skipped = 0
    for name, check in checks:
        try:
            check()
        except Skip as e:
            skipped += 1
            print("SKIPPED %s: THE SERVER DOES NOT IMPLEMENT IT YET (%s)" % (name, e))
        except Exception:
            failed += 1
            print("FAIL %s:" % name)
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print("ok   %s" % name)
    channel.close()
    print("smoke: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
