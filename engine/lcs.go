package engine

import (
	"math"
	"strings"

	"github.com/isa-cloud/isa-memstore/store"
)

// LCS errors, with Redis's texts.
var (
	errLCSType    = ErrWrongType.withText("ERR The specified keys must contain string values")
	errLCSLenIdx  = invalidArg("ERR If you want both the length and indexes, please just use IDX.")
	errLCSTooLong = ErrTooLarge.withText("ERR String too long for LCS")
	errLCSMemory  = ErrTooLarge.withText("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
)

// LCSMatch is one matching range of LCS ... IDX: A and B are the inclusive
// byte ranges in the first and second string, Len their length.
type LCSMatch struct {
	A, B [2]int64
	Len  int64
}

// LCSResult is LCS's answer. Which fields mean something follows the
// options: Idx gives Matches and Len, LenOnly gives Len, else String.
type LCSResult struct {
	Idx, LenOnly, WithMatchLen bool
	String                     string
	Len                        int64
	Matches                    []LCSMatch
}

// LCS is Redis's LCS on the strings at keys a and b (missing keys are empty
// strings); opts are the raw options (LEN, IDX, MINMATCHLEN n,
// WITHMATCHLEN), parsed after the keys are looked up, as Redis does.
func (db *DB) LCS(a, b string, opts ...string) (res LCSResult, err error) {
	err = db.Atomic([]string{a, b}, func(t Txn) error { res, err = t.LCS(a, b, opts...); return err })
	return res, err
}

// LCS is LCS. Like Redis it builds the whole (len(a)+1)*(len(b)+1) table
// of 32-bit lengths, and refuses when that table would exceed 512 MB.
func (t Txn) LCS(ka, kb string, opts ...string) (LCSResult, error) {
	t.read()
	var res LCSResult
	ea, eb := t.tx.Read(ka), t.tx.Read(kb)
	if (ea != nil && ea.Type() != store.TypeString) || (eb != nil && eb.Type() != store.TypeString) {
		return res, errLCSType
	}
	var a, b string
	if ea != nil {
		a = ea.Str()
	}
	if eb != nil {
		b = eb.Str()
	}
	var minLen int64
	for j := 0; j < len(opts); j++ {
		switch o := opts[j]; {
		case strings.EqualFold(o, "idx"):
			res.Idx = true
		case strings.EqualFold(o, "len"):
			res.LenOnly = true
		case strings.EqualFold(o, "withmatchlen"):
			res.WithMatchLen = true
		case strings.EqualFold(o, "minmatchlen") && j+1 < len(opts):
			v, ok := parseInt(opts[j+1])
			if !ok {
				return res, ErrNotInteger
			}
			minLen = max(v, 0)
			j++
		default:
			return res, ErrSyntax
		}
	}
	if res.Idx && res.LenOnly {
		return res, errLCSLenIdx
	}
	if uint64(len(a)) >= math.MaxUint32-1 || uint64(len(b)) >= math.MaxUint32-1 {
		return res, errLCSTooLong
	}
	alen, blen := len(a), len(b)
	if cells := uint64(alen+1) * uint64(blen+1); cells*4 > MaxStringSize {
		return res, errLCSMemory
	}
	w := blen + 1
	tab := make([]uint32, (alen+1)*w)
	for i := 1; i <= alen; i++ {
		for j := 1; j <= blen; j++ {
			switch {
			case a[i-1] == b[j-1]:
				tab[i*w+j] = tab[(i-1)*w+j-1] + 1
			default:
				tab[i*w+j] = max(tab[(i-1)*w+j], tab[i*w+j-1])
			}
		}
	}
	total := tab[alen*w+blen]
	res.Len = int64(total)
	if res.LenOnly {
		return res, nil
	}
	// Walk back from the end as Redis does, so that among several LCSs
	// the same one is chosen and the ranges come out in the same order.
	out := make([]byte, total)
	idx := total
	const unset = -1
	aStart, aEnd, bStart, bEnd := int64(unset), int64(0), int64(0), int64(0)
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			out[idx-1] = a[i-1]
			if aStart == unset {
				aStart, aEnd, bStart, bEnd = int64(i-1), int64(i-1), int64(j-1), int64(j-1)
			} else if aStart == int64(i) && bStart == int64(j) {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if tab[(i-1)*w+j] > tab[i*w+j-1] {
				i--
			} else {
				j--
			}
			if aStart != unset {
				emit = true
			}
		}
		if emit {
			if n := aEnd - aStart + 1; res.Idx && (minLen == 0 || n >= minLen) {
				res.Matches = append(res.Matches, LCSMatch{A: [2]int64{aStart, aEnd}, B: [2]int64{bStart, bEnd}, Len: n})
			}
			aStart = unset
		}
	}
	res.String = bytesString(out)
	return res, nil
}
