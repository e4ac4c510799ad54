// Package archtest enforces the dependency rule of the architecture
// (shared/design/architecture.md, "Dependency rule") as a plain Go test, so a
// wrong import fails `go test ./...` instead of surviving until review.
//
// It reads every package of the module with go/build (file headers only: no
// type checking, no network, no `go list`), then checks each module-internal
// import against the table below and checks that nothing at or below engine
// reaches gRPC, protobuf or api/ (directly or through another module package).
package archtest

import (
	"bufio"
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// rule says which module packages (module-relative paths) one package may
// import. A pattern "x/..." matches x and everything below it; "..." matches
// every module package.
type rule struct {
	// allow applies to non-test files: the architecture proper.
	allow []string
	// testAllow widens allow for _test.go files only, e.g. client tests that
	// need a real server to talk to.
	testAllow []string
}

// rules is the dependency table: one line per package (or "dir/..." family).
// Adding a package means adding one line here; a package missing from the
// table fails the test, so nobody gets a layer by accident.
var rules = map[string]rule{
	// The binary wires everything together.
	"cmd/isa-memstore": {
		allow:     []string{"grpcserver", "grpcserver/redisbackend", "engine", "resp", "ttl", "api/redispb", "internal/..."},
		testAllow: []string{"client"},
	},
	// The gRPC adapter: engine + wire types, no semantics of its own.
	"grpcserver": {
		allow:     []string{"engine", "api/redispb", "pubsub", "ttl", "internal/..."},
		testAllow: []string{"client", "store"},
	},
	// The Redis-backed Backend: grpcserver's layer, data in a real Redis.
	"grpcserver/redisbackend": {allow: []string{"grpcserver", "engine", "pubsub", "internal/..."}, testAllow: []string{"api/redispb", "ttl"}},
	// A future RESP (redis protocol) front end: same layer as grpcserver.
	"resp": {allow: []string{"engine", "pubsub", "ttl", "internal/..."}},
	// The embeddable database.
	"engine": {allow: []string{"store", "ttl", "pubsub", "internal/..."}},
	"store":  {allow: []string{"ttl", "internal/..."}},
	// Leaves.
	"ttl":    {},
	"pubsub": {allow: []string{"internal/glob"}},
	// The Go client speaks only the wire API; its tests start a real server.
	"client": {
		allow:     []string{"api/redispb"},
		testAllow: []string{"grpcserver", "engine", "ttl", "internal/..."},
	},
	"api/redispb": {},
	// A future conformance kit run against every way in.
	"memstoretest": {allow: []string{"client", "engine", "grpcserver", "ttl", "resp", "api/redispb", "internal/..."}},
	// Benchmarks and comparison programs measure everything.
	"bench/...": {allow: []string{"..."}},
	// Plumbing: nothing above them.
	"internal/glob":      {},
	"internal/testredis": {},
	"internal/testcert":  {},
	"internal/archtest":  {},
	// The black-box RedisService suite: speaks only the wire API, so it can
	// check any server (binary, in-process, Redis-backed).
	"internal/conformance": {allow: []string{"api/redispb"}},
}

// defaultTestAllow may be imported by any package's _test.go files.
var defaultTestAllow = []string{"internal/testredis", "internal/testcert"}

// testOnly packages exist for tests: a non-test file importing one fails
// even where a pattern like "internal/..." would otherwise allow it.
var testOnly = []string{"internal/testredis", "internal/testcert"}

// transportFree packages (everything at or below engine) must not reach the
// wire layer, not even through another module package, test files included:
// the engine is embeddable without dragging gRPC in.
var transportFree = []string{"engine", "store", "ttl", "pubsub", "internal/glob"}

// transportExternal are import path prefixes of the wire layer.
var transportExternal = []string{
	"google.golang.org/grpc",
	"google.golang.org/protobuf",
	"google.golang.org/genproto",
	"github.com/golang/protobuf",
}

// transportInternal are module patterns of the wire layer.
var transportInternal = []string{"api/...", "grpcserver", "client"}

// pkgImports is what one package imports, as full import paths.
type pkgImports struct {
	imports     []string // non-test files
	testImports []string // _test.go files, in-package and external test package
}

// graph maps a module-relative package path ("engine", "internal/glob",
// "." for the module root) to its imports.
type graph map[string]pkgImports

func TestDependencyRule(t *testing.T) {
	root, modPath := moduleRoot(t)
	g, err := loadModule(root)
	if err != nil {
		t.Fatalf("reading packages under %s: %v", root, err)
	}
	// Guard against a walk that silently finds nothing and passes vacuously.
	if _, ok := g["internal/archtest"]; !ok {
		t.Fatalf("package walk under %s did not find internal/archtest itself; found %d packages", root, len(g))
	}
	t.Logf("checked %d packages: %s", len(g), strings.Join(sortedKeys(g), " "))
	msgs := check(modPath, g)
	for _, msg := range msgs {
		t.Error(msg)
	}
	if len(msgs) > 0 {
		t.Log("fix the import; if the architecture itself changed, change shared/design/architecture.md (\"Dependency rule\") and the `rules` table in internal/archtest/archtest_test.go together")
	}
}

// TestCheckerCatchesViolations proves the checker is not vacuous: it runs it
// on a synthetic module with one violation of each kind, and on a clean one.
func TestCheckerCatchesViolations(t *testing.T) {
	const mod = "example.com/m"
	// p turns module-relative paths into full import paths.
	p := func(rel ...string) []string {
		out := make([]string, len(rel))
		for i, r := range rel {
			out[i] = mod + "/" + r
		}
		return out
	}

	t.Run("clean", func(t *testing.T) {
		g := graph{
			"cmd/isa-memstore":   {imports: append(p("grpcserver", "engine"), "fmt")},
			"grpcserver":         {imports: append(p("engine", "api/redispb"), "google.golang.org/grpc"), testImports: p("client", "internal/testredis")},
			"engine":             {imports: p("store", "ttl", "pubsub"), testImports: p("engine", "internal/testredis")},
			"store":              {imports: p("ttl")},
			"ttl":                {imports: []string{"time"}},
			"pubsub":             {imports: p("internal/glob")},
			"internal/glob":      {},
			"internal/testredis": {imports: []string{"testing", "github.com/redis/go-redis/v9"}},
			"client":             {imports: append(p("api/redispb"), "google.golang.org/grpc"), testImports: p("grpcserver", "engine")},
			"api/redispb":        {imports: []string{"google.golang.org/protobuf/proto"}},
			"bench/e2e":          {imports: p("client", "engine", "grpcserver")},
		}
		if msgs := check(mod, g); len(msgs) != 0 {
			t.Fatalf("clean graph reported violations:\n%s", strings.Join(msgs, "\n"))
		}
	})

	cases := []struct {
		name string
		g    graph
		want string // fragment of the expected message
	}{
		{"upward import", graph{"engine": {imports: p("grpcserver")}, "grpcserver": {}}, `"engine" imports "grpcserver"`},
		{"leaf imports", graph{"ttl": {imports: p("store")}, "store": {}}, `"ttl" imports "store"`},
		{"client reaches engine", graph{"client": {imports: p("engine")}, "engine": {}}, `"client" imports "engine"`},
		{"unknown package", graph{"frobnicator": {}}, `"frobnicator" is not in the dependency table`},
		{"test file upward", graph{"store": {testImports: p("engine")}, "engine": {}}, `"store" (test files) imports "engine"`},
		{"test-only helper in non-test code", graph{"engine": {imports: p("internal/testredis")}, "internal/testredis": {}}, `"engine" imports test-only "internal/testredis"`},
		{"direct grpc", graph{"engine": {imports: []string{"google.golang.org/grpc/codes"}}}, `engine -> google.golang.org/grpc/codes`},
		{"grpc through a helper", graph{
			"store":         {imports: p("internal/glob")},
			"internal/glob": {imports: []string{"google.golang.org/protobuf/proto"}},
		}, `store -> internal/glob -> google.golang.org/protobuf/proto`},
		{"engine test imports api", graph{"engine": {testImports: p("api/redispb")}, "api/redispb": {}}, `engine (test files) -> api/redispb`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msgs := check(mod, tc.g)
			for _, m := range msgs {
				if strings.Contains(m, tc.want) {
					return
				}
			}
			t.Fatalf("want a violation containing %q, got:\n%s", tc.want, strings.Join(msgs, "\n"))
		})
	}
}

// check returns one human-readable message per violation, in a stable order.
func check(modPath string, g graph) []string {
	var msgs []string
	rel := func(imp string) (string, bool) { return relPath(modPath, imp) }

	for _, pkg := range sortedKeys(g) {
		r, ok := lookupRule(pkg)
		if !ok {
			msgs = append(msgs, fmt.Sprintf("package %q is not in the dependency table: add a line to `rules` in internal/archtest/archtest_test.go saying which module packages it may import (see shared/design/architecture.md)", pkg))
			continue
		}
		imps := g[pkg]
		for _, imp := range imps.imports {
			dep, internal := rel(imp)
			if !internal || dep == pkg {
				continue
			}
			if matchAny(testOnly, dep) && !containsExact(r.allow, dep) {
				msgs = append(msgs, fmt.Sprintf("%q imports test-only %q from a non-test file: only _test.go files may use it", pkg, dep))
				continue
			}
			if !matchAny(r.allow, dep) {
				msgs = append(msgs, fmt.Sprintf("%q imports %q: not allowed by the dependency rule (%q may import: %s)", pkg, dep, pkg, describe(r.allow)))
			}
		}
		testAllow := append(append(append([]string{}, r.allow...), r.testAllow...), defaultTestAllow...)
		for _, imp := range imps.testImports {
			dep, internal := rel(imp)
			if !internal || dep == pkg {
				continue
			}
			if !matchAny(testAllow, dep) {
				msgs = append(msgs, fmt.Sprintf("%q (test files) imports %q: not allowed (%q tests may import: %s)", pkg, dep, pkg, describe(testAllow)))
			}
		}
	}

	for _, pkg := range transportFree {
		imps, ok := g[pkg]
		if !ok {
			continue
		}
		if path := findTransport(modPath, g, pkg, imps.imports); path != "" {
			msgs = append(msgs, fmt.Sprintf("%s: nothing at or below engine may reach gRPC, protobuf or api/, found %s", pkg, path))
		}
		// The external test package imports pkg itself; that path is
		// already reported above, so leave it out of the test walk.
		var testStart []string
		for _, imp := range imps.testImports {
			if dep, internal := relPath(modPath, imp); !internal || dep != pkg {
				testStart = append(testStart, imp)
			}
		}
		if path := findTransport(modPath, g, pkg+" (test files)", testStart); path != "" {
			msgs = append(msgs, fmt.Sprintf("%s tests: nothing at or below engine may reach gRPC, protobuf or api/, found %s", pkg, path))
		}
	}
	return msgs
}

// findTransport walks the module-internal non-test imports reachable from
// start (breadth first, so the reported chain is a shortest one) and returns
// the first chain "from -> ... -> offender" that reaches the wire layer, or "".
func findTransport(modPath string, g graph, from string, start []string) string {
	type node struct {
		imp  string
		path string
	}
	queue := make([]node, 0, len(start))
	for _, imp := range sortedCopy(start) {
		queue = append(queue, node{imp, from})
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		dep, internal := relPath(modPath, n.imp)
		if !internal {
			if hasPrefixAny(transportExternal, n.imp) {
				return n.path + " -> " + n.imp
			}
			continue
		}
		chain := n.path + " -> " + dep
		if matchAny(transportInternal, dep) {
			return chain
		}
		if seen[dep] {
			continue
		}
		seen[dep] = true
		for _, next := range sortedCopy(g[dep].imports) {
			queue = append(queue, node{next, chain})
		}
	}
	return ""
}

// lookupRule finds the rule for pkg: an exact line first, then the longest
// "dir/..." line that covers it.
func lookupRule(pkg string) (rule, bool) {
	if r, ok := rules[pkg]; ok {
		return r, true
	}
	best, found := "", false
	for key := range rules {
		if strings.HasSuffix(key, "/...") && match(key, pkg) && len(key) > len(best) {
			best, found = key, true
		}
	}
	return rules[best], found
}

// match reports whether module-relative pkg matches pattern.
func match(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pattern == pkg
}

func matchAny(patterns []string, pkg string) bool {
	for _, p := range patterns {
		if match(p, pkg) {
			return true
		}
	}
	return false
}

func containsExact(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func hasPrefixAny(prefixes []string, imp string) bool {
	for _, p := range prefixes {
		if imp == p || strings.HasPrefix(imp, p+"/") {
			return true
		}
	}
	return false
}

func describe(patterns []string) string {
	if len(patterns) == 0 {
		return "no module package"
	}
	return strings.Join(patterns, ", ")
}

// relPath turns a full import path into a module-relative one, reporting
// whether it belongs to the module at all.
func relPath(modPath, imp string) (string, bool) {
	if imp == modPath {
		return ".", true
	}
	if rest, ok := strings.CutPrefix(imp, modPath+"/"); ok {
		return rest, true
	}
	return "", false
}

// moduleRoot finds the directory holding go.mod above the test's working
// directory and the module path it declares.
func moduleRoot(t *testing.T) (root, modPath string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
	modPath, err = readModulePath(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, modPath
}

func readModulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s: no module line", gomod)
}

// loadModule reads the imports of every package in the module rooted at root,
// skipping what the go tool skips (testdata, vendor, dirs starting with . or
// _) and nested modules (e.g. tools/ with its own go.mod).
func loadModule(root string) (graph, error) {
	ctx := build.Default
	g := graph{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != root {
			name := d.Name()
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		p, err := ctx.ImportDir(path, 0)
		if err != nil {
			var noGo *build.NoGoError
			if errors.As(err, &noGo) {
				return nil
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		g[rel] = pkgImports{
			imports:     p.Imports,
			testImports: append(append([]string{}, p.TestImports...), p.XTestImports...),
		}
		return nil
	})
	return g, err
}

func sortedKeys(g graph) []string {
	keys := make([]string, 0, len(g))
	for k := range g {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// TestLoadModule checks the loader on a module laid out on disk: imports are
// split into test and non-test, and nested modules, testdata and dot dirs are
// skipped the way the go tool skips them.
func TestLoadModule(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		path := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.26\n")
	write("engine/engine.go", "package engine\n\nimport _ \"example.com/m/store\"\n")
	write("engine/engine_test.go", "package engine\n\nimport _ \"example.com/m/internal/testredis\"\n")
	write("engine/x_test.go", "package engine_test\n\nimport _ \"example.com/m/engine\"\n")
	write("store/store.go", "package store\n\nimport _ \"google.golang.org/grpc\"\n")
	write("store/testdata/bad.go", "package bad\n\nimport _ \"example.com/m/engine\"\n")
	write("tools/go.mod", "module example.com/m/tools\n")
	write("tools/tools.go", "package tools\n\nimport _ \"example.com/m/engine\"\n")
	write(".hidden/h.go", "package h\n")
	write("scripts/run.sh", "#!/bin/sh\n")

	modPath, err := readModulePath(filepath.Join(root, "go.mod"))
	if err != nil || modPath != "example.com/m" {
		t.Fatalf("readModulePath = %q, %v", modPath, err)
	}
	g, err := loadModule(root)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(sortedKeys(g), " "), "engine store"; got != want {
		t.Fatalf("packages = %q, want %q", got, want)
	}
	if got := strings.Join(g["engine"].imports, " "); got != "example.com/m/store" {
		t.Errorf("engine imports = %q", got)
	}
	if got := strings.Join(sortedCopy(g["engine"].testImports), " "); got != "example.com/m/engine example.com/m/internal/testredis" {
		t.Errorf("engine test imports = %q", got)
	}
	msgs := check(modPath, g)
	if len(msgs) != 2 || !strings.Contains(msgs[0]+msgs[1], "store -> google.golang.org/grpc") {
		t.Errorf("want exactly the store->grpc violation reached from engine and store, got:\n%s", strings.Join(msgs, "\n"))
	}
}
