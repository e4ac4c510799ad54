# Developer entry points. CI runs `bash .ci/run` (also `make ci`).
# Tools (staticcheck, benchstat) come from the pinned tools module via
# `go tool -modfile=tools/go.mod`, so nothing is installed globally.

SHELL := /bin/bash
GO ?= go
FUZZTIME ?= 30s
TOOLS_MOD := tools/go.mod
BENCH_OUT := bench/out
REDIS_DIR ?= $(BENCH_OUT)/redis

.PHONY: all test race short lint bench bench-baseline fuzz gen gen-check redis-start redis-stop ci

all: lint test

## test: the README's test command
test:
	$(GO) test -race ./...

## race: same as test (kept for muscle memory)
race: test

## short: quick run without the race detector
short:
	$(GO) test ./...

## lint: gofmt, go vet, and staticcheck when the tools module exists
lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "not gofmt'd:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@if [ -f $(TOOLS_MOD) ]; then \
		echo "$(GO) tool -modfile=$(TOOLS_MOD) staticcheck ./..."; \
		$(GO) tool -modfile=$(TOOLS_MOD) staticcheck ./...; \
	else echo "staticcheck skipped: $(TOOLS_MOD) does not exist"; fi

## bench: run benchmarks 10x into bench/out/new.txt and compare with bench/baseline.txt.
## Every benchmark of every package takes well over half an hour on 2 cores;
## the saved baseline holds the hot paths, which this runs by default:
## BENCH and BENCH_PKGS choose others (BENCH=. BENCH_PKGS=./... for all).
BENCH ?= ^Benchmark(Embedded|Get|GetParallel|GetInCache|GetFloorMap|Set|SetParallel)$$
BENCH_PKGS ?= ./bench/cmd/compare ./engine
bench:
	@mkdir -p $(BENCH_OUT)
	$(GO) test -run='^$$' -bench='$(BENCH)' -benchmem -count=10 $(BENCH_PKGS) > $(BENCH_OUT)/new.txt
	@if [ -f bench/baseline.txt ] && [ -f $(TOOLS_MOD) ]; then \
		$(GO) tool -modfile=$(TOOLS_MOD) benchstat bench/baseline.txt $(BENCH_OUT)/new.txt; \
	elif [ -f $(TOOLS_MOD) ]; then \
		$(GO) tool -modfile=$(TOOLS_MOD) benchstat $(BENCH_OUT)/new.txt; \
		echo "no bench/baseline.txt yet: 'make bench-baseline' saves this run as the baseline"; \
	else cat $(BENCH_OUT)/new.txt; echo "benchstat skipped: $(TOOLS_MOD) does not exist"; fi

## bench-baseline: save the last `make bench` run as bench/baseline.txt
bench-baseline:
	@test -f $(BENCH_OUT)/new.txt || { echo "run 'make bench' first"; exit 1; }
	cp $(BENCH_OUT)/new.txt bench/baseline.txt

## fuzz: every fuzz target for FUZZTIME (default 30s) each
fuzz:
	bash scripts/fuzz-all.sh $(FUZZTIME)

## gen: regenerate api/redispb from the .proto
gen:
	bash scripts/gen-proto.sh

## gen-check: fail when the checked-in generated code is stale
gen-check:
	bash scripts/gen-proto.sh --check

## redis-start: a throwaway redis-server; export the printed address as ISA_MEMSTORE_TEST_REDIS_ADDR
redis-start:
	@addr=$$(bash scripts/redis-test-server.sh start $(REDIS_DIR)) && \
		echo "export ISA_MEMSTORE_TEST_REDIS_ADDR=$$addr"

## redis-stop: stop the server started by redis-start
redis-stop:
	bash scripts/redis-test-server.sh stop $(REDIS_DIR)

## ci: what CI runs
ci:
	bash .ci/run
