// Package output turns replication results into what people read: summary
// statistics with confidence intervals, text tables, CSV and JSON, plots and
// the report.
package output
