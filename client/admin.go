package client

import (
	"context"
	"time"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// Stats are the server's statistics for the client's tenant.
type Stats struct {
	TotalKeys       int64
	MemoryUsedBytes int64 // estimated bytes of the tenant's data
	// CommandsProcessed and HitRate (hits / (hits + misses) of key
	// lookups) count the tenant's commands.
	CommandsProcessed int64
	HitRate           float64
	// ConnectionsReceived is server-wide.
	ConnectionsReceived int64
	// KeyTypes counts keys by type: "string", "hash", "list", "set", "zset".
	KeyTypes map[string]int64
}

// Statistics returns the tenant's statistics.
func (c *Client) Statistics(ctx context.Context) (Stats, error) {
	r, err := c.rpc.GetStatistics(ctx, &pb.GetStatisticsRequest{UserId: c.user, OrganizationId: c.org})
	if err != nil {
		return Stats{}, err
	}
	return Stats{
		TotalKeys:           r.GetTotalKeys(),
		MemoryUsedBytes:     r.GetMemoryUsedBytes(),
		CommandsProcessed:   r.GetCommandsProcessed(),
		HitRate:             r.GetHitRate(),
		ConnectionsReceived: r.GetConnectionsReceived(),
		KeyTypes:            r.GetKeyTypeDistribution(),
	}, nil
}

// KeyType is the type of the value at a key.
type KeyType int

// The key types, in the wire's ValueType order.
const (
	TypeString KeyType = iota
	TypeHash
	TypeList
	TypeSet
	TypeZSet
)

// String is the Redis TYPE name ("string", "hash", "list", "set", "zset").
func (t KeyType) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeHash:
		return "hash"
	case TypeList:
		return "list"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	}
	return "unknown"
}

// KeyInfo describes one key.
type KeyInfo struct {
	Type KeyType
	// TTL is the remaining time to live in whole seconds, or NoExpiration.
	TTL          time.Duration
	SizeBytes    int64 // estimate of key plus value
	CreatedAt    time.Time
	LastAccessed time.Time
}

// KeyInfo describes key, or returns Nil if it does not exist.
func (c *Client) KeyInfo(ctx context.Context, key string) (KeyInfo, error) {
	r, err := c.rpc.GetKeyInfo(ctx, &pb.GetKeyInfoRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	if err != nil {
		return KeyInfo{}, err
	}
	if !r.GetExists() {
		return KeyInfo{}, Nil
	}
	ttl, err := ttlFromSeconds(r.GetTtlSeconds())
	if err != nil {
		// The key expired between the existence check and the TTL read.
		return KeyInfo{}, err
	}
	return KeyInfo{
		Type:         KeyType(r.GetType()),
		TTL:          ttl,
		SizeBytes:    r.GetSizeBytes(),
		CreatedAt:    asTime(r.GetCreatedAt()),
		LastAccessed: asTime(r.GetLastAccessed()),
	}, nil
}

// Health is the server's answer to a health check.
type Health struct {
	Healthy          bool
	Status           string // "healthy" when healthy
	ConnectedClients int64
	UsedMemoryBytes  int64
	CheckedAt        time.Time
	Message          string
}

// HealthCheck asks the server about its health; deep makes it do a real
// write, read and delete (invisible to tenants). An unhealthy answer is
// not an error: look at Healthy. It needs no user id.
func (c *Client) HealthCheck(ctx context.Context, deep bool) (Health, error) {
	r, err := c.rpc.HealthCheck(ctx, &pb.RedisHealthCheckRequest{DeepCheck: deep})
	if err != nil {
		return Health{}, err
	}
	return Health{
		Healthy:          r.GetHealthy(),
		Status:           r.GetRedisStatus(),
		ConnectedClients: r.GetConnectedClients(),
		UsedMemoryBytes:  r.GetUsedMemoryBytes(),
		CheckedAt:        asTime(r.GetCheckedAt()),
		Message:          r.GetMessage(),
	}, nil
}
