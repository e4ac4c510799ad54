package engine

import "github.com/isa-cloud/isa-memstore/pubsub"

// Pub/sub: the engine owns one broker, and a namespace's channels are the
// broker's namespace of the same name, so tenants never hear each other
// whatever their channel names. Channels have nothing to do with keys.

// Publish sends msg to the namespace's subscribers of channel (directly or
// through a pattern), stamped with the engine clock's time, and returns how
// many deliveries were made, counted as Redis's PUBLISH. It never waits for
// a subscriber: one that cannot keep up is disconnected instead
// (pubsub.ErrSlowConsumer). After Close it reaches nobody and returns 0.
func (db *DB) Publish(channel, msg string) int {
	db.coordCommands.Add(1)
	return db.e.broker.Publish(db.name, channel, msg, db.e.clock.Now())
}

// Subscribe returns a subscription to channels in this namespace (more can
// be added with its Subscribe and PSubscribe). The caller must Close it.
// After the engine's Close it is returned already ended.
func (db *DB) Subscribe(channels ...string) *pubsub.Subscription {
	db.coordCommands.Add(1)
	return db.e.broker.Subscribe(db.name, channels...)
}

// PSubscribe returns a subscription to the Redis glob patterns in this
// namespace. The caller must Close it.
func (db *DB) PSubscribe(patterns ...string) *pubsub.Subscription {
	db.coordCommands.Add(1)
	s := db.e.broker.Subscribe(db.name)
	_ = s.PSubscribe(patterns...) // fails only if s already ended, which s.Err reports
	return s
}

// PubSubChannels lists the namespace's channels that have subscribers and
// match pattern (empty: all), sorted (PUBSUB CHANNELS).
func (db *DB) PubSubChannels(pattern string) []string {
	return db.e.broker.Channels(db.name, pattern)
}

// PubSubNumSub returns the number of channel subscribers of each channel
// (PUBSUB NUMSUB).
func (db *DB) PubSubNumSub(channels ...string) []int {
	return db.e.broker.NumSub(db.name, channels...)
}

// PubSubNumPat returns the number of distinct patterns subscribed to in
// the namespace (PUBSUB NUMPAT).
func (db *DB) PubSubNumPat() int { return db.e.broker.NumPat(db.name) }
