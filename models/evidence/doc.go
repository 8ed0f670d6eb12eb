// Package evidence is the project's provenance data: the parameter table of
// shared/evidence/parameters.md and the calibration targets of
// shared/evidence/targets.md, embedded as sources.tsv and targets.tsv.
//
// sources.tsv has one row per parameter id (A1–L14, with gaps where the
// table has none), in table order, with the columns id, parameter, value,
// unit, setting, citation, url, quality and verified. Cells are the table's
// text with Markdown emphasis removed; back-references such as "as J1" or
// "paperzz URL (A2)" are replaced by the text they point to, so every row
// stands alone. verified is "no" for the rows marked NOT VERIFIED (D7, F9,
// F10), which must not be cited.
//
// targets.tsv has one row per numbered target: number, title, text (the
// paragraph after the bold title) and sources, the row ids named in the
// paragraph's bracketed id lists, with ranges such as "B1–B4" expanded to
// the rows the table has.
//
// Both files were generated from the Markdown by a throwaway script; the
// tests compare them with the Markdown when ../../../shared is present.
//
// A scenario value's source field is checked with CheckRef and ParseRef. It
// is one of:
//
//	C3                a row id (lower case is accepted)
//	C3, D4            several row ids, comma-separated, spaces optional
//	derived: A6, A5   arithmetic done on those rows
//	assumption        a modelling assumption
//	calibrated        fitted to the targets
//
// Free text (for example "C3 (Ventura cohort)") is not allowed; notes belong
// in the value's note field.
package evidence
