// Package client is the Go client of the isa.redis.RedisService gRPC API
// served by isa-memstore (and by any server speaking the same API).
//
//	c, err := client.New("", client.WithUser("billing"))  // $ISA_MEMSTORE_ADDR or localhost:50055
//	if err != nil { ... }
//	defer c.Close()
//	err = c.SetTTL(ctx, "greeting", "hello", time.Minute)
//	v, err := c.Get(ctx, "greeting")
//
// # Calls
//
// Every operation takes a context first and is safe for concurrent use.
// Method names follow the Redis commands (Get, Set, HSet, LPush, ZAdd,
// ...), as in go-redis; where the RPC is named differently the doc says so.
// A Client acts for one tenant, the (user id, organization id) pair given by
// WithUser and WithOrganization; ForTenant derives a client for another
// tenant over the same connection.
//
// # Missing values
//
// A single-value read of something absent returns the sentinel Nil:
// errors.Is(err, client.Nil). Collection reads return empty collections,
// yes/no questions return false; neither uses Nil.
//
// # Errors
//
// Failed calls return an *Error. It matches, with errors.Is, the sentinel
// of the Redis error kind its text names (ErrWrongType, ErrNotInteger,
// ErrNotFloat, ErrOverflow, ErrNoSuchKey) and the sentinel of its gRPC code
// (ErrInvalidArgument, ErrPermissionDenied, ErrUnauthenticated,
// ErrResourceExhausted, ErrUnavailable, ...; context.DeadlineExceeded and
// context.Canceled for those codes); status.Code(err) gives the code.
//
// # Retries
//
// Idempotent reads (Get, HGetAll, LRange, ...) that fail with UNAVAILABLE
// are retried with exponential backoff and jitter, up to WithRetries'
// attempts and within the call's context. Writes are never retried: an
// UNAVAILABLE write may or may not have been applied, and only the caller
// knows whether repeating it is safe.
//
// # Helpers
//
// WithLock runs a function under a distributed lock that is renewed in the
// background; Subscribe delivers pub/sub messages on a Go channel; GetMany
// reads any number of keys in concurrent chunks; a Batcher coalesces
// concurrent Get and Set calls from many goroutines into few requests.
// For tests, package memstoretest runs a real server in-process.
package client
