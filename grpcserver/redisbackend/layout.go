package redisbackend

import (
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// Key layout.
//
// Tenant data (keys and pub/sub channels) uses the earlier service's names on
// standalone Redis and Sentinel, so data it wrote stays readable:
//
//	org-{org}:user-{user}:{key}     with an organization
//	user-{user}:{key}               without
//
// On Redis Cluster the tenant part is a hash tag, so every key of a tenant
// hashes to one slot and multi-key commands (MGET, DEL, RENAME, SUNION,
// atomic batches and scripts) stay legal and atomic. The price: one tenant
// lives on one shard, so a single tenant cannot outgrow a shard; tenants, not
// keys, are what spreads over the cluster.
//
//	{org-{org}:user-{user}}:{key}
//	{user-{user}}:{key}
//
// The backend's own keys (locks, fencing counters, sessions, counters,
// health probes) live under "isa-memstore:", which no tenant name can start
// with (tenant names start with "org-", "user-" or "{"), so no tenant can
// reach them and ListKeys never shows them. They carry the same hash tag as
// the tenant they belong to, so scripts over them stay on one slot.
//
// The layout is unambiguous only when the ids cannot contain the separator
// or the hash-tag braces: an id with ':' would let user "a:x" key "k" and
// user "a" key "x:k" share a name, and one with '}' would end the hash tag
// early; glob metacharacters would make the tenant prefix a pattern in SCAN
// MATCH. Two policies keep tenants apart (Options.IDs):
//
//   - IDsEscape (the default): those characters, and '%' itself, are
//     percent-encoded in the physical name ("a:x" -> "a%3Ax"). Every id is
//     accepted and behaves exactly as with the embedded engine; an id
//     without any of ":{}*?[]\%" maps to itself, so the earlier service's
//     data stays readable for every id that service could keep apart.
//   - IDsReject: such ids are refused with INVALID_ARGUMENT, so every
//     accepted id maps to itself (the literal rule of the spec, section
//     5.1).

// internalRoot prefixes every name the backend uses for itself.
const internalRoot = "isa-memstore:"

// forbiddenIDChars are the characters that would make the layout
// ambiguous; IDsReject refuses them, IDsEscape encodes them.
const forbiddenIDChars = ":{}*?[]\\"

// escapedIDChars are what IDsEscape percent-encodes: the ambiguous
// characters and the escape character itself, which makes the encoding
// injective.
const escapedIDChars = forbiddenIDChars + "%"

// IDPolicy says what the backend does with ids the key layout cannot hold
// literally.
type IDPolicy int

// ID policies.
const (
	// IDsEscape percent-encodes them (the default).
	IDsEscape IDPolicy = iota
	// IDsReject answers INVALID_ARGUMENT.
	IDsReject
)

// names are the physical names of one tenant.
type names struct {
	// prefix precedes every data key and channel of the tenant.
	prefix string
	// tag is the tenant part in braces: a hash tag in cluster mode, used
	// in the backend's own keys in every mode.
	tag string
	// session is the hash tag of the user's sessions (sessionKey).
	session string
}

// layout maps tenants to physical names.
type layout struct {
	cluster bool
	ids     IDPolicy
}

// id checks (IDsReject) or encodes (IDsEscape) one id for a physical name.
func (l layout) id(field, id string) (string, error) {
	if l.ids == IDsReject {
		if i := strings.IndexAny(id, forbiddenIDChars); i >= 0 {
			return "", status.Errorf(codes.InvalidArgument,
				"%s must not contain %q with the Redis backend: the Redis key layout (org-{org}:user-{user}:{key}) could not keep tenants apart",
				field, id[i:i+1])
		}
		return id, nil
	}
	if !strings.ContainsAny(id, escapedIDChars) {
		return id, nil
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if strings.IndexByte(escapedIDChars, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// tenant checks t's ids and returns its names.
func (l layout) tenant(t grpcserver.Tenant) (names, error) {
	user, err := l.id("user_id", t.User)
	if err != nil {
		return names{}, err
	}
	org, err := l.id("organization_id", t.Org)
	if err != nil {
		return names{}, err
	}
	base := "user-" + user
	if org != "" {
		base = "org-" + org + ":" + base
	}
	n := names{tag: "{" + base + "}", session: "{user-" + user + "}"}
	if l.cluster {
		n.prefix = n.tag + ":"
	} else {
		n.prefix = base + ":"
	}
	return n, nil
}

// key is the physical name of the tenant's key k.
func (n names) key(k string) string { return n.prefix + k }

// keys maps a list of keys.
func (n names) keys(ks []string) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = n.prefix + k
	}
	return out
}

// strip removes the tenant prefix from a physical name; ok is false when
// the name is not the tenant's.
func (n names) strip(phys string) (string, bool) {
	return strings.CutPrefix(phys, n.prefix)
}

// lockKey holds a lock's token, with the lock's lease as its TTL. Locks
// have a namespace of their own: lock "x" is not key "x".
func (n names) lockKey(name string) string { return internalRoot + "lock:" + n.tag + ":" + name }

// lockChannel is where a release of the lock is announced to waiters.
func (n names) lockChannel(name string) string {
	return internalRoot + "lock-released:" + n.tag + ":" + name
}

// fenceKey is the tenant's fencing counter: one per tenant (not per lock
// name), so it needs no memory per name and only grows, which makes every
// name's fences strictly increasing.
func (n names) fenceKey() string { return internalRoot + "fence:" + n.tag }

// statsKey is the hash of the tenant's command and hit/miss counters.
func (n names) statsKey() string { return internalRoot + "stats:" + n.tag }

// The user's sessions: GetSession, UpdateSession and DeleteSession carry
// only the user id, so sessions are found by user and id alone, whatever
// organization created them; names.session groups a user's sessions (and
// their index, see sessions.go) in one hash slot.

// sessionKey is the hash holding session id.
func (n names) sessionKey(id string) string { return internalRoot + "session:" + n.session + ":" + id }

// sessionIndex is the sorted set of the user's session ids.
func (n names) sessionIndex() string { return internalRoot + "sessions:" + n.session }

// escapeGlob escapes s so that it matches itself literally in a Redis glob.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
