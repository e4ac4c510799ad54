package resp

import (
	"io"
	"strconv"

	"github.com/isa-cloud/isa-memstore/engine"
)

// writeThreshold is the size at which buffered replies are written out even
// though more commands are pending, so a long pipeline of large replies does
// not accumulate in memory.
const writeThreshold = 64 * 1024

// writer encodes replies in RESP2 or RESP3 into a buffer that the
// connection flushes once its input is drained (one write per pipeline).
// Large bulk values bypass the buffer.
type writer struct {
	dst   io.Writer
	buf   []byte
	proto int // 2 or 3
	err   error
	// hold keeps everything in the buffer: set while a command runs inside
	// an engine transaction, because nothing may block on a socket while
	// shard locks are held.
	hold bool
}

func newWriter(dst io.Writer) *writer {
	return &writer{dst: dst, buf: make([]byte, 0, 16*1024), proto: 2}
}

// flush writes the buffered replies.
func (w *writer) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) > 0 {
		_, w.err = w.dst.Write(w.buf)
		if cap(w.buf) > 4*writeThreshold {
			w.buf = make([]byte, 0, 16*1024)
		} else {
			w.buf = w.buf[:0]
		}
	}
	return w.err
}

func (w *writer) maybeFlush() {
	if len(w.buf) >= writeThreshold && !w.hold {
		_ = w.flush()
	}
}

func (w *writer) line(prefix byte, s string) {
	w.buf = append(w.buf, prefix)
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *writer) header(prefix byte, n int64) {
	w.buf = append(w.buf, prefix)
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.buf = append(w.buf, '\r', '\n')
}

// simple writes a status reply (+OK).
func (w *writer) simple(s string) { w.line('+', s) }

// ok writes +OK.
func (w *writer) ok() { w.buf = append(w.buf, "+OK\r\n"...) }

// errorText writes an error reply; msg starts with its code (ERR, WRONGTYPE,
// ...). Like Redis, CR and LF inside it become spaces so the reply stays
// one line.
func (w *writer) errorText(msg string) {
	w.buf = append(w.buf, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, '\r', '\n')
	w.maybeFlush()
}

// integer writes :n.
func (w *writer) integer(n int64) { w.header(':', n) }

// boolInt writes :1 or :0 (how Redis answers yes/no commands in both
// protocols).
func (w *writer) boolInt(b bool) {
	if b {
		w.buf = append(w.buf, ":1\r\n"...)
	} else {
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// bulk writes a bulk string.
func (w *writer) bulk(b []byte) {
	w.header('$', int64(len(b)))
	if len(b) >= writeThreshold && !w.hold {
		if w.flush() == nil {
			_, w.err = w.dst.Write(b)
		}
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
	w.maybeFlush()
}

// bulkString writes a bulk string.
func (w *writer) bulkString(s string) {
	w.header('$', int64(len(s)))
	if len(s) >= writeThreshold && !w.hold {
		if w.flush() == nil {
			_, w.err = io.WriteString(w.dst, s)
		}
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
	w.maybeFlush()
}

// bulkInt writes an integer as a bulk string.
func (w *writer) bulkInt(n int64) {
	var tmp [24]byte
	w.bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// null writes a null bulk string ($-1, or _ in RESP3).
func (w *writer) null() {
	if w.proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "$-1\r\n"...)
	}
}

// nullArray writes a null array (*-1, or _ in RESP3).
func (w *writer) nullArray() {
	if w.proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "*-1\r\n"...)
	}
}

// array starts an array of n elements.
func (w *writer) array(n int) { w.header('*', int64(n)) }

// mapLen starts a map of n pairs (a flat array of 2n in RESP2).
func (w *writer) mapLen(n int) {
	if w.proto == 3 {
		w.header('%', int64(n))
	} else {
		w.header('*', int64(2*n))
	}
}

// setLen starts a set of n elements (an array in RESP2).
func (w *writer) setLen(n int) {
	if w.proto == 3 {
		w.header('~', int64(n))
	} else {
		w.header('*', int64(n))
	}
}

// push starts an out-of-band push message (an array in RESP2).
func (w *writer) push(n int) {
	if w.proto == 3 {
		w.header('>', int64(n))
	} else {
		w.header('*', int64(n))
	}
}

// double writes a double: RESP3's ,<float>, or Redis's bulk text in RESP2.
func (w *writer) double(f float64) {
	if w.proto != 3 {
		w.bulkString(engine.FormatFloat(f))
		return
	}
	// Redis 7.0 prints doubles as "%.17g" in both protocols (inf and -inf
	// spelled out), which is what engine.FormatFloat produces.
	w.line(',', engine.FormatFloat(f))
}

// verbatim writes a RESP3 verbatim string of format "txt" (a bulk string in
// RESP2), as Redis answers INFO and CLIENT LIST.
func (w *writer) verbatim(s string) {
	if w.proto != 3 {
		w.bulkString(s)
		return
	}
	w.header('=', int64(len(s)+4))
	w.buf = append(w.buf, "txt:"...)
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
	w.maybeFlush()
}
