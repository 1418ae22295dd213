package model

import "context"

// VideoConnection is a page of videos (Relay). It is written by hand,
// not generated, for Counter: totalCount costs a query over the whole
// list, so it is run only when the field is selected.
type VideoConnection struct {
	// Edges are the videos on this page with their cursors.
	Edges []*VideoEdge `json:"edges"`
	// PageInfo says where this page sits in the whole list.
	PageInfo *PageInfo `json:"pageInfo"`
	// Counter counts the whole list (totalCount); nil on lists that do
	// not count.
	Counter func(ctx context.Context) (int, error) `json:"-"`
}
