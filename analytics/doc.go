// Package analytics owns what playback analytics mean: the events a player
// reports and how bad ones are rejected or clamped, what a view is, how a
// session's events are summarised (watch time, startup time, rebuffering,
// retention) and how sessions roll up into hourly and daily figures. It
// also holds the Ingester, which validates, rate-limits and buffers events
// and writes them in bulk through a Sink (the store).
//
// It imports no other clipcut package: the store, jobs, GraphQL and HTTP
// layers all use it, so a metric is defined once.
package analytics
