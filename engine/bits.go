package engine

import (
	"math"
	"math/bits"
	"strings"
	"unsafe"

	"github.com/isa-cloud/isa-memstore/store"
)

// Bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD), as
// Redis 7.0. Bit 0 is the most significant bit of the first byte.
//
// Strings are immutable in the store (a reader may still hold the previous
// value after the transaction), so a write builds a new string: SETBIT and
// BITFIELD cost O(length) instead of Redis's O(1). That is the price of
// sharing values without copying them on every read.

// MaxBitOffset is the largest bit offset Redis accepts: the bit must fall
// inside a string of proto-max-bulk-len (512 MB) bytes.
const MaxBitOffset = MaxStringSize*8 - 1

// Error texts Redis gives for bitmap arguments.
var (
	errBitOffset    = ErrNotInteger.withText("ERR bit offset is not an integer or out of range")
	errBitValue     = ErrNotInteger.withText("ERR bit is not an integer or out of range")
	errBitArg       = invalidArg("ERR The bit argument must be 1 or 0.")
	errBitOpNot     = invalidArg("ERR BITOP NOT must be called with a single source key.")
	errBitFieldType = invalidArg("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
	errOverflowType = invalidArg("ERR Invalid OVERFLOW type specified")
	errBitFieldRO   = invalidArg("ERR BITFIELD_RO only supports the GET subcommand")
)

// ParseBitOffset parses a SETBIT/GETBIT offset as Redis does: an integer in
// [0, MaxBitOffset], else "ERR bit offset is not an integer or out of
// range".
func ParseBitOffset(s string) (int64, error) { return parseBitOffset(s, 0) }

// parseBitOffset is Redis's getBitOffsetFromArgument: with width > 0 a
// "#n" offset means n*width (BITFIELD).
func parseBitOffset(s string, width int) (int64, error) {
	hash := width > 0 && len(s) > 0 && s[0] == '#'
	if hash {
		s = s[1:]
	}
	v, ok := parseInt(s)
	if !ok || v < 0 {
		return 0, errBitOffset
	}
	if hash {
		if v > math.MaxInt64/int64(width) {
			return 0, errBitOffset
		}
		v *= int64(width)
	}
	if v>>3 >= MaxStringSize {
		return 0, errBitOffset
	}
	return v, nil
}

// ParseBitValue parses SETBIT's value: "0" or "1", else "ERR bit is not an
// integer or out of range".
func ParseBitValue(s string) (bool, error) {
	v, ok := parseInt(s)
	if !ok || v&^1 != 0 {
		return false, errBitValue
	}
	return v == 1, nil
}

// bytesString turns b into a string without a copy; b must never be
// written again.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// SetBit sets or clears the bit at offset in the string at key (creating
// or growing it with zero bytes) and returns the bit's previous value
// (SETBIT).
func (db *DB) SetBit(key string, offset int64, on bool) (old int64, err error) {
	err = db.run(key, func(t Txn) error { old, err = t.SetBit(key, offset, on); return err })
	return old, err
}

// SetBit is SETBIT: it returns the bit's previous value. The key keeps its
// TTL.
func (t Txn) SetBit(key string, offset int64, on bool) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	if offset < 0 || offset > MaxBitOffset {
		return 0, errBitOffset
	}
	e, err := stringEntry(t.tx, key)
	if err != nil {
		return 0, err
	}
	cur := ""
	if e != nil {
		cur = e.PeekStr()
	}
	byteIdx, mask := offset>>3, byte(0x80>>(offset&7))
	var old int64
	if byteIdx < int64(len(cur)) && cur[byteIdx]&mask != 0 {
		old = 1
	}
	if e != nil && byteIdx < int64(len(cur)) && (old == 1) == on {
		// Nothing changes, but Redis still counts the write (WATCH sees it).
		t.tx.MutateStr(key, e, 0, nil)
		return old, nil
	}
	writeString(t.tx, key, e, byteIdx+1, func(b []byte) {
		if on {
			b[byteIdx] |= mask
		} else {
			b[byteIdx] &^= mask
		}
	})
	return old, nil
}

// writeString changes the string at key in place, creating it when e (its
// entry) is nil: the value grows to at least n bytes and fn writes into
// it (store.Tx.MutateStr). Redis's SETBIT, SETRANGE and BITFIELD write
// into the string the same way, so the value is raw for OBJECT ENCODING
// in both.
func writeString(tx *store.Tx, key string, e *store.Entry, n int64, fn func(b []byte)) {
	if e == nil {
		e = tx.PutString(key, "")
	}
	tx.MutateStr(key, e, int(n), fn)
}

// peekString is Get for a read that keeps no part of the value (see
// store.Entry.PeekStr): GETBIT, BITCOUNT and BITPOS between writes into a
// large bitmap then leave those writes in place.
func (t Txn) peekString(key string) (string, bool, error) {
	e, err := t.readString(key)
	if e == nil {
		return "", false, err
	}
	return e.PeekStr(), true, nil
}

// GetBit returns the bit at offset in the string at key; 0 past its end or
// for a missing key (GETBIT).
func (db *DB) GetBit(key string, offset int64) (bit int64, err error) {
	err = db.run(key, func(t Txn) error { bit, err = t.GetBit(key, offset); return err })
	return bit, err
}

// GetBit is GETBIT.
func (t Txn) GetBit(key string, offset int64) (int64, error) {
	if offset < 0 || offset > MaxBitOffset {
		return 0, errBitOffset
	}
	s, _, err := t.peekString(key)
	if err != nil {
		return 0, err
	}
	if i := offset >> 3; i < int64(len(s)) && s[i]&(0x80>>(offset&7)) != 0 {
		return 1, nil
	}
	return 0, nil
}

// bitRange parses BITCOUNT/BITPOS's "start [end [BYTE|BIT]]" (args, after
// the key and, for BITPOS, the bit) for a string of n bytes, in Redis's
// order of checks. It returns the inclusive range in bits, whether an end
// was given, and empty when the range selects nothing. pos selects BITPOS's
// rules (the end is optional).
func bitRange(args []string, n int64, pos bool) (first, last int64, endGiven, empty bool, err error) {
	maxArgs := 3
	if len(args) == 0 {
		return 0, n*8 - 1, false, n == 0, nil
	}
	if len(args) > maxArgs || (!pos && len(args) < 2) {
		return 0, 0, false, false, ErrSyntax
	}
	start, ok := parseInt(args[0])
	if !ok {
		return 0, 0, false, false, ErrNotInteger
	}
	// BITCOUNT parses start, end, then the unit (after its shortcut for
	// two negative indexes in the wrong order); BITPOS start, unit, end.
	isBit := false
	unit := func() error {
		if len(args) == 3 {
			switch {
			case strings.EqualFold(args[2], "bit"):
				isBit = true
			case strings.EqualFold(args[2], "byte"):
			default:
				return ErrSyntax
			}
		}
		return nil
	}
	var end int64
	if pos {
		if err := unit(); err != nil {
			return 0, 0, false, false, err
		}
	}
	if len(args) >= 2 {
		if end, ok = parseInt(args[1]); !ok {
			return 0, 0, false, false, ErrNotInteger
		}
		endGiven = true
		if !pos && start < 0 && end < 0 && start > end {
			return 0, 0, true, true, nil
		}
	}
	if !pos {
		if err := unit(); err != nil {
			return 0, 0, false, false, err
		}
	}
	total := n
	if isBit {
		total = n * 8
	}
	if !endGiven {
		end = total - 1
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	if start > end {
		return 0, 0, endGiven, true, nil
	}
	if isBit {
		return start, end, endGiven, false, nil
	}
	return start * 8, end*8 + 7, endGiven, false, nil
}

// BitCount counts the set bits of the string at key, optionally within
// "start end [BYTE|BIT]" given as Redis's arguments (BITCOUNT). Like Redis,
// it looks the key up before parsing the range: a missing key counts 0
// whatever the range says.
func (db *DB) BitCount(key string, rangeArgs ...string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.BitCount(key, rangeArgs...); return err })
	return n, err
}

// BitCount is BITCOUNT; rangeArgs are the arguments after the key.
func (t Txn) BitCount(key string, rangeArgs ...string) (int64, error) {
	s, found, err := t.peekString(key)
	if err != nil || !found {
		return 0, err
	}
	first, last, _, empty, err := bitRange(rangeArgs, int64(len(s)), false)
	if err != nil || empty {
		return 0, err
	}
	return countBits(s, first, last), nil
}

// countBits counts the set bits of s in the inclusive bit range.
func countBits(s string, first, last int64) int64 {
	fb, lb := first>>3, last>>3
	var n int
	for i := fb; i <= lb; i++ {
		b := s[i]
		if i == fb {
			b &= 0xff >> (first & 7)
		}
		if i == lb {
			b &= 0xff << (7 - last&7)
		}
		n += bits.OnesCount8(b)
	}
	return int64(n)
}

// BitPos returns the position of the first bit set to bit (BITPOS), within
// "start [end [BYTE|BIT]]" given as Redis's arguments; bit is the raw
// argument ("0" or "1"). Not found is -1, except that looking for a 0
// without an explicit end answers the bit just past the string, as Redis
// (the string is seen as padded with zeros).
func (db *DB) BitPos(key, bit string, rangeArgs ...string) (pos int64, err error) {
	err = db.run(key, func(t Txn) error { pos, err = t.BitPos(key, bit, rangeArgs...); return err })
	return pos, err
}

// BitPos is BITPOS; bit and rangeArgs are the raw arguments after the key.
func (t Txn) BitPos(key, bit string, rangeArgs ...string) (int64, error) {
	b, ok := parseInt(bit)
	if !ok {
		return 0, ErrNotInteger
	}
	if b != 0 && b != 1 {
		return 0, errBitArg
	}
	s, found, err := t.peekString(key)
	if err != nil {
		return 0, err
	}
	if !found {
		if b == 1 {
			return -1, nil
		}
		return 0, nil
	}
	first, last, endGiven, empty, err := bitRange(rangeArgs, int64(len(s)), true)
	if err != nil {
		return 0, err
	}
	if empty {
		return -1, nil
	}
	if p := findBit(s, first, last, b == 1); p >= 0 {
		return p, nil
	}
	if b == 0 && !endGiven {
		// Redis's redisBitpos reports the first bit after the bytes it
		// scanned when they hold no 0: the range ends at a byte boundary
		// here (its end is the last byte or, in BIT mode, the last bit).
		return (last>>3 + 1) * 8, nil
	}
	return -1, nil
}

// findBit returns the first bit in the inclusive range equal to set, or -1.
func findBit(s string, first, last int64, set bool) int64 {
	fb, lb := first>>3, last>>3
	for i := fb; i <= lb; i++ {
		b := s[i]
		if !set {
			b = ^b
		}
		if i == fb {
			b &= 0xff >> (first & 7)
		}
		if i == lb {
			b &= 0xff << (7 - last&7)
		}
		if b != 0 {
			return i*8 + int64(bits.LeadingZeros8(b))
		}
	}
	return -1
}

// BitOp is a BITOP operation.
type BitOp uint8

// The BITOP operations.
const (
	BitAnd BitOp = iota
	BitOr
	BitXor
	BitNot
)

// ParseBitOp parses BITOP's operation name (case-insensitive), else
// ErrSyntax as Redis.
func ParseBitOp(s string) (BitOp, error) {
	switch {
	case strings.EqualFold(s, "and"):
		return BitAnd, nil
	case strings.EqualFold(s, "or"):
		return BitOr, nil
	case strings.EqualFold(s, "xor"):
		return BitXor, nil
	case strings.EqualFold(s, "not"):
		return BitNot, nil
	}
	return 0, ErrSyntax
}

// BitOp stores the bitwise op of the strings at srcs into dst and returns
// its length (BITOP). Missing keys are empty strings, shorter strings are
// padded with zeros; an empty result deletes dst.
func (db *DB) BitOp(op BitOp, dst string, srcs ...string) (n int64, err error) {
	keys := append([]string{dst}, srcs...)
	err = db.Atomic(keys, func(t Txn) error { n, err = t.BitOp(op, dst, srcs...); return err })
	return n, err
}

// BitOp is BITOP. The result replaces dst (without a TTL), as SET does.
func (t Txn) BitOp(op BitOp, dst string, srcs ...string) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	if op == BitNot && len(srcs) != 1 {
		return 0, errBitOpNot
	}
	if len(srcs) == 0 {
		return 0, wrongArgs("bitop")
	}
	vals := make([]string, len(srcs))
	maxLen := 0
	for i, k := range srcs {
		e := t.tx.Read(k)
		if e == nil {
			continue
		}
		if e.Type() != store.TypeString {
			return 0, ErrWrongType
		}
		vals[i] = e.PeekStr() // read only until out is built
		maxLen = max(maxLen, len(vals[i]))
	}
	if maxLen == 0 {
		t.tx.Delete(dst)
		return 0, nil
	}
	out := make([]byte, maxLen)
	copy(out, vals[0])
	switch op {
	case BitNot:
		for j := range out {
			out[j] = ^out[j]
		}
	case BitAnd:
		for _, v := range vals[1:] {
			for j := range out {
				if j < len(v) {
					out[j] &= v[j]
				} else {
					out[j] = 0
				}
			}
		}
	case BitOr:
		for _, v := range vals[1:] {
			for j := 0; j < len(v); j++ {
				out[j] |= v[j]
			}
		}
	case BitXor:
		for _, v := range vals[1:] {
			for j := 0; j < len(v); j++ {
				out[j] ^= v[j]
			}
		}
	}
	putString(t.tx, dst, t.tx.Get(dst), bytesString(out))
	return int64(maxLen), nil
}

// Overflow is BITFIELD's overflow behaviour.
type Overflow uint8

// BITFIELD's OVERFLOW modes.
const (
	OverflowWrap Overflow = iota
	OverflowSat
	OverflowFail
)

// BitFieldOpKind is a BITFIELD subcommand.
type BitFieldOpKind uint8

// BITFIELD's subcommands.
const (
	BitFieldGet BitFieldOpKind = iota
	BitFieldSet
	BitFieldIncrBy
)

// BitFieldOp is one BITFIELD operation on a field of Bits bits (1-64
// signed, 1-63 unsigned) at bit Offset.
type BitFieldOp struct {
	Kind     BitFieldOpKind
	Signed   bool
	Bits     int
	Offset   int64
	Value    int64 // SET's value or INCRBY's increment
	Overflow Overflow
}

// ParseBitField parses BITFIELD's arguments after the key, with Redis's
// checks in Redis's order.
func ParseBitField(args []string) ([]BitFieldOp, error) {
	var ops []BitFieldOp
	ow := OverflowWrap
	for j := 0; j < len(args); j++ {
		rem := len(args) - j - 1
		var op BitFieldOp
		switch sub := args[j]; {
		case strings.EqualFold(sub, "get") && rem >= 2:
			op.Kind = BitFieldGet
		case strings.EqualFold(sub, "set") && rem >= 3:
			op.Kind = BitFieldSet
		case strings.EqualFold(sub, "incrby") && rem >= 3:
			op.Kind = BitFieldIncrBy
		case strings.EqualFold(sub, "overflow") && rem >= 1:
			j++
			switch name := args[j]; {
			case strings.EqualFold(name, "wrap"):
				ow = OverflowWrap
			case strings.EqualFold(name, "sat"):
				ow = OverflowSat
			case strings.EqualFold(name, "fail"):
				ow = OverflowFail
			default:
				return nil, errOverflowType
			}
			continue
		default:
			return nil, ErrSyntax
		}
		t := args[j+1]
		if len(t) == 0 || (t[0] != 'i' && t[0] != 'u') {
			return nil, errBitFieldType
		}
		op.Signed = t[0] == 'i'
		n, ok := parseInt(t[1:])
		if !ok || n < 1 || (op.Signed && n > 64) || (!op.Signed && n > 63) {
			return nil, errBitFieldType
		}
		op.Bits = int(n)
		off, err := parseBitOffset(args[j+2], op.Bits)
		if err != nil {
			return nil, err
		}
		op.Offset = off
		if op.Kind != BitFieldGet {
			v, ok := parseInt(args[j+3])
			if !ok {
				return nil, ErrNotInteger
			}
			op.Value = v
			j++
		}
		op.Overflow = ow
		ops = append(ops, op)
		j += 2
	}
	return ops, nil
}

// BitFieldResult is one BITFIELD reply: Nil is set when an OVERFLOW FAIL
// operation overflowed (and wrote nothing).
type BitFieldResult struct {
	Value int64
	Nil   bool
}

// BitField runs ops on the string at key (BITFIELD; BITFIELD_RO with
// readOnly, which refuses any SET or INCRBY). Unsigned 63-bit values fit
// in Value.
func (db *DB) BitField(key string, ops []BitFieldOp, readOnly bool) (out []BitFieldResult, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.BitField(key, ops, readOnly); return err })
	return out, err
}

// BitField is BITFIELD / BITFIELD_RO.
func (t Txn) BitField(key string, ops []BitFieldOp, readOnly bool) ([]BitFieldResult, error) {
	writes := false
	var highest int64 = -1
	for _, op := range ops {
		if op.Bits < 1 || op.Bits > 64 || (!op.Signed && op.Bits > 63) {
			return nil, errBitFieldType
		}
		if op.Offset < 0 || op.Offset > MaxBitOffset {
			return nil, errBitOffset
		}
		if op.Kind != BitFieldGet {
			writes = true
			highest = max(highest, op.Offset+int64(op.Bits)-1)
		}
	}
	if !writes {
		s, _, err := t.peekString(key)
		if err != nil {
			return nil, err
		}
		out := make([]BitFieldResult, len(ops))
		for i, op := range ops {
			out[i].Value = getField(s, op)
		}
		return out, nil
	}
	if readOnly {
		t.read()
		return nil, errBitFieldRO
	}
	if err := t.write(); err != nil {
		return nil, err
	}
	e, err := stringEntry(t.tx, key)
	if err != nil {
		return nil, err
	}
	// Like Redis, the string grows to the highest field written even when
	// an OVERFLOW FAIL then writes nothing.
	out := make([]BitFieldResult, len(ops))
	writeString(t.tx, key, e, highest>>3+1, func(b []byte) { bitFieldWrite(b, ops, out) })
	return out, nil
}

// bitFieldWrite runs BITFIELD's operations on b, in order, into out.
func bitFieldWrite(b []byte, ops []BitFieldOp, out []BitFieldResult) {
	for i, op := range ops {
		if op.Kind == BitFieldGet {
			out[i].Value = getField(bytesString(b), op)
			continue
		}
		old := getField(bytesString(b), op)
		var nv, ret int64
		var over bool
		if op.Signed {
			if op.Kind == BitFieldIncrBy {
				w, o := signedOverflow(old, op.Value, op.Bits, op.Overflow)
				nv, over = old+op.Value, o
				if o {
					nv = w
				}
				ret = nv
			} else {
				w, o := signedOverflow(op.Value, 0, op.Bits, op.Overflow)
				nv, over = op.Value, o
				if o {
					nv = w
				}
				ret = old
			}
		} else {
			if op.Kind == BitFieldIncrBy {
				w, o := unsignedOverflow(uint64(old), op.Value, op.Bits, op.Overflow)
				nv, over = int64(uint64(old)+uint64(op.Value)), o
				if o {
					nv = int64(w)
				}
				ret = nv
			} else {
				w, o := unsignedOverflow(uint64(op.Value), 0, op.Bits, op.Overflow)
				nv, over = op.Value, o
				if o {
					nv = int64(w)
				}
				ret = old
			}
		}
		if over && op.Overflow == OverflowFail {
			out[i].Nil = true
			continue
		}
		out[i].Value = ret
		setField(b, op, uint64(nv))
	}
}

// getField reads op's field from s, zero-padded past its end, sign-extended
// for a signed field.
func getField(s string, op BitFieldOp) int64 {
	var v uint64
	for i := int64(0); i < int64(op.Bits); i++ {
		off := op.Offset + i
		bit := uint64(0)
		if by := off >> 3; by < int64(len(s)) && s[by]&(0x80>>(off&7)) != 0 {
			bit = 1
		}
		v = v<<1 | bit
	}
	if op.Signed && op.Bits < 64 && v&(1<<(op.Bits-1)) != 0 {
		v |= math.MaxUint64 << op.Bits
	}
	return int64(v)
}

// setField writes the low op.Bits bits of v into b at op's offset; b is
// long enough.
func setField(b []byte, op BitFieldOp, v uint64) {
	for i := 0; i < op.Bits; i++ {
		off := op.Offset + int64(i)
		mask := byte(0x80 >> (off & 7))
		if v>>(op.Bits-1-i)&1 != 0 {
			b[off>>3] |= mask
		} else {
			b[off>>3] &^= mask
		}
	}
}

// unsignedOverflow is Redis's checkUnsignedBitfieldOverflow: whether
// value+incr leaves [0, 2^bits-1], and the value to store instead under
// WRAP or SAT.
func unsignedOverflow(value uint64, incr int64, bits int, ow Overflow) (uint64, bool) {
	maxv := uint64(1)<<bits - 1
	maxIncr := int64(maxv - value)
	minIncr := -int64(value)
	wrap := func() uint64 { return (value + uint64(incr)) &^ (math.MaxUint64 << bits) }
	if value > maxv || (incr > 0 && incr > maxIncr) {
		if ow == OverflowWrap {
			return wrap(), true
		}
		return maxv, true
	}
	if incr < 0 && incr < minIncr {
		if ow == OverflowWrap {
			return wrap(), true
		}
		return 0, true
	}
	return 0, false
}

// signedOverflow is Redis's checkSignedBitfieldOverflow.
func signedOverflow(value, incr int64, bits int, ow Overflow) (int64, bool) {
	maxv := int64(math.MaxInt64)
	if bits < 64 {
		maxv = 1<<(bits-1) - 1
	}
	minv := -maxv - 1
	maxIncr := int64(uint64(maxv) - uint64(value))
	minIncr := minv - value
	wrap := func() int64 {
		c := uint64(value) + uint64(incr)
		if bits < 64 {
			mask := uint64(math.MaxUint64) << bits
			if c&(1<<(bits-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		return int64(c)
	}
	if value > maxv || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr) {
		if ow == OverflowWrap {
			return wrap(), true
		}
		return maxv, true
	}
	if value < minv || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr) {
		if ow == OverflowWrap {
			return wrap(), true
		}
		return minv, true
	}
	return 0, false
}
