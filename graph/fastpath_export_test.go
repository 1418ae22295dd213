package graph

// SetFastReads switches the fast path for plain video reads on or off
// (it is on unless a test says otherwise), so tests can compare its
// answers with gqlgen's.
func SetFastReads(on bool) { fastReadsOn.Store(on) }

// FastReadsServed is how many operations the fast path has answered.
func FastReadsServed() int64 { return fastReadsServed.Load() }
