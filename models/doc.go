// Package models is the treatment system: the scenario language (TOML) and
// its validation, clients and their case mix, places, routing, modifiers,
// and the metrics a run reports. It builds a simulation on the sim engine.
package models
