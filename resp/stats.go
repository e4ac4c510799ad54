package resp

import "github.com/isa-cloud/isa-memstore/engine"

// keyStats are the keyspace figures INFO reports.
type keyStats struct {
	keys, expires int64
	hits, misses  int64
}

// keyStats sums the figures of the server's databases.
func (s *Server) keyStats() keyStats {
	var t keyStats
	for i := range s.dbs {
		if db := s.dbs[i].Load(); db != nil {
			st := s.dbKeyStats(db)
			t.keys += st.keys
			t.expires += st.expires
			t.hits += st.hits
			t.misses += st.misses
		}
	}
	return t
}

// dbKeyStats reads one database's figures from the engine.
func (s *Server) dbKeyStats(db *engine.DB) keyStats {
	st, err := db.Stats()
	if err != nil {
		return keyStats{}
	}
	return keyStats{keys: st.Keys, expires: db.Volatile(), hits: st.Hits, misses: st.Misses}
}

// dataBytes is the engine's estimate of the bytes its data uses.
func (s *Server) dataBytes() int64 { return s.eng.UsedMemory() }
