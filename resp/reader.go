package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
)

// Redis's limits on request framing (server.h).
const (
	// inlineMax is PROTO_INLINE_MAX_SIZE: the longest inline command, and
	// the longest "*N" / "$N" header line, before a protocol error.
	inlineMax = 64 * 1024
	// maxMultiBulk is the largest "*N" Redis 7 accepts (INT_MAX). Nothing is
	// allocated from it: argument slots grow as arguments arrive.
	maxMultiBulk = math.MaxInt32
	// DefaultMaxBulkLen is Redis's proto-max-bulk-len default (512 MB).
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxQueryBuffer is Redis's client-query-buffer-limit default:
	// a client whose pending, incomplete command needs more is disconnected.
	DefaultMaxQueryBuffer = 1 << 30
	// Before AUTH, Redis refuses large requests outright so that an
	// unauthenticated client cannot make it buffer much.
	unauthMaxMultiBulk = 10
	unauthMaxBulk      = 16384

	initialReadBuf = 16 * 1024
	// argSlotsCap bounds how many argument slots are reserved ahead of the
	// arguments actually received, whatever "*N" claims.
	argSlotsCap = 1024
)

// errNeedMore means the buffer holds no complete command yet.
var errNeedMore = errors.New("resp: incomplete command")

// errQueryBuffer means the client's pending command outgrew the query
// buffer limit; Redis closes such a client without a reply.
var errQueryBuffer = errors.New("resp: query buffer limit exceeded")

// ProtocolError is a malformed request. Its text is Redis's reply, after
// which the connection is closed.
type ProtocolError struct{ msg string }

func (e *ProtocolError) Error() string { return "ERR Protocol error: " + e.msg }

func protoErr(msg string) error { return &ProtocolError{msg: msg} }

// reader frames commands out of a byte stream without copying them: the
// arguments it returns are slices of its buffer, valid until the next fill.
// It keeps the state of a partly received command, so a large command that
// arrives in many reads is parsed once, not once per read.
type reader struct {
	src      io.Reader
	buf      []byte
	r, w     int // unread bytes are buf[r:w]
	maxBulk  int64
	maxQuery int
	// unauth applies Redis's stricter limits for clients that still have to
	// authenticate.
	unauth bool

	// State of the multibulk command in progress (argc > 0). Offsets are
	// absolute positions in buf, shifted when fill compacts it.
	argc    int
	pos     int   // next byte to parse
	offs    []int // start,end pairs of the arguments parsed so far
	bulkLen int   // length of the bulk being waited for, -1 when none

	args [][]byte // reused result slice
}

func newReader(src io.Reader, maxBulk int64, maxQuery int) *reader {
	return &reader{src: src, buf: make([]byte, initialReadBuf), maxBulk: maxBulk, maxQuery: maxQuery, bulkLen: -1}
}

// fill reads more bytes from the source, compacting the buffer first and
// growing it (never beyond twice what has actually been received) when the
// pending command does not fit.
func (rd *reader) fill() error {
	if rd.r > 0 {
		if rd.r == rd.w && rd.argc == 0 && len(rd.buf) > 4*initialReadBuf {
			// A big command is done: give its memory back.
			rd.buf = make([]byte, initialReadBuf)
			rd.w = 0
		} else {
			shift := rd.r
			rd.w = copy(rd.buf, rd.buf[rd.r:rd.w])
			if rd.argc > 0 {
				rd.pos -= shift
				for i := range rd.offs {
					rd.offs[i] -= shift
				}
			}
		}
		rd.r = 0
	}
	if rd.w == len(rd.buf) {
		if len(rd.buf) >= rd.maxQuery {
			return errQueryBuffer
		}
		size := 2 * len(rd.buf)
		if rd.bulkLen >= 0 {
			// The bulk in progress needs this much; doubling towards it
			// keeps the memory proportional to the bytes received.
			need := rd.pos + rd.bulkLen + 2
			if need < size {
				size = max(need, len(rd.buf)+initialReadBuf)
			}
		}
		size = min(size, rd.maxQuery)
		nb := make([]byte, size)
		copy(nb, rd.buf[:rd.w])
		rd.buf = nb
	}
	n, err := rd.src.Read(rd.buf[rd.w:])
	rd.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// feed appends input read by someone else (the watch of a blocked client)
// to the unread bytes, as fill would have.
func (rd *reader) feed(p []byte) {
	if len(p) == 0 {
		return
	}
	if len(rd.buf)-rd.w < len(p) {
		nb := make([]byte, max(2*len(rd.buf), rd.w+len(p)))
		copy(nb, rd.buf[:rd.w])
		rd.buf = nb
	}
	rd.w += copy(rd.buf[rd.w:], p)
}

// next returns the next complete command in the buffer, errNeedMore when
// there is none yet, or a *ProtocolError. An empty command (blank inline
// line, "*0", "*-1") is skipped, as Redis does.
func (rd *reader) next() ([][]byte, error) {
	for {
		if rd.argc == 0 {
			if rd.r == rd.w {
				return nil, errNeedMore
			}
			if rd.buf[rd.r] != '*' {
				args, err := rd.inline()
				if err != nil || len(args) > 0 {
					return args, err
				}
				continue
			}
			ll, n, ok := shortInt(rd.buf[:rd.w], rd.r+1)
			if !ok {
				var err error
				if n, err = rd.header(rd.r, "too big mbulk count string"); err != nil {
					return nil, err
				}
				if n < 0 {
					return nil, errNeedMore
				}
				ll, ok = parseInt64(rd.buf[rd.r+1 : n])
			}
			if !ok || ll > maxMultiBulk {
				return nil, protoErr("invalid multibulk length")
			}
			if rd.unauth && ll > unauthMaxMultiBulk {
				return nil, protoErr("unauthenticated multibulk length")
			}
			rd.r = n + 2
			if ll <= 0 {
				continue
			}
			rd.argc = int(ll)
			rd.pos = rd.r
			rd.offs = rd.offs[:0]
			rd.bulkLen = -1
			if cap(rd.offs) < 2*min(rd.argc, argSlotsCap) {
				rd.offs = make([]int, 0, 2*min(rd.argc, argSlotsCap))
			}
		}
		if err := rd.multibulk(); err != nil {
			return nil, err
		}
		return rd.collect(), nil
	}
}

// header finds the CRLF ending the header line starting at start and
// returns the index of its '\r', -1 if the line is incomplete.
func (rd *reader) header(start int, tooBig string) (int, error) {
	i := bytes.IndexByte(rd.buf[start:rd.w], '\r')
	if i < 0 {
		if rd.w-start > inlineMax {
			return 0, protoErr(tooBig)
		}
		return -1, nil
	}
	nl := start + i
	if nl+1 >= rd.w { // the '\n' has not arrived yet
		return -1, nil
	}
	return nl, nil
}

// multibulk parses the arguments of the command in progress; it returns
// errNeedMore until all of them are in the buffer.
func (rd *reader) multibulk() error {
	for len(rd.offs)/2 < rd.argc {
		if rd.bulkLen < 0 {
			if rd.pos >= rd.w {
				return errNeedMore
			}
			ll, n, ok := int64(0), 0, false
			if rd.buf[rd.pos] == '$' {
				ll, n, ok = shortInt(rd.buf[:rd.w], rd.pos+1)
			}
			if !ok {
				var err error
				if n, err = rd.header(rd.pos, "too big bulk count string"); err != nil {
					return err
				}
				if n < 0 {
					return errNeedMore
				}
				if c := rd.buf[rd.pos]; c != '$' {
					return protoErr("expected '$', got '" + string(c) + "'")
				}
				ll, ok = parseInt64(rd.buf[rd.pos+1 : n])
			}
			if !ok || ll < 0 || ll > rd.maxBulk {
				return protoErr("invalid bulk length")
			}
			if rd.unauth && ll > unauthMaxBulk {
				return protoErr("unauthenticated bulk length")
			}
			rd.bulkLen = int(ll)
			rd.pos = n + 2
		}
		if rd.w-rd.pos < rd.bulkLen+2 {
			return errNeedMore
		}
		// Like Redis, the two bytes after the bulk are skipped unchecked.
		rd.offs = append(rd.offs, rd.pos, rd.pos+rd.bulkLen)
		rd.pos += rd.bulkLen + 2
		rd.bulkLen = -1
	}
	return nil
}

// collect turns the parsed offsets into argument slices and consumes the
// command.
func (rd *reader) collect() [][]byte {
	args := rd.args[:0]
	for i := 0; i < len(rd.offs); i += 2 {
		args = append(args, rd.buf[rd.offs[i]:rd.offs[i+1]:rd.offs[i+1]])
	}
	rd.args = args
	rd.r = rd.pos
	rd.argc = 0
	rd.offs = rd.offs[:0]
	if cap(rd.offs) > 2*argSlotsCap {
		rd.offs = nil
	}
	if cap(rd.args) > argSlotsCap {
		rd.args = nil // do not keep a huge slice for the connection's life
	}
	return args
}

// inline parses a telnet-style command line: arguments separated by spaces,
// with Redis's quoting rules (sdssplitargs).
func (rd *reader) inline() ([][]byte, error) {
	i := bytes.IndexByte(rd.buf[rd.r:rd.w], '\n')
	if i < 0 {
		if rd.w-rd.r > inlineMax {
			return nil, protoErr("too big inline request")
		}
		return nil, errNeedMore
	}
	line := rd.buf[rd.r : rd.r+i]
	rd.r += i + 1
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, ok := splitArgs(line, rd.args[:0])
	if !ok {
		return nil, protoErr("unbalanced quotes in request")
	}
	rd.args = args
	return args, nil
}

// splitArgs is Redis's sdssplitargs: whitespace-separated words, where a
// word may be "double quoted" (with \n \r \t \b \a \\ \" and \xHH escapes)
// or 'single quoted' (with only \' escaped). A closing quote must be
// followed by a space or the end. Quoted words with escapes are decoded in
// place: the line is consumed and never read again.
func splitArgs(line []byte, out [][]byte) ([][]byte, bool) {
	p := 0
	for {
		for p < len(line) && isSpace(line[p]) {
			p++
		}
		if p >= len(line) {
			return out, true
		}
		start := p // decoded bytes are written from here on
		w := p
		inDQ, inSQ, done := false, false, false
		for !done {
			switch {
			case inDQ:
				if p >= len(line) {
					return nil, false
				}
				c := line[p]
				if c == '\\' && p+3 < len(line) && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]) {
					line[w] = unhex(line[p+2])<<4 | unhex(line[p+3])
					w++
					p += 4
					continue
				}
				if c == '\\' && p+1 < len(line) {
					p++
					switch line[p] {
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'b':
						c = '\b'
					case 'a':
						c = '\a'
					default:
						c = line[p]
					}
					line[w] = c
					w++
					p++
					continue
				}
				if c == '"' {
					if p+1 < len(line) && !isSpace(line[p+1]) {
						return nil, false
					}
					p++
					done = true
					continue
				}
				line[w] = c
				w++
				p++
			case inSQ:
				if p >= len(line) {
					return nil, false
				}
				c := line[p]
				if c == '\\' && p+1 < len(line) && line[p+1] == '\'' {
					line[w] = '\''
					w++
					p += 2
					continue
				}
				if c == '\'' {
					if p+1 < len(line) && !isSpace(line[p+1]) {
						return nil, false
					}
					p++
					done = true
					continue
				}
				line[w] = c
				w++
				p++
			default:
				if p >= len(line) {
					done = true
					continue
				}
				switch c := line[p]; {
				case isSpace(c):
					done = true
				case c == '"':
					inDQ = true
					p++
				case c == '\'':
					inSQ = true
					p++
				default:
					line[w] = c
					w++
					p++
				}
			}
		}
		out = append(out, line[start:w:w])
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// shortInt reads the count of a "*N" or "$N" header line from buf[i:]
// when it is the common case, 1 to 9 digits without a leading zero and a
// complete line: then it returns the count and the index of the line's
// '\r', without the general path's search for the line end and
// parseInt64's overflow checks, which were a measurable part of framing
// redis-benchmark's small commands. Anything else (no complete line yet,
// a sign, a zero, a long or malformed count) is not ok and goes the
// general way, which decides between waiting and a protocol error.
func shortInt(buf []byte, i int) (v int64, cr int, ok bool) {
	if i >= len(buf) || buf[i] < '1' || buf[i] > '9' {
		return 0, 0, false
	}
	for j := i; j < len(buf) && j < i+10; j++ {
		c := buf[j]
		if c == '\r' {
			// The general path also takes the byte after '\r' on trust.
			return v, j, j+1 < len(buf)
		}
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return 0, 0, false
}

// parseInt64 is Redis's string2ll over bytes: optional '-', no '+', no
// spaces, no leading zeros, within int64. It does not allocate.
func parseInt64(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
