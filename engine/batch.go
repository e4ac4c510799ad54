package engine

import (
	"strconv"
	"time"
)

// BatchOp is one operation of an atomic batch. Which fields matter depends
// on Op; the others are ignored.
type BatchOp struct {
	// Op is the operation's name, case-insensitive: SET, GET, DEL (or
	// DELETE), INCR, DECR, EXPIRE, APPEND, HSET, HGET.
	Op  string
	Key string
	// Value is SET's, APPEND's and HSET's value.
	Value string
	// Field is HSET's and HGET's hash field.
	Field string
	// TTL is SET's expiry (0: none, negative: an error) and EXPIRE's time
	// to live (<= 0 deletes the key, as Redis's EXPIRE).
	TTL time.Duration
	// Delta is INCR's and DECR's amount; 0 means 1, as the RPCs define it.
	Delta int64
}

// BatchResult is one operation's outcome. Err set means the operation
// failed and changed nothing; the other operations still ran.
type BatchResult struct {
	// Value is GET's and HGET's value, and INCR's and DECR's new value as
	// text.
	Value string
	// Found is GET's "the key holds a string", HGET's "the field exists",
	// DEL's and EXPIRE's "the key existed", and true for the operations that
	// always produce a value.
	Found bool
	// Int is INCR's and DECR's new value, APPEND's new length, DEL's count,
	// EXPIRE's 1 (set) or 0, and HSET's number of new fields.
	Int int64
	Err error
}

// batchFunc runs one batch operation inside the batch's transaction.
type batchFunc func(t Txn, op *BatchOp) (BatchResult, error)

// batchOps maps lower-case operation names to their implementation. Every
// row is a thin adapter over the Txn command method, so a batch has exactly
// the semantics of the single commands; adding an operation is one row.
var batchOps = map[string]batchFunc{
	"set": func(t Txn, op *BatchOp) (BatchResult, error) {
		_, err := t.Set(op.Key, op.Value, SetOptions{TTL: op.TTL})
		return BatchResult{Found: true}, err
	},
	"get": func(t Txn, op *BatchOp) (BatchResult, error) {
		v, found, err := t.Get(op.Key)
		return BatchResult{Value: v, Found: found}, err
	},
	"del":    batchDel,
	"delete": batchDel,
	"incr": func(t Txn, op *BatchOp) (BatchResult, error) {
		return intResult(t.IncrBy(op.Key, deltaOrOne(op.Delta)))
	},
	"decr": func(t Txn, op *BatchOp) (BatchResult, error) {
		return intResult(t.DecrBy(op.Key, deltaOrOne(op.Delta)))
	},
	"expire": func(t Txn, op *BatchOp) (BatchResult, error) {
		ok, err := t.Expire(op.Key, op.TTL, 0)
		return BatchResult{Found: ok, Int: boolInt(ok)}, err
	},
	"append": func(t Txn, op *BatchOp) (BatchResult, error) {
		n, err := t.Append(op.Key, op.Value)
		return BatchResult{Found: true, Int: n}, err
	},
	"hset": func(t Txn, op *BatchOp) (BatchResult, error) {
		n, err := t.HSet(op.Key, FieldValue{Field: op.Field, Value: op.Value})
		return BatchResult{Found: true, Int: n}, err
	},
	"hget": func(t Txn, op *BatchOp) (BatchResult, error) {
		v, found, err := t.HGet(op.Key, op.Field)
		return BatchResult{Value: v, Found: found}, err
	},
}

func batchDel(t Txn, op *BatchOp) (BatchResult, error) {
	n := t.Del(op.Key)
	return BatchResult{Found: n > 0, Int: n}, nil
}

func intResult(v int64, err error) (BatchResult, error) {
	if err != nil {
		return BatchResult{}, err
	}
	return BatchResult{Value: strconv.FormatInt(v, 10), Found: true, Int: v}, nil
}

func deltaOrOne(d int64) int64 {
	if d == 0 {
		return 1
	}
	return d
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// batchFuncFor returns the implementation of the operation called name,
// in any case. Names are lowered into a stack buffer: the map lookup with
// string(bytes) does not allocate, where strings.ToLower would for every
// upper-case name (the usual spelling).
func batchFuncFor(name string) (batchFunc, bool) {
	var buf [16]byte
	if len(name) > len(buf) {
		return nil, false // longer than any operation's name
	}
	b := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	f, ok := batchOps[string(b)]
	return f, ok
}

// unknownCommand is Redis's reply to a command it does not know.
func unknownCommand(op *BatchOp) error {
	return ErrUnknownCommand.withText("ERR unknown command '" + op.Op + "', with args beginning with: '" + op.Key + "' ")
}

// Batch runs ops in order in one transaction over their keys, so no other
// caller observes a partial batch (Redis MULTI/EXEC). It returns one result
// per op. An operation that fails (wrong type, not an integer, an unknown
// operation: ErrUnknownCommand, the memory limit...) reports its error in
// its result and does not undo the others. The error return is only for
// the batch as a whole (ErrClosed).
func (db *DB) Batch(ops []BatchOp) ([]BatchResult, error) {
	out := make([]BatchResult, len(ops))
	if len(ops) == 0 {
		_, err := db.begin()
		return out, err
	}
	keys := make([]string, len(ops))
	for i := range ops {
		keys[i] = ops[i].Key
	}
	err := db.Atomic(keys, func(t Txn) error {
		for i := range ops {
			op := &ops[i]
			f, ok := batchFuncFor(op.Op)
			if !ok {
				out[i].Err = unknownCommand(op)
				continue
			}
			res, err := f(t, op)
			if err != nil {
				res = BatchResult{Err: err}
			}
			out[i] = res
		}
		return nil
	})
	return out, err
}
