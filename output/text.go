package output

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText returns s with every control character (but tab and newline)
// shown as an escape, \x1b, so that text from a scenario file can never
// move a terminal's cursor or change its colours.
func CleanText(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			b.WriteString(escapeRune(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }

func escapeRune(r rune) string {
	const hex = "0123456789abcdef"
	if r < 0x100 {
		return `\x` + string(hex[r>>4]) + string(hex[r&15])
	}
	return `\u` + string([]byte{hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15]})
}

// A CleanWriter passes text to W with control characters escaped, as
// CleanText does, so that whatever a command prints is safe on a terminal.
// File, if set, is the terminal file behind W, for a progress bar that
// draws with control characters of its own.
type CleanWriter struct {
	W     io.Writer
	File  io.Writer
	carry []byte // the start of a character split between writes
}

// Write escapes the control characters of p and writes the rest.
func (c *CleanWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(c.carry) > 0 {
		p = append(c.carry, p...)
		c.carry = nil
	}
	if k := lastStart(p); k < len(p) && !utf8.FullRune(p[k:]) {
		c.carry = append([]byte(nil), p[k:]...)
		p = p[:k]
	}
	_, err := io.WriteString(c.W, CleanText(string(p)))
	return n, err
}

// lastStart returns the index of the first byte of p's last character.
func lastStart(p []byte) int {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			return i
		}
	}
	return len(p)
}

// mdText makes text from a scenario safe as Markdown prose or a table
// cell: one line (a newline could start a forged heading), controls
// escaped, and the characters that make links, HTML, emphasis, headings or
// cells taken literally.
func mdText(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(CleanText(s))
	return mdReplacer.Replace(s)
}

var mdReplacer = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`)
