package resp

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The redis library scripts see, and the conversions between Lua values
// and RESP replies, following Redis 7.0 (script_lua.c).

// Log levels of redis.log, as Redis numbers them.
const (
	luaLogDebug   = 0
	luaLogWarning = 3
)

func (vm *scriptVM) redisLib() *lua.LTable {
	L := vm.L
	t := L.NewTable()
	raise := func(L *lua.LState, msg string) int {
		L.Error(luaError(L, msg), 0)
		return 0
	}
	fns := map[string]lua.LGFunction{
		"call":  vm.call(true),
		"pcall": vm.call(false),
		"sha1hex": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				return raise(L, "wrong number of arguments")
			}
			L.Push(lua.LString(sha1hex(L.ToString(1))))
			return 1
		},
		"error_reply": func(L *lua.LState) int {
			s, ok := L.Get(1).(lua.LString)
			if L.GetTop() != 1 || !ok {
				L.Push(luaError(L, "wrong number or type of arguments"))
				return 1
			}
			msg := string(s)
			if !strings.HasPrefix(msg, "-") {
				msg = "-" + msg
			}
			L.Push(luaError(L, msg))
			return 1
		},
		"status_reply": func(L *lua.LState) int {
			s, ok := L.Get(1).(lua.LString)
			if L.GetTop() != 1 || !ok {
				L.Push(luaError(L, "wrong number or type of arguments"))
				return 1
			}
			r := L.CreateTable(0, 1)
			r.RawSetString("ok", s)
			L.Push(r)
			return 1
		},
		// log is accepted and dropped: the server has no log of its own
		// to write script messages to.
		"log": func(L *lua.LState) int {
			if L.GetTop() < 2 {
				return raise(L, "redis.log() requires two arguments or more.")
			}
			lv, ok := luaToNumber(L.Get(1))
			if !ok {
				return raise(L, "First argument must be a number (log level).")
			}
			if lv < luaLogDebug || lv > luaLogWarning {
				return raise(L, "Invalid debug level.")
			}
			return 0
		},
		"setresp": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				return raise(L, "redis.setresp() requires one argument.")
			}
			v, _ := luaToNumber(L.Get(1))
			if v != 2 && v != 3 {
				return raise(L, "RESP version must be 2 or 3.")
			}
			vm.run.resp = int(v)
			return 0
		},
		// Replication settings mean nothing without replicas; accepted
		// for the scripts that set them.
		"set_repl": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				return raise(L, "redis.set_repl() requires one argument.")
			}
			v, _ := luaToNumber(L.Get(1))
			if v < 0 || v > 3 {
				return raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
			}
			return 0
		},
		"replicate_commands": func(L *lua.LState) int {
			L.Push(lua.LTrue)
			return 1
		},
		"breakpoint": func(L *lua.LState) int {
			L.Push(lua.LFalse)
			return 1
		},
		"debug": func(L *lua.LState) int { return 0 },
		"acl_check_cmd": func(L *lua.LState) int {
			if L.GetTop() < 1 {
				return raise(L, "Please specify at least one argument for this redis lib call")
			}
			if lookup([]byte(L.ToString(1))) == nil {
				return raise(L, "Invalid command passed to redis.acl_check_cmd()")
			}
			L.Push(lua.LTrue) // no ACLs: the default user may run everything
			return 1
		},
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	for name, v := range map[string]int{
		"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3,
		"REPL_NONE": 0, "REPL_AOF": 1, "REPL_SLAVE": 2, "REPL_REPLICA": 2, "REPL_ALL": 3,
		"REDIS_VERSION_NUM": redisVersionNum(),
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(RedisVersion))
	return t
}

// redisVersionNum is RedisVersion as 0x00MMmmpp.
func redisVersionNum() int {
	n := 0
	for _, p := range strings.Split(RedisVersion, ".") {
		v, _ := strconv.Atoi(p)
		n = n<<8 | v
	}
	return n
}

// luaToNumber is lua_tonumber: numbers, and strings that read as numbers.
func luaToNumber(v lua.LValue) (float64, bool) {
	switch v := v.(type) {
	case lua.LNumber:
		return float64(v), true
	case lua.LString:
		f, err := strconv.ParseFloat(strings.TrimSpace(string(v)), 64)
		return f, err == nil
	}
	return 0, false
}

// maxReplyDepth bounds the nesting of a script's reply (a table that
// contains itself would otherwise never end).
const maxReplyDepth = 1000

// writeLuaReply converts a script's return value to a reply: strings are
// bulk strings, numbers integers (truncated), true 1 and false nil (RESP3
// booleans after redis.setresp(3)), tables with err/ok errors and status
// replies, double/big_number/map/set/verbatim_string tables the RESP3
// types, other tables arrays up to their first nil; anything else is nil.
func writeLuaReply(w *writer, v lua.LValue, resp int, depth int) {
	if depth > maxReplyDepth {
		w.errorText("ERR reached lua stack limit")
		return
	}
	switch v := v.(type) {
	case lua.LString:
		w.bulkString(string(v))
	case lua.LNumber:
		w.integer(int64(v))
	case lua.LBool:
		switch {
		case resp == 3 && w.proto == 3:
			if v {
				w.buf = append(w.buf, "#t\r\n"...)
			} else {
				w.buf = append(w.buf, "#f\r\n"...)
			}
		case resp == 3:
			w.boolInt(bool(v))
		case bool(v):
			w.integer(1)
		default:
			w.null()
		}
	case *lua.LTable:
		writeLuaTable(w, v, resp, depth)
	default:
		w.null()
	}
}

func writeLuaTable(w *writer, t *lua.LTable, resp int, depth int) {
	if e, ok := t.RawGetString("err").(lua.LString); ok {
		w.errorText(string(e))
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.simple(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(s)))
		return
	}
	if d, ok := t.RawGetString("double").(lua.LNumber); ok {
		w.double(float64(d))
		return
	}
	if b, ok := t.RawGetString("big_number").(lua.LString); ok {
		if w.proto == 3 {
			w.line('(', strings.NewReplacer("\r", " ", "\n", " ").Replace(string(b)))
		} else {
			w.bulkString(string(b))
		}
		return
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		n := 0
		m.ForEach(func(_, _ lua.LValue) { n++ })
		w.mapLen(n)
		m.ForEach(func(k, v lua.LValue) {
			writeLuaReply(w, k, resp, depth+1)
			writeLuaReply(w, v, resp, depth+1)
		})
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		n := 0
		s.ForEach(func(_, _ lua.LValue) { n++ })
		w.setLen(n)
		s.ForEach(func(k, _ lua.LValue) { writeLuaReply(w, k, resp, depth+1) })
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		f, fok := vt.RawGetString("format").(lua.LString)
		s, sok := vt.RawGetString("string").(lua.LString)
		if fok && sok {
			if w.proto == 3 {
				w.header('=', int64(len(s)+4))
				w.buf = append(w.buf, f...)
				w.buf = append(w.buf, ':')
				w.buf = append(w.buf, s...)
				w.buf = append(w.buf, '\r', '\n')
			} else {
				w.bulkString(string(s))
			}
			return
		}
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.array(n)
	for i := 1; i <= n; i++ {
		writeLuaReply(w, t.RawGetInt(i), resp, depth+1)
	}
}

var errBadReply = errors.New("malformed reply")

// parseReply reads one RESP reply from b as the Lua value redis.call
// returns (Redis's conversion for the script's protocol: the reply was
// written in it): integers are numbers, bulk strings strings, a nil bulk
// or array false (nil in RESP3), arrays tables, status replies {ok=...},
// errors {err=...}, and RESP3 types their tables.
func parseReply(L *lua.LState, b []byte) (lua.LValue, []byte, error) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 1 {
		return nil, nil, errBadReply
	}
	kind, line, rest := b[0], string(b[1:i]), b[i+2:]
	switch kind {
	case '+':
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(line))
		return t, rest, nil
	case '-':
		return luaError(L, "-"+line), rest, nil
	case ':':
		n, err := strconv.ParseInt(line, 10, 64)
		return lua.LNumber(n), rest, err
	case '_':
		return lua.LNil, rest, nil
	case '#':
		return lua.LBool(line == "t"), rest, nil
	case ',':
		f, err := strconv.ParseFloat(line, 64)
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(f))
		return t, rest, err
	case '(':
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(line))
		return t, rest, nil
	case '$', '=':
		n, err := strconv.Atoi(line)
		if err != nil {
			return nil, nil, err
		}
		if n < 0 {
			return lua.LFalse, rest, nil
		}
		if len(rest) < n+2 {
			return nil, nil, errBadReply
		}
		s := string(rest[:n])
		rest = rest[n+2:]
		if kind == '$' {
			return lua.LString(s), rest, nil
		}
		if len(s) < 4 {
			return nil, nil, errBadReply
		}
		vt := L.CreateTable(0, 2)
		vt.RawSetString("format", lua.LString(s[:3]))
		vt.RawSetString("string", lua.LString(s[4:]))
		t := L.CreateTable(0, 1)
		t.RawSetString("verbatim_string", vt)
		return t, rest, nil
	case '*', '~', '%', '>':
		n, err := strconv.Atoi(line)
		if err != nil {
			return nil, nil, err
		}
		if n < 0 {
			return lua.LFalse, rest, nil
		}
		var t *lua.LTable
		if kind == '%' || kind == '~' {
			t = L.CreateTable(0, n)
		} else {
			t = L.CreateTable(n, 0)
		}
		for j := 0; j < n; j++ {
			var v lua.LValue
			if v, rest, err = parseReply(L, rest); err != nil {
				return nil, nil, err
			}
			switch kind {
			case '%':
				var val lua.LValue
				if val, rest, err = parseReply(L, rest); err != nil {
					return nil, nil, err
				}
				t.RawSet(v, val)
			case '~':
				t.RawSet(v, lua.LTrue)
			default:
				t.RawSetInt(j+1, v)
			}
		}
		switch kind {
		case '%':
			w := L.CreateTable(0, 1)
			w.RawSetString("map", t)
			return w, rest, nil
		case '~':
			w := L.CreateTable(0, 1)
			w.RawSetString("set", t)
			return w, rest, nil
		}
		return t, rest, nil
	}
	return nil, nil, errBadReply
}
