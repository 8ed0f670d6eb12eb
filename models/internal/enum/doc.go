// Package enum reads the words a scenario or check may take from a closed
// set, so that every typed word refuses the others in the same way.
package enum
