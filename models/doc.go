// Package models holds the GORM structs of tidtam's relational store and
// nothing else: no queries, no business rules. The schema itself is created
// by the versioned migrations in internal/store (migration_NNNN_*.go), never by
// AutoMigrate, so every struct here must match a migration exactly.
package models
