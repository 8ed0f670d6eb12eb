// Command journeysim simulates the journeys of people through a local drug
// treatment system. See the README or run `journeysim help`.
package main
