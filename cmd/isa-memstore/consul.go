package main

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/hashicorp/consul/api"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// consulRegistration is this server's entry in a Consul agent.
type consulRegistration struct {
	agent *api.Agent
	id    string
}

// registerConsul registers the service listening at addr with the agent
// at cfg.consulAddr, with a gRPC health check on grpcserver.HealthService
// (the name deployments' checks use). The Consul API client's usual
// environment (CONSUL_HTTP_TOKEN, ...) applies; --consul-addr wins over
// CONSUL_HTTP_ADDR.
func registerConsul(cfg *config, addr net.Addr, useTLS bool) (*consulRegistration, error) {
	host, portStr, err := net.SplitHostPort(addr.String())
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, err
	}
	if cfg.consulHost != "" {
		host = cfg.consulHost
	} else if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		// Listening on every interface: the hostname is what others can
		// resolve.
		if host, err = os.Hostname(); err != nil {
			return nil, fmt.Errorf("consul: no --consul-service-host and no hostname: %w", err)
		}
	}
	conf := api.DefaultConfig()
	conf.Address = cfg.consulAddr
	client, err := api.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("consul: %w", err)
	}
	id := fmt.Sprintf("%s-%s-%d", cfg.consulService, host, port)
	reg := &api.AgentServiceRegistration{
		ID:      id,
		Name:    cfg.consulService,
		Address: host,
		Port:    port,
		Tags:    []string{"grpc", "isa-memstore"},
		Meta:    map[string]string{"version": versionString()},
		Check: &api.AgentServiceCheck{
			Name:                           cfg.consulService + " gRPC health",
			GRPC:                           net.JoinHostPort(host, portStr) + "/" + grpcserver.HealthService,
			GRPCUseTLS:                     useTLS,
			Interval:                       cfg.consulInterval.String(),
			Timeout:                        "5s",
			DeregisterCriticalServiceAfter: "1m",
		},
	}
	if err := client.Agent().ServiceRegister(reg); err != nil {
		return nil, fmt.Errorf("consul: registering %s at %s: %w", id, cfg.consulAddr, err)
	}
	return &consulRegistration{agent: client.Agent(), id: id}, nil
}

// deregister removes the service from the agent.
func (r *consulRegistration) deregister() error {
	if err := r.agent.ServiceDeregister(r.id); err != nil {
		return fmt.Errorf("consul: deregistering %s: %w", r.id, err)
	}
	return nil
}
