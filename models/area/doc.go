// Package area turns the figures a commissioner knows of their area (people
// in treatment on a day and over a year, by drug; new treatment journeys a
// year; waits; beds, places and budgets) into a scenario built on the
// baseline: the capacities and budgets as inputs, and the figures as the
// targets of a calibration of the few parameters that set the size and mix
// of the area's system. journeysim init runs it.
package area
