// Package scenarios embeds the shipped scenario files: the baseline, one file
// per lever, and the peers' reference model under bench/.
package scenarios
