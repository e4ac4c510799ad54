package resp

import (
	"crypto/sha1"
	"encoding/hex"
	"runtime"
	"strings"
	"sync"
	"weak"

	lua "github.com/yuin/gopher-lua"

	"github.com/isa-cloud/isa-memstore/engine"
)

// Lua scripting as in Redis 7.0: EVAL, EVALSHA, their _RO forms and SCRIPT
// LOAD|EXISTS|FLUSH|KILL. A script runs inside one engine transaction over
// the whole current database (EVAL is a txn command whose keys are "all"),
// so no other client observes it half done; inside MULTI it joins EXEC's
// transaction. The interpreter is gopher-lua, sandboxed to what Redis
// exposes (script_lua.go).

func init() {
	const g = "scripting"
	ev := flagNoScript | flagStale
	register(
		&command{name: "eval", arity: -3, flags: ev, group: g, since: "2.6.0", summary: "Execute a Lua script server side", txn: cmdEval(false, false), keys: allKeys},
		&command{name: "evalsha", arity: -3, flags: ev, group: g, since: "2.6.0", summary: "Execute a Lua script server side", txn: cmdEval(true, false), keys: allKeys},
		&command{name: "eval_ro", arity: -3, flags: ev | flagReadonly, group: g, since: "7.0.0", summary: "Execute a read-only Lua script server side", txn: cmdEval(false, true), keys: allKeys},
		&command{name: "evalsha_ro", arity: -3, flags: ev | flagReadonly, group: g, since: "7.0.0", summary: "Execute a read-only Lua script server side", txn: cmdEval(true, true), keys: allKeys},
		&command{name: "script", arity: -2, group: g, since: "2.6.0", summary: "A container for Lua scripts management commands", subs: subcommands(
			&command{name: "load", arity: 3, flags: flagNoScript | flagStale, group: g, since: "2.6.0", summary: "Load the specified Lua script into the script cache", run: cmdScriptLoad},
			&command{name: "exists", arity: -3, flags: flagNoScript, group: g, since: "2.6.0", summary: "Check existence of scripts in the script cache", run: cmdScriptExists},
			&command{name: "flush", arity: -2, flags: flagNoScript, group: g, since: "2.6.0", summary: "Remove all the scripts from the script cache", run: cmdScriptFlush},
			&command{name: "kill", arity: 2, flags: flagNoScript, group: g, since: "2.6.0", summary: "Kill the script currently in execution", run: cmdScriptKill},
		)},
	)
}

// allKeys makes a script lock the whole database: Redis scripts may touch
// keys they did not declare.
func allKeys(a []string, buf []string) []string { return nil }

// luaScript is a compiled script in the cache, with the flags of its
// "#!lua flags=..." line (Redis 7.0's shebang).
type luaScript struct {
	sha   string
	proto *lua.FunctionProto
	// shebang: the script declared its flags (Redis leaves the
	// compatibility mode, in which a script may write unless run as _RO).
	shebang  bool
	noWrites bool
	allowOOM bool
}

// parseShebang reads a script's "#!lua flags=a,b" first line, as Redis
// 7.0's evalExtractShebangFlags.
func parseShebang(body string) (s luaScript, err error) {
	if !strings.HasPrefix(body, "#!") {
		return s, nil
	}
	line, _, ok := strings.Cut(body, "\n")
	if !ok {
		return s, textError("ERR Invalid script shebang")
	}
	parts := strings.Fields(line)
	for i, p := range parts {
		parts[i] = strings.Trim(p, `"'`)
	}
	if len(parts) == 0 || parts[0] != "#!lua" {
		first := ""
		if len(parts) > 0 {
			first = parts[0]
		}
		return s, textError("ERR Unexpected engine in script shebang: " + first)
	}
	s.shebang = true
	for _, p := range parts[1:] {
		flags, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return s, textError("ERR Unknown lua shebang option: " + p)
		}
		if flags == "" {
			continue
		}
		for _, f := range strings.Split(flags, ",") {
			switch f {
			case "no-writes":
				s.noWrites = true
			case "allow-oom":
				s.allowOOM = true
			case "allow-stale", "no-cluster", "allow-cross-slot-keys":
				// Nothing to allow or refuse on a single server that
				// never loads or replicates.
			default:
				return s, textError("ERR Unexpected flag in script shebang: " + f)
			}
		}
	}
	return s, nil
}

// scriptCache is one server's script cache (SCRIPT LOAD, EVAL), keyed by
// the lower-case hex SHA1 of the body.
type scriptCache struct {
	mu      sync.RWMutex
	scripts map[string]*luaScript
}

// scriptCaches holds each server's cache, keyed weakly so that a closed,
// unreferenced Server takes its cache with it (the Server struct has no
// field for it: this file adds scripting without touching it).
var scriptCaches sync.Map // weak.Pointer[Server] -> *scriptCache

func scriptsOf(s *Server) *scriptCache {
	k := weak.Make(s)
	if v, ok := scriptCaches.Load(k); ok {
		return v.(*scriptCache)
	}
	v, loaded := scriptCaches.LoadOrStore(k, &scriptCache{scripts: map[string]*luaScript{}})
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[Server]) { scriptCaches.Delete(k) }, k)
	}
	return v.(*scriptCache)
}

func (sc *scriptCache) get(sha string) *luaScript {
	sc.mu.RLock()
	defer sc.mu.RUnlock()
	return sc.scripts[sha]
}

// load compiles body (or finds it compiled) and caches it.
func (sc *scriptCache) load(body string) (*luaScript, error) {
	sha := sha1hex(body)
	if s := sc.get(sha); s != nil {
		return s, nil
	}
	flags, err := parseShebang(body)
	if err != nil {
		return nil, err
	}
	if flags.shebang {
		// Redis turns the shebang into a comment, keeping line numbers.
		body = "--" + body[2:]
	}
	proto, err := compileScript(body)
	if err != nil {
		return nil, err
	}
	s := &flags
	s.sha, s.proto = sha, proto
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if old := sc.scripts[sha]; old != nil {
		return old, nil
	}
	sc.scripts[sha] = s
	return s, nil
}

func (sc *scriptCache) flush() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.scripts = map[string]*luaScript{}
}

func sha1hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

var errNoScript = textError("NOSCRIPT No matching script. Please use EVAL.")

// cmdEval is EVAL, EVALSHA, EVAL_RO and EVALSHA_RO: a[0] is the body or
// SHA1, a[1] numkeys, then the keys and the other arguments. The checks
// come in Redis's order: a SHA1 of the wrong length, numkeys, then the
// script.
func cmdEval(bySHA, readOnly bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		if bySHA && len(a[0]) != 40 {
			return errNoScript
		}
		n, err := parseInt(a[1])
		if err != nil {
			return err
		}
		if n > int64(len(a)-2) {
			return textError("ERR Number of keys can't be greater than number of args")
		}
		if n < 0 {
			return textError("ERR Number of keys can't be negative")
		}
		cache := scriptsOf(c.s)
		var s *luaScript
		if bySHA {
			if s = cache.get(strings.ToLower(a[0])); s == nil {
				return errNoScript
			}
		} else if s, err = cache.load(a[0]); err != nil {
			return err
		}
		if s.shebang && !s.noWrites {
			if readOnly {
				return textError("ERR Can not execute a script with write flag using *_ro command.")
			}
			if !s.allowOOM && c.s.overMemory() {
				return engine.ErrOOM
			}
		}
		keys, argv := a[2:2+n], a[2+n:]
		return runScript(c, t, s, keys, argv, readOnly || s.noWrites)
	}
}

func cmdScriptLoad(c *client, a []string) {
	s, err := scriptsOf(c.s).load(a[0])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.bulkString(s.sha)
}

func cmdScriptExists(c *client, a []string) {
	cache := scriptsOf(c.s)
	c.w.array(len(a))
	for _, sha := range a {
		c.w.boolInt(cache.get(strings.ToLower(sha)) != nil)
	}
}

// cmdScriptFlush empties the cache; ASYNC and SYNC both flush at once.
func cmdScriptFlush(c *client, a []string) {
	if len(a) > 1 || (len(a) == 1 && !eq(a[0], "async") && !eq(a[0], "sync")) {
		c.replyErr(textError("ERR SCRIPT FLUSH only support SYNC|ASYNC option"))
		return
	}
	scriptsOf(c.s).flush()
	c.w.ok()
}

// cmdScriptKill always finds nothing to kill: a script holds its
// database's locks while it runs, and a runaway one is stopped by the time
// limit (scriptTimeLimit) instead.
func cmdScriptKill(c *client, a []string) {
	c.replyErr(textError("NOTBUSY No scripts in execution right now."))
}
