package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// config is everything the binary can be told, by flag or environment.
type config struct {
	addr            string
	respAddr        string
	respBusyPoll    time.Duration
	logFormat       string
	logLevel        slog.Level
	tlsCert, tlsKey string
	token           string
	tokenFile       string
	maxMessageBytes int
	limits          grpcserver.Limits
	maxMemory       int64
	backend         string
	redis           redisConfig
	shutdownTimeout time.Duration
	consulAddr      string
	consulService   string
	consulHost      string
	consulInterval  time.Duration
	showVersion     bool
	showHelp        bool
}

// envPrefix prefixes the environment equivalent of every flag: --max-key-bytes
// is also ISA_MEMSTORE_MAX_KEY_BYTES.
const envPrefix = "ISA_MEMSTORE_"

// legacyPortEnv is the earlier service's port variable, honoured so that
// isa-memstore is a drop-in replacement: it sets the port when neither
// --addr nor ISA_MEMSTORE_ADDR is given.
const legacyPortEnv = "ISA_CLOUD_REDIS_GRPC_PORT"

// envName is the environment variable of flag name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// noEnv are flags without an environment equivalent.
var noEnv = map[string]bool{"version": true, "help": true}

// errHelp is returned by parseConfig after printing the usage for --help.
var errHelp = errors.New("help requested")

// levelFlag parses a slog level name.
type levelFlag struct{ l *slog.Level }

func (f levelFlag) String() string {
	if f.l == nil {
		return ""
	}
	return strings.ToLower(f.l.String())
}

func (f levelFlag) Set(s string) error {
	switch strings.ToLower(s) {
	case "debug", "info", "warn", "error":
		return f.l.UnmarshalText([]byte(s))
	}
	return fmt.Errorf("want debug, info, warn or error")
}

// formatFlag accepts "text" or "json".
type formatFlag struct{ s *string }

func (f formatFlag) String() string {
	if f.s == nil {
		return ""
	}
	return *f.s
}

func (f formatFlag) Set(s string) error {
	if s != "text" && s != "json" {
		return fmt.Errorf("want text or json")
	}
	*f.s = s
	return nil
}

// parseConfig reads flags from args and, for flags not given, their
// environment equivalents through getenv. On --help it prints the usage to
// out and returns errHelp.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (*config, error) {
	c := &config{
		addr:            ":50055",
		logFormat:       "text",
		logLevel:        slog.LevelInfo,
		maxMessageBytes: grpcserver.DefaultMaxMessageBytes,
		limits: grpcserver.Limits{
			MaxKeyBytes:     grpcserver.DefaultMaxKeyBytes,
			MaxIDBytes:      grpcserver.DefaultMaxIDBytes,
			MaxElements:     grpcserver.DefaultMaxElements,
			ListKeysDefault: grpcserver.DefaultListKeysLimit,
			ListKeysMax:     grpcserver.DefaultListKeysMax,
		},
		shutdownTimeout: 10 * time.Second,
		consulService:   "redis-grpc-service",
		consulInterval:  10 * time.Second,
	}
	fs := flag.NewFlagSet("isa-memstore", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, usage printed on --help only
	fs.StringVar(&c.addr, "addr", c.addr, "`host:port` to listen on (env "+legacyPortEnv+" sets the port when neither --addr nor its env is given)")
	fs.StringVar(&c.respAddr, "resp-addr", "", "`host:port` of a Redis protocol (RESP) listener for redis-cli and Redis clients; off when empty (with a token, clients must AUTH with it)")
	fs.DurationVar(&c.respBusyPoll, "resp-busy-poll", 0, "how long the RESP listener's event loops poll before they sleep, after serving requests (0: 50us with 2 or more CPUs, negative: never)")
	fs.Var(formatFlag{&c.logFormat}, "log-format", "log format: `text` or json (logs go to stderr)")
	fs.Var(levelFlag{&c.logLevel}, "log-level", "log level: debug, `info`, warn or error (debug logs every call)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate `file`; with --tls-key, serve TLS only")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM private key `file` of --tls-cert")
	fs.StringVar(&c.token, "token", "", "bearer `token` every RedisService call must carry (prefer the env or --token-file: flags show in ps)")
	fs.StringVar(&c.tokenFile, "token-file", "", "`file` holding the bearer token")
	fs.IntVar(&c.maxMessageBytes, "max-message-bytes", c.maxMessageBytes, "largest request or response message, in `bytes`")
	fs.IntVar(&c.limits.MaxKeyBytes, "max-key-bytes", c.limits.MaxKeyBytes, "largest key, field, member, channel or pattern, in `bytes`")
	fs.IntVar(&c.limits.MaxValueBytes, "max-value-bytes", 0, "largest value or message, in `bytes` (0: --max-message-bytes)")
	fs.IntVar(&c.limits.MaxIDBytes, "max-id-bytes", c.limits.MaxIDBytes, "largest user_id or organization_id, in `bytes`")
	fs.IntVar(&c.limits.MaxElements, "max-elements", c.limits.MaxElements, "most keys, fields, members, values or commands in one `request`")
	fs.IntVar(&c.limits.ListKeysDefault, "list-keys-default", c.limits.ListKeysDefault, "keys ListKeys answers when the request sets no limit")
	fs.IntVar(&c.limits.ListKeysMax, "list-keys-max", c.limits.ListKeysMax, "most keys one ListKeys answers")
	fs.Int64Var(&c.maxMemory, "max-memory", 0, "approximate data `bytes` above which writes fail with OOM (0: no limit)")
	c.registerBackend(fs)
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", c.shutdownTimeout, "how long in-flight calls may finish after SIGINT/SIGTERM")
	fs.StringVar(&c.consulAddr, "consul-addr", "", "Consul agent `host:port`; when set, register the service there and deregister at shutdown")
	fs.StringVar(&c.consulService, "consul-service", c.consulService, "service `name` registered in Consul")
	fs.StringVar(&c.consulHost, "consul-service-host", "", "`host` Consul and its health check reach this server at (default: the listen host, or the hostname when listening on all interfaces)")
	fs.DurationVar(&c.consulInterval, "consul-check-interval", c.consulInterval, "interval of Consul's gRPC health check")
	fs.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	fs.BoolVar(&c.showHelp, "help", false, "print this help and exit")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) { // -h
			usage(fs, out)
			return nil, errHelp
		}
		return nil, err
	}
	if c.showHelp {
		usage(fs, out)
		return nil, errHelp
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || noEnv[f.Name] || envErr != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("invalid value %q for %s: %v", v, envName(f.Name), err)
			}
			given[f.Name] = true
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	if !given["addr"] {
		if port := getenv(legacyPortEnv); port != "" {
			if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
				return nil, fmt.Errorf("invalid value %q for %s: want a port number", port, legacyPortEnv)
			}
			c.addr = ":" + port
		}
	}
	return c, c.validate()
}

// validate checks what single flags cannot.
func (c *config) validate() error {
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if c.token != "" && c.tokenFile != "" {
		return errors.New("give the token by --token (or its env) or by --token-file, not both")
	}
	if c.maxMessageBytes <= 0 {
		return errors.New("--max-message-bytes must be positive")
	}
	if c.maxMemory < 0 {
		return errors.New("--max-memory must not be negative")
	}
	if c.shutdownTimeout <= 0 {
		return errors.New("--shutdown-timeout must be positive")
	}
	if c.consulAddr != "" && c.consulInterval <= 0 {
		return errors.New("--consul-check-interval must be positive")
	}
	return c.validateBackend()
}

// loadToken returns the bearer token from --token or --token-file.
func (c *config) loadToken() (string, error) {
	if c.tokenFile == "" {
		return c.token, nil
	}
	b, err := os.ReadFile(c.tokenFile)
	if err != nil {
		return "", fmt.Errorf("reading --token-file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("--token-file %s is empty", c.tokenFile)
	}
	return tok, nil
}

func usage(fs *flag.FlagSet, out io.Writer) {
	fmt.Fprintf(out, `isa-memstore serves an in-memory, Redis-compatible store through the
isa.redis.RedisService gRPC API (plus grpc.health.v1 and server reflection).

Usage:
  isa-memstore [flags]

Every flag can also be set by the environment variable shown beside it;
a flag on the command line wins over the environment.

Flags:
`)
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if arg != "" {
			name += " " + arg
		}
		var notes []string
		if !noEnv[f.Name] {
			notes = append(notes, "env "+envName(f.Name))
		}
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.DefValue != "0s" {
			notes = append(notes, "default "+f.DefValue)
		}
		if len(notes) > 0 {
			name += "  (" + strings.Join(notes, ", ") + ")"
		}
		fmt.Fprintf(out, "  %s\n%s", name, wrap(help, "        ", 78))
	})
	fmt.Fprint(out, `
Signals:
  SIGINT, SIGTERM  health turns NOT_SERVING, subscriptions end, in-flight calls
                   finish (up to --shutdown-timeout), then exit 0.

Example:
  isa-memstore --addr 127.0.0.1:50055
  grpcurl -plaintext -d '{"user_id":"u1","key":"k","value":"v"}' \
    127.0.0.1:50055 isa.redis.RedisService/Set
`)
}

// wrap breaks text into lines of at most width columns, each starting with
// indent.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
	return b.String()
}
