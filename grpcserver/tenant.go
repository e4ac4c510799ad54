package grpcserver

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Tenant identifies whose data a request reaches: the pair
// (organization_id, user_id). Tenants are completely isolated; a Backend
// maps a Tenant to its own storage (a namespace of the engine, a key prefix
// in Redis) and must never let one tenant reach another's data.
type Tenant struct {
	// Org is the organization id; it may be empty.
	Org string
	// User is the user id; never empty in a Tenant a handler passes on.
	User string
}

// tenantRequest is what every tenant-scoped request message offers
// (generated getters).
type tenantRequest interface {
	GetUserId() string
	GetOrganizationId() string
}

// userRequest is what the session requests offer: they carry no
// organization id, and a session is found by its user alone.
type userRequest interface {
	GetUserId() string
}

// errNoUser is the answer to a request without user_id; existing clients
// and their tests expect PERMISSION_DENIED.
var errNoUser = status.Error(codes.PermissionDenied, "user_id is required")

// tenant validates the ids of req and returns its Tenant, or the first of
// checks that failed (the request's own validation results, evaluated by the
// caller). The identity error wins, so an anonymous caller learns nothing
// about the limits.
func (l *Limits) tenant(req tenantRequest, checks ...error) (Tenant, error) {
	t := Tenant{Org: req.GetOrganizationId(), User: req.GetUserId()}
	if t.User == "" {
		return Tenant{}, errNoUser
	}
	if err := l.ids(t); err != nil {
		return Tenant{}, err
	}
	for _, err := range checks {
		if err != nil {
			return Tenant{}, err
		}
	}
	return t, nil
}

// user is tenant for the session requests, which carry only a user id.
func (l *Limits) user(req userRequest, checks ...error) (string, error) {
	t, err := l.tenant(userOnly{req}, checks...)
	return t.User, err
}

type userOnly struct{ userRequest }

func (userOnly) GetOrganizationId() string { return "" }
