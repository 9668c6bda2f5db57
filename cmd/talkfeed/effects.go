package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/websub"
)

// effects carries out what a published snapshot decided, off the reload
// path and in order: the announcer takes its changes (and queues its
// announcements), and the WebSub hub hears of the feeds it changed.
// Shutdown waits until all that was queued is done.
type effects struct {
	state *stateFile        // nil unless announcing
	hub   *websub.Publisher // nil without a hub
	log   *slog.Logger
	todo  chan func()
}

// effectsQueue bounds the effects waiting: a reload that finds it full
// waits, which only happens when the hub is slower than many reloads.
const effectsQueue = 64

func newEffects(state *stateFile, hub *websub.Publisher, log *slog.Logger) *effects {
	return &effects{state: state, hub: hub, log: log, todo: make(chan func(), effectsQueue)}
}

// queue hands a published plan's effects to the worker: old is the tree
// served before it.
func (e *effects) queue(p plan, old *publish.Tree) {
	if e.state != nil {
		e.todo <- func() { e.state.observe(p.ledger.Changes()) }
	}
	if e.hub != nil {
		// In the worker: a deferred feed is rendered to tell whether it
		// changed, which the reload does not wait for.
		e.todo <- func() {
			if topics := p.tree.ChangedFeeds(old); len(topics) > 0 {
				e.ping(topics)
			}
		}
	}
}

// run carries out the queued effects until close, then returns once
// none is left.
func (e *effects) run() {
	for do := range e.todo {
		do()
	}
}

// close says no more effects come: run finishes those queued.
func (e *effects) close() { close(e.todo) }

// ping tells the WebSub hub which feeds changed.
func (e *effects) ping(topics []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.hub.Ping(ctx, topics); err != nil {
		e.log.Warn("websub", "error", err)
		return
	}
	e.log.Info("websub: pinged the hub", "feeds", len(topics))
}
