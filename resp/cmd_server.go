package resp

import (
	"crypto/subtle"
	"fmt"
	"math"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/isa-cloud/isa-memstore/internal/glob"
)

func init() {
	const (
		conn = "connection"
		srv  = "server"
	)
	sub := flagSubContext
	register(
		&command{name: "ping", arity: -1, flags: flagFast | sub, group: conn, since: "1.0.0", summary: "Ping the server", run: cmdPing},
		&command{name: "echo", arity: 2, flags: flagFast | flagLoading | flagStale, group: conn, since: "1.0.0", summary: "Echo the given string", run: cmdEcho},
		&command{name: "select", arity: 2, flags: flagFast | flagLoading | flagStale, group: conn, since: "1.0.0", summary: "Change the selected database for the current connection", run: cmdSelect},
		&command{name: "hello", arity: -1, flags: flagFast | flagNoAuth | flagNoScript | flagLoading | flagStale, group: conn, since: "6.0.0", summary: "Handshake with Redis", run: cmdHello},
		&command{name: "auth", arity: -2, flags: flagFast | flagNoAuth | flagNoScript | flagLoading | flagStale, group: conn, since: "1.0.0", summary: "Authenticate to the server", run: cmdAuth},
		&command{name: "quit", arity: -1, flags: flagFast | flagNoAuth | flagNoScript | flagLoading | flagStale | sub | flagNoQueue, group: conn, since: "1.0.0", summary: "Close the connection", run: cmdQuit},
		&command{name: "reset", arity: 1, flags: flagFast | flagNoAuth | flagNoScript | flagLoading | flagStale | sub | flagNoQueue, group: conn, since: "6.2.0", summary: "Reset the connection", run: cmdReset},
		&command{name: "time", arity: 1, flags: flagFast | flagLoading | flagStale, group: srv, since: "2.6.0", summary: "Return the current server time", run: cmdTime},
		&command{name: "lastsave", arity: 1, flags: flagFast | flagLoading | flagStale, group: srv, since: "1.0.0", summary: "Get the UNIX time stamp of the last successful save to disk", run: cmdLastSave},
		&command{name: "info", arity: -1, flags: flagLoading | flagStale, group: srv, since: "1.0.0", summary: "Get information and statistics about the server", run: cmdInfo},
		&command{name: "client", arity: -2, group: conn, since: "2.4.0", summary: "A container for client connection commands", subs: subcommands(
			&command{name: "id", arity: 2, flags: flagNoScript | flagLoading | flagStale, group: conn, since: "5.0.0", summary: "Returns the client ID for the current connection", run: cmdClientID},
			&command{name: "getname", arity: 2, flags: flagNoScript | flagLoading | flagStale, group: conn, since: "2.6.9", summary: "Get the current connection name", run: cmdClientGetName},
			&command{name: "setname", arity: 3, flags: flagNoScript | flagLoading | flagStale, group: conn, since: "2.6.9", summary: "Set the current connection name", run: cmdClientSetName},
			&command{name: "unblock", arity: -3, flags: flagAdmin | flagNoScript | flagLoading | flagStale, group: conn, since: "5.0.0", summary: "Unblock a client blocked in a blocking command from a different connection", run: cmdClientUnblock},
			&command{name: "kill", arity: -3, flags: flagAdmin | flagNoScript | flagLoading | flagStale, group: conn, since: "2.4.0", summary: "Kill the connection of a client", run: cmdClientKill},
			&command{name: "list", arity: -2, flags: flagAdmin | flagNoScript | flagLoading | flagStale, group: conn, since: "2.4.0", summary: "Get the list of client connections", run: cmdClientList},
			&command{name: "info", arity: 2, flags: flagNoScript | flagLoading | flagStale, group: conn, since: "6.2.0", summary: "Returns information about the current client connection", run: cmdClientInfo},
			&command{name: "setinfo", arity: 4, flags: flagNoScript | flagLoading | flagStale, group: conn, since: "7.2.0", summary: "Set client or connection specific info", run: cmdClientSetInfo},
			&command{name: "no-evict", arity: 3, flags: flagAdmin | flagNoScript | flagLoading | flagStale, group: conn, since: "7.0.0", summary: "Set client eviction mode for the current connection", run: cmdClientOnOff},
			&command{name: "no-touch", arity: 3, flags: flagNoScript | flagLoading | flagStale, group: conn, since: "7.2.0", summary: "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access", run: cmdClientOnOff},
		)},
		&command{name: "config", arity: -2, group: srv, since: "2.0.0", summary: "A container for server configuration commands", subs: subcommands(
			&command{name: "get", arity: -3, flags: flagAdmin | flagNoScript | flagLoading | flagStale, group: srv, since: "2.0.0", summary: "Get the values of configuration parameters", run: cmdConfigGet},
			&command{name: "set", arity: -4, flags: flagAdmin | flagNoScript | flagLoading | flagStale, group: srv, since: "2.0.0", summary: "Set configuration parameters to the given values", run: cmdConfigSet},
			&command{name: "resetstat", arity: 2, flags: flagAdmin | flagNoScript | flagLoading | flagStale, group: srv, since: "2.0.0", summary: "Reset the stats returned by INFO", run: cmdConfigResetStat},
			&command{name: "rewrite", arity: 2, flags: flagAdmin | flagNoScript | flagLoading | flagStale, group: srv, since: "2.8.0", summary: "Rewrite the configuration file with the in memory configuration", run: cmdConfigRewrite},
		)},
		&command{name: "command", arity: -1, flags: flagLoading | flagStale, group: srv, since: "2.8.13", summary: "Get array of Redis command details", run: cmdCommand, subs: subcommands(
			&command{name: "count", arity: 2, flags: flagLoading | flagStale, group: srv, since: "2.8.13", summary: "Get total number of Redis commands", run: cmdCommandCount},
			&command{name: "info", arity: -2, flags: flagLoading | flagStale, group: srv, since: "2.8.13", summary: "Get array of specific Redis command details, or all when no argument is given", run: cmdCommandInfo},
			&command{name: "docs", arity: -2, flags: flagLoading | flagStale, group: srv, since: "7.0.0", summary: "Get array of specific Redis command documentation", run: cmdCommandDocs},
			&command{name: "list", arity: -2, flags: flagLoading | flagStale, group: srv, since: "7.0.0", summary: "Get an array of Redis command names", run: cmdCommandList},
		)},
	)
}

func cmdPing(c *client, a []string) {
	if len(a) > 1 {
		c.reject("ERR wrong number of arguments for 'ping' command")
		return
	}
	if c.w.proto == 2 && c.subscribed() {
		c.w.array(2)
		c.w.bulkString("pong")
		if len(a) == 1 {
			c.w.bulkString(a[0])
		} else {
			c.w.bulkString("")
		}
		return
	}
	if len(a) == 1 {
		c.w.bulkString(a[0])
		return
	}
	c.w.simple("PONG")
}

func cmdEcho(c *client, a []string) { c.w.bulkString(a[0]) }

func cmdSelect(c *client, a []string) {
	n, err := c.dbArg(a[0])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.selectDB(n)
	c.w.ok()
}

// checkPassword reports whether user/pass authenticate the default user.
// Without a configured password the default user accepts any password
// (Redis's "nopass").
func (c *client) checkPassword(user, pass string) bool {
	if user != "default" { // the only user: there are no ACLs
		return false
	}
	pw := *c.s.password.Load()
	if pw == "" {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(pw), []byte(pass)) == 1
}

func (c *client) setAuthed(ok bool) {
	c.authed = ok
	c.rd.unauth = !ok
}

const wrongPass = "WRONGPASS invalid username-password pair or user is disabled."

func cmdAuth(c *client, a []string) {
	if len(a) > 2 {
		c.replyErr(errSyntax)
		return
	}
	user, pass := "default", a[0]
	if len(a) == 2 {
		user, pass = a[0], a[1]
	} else if *c.s.password.Load() == "" {
		c.replyErr(textError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"))
		return
	}
	if user != "default" || !c.checkPassword(user, pass) {
		c.replyErr(textError(wrongPass))
		return
	}
	c.setAuthed(true)
	c.w.ok()
}

func cmdHello(c *client, a []string) {
	ver := int64(0)
	i := 0
	if len(a) >= 1 {
		v, ok := parseIntOK(a[0])
		if !ok {
			c.replyErr(textError("ERR Protocol version is not an integer or out of range"))
			return
		}
		if v < 2 || v > 3 {
			c.replyErr(textError("NOPROTO unsupported protocol version"))
			return
		}
		ver = v
		i = 1
	}
	var user, pass, name *string
	for ; i < len(a); i++ {
		more := len(a) - 1 - i
		switch {
		case eq(a[i], "auth") && more >= 2:
			user, pass = &a[i+1], &a[i+2]
			i += 2
		case eq(a[i], "setname") && more >= 1:
			name = &a[i+1]
			i++
		default:
			c.replyErr(textError("ERR Syntax error in HELLO option '" + a[i] + "'"))
			return
		}
	}
	if user != nil {
		if *user != "default" || !c.checkPassword(*user, *pass) {
			c.replyErr(textError(wrongPass))
			return
		}
		c.setAuthed(true)
	}
	if !c.authed {
		c.replyErr(textError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"))
		return
	}
	if name != nil {
		if err := c.setName(*name); err != nil {
			c.replyErr(err)
			return
		}
	}
	if ver != 0 {
		c.setProto(int(ver))
	}
	c.w.mapLen(7)
	c.w.bulkString("server")
	c.w.bulkString("redis")
	c.w.bulkString("version")
	c.w.bulkString(RedisVersion)
	c.w.bulkString("proto")
	c.w.integer(int64(c.w.proto))
	c.w.bulkString("id")
	c.w.integer(c.id)
	c.w.bulkString("mode")
	c.w.bulkString("standalone")
	c.w.bulkString("role")
	c.w.bulkString("master")
	c.w.bulkString("modules")
	c.w.array(0)
}

// parseIntOK parses an integer argument without producing an error value.
func parseIntOK(s string) (int64, bool) {
	v, err := parseInt(s)
	return v, err == nil
}

func cmdQuit(c *client, a []string) {
	c.w.ok()
	c.quit = true
}

// cmdReset returns the connection to its initial state, as Redis's RESET.
func cmdReset(c *client, a []string) {
	c.discardMulti()
	c.unwatchAll()
	c.unsubscribeAll()
	c.setProto(2)
	c.selectDB(0)
	c.name.Store(nil)
	c.setAuthed(*c.s.password.Load() == "")
	c.w.simple("RESET")
}

func cmdTime(c *client, a []string) {
	now := c.s.eng.Clock().Now()
	c.w.array(2)
	c.w.bulkInt(now.Unix())
	c.w.bulkInt(int64(now.Nanosecond() / 1000))
}

func cmdLastSave(c *client, a []string) { c.w.integer(c.s.started.Unix()) }

// --- CLIENT ---

func cmdClientID(c *client, a []string) { c.w.integer(c.id) }

func cmdClientGetName(c *client, a []string) {
	if n := c.name.Load(); n != nil {
		c.w.bulkString(*n)
		return
	}
	c.w.null()
}

// setName validates and sets the connection name; an empty name removes it.
func (c *client) setName(n string) error {
	for i := 0; i < len(n); i++ {
		if n[i] < '!' || n[i] > '~' {
			return textError("ERR Client names cannot contain spaces, newlines or special characters.")
		}
	}
	if n == "" {
		c.name.Store(nil)
	} else {
		c.name.Store(&n)
	}
	return nil
}

func cmdClientSetName(c *client, a []string) {
	if err := c.setName(a[0]); err != nil {
		c.replyErr(err)
		return
	}
	c.w.ok()
}

func cmdClientSetInfo(c *client, a []string) {
	if !eq(a[0], "lib-name") && !eq(a[0], "lib-ver") {
		c.replyErr(textError("ERR Unrecognized option '" + a[0] + "'"))
		return
	}
	c.w.ok()
}

func cmdClientOnOff(c *client, a []string) {
	if !eq(a[0], "on") && !eq(a[0], "off") {
		c.replyErr(errSyntax)
		return
	}
	c.w.ok()
}

func cmdClientInfo(c *client, a []string) { c.w.verbatim(c.describe(time.Now())) }

// cmdClientKill closes the clients a filter selects: the old form takes
// one address and answers OK or an error, the new form takes ID, TYPE,
// USER, ADDR, LADDR and SKIPME filters and answers how many it closed.
// A client that kills itself gets its reply first, as in Redis.
func cmdClientKill(c *client, a []string) {
	var (
		id               int64
		typ, addr, laddr string
		skipMe           = true
		old              = len(a) == 1
		matched          = 0
	)
	if old {
		addr = a[0]
	} else {
		if len(a)%2 != 0 {
			c.replyErr(errSyntax)
			return
		}
		for i := 0; i < len(a); i += 2 {
			v := a[i+1]
			switch {
			case eq(a[i], "id"):
				n, ok := parseIntOK(v)
				if !ok || n <= 0 {
					c.replyErr(textError("ERR client-id should be greater than 0"))
					return
				}
				id = n
			case eq(a[i], "type"):
				typ = strings.ToLower(v)
				switch typ {
				case "normal", "pubsub", "master", "replica", "slave":
				default:
					c.replyErr(textError("ERR Unknown client type '" + v + "'"))
					return
				}
			case eq(a[i], "user"):
				if v != "default" {
					c.replyErr(textError("ERR No such user '" + v + "'"))
					return
				}
			case eq(a[i], "addr"):
				addr = v
			case eq(a[i], "laddr"):
				laddr = v
			case eq(a[i], "skipme"):
				switch {
				case eq(v, "yes"):
					skipMe = true
				case eq(v, "no"):
					skipMe = false
				default:
					c.replyErr(errSyntax)
					return
				}
			default:
				c.replyErr(errSyntax)
				return
			}
		}
	}
	for o := range c.s.snapshotClients() {
		sub := o.nsub.Load()+o.npsub.Load() > 0
		switch {
		case id != 0 && o.id != id,
			addr != "" && o.raddr != addr,
			laddr != "" && o.laddr != laddr,
			typ == "normal" && sub, typ == "pubsub" && !sub,
			typ == "master" || typ == "replica" || typ == "slave",
			!old && skipMe && o == c:
			continue
		}
		matched++
		if o == c {
			c.quit = true // after this reply
			continue
		}
		o.close()
	}
	switch {
	case !old:
		c.w.integer(int64(matched))
	case matched == 0:
		c.replyErr(textError("ERR No such client"))
	default:
		c.w.ok()
	}
}

func cmdClientList(c *client, a []string) {
	var ids map[int64]bool
	typ := ""
	for i := 0; i < len(a); i++ {
		switch {
		case eq(a[i], "type") && i+1 < len(a):
			typ = strings.ToLower(a[i+1])
			switch typ {
			case "normal", "pubsub", "master", "replica", "slave":
			default:
				c.replyErr(textError("ERR Unknown client type '" + a[i+1] + "'"))
				return
			}
			i++
		case eq(a[i], "id") && i+1 < len(a):
			ids = map[int64]bool{}
			for i++; i < len(a); i++ {
				id, ok := parseIntOK(a[i])
				if !ok || id <= 0 {
					c.replyErr(textError("ERR Invalid client ID"))
					return
				}
				ids[id] = true
			}
		default:
			c.replyErr(errSyntax)
			return
		}
	}
	all := c.s.snapshotClients()
	list := make([]*client, 0, len(all))
	for o := range all {
		if ids != nil && !ids[o.id] {
			continue
		}
		sub := o.nsub.Load()+o.npsub.Load() > 0
		if (typ == "normal" && sub) || (typ == "pubsub" && !sub) || typ == "master" || typ == "replica" || typ == "slave" {
			continue
		}
		list = append(list, o)
	}
	slices.SortFunc(list, func(x, y *client) int { return int(x.id - y.id) })
	var sb strings.Builder
	now := time.Now()
	for _, o := range list {
		sb.WriteString(o.describe(now))
	}
	c.w.verbatim(sb.String())
}

// describe is the client's line in CLIENT LIST, in Redis's format; figures
// Redis has and this server does not (buffers' internals) are reported as
// this server sees them or as 0.
func (c *client) describe(now time.Time) string {
	name := ""
	if n := c.name.Load(); n != nil {
		name = *n
	}
	flags := "N"
	sub, psub := c.nsub.Load(), c.npsub.Load()
	if sub+psub > 0 {
		flags = "P"
	}
	multi := c.multiShown.Load()
	if multi >= 0 {
		flags = "x"
	}
	if c.block.Load() != nil {
		flags = "b"
	}
	cmd := "NULL"
	if lc := c.lastCmd.Load(); lc != nil {
		cmd = lc.fullName()
	}
	last := time.Unix(0, c.lastActive.Load())
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=0 multi=%d qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=%d rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=default redir=-1 resp=%d\n",
		c.id, c.raddr, c.laddr, c.fd.Load(), name,
		int64(now.Sub(c.created)/time.Second), int64(now.Sub(last)/time.Second), flags,
		c.dbShown.Load(), sub, psub, multi, initialReadBuf, cmd, c.protoShown.Load())
}

// connFD is the socket's descriptor, for CLIENT LIST's fd field (-1 when
// the connection is not a socket).
func connFD(nc net.Conn) int {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	_ = raw.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// --- CONFIG ---

// configParam is one setting CONFIG GET and SET know. set nil means it
// cannot be changed at run time; otherwise set checks a value and returns
// what applies it, so that CONFIG SET can check every value before it
// applies any (Redis 7 leaves all unchanged when one is refused).
type configParam struct {
	name string
	get  func(s *Server) string
	set  func(s *Server, v string) (apply func(), err error)
}

var configParams []configParam

// accept is the set of a setting that only takes the value the server
// already has, such as noeviction: a check with nothing to apply.
func accept(ok bool, refusal string) (func(), error) {
	if !ok {
		return nil, textError(refusal)
	}
	return func() {}, nil
}

// storeInt is the apply of a setting kept in an atomic integer.
func storeInt(dst *atomic.Int64, n int64, err error) (func(), error) {
	if err != nil {
		return nil, err
	}
	return func() { dst.Store(n) }, nil
}

func init() {
	configParams = []configParam{
		{name: "maxmemory", get: func(s *Server) string { return strconv.FormatInt(s.eng.MaxMemory(), 10) }, set: func(s *Server, v string) (func(), error) {
			n, err := configMemory(v, 0, math.MaxInt64)
			if err != nil {
				return nil, err
			}
			// SetMaxMemory refuses only a negative limit, which
			// configMemory has already refused.
			return func() { _ = s.eng.SetMaxMemory(n) }, nil
		}},
		{name: "maxmemory-policy", get: func(*Server) string { return "noeviction" }, set: func(s *Server, v string) (func(), error) {
			return accept(eq(v, "noeviction"), "only noeviction is supported")
		}},
		{name: "maxclients", get: func(s *Server) string { return strconv.FormatInt(s.maxClients.Load(), 10) }, set: func(s *Server, v string) (func(), error) {
			n, err := configInt(v, 1, 1<<31-1)
			return storeInt(&s.maxClients, n, err)
		}},
		{name: "timeout", get: func(s *Server) string { return strconv.FormatInt(s.idle.Load()/int64(time.Second), 10) }, set: func(s *Server, v string) (func(), error) {
			n, err := configInt(v, 0, 1<<31-1)
			return storeInt(&s.idle, n*int64(time.Second), err)
		}},
		{name: "proto-max-bulk-len", get: func(s *Server) string { return strconv.FormatInt(s.maxBulk.Load(), 10) }, set: func(s *Server, v string) (func(), error) {
			n, err := configMemory(v, 1<<20, 1<<62)
			return storeInt(&s.maxBulk, n, err)
		}},
		{name: "requirepass", get: func(s *Server) string { return *s.password.Load() }, set: func(s *Server, v string) (func(), error) {
			return func() { s.password.Store(&v) }, nil
		}},
		{name: "databases", get: func(s *Server) string { return strconv.Itoa(len(s.dbs)) }},
		// save and appendonly take only the values that mean no
		// persistence, which is what the server does; anything else
		// would be a setting it silently ignores.
		{name: "save", get: func(*Server) string { return "" }, set: func(s *Server, v string) (func(), error) {
			return accept(v == "", "persistence is not supported")
		}},
		{name: "appendonly", get: func(*Server) string { return "no" }, set: func(s *Server, v string) (func(), error) {
			return accept(eq(v, "no"), "persistence is not supported")
		}},
		{name: "port", get: func(s *Server) string {
			if a, ok := s.Addr().(*net.TCPAddr); ok {
				return strconv.Itoa(a.Port)
			}
			return "0"
		}},
		{name: "bind", get: func(s *Server) string {
			if a, ok := s.Addr().(*net.TCPAddr); ok {
				return a.IP.String()
			}
			return ""
		}},
	}
}

func configInt(v string, lo, hi int64) (int64, error) {
	n, ok := parseIntOK(v)
	if !ok {
		return 0, textError("argument couldn't be parsed into an integer")
	}
	if n < lo || n > hi {
		return 0, textError(fmt.Sprintf("argument must be between %d and %d inclusive", lo, hi))
	}
	return n, nil
}

// configMemory parses a memory size with Redis's units (1k, 1kb, 1m, 1mb,
// 1g, 1gb).
func configMemory(v string, lo, hi int64) (int64, error) {
	lv := strings.ToLower(v)
	mul := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000000}, {"g", 1000000000}, {"b", 1}} {
		if strings.HasSuffix(lv, u.suffix) {
			lv, mul = strings.TrimSuffix(lv, u.suffix), u.m
			break
		}
	}
	if v == "" {
		lv = "0" // as Redis reads an empty size
	}
	n, err := strconv.ParseInt(lv, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mul {
		return 0, textError("argument must be a memory value")
	}
	n *= mul
	if n < lo || n > hi {
		return 0, textError(fmt.Sprintf("argument must be between %d and %d inclusive", lo, hi))
	}
	return n, nil
}

func cmdConfigGet(c *client, a []string) {
	var out []configParam
	for _, p := range configParams {
		for _, pat := range a {
			if glob.MatchFold(strings.ToLower(pat), p.name) {
				out = append(out, p)
				break
			}
		}
	}
	c.w.mapLen(len(out))
	for _, p := range out {
		c.w.bulkString(p.name)
		c.w.bulkString(p.get(c.s))
	}
}

func cmdConfigSet(c *client, a []string) {
	if len(a)%2 != 0 {
		c.reject("ERR wrong number of arguments for 'config|set' command")
		return
	}
	// Like Redis 7, every name and then every value is checked before
	// anything is applied, so a refused CONFIG SET changes nothing.
	params := make([]*configParam, 0, len(a)/2)
	for i := 0; i < len(a); i += 2 {
		var found *configParam
		for j := range configParams {
			if eq(configParams[j].name, a[i]) {
				found = &configParams[j]
			}
		}
		if found == nil {
			c.replyErr(textError("ERR Unknown option or number of arguments for CONFIG SET - '" + a[i] + "'"))
			return
		}
		if found.set == nil {
			c.replyErr(textError("ERR CONFIG SET failed (possibly related to argument '" + found.name + "') - can't set immutable config"))
			return
		}
		if slices.Contains(params, found) {
			c.replyErr(textError("ERR CONFIG SET failed (possibly related to argument '" + found.name + "') - duplicate parameter"))
			return
		}
		params = append(params, found)
	}
	applies := make([]func(), len(params))
	for i, p := range params {
		apply, err := p.set(c.s, a[2*i+1])
		if err != nil {
			c.replyErr(textError("ERR CONFIG SET failed (possibly related to argument '" + p.name + "') - " + err.Error()))
			return
		}
		applies[i] = apply
	}
	for _, apply := range applies {
		apply()
	}
	c.w.ok()
}

func cmdConfigResetStat(c *client, a []string) {
	c.s.stats.errors.Store(0)
	c.s.stats.rejected.Store(0)
	c.w.ok()
}

func cmdConfigRewrite(c *client, a []string) {
	c.replyErr(textError("ERR The server is running without a config file"))
}

// --- INFO ---

func cmdInfo(c *client, a []string) {
	c.w.verbatim(c.s.info(a))
}

// infoSections are INFO's sections in Redis's order. Modules (empty)
// and Cluster are there because tools read cluster_enabled to tell a
// standalone server from a cluster node; Redis's Errorstats,
// Commandstats and Latencystats are missing (nothing counts them).
var infoSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "cluster", "keyspace"}

// info renders the requested INFO sections (all of them by default).
func (s *Server) info(args []string) string {
	want := map[string]bool{}
	for _, a := range args {
		a = strings.ToLower(a)
		if a == "all" || a == "everything" || a == "default" {
			for _, sec := range infoSections {
				want[sec] = true
			}
			continue
		}
		want[a] = true
	}
	if len(args) == 0 {
		for _, sec := range infoSections {
			want[sec] = true
		}
	}
	var sb strings.Builder
	for _, sec := range infoSections {
		if !want[sec] {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString("\r\n")
		}
		s.infoSection(&sb, sec)
	}
	return sb.String()
}

func (s *Server) infoSection(sb *strings.Builder, sec string) {
	kv := func(k string, v any) { fmt.Fprintf(sb, "%s:%v\r\n", k, v) }
	now := time.Now()
	switch sec {
	case "server":
		sb.WriteString("# Server\r\n")
		kv("redis_version", RedisVersion)
		kv("redis_git_sha1", "00000000")
		kv("redis_git_dirty", 0)
		kv("redis_build_id", "0")
		kv("redis_mode", "standalone")
		kv("server_name", "isa-memstore")
		kv("os", runtime.GOOS+" "+runtime.GOARCH)
		kv("arch_bits", strconv.IntSize)
		kv("multiplexing_api", "go-netpoll")
		kv("go_version", runtime.Version())
		kv("process_id", os.Getpid())
		kv("process_supervised", "no")
		kv("run_id", fmt.Sprintf("%040x", s.started.UnixNano()))
		port := 0
		if a, ok := s.Addr().(*net.TCPAddr); ok {
			port = a.Port
		}
		kv("tcp_port", port)
		kv("server_time_usec", now.UnixMicro())
		up := now.Sub(s.started)
		kv("uptime_in_seconds", int64(up/time.Second))
		kv("uptime_in_days", int64(up/(24*time.Hour)))
		kv("hz", 10)
		kv("configured_hz", 10)
		kv("executable", os.Args[0])
		kv("config_file", "")
		kv("io_threads_active", 0)
	case "clients":
		sb.WriteString("# Clients\r\n")
		s.mu.Lock()
		n := len(s.clients)
		subs := 0
		for c := range s.clients {
			if c.nsub.Load()+c.npsub.Load() > 0 {
				subs++
			}
		}
		s.mu.Unlock()
		kv("connected_clients", n)
		kv("cluster_connections", 0)
		kv("maxclients", s.maxClients.Load())
		kv("client_recent_max_input_buffer", 0)
		kv("client_recent_max_output_buffer", 0)
		kv("blocked_clients", s.blockedClients())
		kv("tracking_clients", 0)
		kv("pubsub_clients", subs)
		kv("clients_in_timeout_table", 0)
	case "memory":
		sb.WriteString("# Memory\r\n")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		used := int64(ms.HeapAlloc) // what the process holds, as Redis's allocator figure
		kv("used_memory", used)
		kv("used_memory_human", humanBytes(used))
		kv("used_memory_rss", ms.Sys)
		kv("used_memory_rss_human", humanBytes(int64(ms.Sys)))
		kv("used_memory_dataset_approx", s.dataBytes())
		kv("total_system_memory", 0)
		kv("maxmemory", s.eng.MaxMemory())
		kv("maxmemory_human", humanBytes(s.eng.MaxMemory()))
		kv("maxmemory_policy", "noeviction")
		kv("mem_allocator", "go")
	case "persistence":
		sb.WriteString("# Persistence\r\n")
		kv("loading", 0)
		kv("async_loading", 0)
		kv("rdb_changes_since_last_save", 0)
		kv("rdb_bgsave_in_progress", 0)
		kv("rdb_last_save_time", s.started.Unix())
		kv("aof_enabled", 0)
		kv("aof_rewrite_in_progress", 0)
	case "stats":
		sb.WriteString("# Stats\r\n")
		kv("total_connections_received", s.stats.connections.Load())
		kv("total_commands_processed", s.totalCommands())
		kv("instantaneous_ops_per_sec", 0)
		in, out := s.netBytes()
		kv("total_net_input_bytes", in)
		kv("total_net_output_bytes", out)
		kv("rejected_connections", s.stats.rejected.Load())
		st := s.keyStats()
		expired := int64(0)
		if es, err := s.eng.Stats(); err == nil {
			expired = es.Expired // engine-wide: expiry is not counted per namespace
		}
		kv("expired_keys", expired)
		kv("evicted_keys", 0)
		kv("keyspace_hits", st.hits)
		kv("keyspace_misses", st.misses)
		kv("pubsub_channels", len(s.pubsub.PubSubChannels("")))
		kv("pubsub_patterns", s.pubsub.PubSubNumPat())
		kv("total_error_replies", s.stats.errors.Load())
		kv("internal_errors", s.stats.panics.Load())
	case "replication":
		sb.WriteString("# Replication\r\n")
		kv("role", "master")
		kv("connected_slaves", 0)
		kv("master_repl_offset", 0)
	case "cpu":
		sb.WriteString("# CPU\r\n")
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		kv("used_cpu_sys", fmt.Sprintf("%.6f", tvSeconds(ru.Stime)))
		kv("used_cpu_user", fmt.Sprintf("%.6f", tvSeconds(ru.Utime)))
	case "modules":
		sb.WriteString("# Modules\r\n")
	case "cluster":
		sb.WriteString("# Cluster\r\n")
		kv("cluster_enabled", 0)
	case "keyspace":
		sb.WriteString("# Keyspace\r\n")
		for i := range s.dbs {
			db := s.dbs[i].Load()
			if db == nil {
				continue
			}
			st := s.dbKeyStats(db)
			if st.keys > 0 {
				fmt.Fprintf(sb, "db%d:keys=%d,expires=%d,avg_ttl=0\r\n", i, st.keys, st.expires)
			}
		}
	}
}

func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

func (s *Server) netBytes() (in, out int64) {
	in, out = s.stats.netIn.Load(), s.stats.netOut.Load()
	s.mu.Lock()
	for c := range s.clients {
		in += c.netIn.Load()
		out += c.netOut.Load()
	}
	s.mu.Unlock()
	return in, out
}

// humanBytes formats a byte count as Redis's bytesToHuman.
func humanBytes(n int64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + "B"
	case n < 1<<20:
		return fmt.Sprintf("%.2fK", f/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.2fM", f/(1<<20))
	case n < 1<<40:
		return fmt.Sprintf("%.2fG", f/(1<<30))
	}
	return fmt.Sprintf("%.2fT", f/(1<<40))
}
