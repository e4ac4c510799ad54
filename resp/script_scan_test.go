package resp

import (
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// A script pages through large collections with HSCAN, SSCAN and ZSCAN
// and sees every element exactly once.
func TestScriptScans(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2)
	const n = 3 * smallCollection
	for i := 0; i < n; i++ {
		require.NoError(t, rdb.HSet(ctx, "h", fmt.Sprintf("f%d", i), i).Err())
		require.NoError(t, rdb.SAdd(ctx, "s", fmt.Sprintf("m%d", i)).Err())
		require.NoError(t, rdb.ZAdd(ctx, "z", redis.Z{Score: float64(i) + 0.5, Member: fmt.Sprintf("m%d", i)}).Err())
	}
	// Each scan's elements (pairs flattened) are counted per name; the
	// script answers the number of distinct names, of duplicates, and
	// the sum of the values.
	src := `
local seen, dups, sum, cursor = {}, 0, 0, '0'
repeat
  local r = redis.call(ARGV[1], KEYS[1], cursor, 'count', 7)
  cursor = r[1]
  local step = (ARGV[1] == 'sscan') and 1 or 2
  for i = 1, #r[2], step do
    local name = r[2][i]
    if seen[name] then dups = dups + 1 end
    seen[name] = true
    if step == 2 then sum = sum + tonumber(r[2][i + 1]) end
  end
until cursor == '0'
local distinct = 0
for _ in pairs(seen) do distinct = distinct + 1 end
return {distinct, dups, tostring(sum)}`
	for _, tc := range []struct {
		cmd, key string
		sum      string
	}{
		{"hscan", "h", fmt.Sprint(n * (n - 1) / 2)},
		{"sscan", "s", "0"},
		{"zscan", "z", fmt.Sprint(n * n / 2)},
	} {
		got, err := rdb.Eval(ctx, src, []string{tc.key}, tc.cmd).Slice()
		require.NoError(t, err, tc.cmd)
		require.Equal(t, []any{int64(n), int64(0), tc.sum}, got, tc.cmd)
	}
	// MATCH filters inside the script too.
	got, err := rdb.Eval(ctx, `return redis.call('sscan', KEYS[1], 0, 'match', 'm1', 'count', 1000)`, []string{"s"}).Slice()
	require.NoError(t, err)
	require.Equal(t, []any{"0", []any{"m1"}}, got)
}
