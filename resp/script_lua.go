package resp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	luajson "github.com/alicebob/miniredis/v2/gopher-json"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/isa-cloud/isa-memstore/engine"
)

// DefaultScriptTimeLimit bounds one script's run. Redis lets a script run
// on past its busy threshold (5 s), answering BUSY to everyone, until
// SCRIPT KILL; here a script holds its database's locks, so it is stopped
// with an error once it has run this long instead. The writes it made
// before stay (Redis would refuse to kill such a script and leave only
// SHUTDOWN NOSAVE).
const DefaultScriptTimeLimit = 5 * time.Second

// scriptTimeLimit is the limit in force (nanoseconds), a variable so that
// tests can shorten it.
var scriptTimeLimit atomic.Int64

func init() { scriptTimeLimit.Store(int64(DefaultScriptTimeLimit)) }

// maxScriptString caps string.rep's result (Redis's default
// proto-max-bulk-len).
const maxScriptString = 512 << 20

// scriptChunk is the chunk name scripts are compiled under, so that Lua's
// own messages read "user_script:1: ..." as in Redis.
const scriptChunk = "user_script"

// compileScript compiles a script body, with Redis's error text.
func compileScript(body string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(strings.NewReader(body), scriptChunk)
	if err == nil {
		var proto *lua.FunctionProto
		if proto, err = lua.Compile(chunk, scriptChunk); err == nil {
			return proto, nil
		}
	}
	msg := strings.TrimSpace(err.Error())
	// Lua 5.1's own form, "user_script:<line>: <message> near '<token>'",
	// which the parser's messages mostly follow ("syntax error" is what
	// Lua calls an unexpected symbol).
	var pe *parse.Error
	if errors.As(err, &pe) {
		line, tok := pe.Pos.Line, pe.Token
		if line == parse.EOF {
			line, tok = strings.Count(body, "\n")+1, "<eof>"
		}
		m := pe.Message
		if m == "syntax error" {
			m = "unexpected symbol"
		}
		msg = fmt.Sprintf("%s:%d: %s near '%s'", scriptChunk, line, m, tok)
	}
	return nil, textError("ERR Error compiling script (new function): " + msg)
}

// scriptVM is a sandboxed interpreter. VMs are pooled: the sandbox makes
// the globals and the libraries read-only (as Redis 7.0 does), so one
// script cannot leave anything behind for the next.
type scriptVM struct {
	L       *lua.LState
	globals *lua.LTable    // the real globals, behind env
	env     *lua.LTable    // the read-only proxy scripts see as _G
	handler *lua.LFunction // error handler: adds the script position
	run     *scriptRun     // the run in progress
	// scratch is the client whose writer catches the replies of the
	// commands redis.call runs; empty is what KEYS and ARGV hold between
	// runs.
	scratch *client
	empty   *lua.LTable
	// chunkNames maps the display names of the chunks loadstring made in
	// this run back to their names, which error positions report.
	chunkNames map[string]string
}

var vmPool = sync.Pool{New: func() any { return newScriptVM() }}

// readonlyMsg is Redis 7.0's text for a write to a protected table.
const readonlyMsg = "Attempt to modify a readonly table"

// Globals a script may use, as in Redis 7.0 (no print, dofile, loadfile,
// require, module, setfenv, getfenv, newproxy).
var scriptBaseNames = []string{
	"assert", "collectgarbage", "error", "getmetatable", "ipairs", "load", "loadstring",
	"next", "pairs", "pcall", "rawequal", "rawget", "rawset", "select", "setmetatable",
	"tonumber", "tostring", "type", "unpack", "xpcall", "_VERSION",
}

func newScriptVM() *scriptVM {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 200, RegistryMaxSize: 1 << 20})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	vm := &scriptVM{L: L, chunkNames: map[string]string{}, empty: L.NewTable(),
		scratch: &client{authed: true, w: &writer{dst: io.Discard, buf: make([]byte, 0, 256), proto: 2, hold: true}}}
	orig := L.G.Global
	g := L.NewTable()
	for _, n := range scriptBaseNames {
		g.RawSetString(n, orig.RawGetString(n))
	}
	vm.globals = g
	g.RawSetString("KEYS", vm.empty)
	g.RawSetString("ARGV", vm.empty)
	vm.env = vm.readonly(g)
	g.RawSetString("_G", vm.env)

	// The protections a read-only table needs beyond its metatable:
	// rawset and setmetatable would otherwise bypass it.
	rawset, setmt := g.RawGetString("rawset"), g.RawGetString("setmetatable")
	g.RawSetString("rawset", L.NewFunction(func(L *lua.LState) int {
		vm.checkWritable(L)
		return vm.forward(L, rawset)
	}))
	g.RawSetString("setmetatable", L.NewFunction(func(L *lua.LState) int {
		vm.checkWritable(L)
		return vm.forward(L, setmt)
	}))
	// Redis 7.0's pcall hands back an error table's err string instead
	// of the table (what redis.call raises).
	pcall := g.RawGetString("pcall")
	g.RawSetString("pcall", L.NewFunction(func(L *lua.LState) int {
		n := vm.forward(L, pcall)
		if n >= 2 && L.Get(-n) == lua.LFalse {
			if t, ok := L.Get(-n + 1).(*lua.LTable); ok {
				if e, ok := t.RawGetString("err").(lua.LString); ok {
					L.Replace(-n+1, e)
				}
			}
		}
		return n
	}))
	// tostring prints numbers as Lua 5.1 does ("%.14g"); gopher-lua's
	// own form (integers in full, floats shortest) still shows in
	// concatenation and the string library.
	tostr := g.RawGetString("tostring")
	g.RawSetString("tostring", L.NewFunction(func(L *lua.LState) int {
		if n, ok := L.Get(1).(lua.LNumber); ok {
			L.Push(lua.LString(luaNumberString(float64(n))))
			return 1
		}
		return vm.forward(L, tostr)
	}))
	// Chunks made by load/loadstring see the script's globals, not the
	// interpreter's real ones.
	for _, n := range []string{"load", "loadstring"} {
		f := g.RawGetString(n)
		isLoadString := n == "loadstring"
		g.RawSetString(n, L.NewFunction(func(L *lua.LState) int {
			if isLoadString {
				// Lua names such a chunk [string "<its name or text>"].
				src := L.CheckString(1)
				name := L.OptString(2, src)
				id := chunkID(name)
				vm.chunkNames[id] = name
				L.SetTop(1)
				L.Push(lua.LString(id))
			}
			n := vm.forward(L, f)
			if fn, ok := L.Get(-n).(*lua.LFunction); ok && n > 0 {
				fn.Env = vm.env
			}
			return n
		}))
	}
	// string.rep is the one-call way to ask for gigabytes, which Go
	// cannot refuse without ending the process: capped at Redis's
	// largest bulk string.
	strlib := orig.RawGetString(lua.StringLibName).(*lua.LTable)
	rep := strlib.RawGetString("rep")
	strlib.RawSetString("rep", L.NewFunction(func(L *lua.LState) int {
		if n := L.OptInt(2, 0); n > 0 && int64(len(L.CheckString(1)))*int64(n) > maxScriptString {
			L.RaiseError("resulting string too large")
		}
		return vm.forward(L, rep)
	}))
	for _, n := range []string{lua.TabLibName, lua.StringLibName, lua.MathLibName, lua.CoroutineLibName} {
		g.RawSetString(n, vm.readonly(orig.RawGetString(n).(*lua.LTable)))
	}
	g.RawSetString("redis", vm.readonly(vm.redisLib()))
	g.RawSetString("cjson", vm.readonly(vm.cjsonLib()))
	// Strings index the string library through their metatable; give
	// them the protected one, and hide the metatable itself.
	if mt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		mt.RawSetString("__index", g.RawGetString(lua.StringLibName))
		mt.RawSetString("__metatable", lua.LFalse)
	}
	// Reading an undefined global is an error, as in Redis.
	gmt := L.NewTable()
	gmt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", L.Get(2).String())
		return 0
	}))
	L.SetMetatable(g, gmt)
	vm.handler = L.NewFunction(vm.errorHandler)
	return vm
}

// cjsonLib is cjson's encode and decode over miniredis's gopher-json (a
// maintained gopher-lua JSON module), raising errors as cjson does. It is
// not byte-compatible with lua-cjson: an empty table encodes as [], not
// {}; numbers take Go's form; <, > and & are escaped as \u003c...; JSON
// null decodes to nil, and there is no cjson.null.
func (vm *scriptVM) cjsonLib() *lua.LTable {
	L := vm.L
	t := L.NewTable()
	t.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.RaiseError("bad argument #1 to 'encode' (expected 1 argument)")
		}
		b, err := luajson.Encode(L.Get(1))
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		L.Push(lua.LString(b))
		return 1
	}))
	t.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.RaiseError("bad argument #1 to 'decode' (expected 1 argument)")
		}
		v, err := luajson.Decode(L, []byte(L.CheckString(1)))
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		L.Push(v)
		return 1
	}))
	return t
}

// luaNumberString is Lua 5.1's number format (LUA_NUMBER_FMT).
func luaNumberString(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return fmt.Sprintf("%.14g", f)
}

// chunkID is Lua 5.1's display name of a chunk loaded from a string: its
// first line, cut to fit Lua's 60-byte limit.
func chunkID(src string) string {
	const room = 60 - len(" [string \"...\"] ") - 1
	n := strings.IndexAny(src, "\r\n")
	if n < 0 {
		n = len(src)
	}
	n = min(n, room)
	if n < len(src) {
		return `[string "` + src[:n] + `..."]`
	}
	return `[string "` + src + `"]`
}

// readonly returns a proxy that reads through to t and refuses writes.
func (vm *scriptVM) readonly(t *lua.LTable) *lua.LTable {
	L := vm.L
	p := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(readonlyMsg)
		return 0
	}))
	mt.RawSetString("__metatable", lua.LFalse)
	mt.RawSetString("readonly", lua.LTrue)
	L.SetMetatable(p, mt)
	return p
}

// checkWritable refuses rawset/setmetatable on a read-only proxy, without
// a position (the error comes from a library function, as in Redis).
func (vm *scriptVM) checkWritable(L *lua.LState) {
	if t, ok := L.Get(1).(*lua.LTable); ok {
		if mt, ok := t.Metatable.(*lua.LTable); ok && mt.RawGetString("readonly") == lua.LTrue {
			L.Error(lua.LString(readonlyMsg), 0)
		}
	}
}

// forward calls f with the current arguments and returns its results.
func (vm *scriptVM) forward(L *lua.LState, f lua.LValue) int {
	top := L.GetTop()
	L.Push(f)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

// errorHandler turns an error into Redis's error table: a string error
// becomes {err="ERR <msg>"}, and the position of the script line that
// raised it is added (from the caller when the error came from a library
// function such as redis.call or error).
func (vm *scriptVM) errorHandler(L *lua.LState) int {
	e := L.Get(1)
	t, ok := e.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+e.String()))
	}
	for level := 1; level <= 2; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			break
		}
		if dbg.What == "G" {
			continue
		}
		if dbg.CurrentLine > 0 {
			src := dbg.Source
			if src == scriptChunk {
				src = "@" + src
			} else if name, ok := vm.chunkNames[src]; ok {
				src = name
			}
			t.RawSetString("source", lua.LString(src))
			t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
		}
		break
	}
	L.Push(t)
	return 1
}

// scriptRun is the state of one script execution.
type scriptRun struct {
	c        *client // the caller
	sc       *client // scratch client: redis.call's commands reply into its writer
	script   *luaScript
	readOnly bool
	resp     int // redis.setresp
	dbIndex  int
	txns     map[int]engine.Txn
	maxDB    int
	holders  []*dbHolder
}

// dbHolder keeps another database's transaction open (SELECT inside a
// script) until the script ends: a goroutine sits inside its Atomic.
type dbHolder struct {
	release chan struct{}
	done    chan error
}

// runScript executes a cached script with the caller's transaction t and
// writes its reply; an error return is the reply instead.
func runScript(c *client, t engine.Txn, s *luaScript, keys, argv []string, readOnly bool) error {
	r := &scriptRun{
		c: c, script: s, readOnly: readOnly, resp: 2,
		dbIndex: c.dbIndex, maxDB: c.dbIndex,
		txns: map[int]engine.Txn{c.dbIndex: t},
	}
	defer r.releaseAll()

	vm := vmPool.Get().(*scriptVM)
	L := vm.L
	vm.run = r
	// The scratch client is the VM's, reset for this caller.
	sc := vm.scratch
	sc.s, sc.id, sc.db, sc.dbIndex = c.s, c.id, c.db, c.dbIndex
	sc.w.buf = sc.w.buf[:0]
	r.sc = sc
	L.SetTop(0)
	vm.globals.RawSetString("KEYS", stringTable(L, keys))
	vm.globals.RawSetString("ARGV", stringTable(L, argv))
	limit := time.Duration(scriptTimeLimit.Load())
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	L.SetContext(ctx)
	fn := L.NewFunctionFromProto(s.proto)
	fn.Env = vm.env
	L.Push(fn)
	err := L.PCall(0, 1, vm.handler)
	timedOut := ctx.Err() != nil
	L.RemoveContext()
	cancel()
	var reply lua.LValue = lua.LNil
	if err == nil {
		reply = L.Get(-1)
	}
	defer func() {
		L.SetTop(0)
		// Emptied rather than removed: a removed key would make the
		// next run's assignment grow the globals table again.
		vm.globals.RawSetString("KEYS", vm.empty)
		vm.globals.RawSetString("ARGV", vm.empty)
		vm.run = nil
		sc.s, sc.db = nil, nil
		if cap(sc.w.buf) > 64<<10 {
			sc.w.buf = make([]byte, 0, 256) // do not keep a large reply
		}
		clear(vm.chunkNames)
		vmPool.Put(vm)
	}()
	if err != nil {
		if timedOut {
			return textError(fmt.Sprintf("ERR Script ran longer than the time limit of %v and was stopped (writes it made are kept) script: %s", limit, s.sha))
		}
		return scriptError(err, s.sha)
	}
	writeLuaReply(c.w, reply, r.resp, 0)
	return nil
}

// scriptError formats a failed run as Redis 7.0 does: the error table's
// err field, then "script: <sha>, on @user_script:<line>." when the
// position is known.
func scriptError(err error, sha string) error {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return textError("ERR " + err.Error())
	}
	t, ok := ae.Object.(*lua.LTable)
	if !ok {
		return textError("ERR " + ae.Object.String())
	}
	msg := "ERR unknown error"
	if e, ok := t.RawGetString("err").(lua.LString); ok {
		msg = string(e)
	}
	src, _ := t.RawGetString("source").(lua.LString)
	line, _ := t.RawGetString("line").(lua.LNumber)
	if src != "" && line > 0 {
		msg += fmt.Sprintf(" script: %s, on %s:%d.", sha, src, int64(line))
	}
	return textError(msg)
}

func stringTable(L *lua.LState, vs []string) *lua.LTable {
	t := L.CreateTable(len(vs), 0)
	for i, v := range vs {
		t.RawSetInt(i+1, lua.LString(v))
	}
	return t
}

// releaseAll ends the transactions SELECT opened.
func (r *scriptRun) releaseAll() {
	for _, h := range r.holders {
		close(h.release)
		<-h.done
	}
}

// selectDB is SELECT inside a script: it changes the script's database
// only. Databases are locked in ascending order to rule out deadlocks
// between scripts, so a script may go back to a database it has used or on
// to a higher one, not down to a new lower one.
func (r *scriptRun) selectDB(arg string) error {
	n, err := parseInt(arg)
	if err != nil || n < -1<<31 || n > 1<<31-1 {
		return errNotInteger
	}
	if n < 0 || n >= int64(len(r.c.s.dbs)) {
		return textError("ERR DB index is out of range")
	}
	i := int(n)
	if _, held := r.txns[i]; !held {
		if i < r.maxDB {
			return textError(fmt.Sprintf("ERR SELECT inside a script cannot move to database %d, lower than database %d it already uses (isa-memstore locks databases in ascending order)", i, r.maxDB))
		}
		if err := r.hold(i); err != nil {
			return err
		}
		r.maxDB = i
	}
	r.dbIndex = i
	r.sc.dbIndex = i
	r.sc.db = r.c.s.db(i)
	return nil
}

// hold opens a transaction over all of database i for the rest of the
// script.
func (r *scriptRun) hold(i int) error {
	h := &dbHolder{release: make(chan struct{}), done: make(chan error, 1)}
	got := make(chan engine.Txn)
	go func() {
		h.done <- r.c.s.db(i).Atomic(nil, func(t engine.Txn) error {
			got <- t
			<-h.release
			return nil
		})
	}()
	select {
	case t := <-got:
		r.txns[i] = t
		r.holders = append(r.holders, h)
		return nil
	case err := <-h.done:
		return err
	}
}

// scriptSafeRun lists the commands without a transaction form that a
// script may call directly: they touch no keyspace lock (so do the
// containers' HELP subcommands).
var scriptSafeRun = map[string]bool{
	"ping": true, "echo": true, "time": true, "lastsave": true, "publish": true,
	"pubsub|channels": true, "pubsub|numsub": true, "pubsub|numpat": true,
	"command": true, "command|count": true, "command|info": true, "command|docs": true,
	"command|list": true,
}

// luaError is a Redis error table {err=...}; msg without a code gets ERR,
// a "-CODE msg" reply loses its dash (Redis's luaPushErrorBuff).
func luaError(L *lua.LState, msg string) *lua.LTable {
	if strings.HasPrefix(msg, "-") {
		if code, rest, ok := strings.Cut(msg[1:], " "); ok {
			msg = code + " " + rest
		} else {
			msg = "ERR " + msg[1:]
		}
	} else {
		msg = "ERR " + msg
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(strings.TrimRight(msg, "\r\n")))
	return t
}

// call is redis.call (raise) and redis.pcall.
func (vm *scriptVM) call(raise bool) lua.LGFunction {
	return func(L *lua.LState) int {
		r := vm.run
		reply := r.dispatch(L)
		if e, ok := reply.(*lua.LTable); ok && raise {
			if _, isErr := e.RawGetString("err").(lua.LString); isErr {
				L.Error(e, 0)
				return 0
			}
		}
		L.Push(reply)
		return 1
	}
}

// dispatch runs the command in redis.call's arguments and returns its
// reply as a Lua value (an error table on failure).
func (r *scriptRun) dispatch(L *lua.LState) lua.LValue {
	n := L.GetTop()
	if n == 0 {
		return luaError(L, "Please specify at least one argument for this redis lib call")
	}
	args := make([]string, n)
	for i := range args {
		switch v := L.Get(i + 1).(type) {
		case lua.LString:
			args[i] = string(v)
		case lua.LNumber:
			args[i] = strconv.FormatFloat(float64(v), 'g', 17, 64)
		default:
			return luaError(L, "Lua redis lib command arguments must be strings or integers")
		}
	}
	cmd := lookup([]byte(args[0]))
	if cmd == nil {
		return luaError(L, "Unknown Redis command called from script")
	}
	skip := 1
	if cmd.subs != nil && len(args) >= 2 {
		sub := lookupIn(cmd.subs, []byte(args[1]))
		if sub == nil {
			return luaError(L, "Unknown Redis command called from script")
		}
		cmd, skip = sub, 2
	}
	if (cmd.arity > 0 && len(args) != cmd.arity) || len(args) < -cmd.arity {
		return luaError(L, "Wrong number of args calling Redis command from script")
	}
	if cmd.flags&flagNoScript != 0 {
		return luaError(L, "This Redis command is not allowed from script")
	}
	if r.readOnly && cmd.flags&flagWrite != 0 {
		return luaError(L, "Write commands are not allowed from read-only scripts.")
	}
	if cmd.flags&flagDenyOOM != 0 && r.c.s.overMemory() {
		return luaError(L, "-"+engine.ErrOOM.Error())
	}
	a := args[skip:]
	w := r.sc.w
	w.buf = w.buf[:0]
	w.proto = r.resp
	r.c.ncmds.Add(1)
	switch {
	case cmd.txn != nil:
		t := r.txns[r.dbIndex]
		if err := cmd.txn(r.sc, t, a); err != nil {
			w.errorText(err.Error())
		}
	case scriptScans[cmd.name] != nil:
		if err := scriptScans[cmd.name](r.sc, r.txns[r.dbIndex], a); err != nil {
			w.errorText(err.Error())
		}
	case cmd.name == "select":
		if err := r.selectDB(a[0]); err != nil {
			w.errorText(err.Error())
		} else {
			w.ok()
		}
	case scriptSafeRun[cmd.fullName()] || (cmd.parent != nil && cmd.name == "help"):
		cmd.run(r.sc, a)
	default:
		return luaError(L, "'"+cmd.fullName()+"' is not available inside scripts in isa-memstore (it cannot run inside the script's transaction)")
	}
	v, _, err := parseReply(L, w.buf)
	if err != nil {
		return luaError(L, "internal error reading the reply of '"+cmd.fullName()+"': "+err.Error())
	}
	return v
}
