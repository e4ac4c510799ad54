package redisbackend

import (
	"fmt"
	"slices"
	"strconv"
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
//   - IDsReject (the default, the rule of the spec, section 5.1): such ids
//     are refused with INVALID_ARGUMENT, naming the id and the characters,
//     so every accepted id maps to itself and the earlier service's data
//     stays readable for every id it could keep apart.
//   - IDsEscape (opt-in, a deviation from the legacy layout): those
//     characters, and '%' itself, are percent-encoded in the physical name
//     ("a:x" -> "a%3Ax"). Every id is accepted and behaves exactly as with
//     the embedded engine, but an id holding one of ":{}*?[]\%" no longer
//     names the key the earlier service used for it.

// internalRoot prefixes every name the backend uses for itself.
const internalRoot = "isa-memstore:"

// ForbiddenIDChars are the characters that would make the layout
// ambiguous; IDsReject refuses ids holding any of them, IDsEscape encodes
// them.
const ForbiddenIDChars = ":{}*?[]\\"

// escapedIDChars are what IDsEscape percent-encodes: the ambiguous
// characters and the escape character itself, which makes the encoding
// injective.
const escapedIDChars = ForbiddenIDChars + "%"

// IDPolicy says what the backend does with ids the key layout cannot hold
// literally.
type IDPolicy int

// ID policies.
const (
	// IDsReject answers INVALID_ARGUMENT (the default: the spec's rule).
	IDsReject IDPolicy = iota
	// IDsEscape percent-encodes them (opt-in; such ids then differ from
	// the legacy layout's names).
	IDsEscape
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

// ambiguousChars lists, in order and once each, the characters of id that
// the layout cannot hold; empty when there are none.
func ambiguousChars(id string) []rune {
	var out []rune
	for _, c := range id {
		if strings.ContainsRune(ForbiddenIDChars, c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// rejection describes one refused id: the field, the id and its
// offending characters, each quoted (Go syntax) so the id and the
// characters read unambiguously in the message.
func rejection(field, id string, chars []rune) string {
	q := make([]string, len(chars))
	for i, c := range chars {
		q[i] = strconv.QuoteRune(c)
	}
	return fmt.Sprintf("%s %s contains %s", field, strconv.Quote(id), strings.Join(q, ", "))
}

// check refuses (IDsReject) a tenant whose ids the layout cannot hold,
// naming every such id and its characters; IDsEscape accepts every id.
func (l layout) check(t grpcserver.Tenant) error {
	if l.ids == IDsEscape {
		return nil
	}
	var bad []string
	if c := ambiguousChars(t.User); len(c) > 0 {
		bad = append(bad, rejection("user_id", t.User, c))
	}
	if c := ambiguousChars(t.Org); len(c) > 0 {
		bad = append(bad, rejection("organization_id", t.Org, c))
	}
	if len(bad) == 0 {
		return nil
	}
	return status.Errorf(codes.InvalidArgument,
		"%s: the Redis backend keeps the legacy key layout org-{org}:user-{user}:{key}, which such ids would make ambiguous (ids must not contain any of %s)",
		strings.Join(bad, "; "), strings.Join(strings.Split(ForbiddenIDChars, ""), " "))
}

// escape encodes one id for a physical name (IDsEscape); with IDsReject
// ids are literal (check has refused the others).
func (l layout) escape(id string) string {
	if l.ids != IDsEscape || !strings.ContainsAny(id, escapedIDChars) {
		return id
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
	return b.String()
}

// tenant checks t's ids and returns its names.
func (l layout) tenant(t grpcserver.Tenant) (names, error) {
	if err := l.check(t); err != nil {
		return names{}, err
	}
	user, org := l.escape(t.User), l.escape(t.Org)
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

// parse finds the tenant a physical data key belongs to (RebuildRegistries):
// ok is false for names that are not a tenant's key in this layout. The
// names are built from the physical (possibly escaped) ids as they are,
// which is all a registry needs.
func (l layout) parse(phys string) (n names, ok bool) {
	var base string
	if l.cluster {
		end := strings.IndexByte(phys, '}')
		if !strings.HasPrefix(phys, "{") || end < 0 || !strings.HasPrefix(phys[end+1:], ":") {
			return names{}, false
		}
		base = phys[1:end]
	} else {
		// Ids hold no ':' (refused or escaped), so the first one or two
		// end the tenant part.
		rest := phys
		if org, ok := strings.CutPrefix(rest, "org-"); ok {
			i := strings.IndexByte(org, ':')
			if i < 0 {
				return names{}, false
			}
			rest = org[i+1:]
		}
		user, ok := strings.CutPrefix(rest, "user-")
		i := strings.IndexByte(user, ':')
		if !ok || i < 0 {
			return names{}, false
		}
		base = phys[:len(phys)-len(user)+i]
	}
	if !strings.HasPrefix(base, "user-") && !strings.HasPrefix(base, "org-") {
		return names{}, false
	}
	n.tag = "{" + base + "}"
	n.prefix = base + ":"
	if l.cluster {
		n.prefix = n.tag + ":"
	}
	return n, true
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
