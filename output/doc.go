// Package output turns results into what people read and keep: summaries
// with confidence intervals, text tables, CSV and JSON, plots for a board
// paper and the report; and it keeps what it writes safe: result
// directories it owns (WriteDir), files renamed into place only when whole,
// a sweep's parts and the replications a stopped run keeps. It formats and
// draws; it neither simulates nor estimates (models/estimate does), and it
// reads the model's results only through models/result.
package output
