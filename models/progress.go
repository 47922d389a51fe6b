package models

// ProgressCount is one counter of the dashboard read model: how many of
// a directive's assignments or assignment items in one province (the
// province's own centre and its districts together) are in one bucket.
// The counters are kept by the same transaction that writes an assignment
// change (store.ApplyProgress), so dashboards read O(provinces ×
// directives) rows instead of every assignment. DueKey is the due instant
// (UTC, "2006-01-02T15:04:05Z") for the buckets that wait on a deadline
// (store.BucketAwaiting, store.BucketAckAwaiting), so that what is overdue
// at any moment is a sum over keys at or before it; "" for the others and
// for items without a due. ProvinceCode is "" for units outside any
// province (the national centre, ministries).
type ProgressCount struct {
	DirectiveID  string `gorm:"primaryKey;size:128"`
	ProvinceCode string `gorm:"primaryKey;size:32"`
	Bucket       string `gorm:"primaryKey;size:32"`
	DueKey       string `gorm:"primaryKey;size:32"`
	// Shard spreads one counter over store.ProgressShards rows, so that
	// concurrent changes seldom wait on one row's lock; a counter's value
	// is the sum over its shards.
	Shard int   `gorm:"primaryKey;autoIncrement:false"`
	N     int64 `gorm:"not null"`
}
