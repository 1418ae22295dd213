// Package migrations holds clipcut's SQL schema, one numbered file per change,
// embedded in the binary and applied in order by store.Migrate.
package migrations

import "embed"

// FS holds the *.sql files. Names start with a zero-padded version number
// ("0001_accounts.sql"); a file is applied once, in its own transaction.
//
//go:embed *.sql
var FS embed.FS
