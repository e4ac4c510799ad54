package resp

import (
	"errors"
	"slices"
	"time"

	"github.com/isa-cloud/isa-memstore/pubsub"
)

func init() {
	const g = "pubsub"
	f := flagPubSub | flagNoScript | flagLoading | flagStale
	register(
		&command{name: "subscribe", arity: -2, flags: f | flagSubContext, group: g, since: "2.0.0", summary: "Listen for messages published to the given channels", run: cmdSubscribe(false)},
		&command{name: "psubscribe", arity: -2, flags: f | flagSubContext, group: g, since: "2.0.0", summary: "Listen for messages published to channels matching the given patterns", run: cmdSubscribe(true)},
		&command{name: "unsubscribe", arity: -1, flags: f | flagSubContext, group: g, since: "2.0.0", summary: "Stop listening for messages posted to the given channels", run: cmdUnsubscribe(false)},
		&command{name: "punsubscribe", arity: -1, flags: f | flagSubContext, group: g, since: "2.0.0", summary: "Stop listening for messages posted to channels matching the given patterns", run: cmdUnsubscribe(true)},
		&command{name: "publish", arity: 3, flags: flagPubSub | flagLoading | flagStale | flagFast, group: g, since: "2.0.0", summary: "Post a message to a channel", run: cmdPublish},
		&command{name: "pubsub", arity: -2, group: g, since: "2.8.0", summary: "A container for Pub/Sub commands", subs: subcommands(
			&command{name: "channels", arity: -2, flags: flagPubSub | flagLoading | flagStale, group: g, since: "2.8.0", summary: "List active channels", run: cmdPubSubChannels},
			&command{name: "numsub", arity: -2, flags: flagPubSub | flagLoading | flagStale, group: g, since: "2.8.0", summary: "Get the count of subscribers for channels", run: cmdPubSubNumSub},
			&command{name: "numpat", arity: 2, flags: flagPubSub | flagLoading | flagStale, group: g, since: "2.8.0", summary: "Get the count of unique patterns pattern subscriptions", run: cmdPubSubNumPat},
		)},
	)
}

// subscribed reports whether the client holds any channel or pattern
// (Redis's pub/sub context).
func (c *client) subscribed() bool { return len(c.channels)+len(c.patterns) > 0 }

func (c *client) subCount() int64 { return int64(len(c.channels) + len(c.patterns)) }

// ensureSub creates the client's subscription and its forwarder on first
// use.
func (c *client) ensureSub() {
	if c.sub != nil {
		return
	}
	c.sub = c.s.pubsub.Subscribe()
	c.channels = map[string]struct{}{}
	c.patterns = map[string]struct{}{}
	if c.looped {
		if c.gone.Load() {
			// The connection failed earlier in this batch (OnClose has
			// run): the subscription only reports that it ended.
			c.sub.Close()
			return
		}
		// The client holds the server's wg until OnClose (which has not
		// run: this runs on the loop), so adding to it is safe.
		c.s.wg.Add(1)
		go c.forwardLoop(c.sub)
		return
	}
	c.fwdDone = make(chan struct{})
	go c.forward(c.sub)
}

// forwardLoop delivers a loop client's messages: it hands them to the
// client's loop, which encodes and writes them between the client's own
// batches (so a SUBSCRIBE reply, written in the batch that subscribed,
// precedes the messages it enables). While the client has more than
// outputBacklogMax unsent, messages are held back here, so the broker's
// buffer fills and the broker drops the subscriber (ErrSlowConsumer); a
// backlog that stays for PubSubWriteTimeout drops it too: Redis's pub/sub
// output buffer limit.
func (c *client) forwardLoop(sub *pubsub.Subscription) {
	defer c.s.wg.Done()
	ch := sub.C()
	for m := range ch {
		batch := []pubsub.Message{m}
		drainQueued(ch, func(m pubsub.Message) { batch = append(batch, m) })
		if !c.waitBacklog(sub) {
			c.close()
			return
		}
		c.onLoop(func() {
			for _, m := range batch {
				c.writeMessage(m)
			}
			_ = c.w.flush() // a failed write closes the connection
			c.backlog.Store(int64(c.lconn.outbound()))
		})
	}
	if errors.Is(sub.Err(), pubsub.ErrSlowConsumer) {
		c.close()
	}
}

// waitBacklog waits until the loop client's unsent output is back under
// outputBacklogMax. It reports false when the subscriber must be dropped:
// its subscription ended (the broker found it too slow) or the backlog
// lasted PubSubWriteTimeout.
func (c *client) waitBacklog(sub *pubsub.Subscription) bool {
	if c.backlog.Load() <= outputBacklogMax {
		return true
	}
	deadline := time.Now().Add(c.s.opts.PubSubWriteTimeout)
	wait := backlogPollMin
	refresh := func() { c.backlog.Store(int64(c.lconn.outbound())) }
	for c.backlog.Load() > outputBacklogMax {
		if c.gone.Load() {
			return true // the connection is closed: nothing to deliver
		}
		if sub.Err() != nil || time.Now().After(deadline) {
			return false
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.s.done:
			t.Stop()
			return true
		}
		wait = min(2*wait, backlogPollMax)
		c.onLoop(refresh)
	}
	return true
}

// forward delivers the subscription's messages to the socket. It takes the
// writer between the client's own batches, so a SUBSCRIBE reply always
// precedes the messages it enables, and writes everything already queued
// with one flush. A subscriber that does not keep up is disconnected:
// either the broker's buffer overflows or a write blocks past
// PubSubWriteTimeout (Redis's pub/sub output buffer limit).
func (c *client) forward(sub *pubsub.Subscription) {
	defer close(c.fwdDone)
	ch := sub.C()
	for m := range ch {
		c.wmu.Lock()
		// Large payloads are written as they are encoded, so the deadline
		// must be in place before the first one.
		_ = c.nc.SetWriteDeadline(time.Now().Add(c.s.opts.PubSubWriteTimeout))
		c.writeMessage(m)
		drainQueued(ch, c.writeMessage)
		err := c.w.flush()
		_ = c.nc.SetWriteDeadline(time.Time{})
		c.wmu.Unlock()
		if err != nil {
			c.close()
			return
		}
	}
	if errors.Is(sub.Err(), pubsub.ErrSlowConsumer) {
		c.close()
	}
}

func (c *client) writeMessage(m pubsub.Message) {
	if m.Pattern != "" {
		c.w.push(4)
		c.w.bulkString("pmessage")
		c.w.bulkString(m.Pattern)
	} else {
		c.w.push(3)
		c.w.bulkString("message")
	}
	c.w.bulkString(m.Channel)
	c.w.bulkString(m.Payload)
}

func (c *client) updateSubCounts() {
	c.nsub.Store(int32(len(c.channels)))
	c.npsub.Store(int32(len(c.patterns)))
}

func cmdSubscribe(pattern bool) func(c *client, a []string) {
	kind := "subscribe"
	if pattern {
		kind = "psubscribe"
	}
	return func(c *client, a []string) {
		c.ensureSub()
		mine := c.channels
		if pattern {
			mine = c.patterns
		}
		for _, name := range a {
			if _, ok := mine[name]; !ok {
				var err error
				if pattern {
					err = c.sub.PSubscribe(name)
				} else {
					err = c.sub.Subscribe(name)
				}
				if err != nil {
					// The subscription ended (slow consumer or shutdown):
					// the connection is being closed.
					c.replyErr(textError("ERR " + err.Error()))
					c.quit = true
					return
				}
				mine[name] = struct{}{}
			}
			c.w.push(3)
			c.w.bulkString(kind)
			c.w.bulkString(name)
			c.w.integer(c.subCount())
		}
		c.updateSubCounts()
	}
}

func cmdUnsubscribe(pattern bool) func(c *client, a []string) {
	kind := "unsubscribe"
	if pattern {
		kind = "punsubscribe"
	}
	return func(c *client, a []string) {
		mine := c.channels
		if pattern {
			mine = c.patterns
		}
		names := a
		if len(a) == 0 {
			names = make([]string, 0, len(mine))
			for n := range mine {
				names = append(names, n)
			}
			slices.Sort(names)
			if len(names) == 0 {
				c.w.push(3)
				c.w.bulkString(kind)
				c.w.null()
				c.w.integer(c.subCount())
				return
			}
		}
		for _, name := range names {
			if _, ok := mine[name]; ok {
				if pattern {
					c.sub.PUnsubscribe(name)
				} else {
					c.sub.Unsubscribe(name)
				}
				delete(mine, name)
			}
			c.w.push(3)
			c.w.bulkString(kind)
			c.w.bulkString(name)
			c.w.integer(c.subCount())
		}
		c.updateSubCounts()
	}
}

// unsubscribeAll leaves every channel and pattern without replying (RESET).
func (c *client) unsubscribeAll() {
	if c.sub == nil {
		return
	}
	c.sub.Unsubscribe()
	c.sub.PUnsubscribe()
	clear(c.channels)
	clear(c.patterns)
	c.updateSubCounts()
}

func cmdPublish(c *client, a []string) {
	n := c.s.pubsub.Publish(a[0], a[1])
	c.w.integer(int64(n))
}

func cmdPubSubChannels(c *client, a []string) {
	if len(a) > 1 {
		c.reject("ERR wrong number of arguments for 'pubsub|channels' command")
		return
	}
	pat := ""
	if len(a) == 1 {
		pat = a[0]
	}
	c.writeStrings(c.s.pubsub.PubSubChannels(pat))
}

func cmdPubSubNumSub(c *client, a []string) {
	counts := c.s.pubsub.PubSubNumSub(a...)
	c.w.array(2 * len(a))
	for i, ch := range a {
		c.w.bulkString(ch)
		c.w.integer(int64(counts[i]))
	}
}

func cmdPubSubNumPat(c *client, a []string) {
	c.w.integer(int64(c.s.pubsub.PubSubNumPat()))
}

// drainQueued passes fn the messages already waiting in ch, up to 1024, so
// that a burst is written with one flush, without waiting for more.
func drainQueued(ch <-chan pubsub.Message, fn func(pubsub.Message)) {
	for n := 0; n < 1024; n++ {
		select {
		case m, ok := <-ch:
			if !ok {
				return
			}
			fn(m)
		default:
			return
		}
	}
}
