// Package suggest finds, among known names, the one a mistyped name most
// likely meant: the "did you mean" of journeysim's error messages.
package suggest
