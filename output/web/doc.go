// Package web is journeysim's what-if page: a local web server over a
// workspace folder that shows a scenario's levers as controls, made from
// the scenario language itself (its policies, and the capacities, budgets
// and arrivals its parameters list), runs a what-if against its base on
// common random numbers, and shows the answer as the board report does.
//
// A what-if is a scenario file of the keys it changes on its base; the
// page runs that very file (held in memory until saved into the
// workspace), so that `journeysim compare BASE FILE` repeats its numbers
// byte for byte. Nothing is written outside the workspace; no file path
// comes from the page, only names checked against the workspace's own
// listing and the shipped scenarios. Every request needs the token the
// server was started with.
package web
