package cmd

import (
	"io"

	"github.com/journeysim/journeysim/models/scenario"
	"github.com/spf13/cobra"
)

// NewCmdSchema returns `journeysim schema`, which prints the JSON Schema of
// the scenario language.
func NewCmdSchema() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print a JSON Schema of the scenario language, for editors",
		Long: `Prints a JSON Schema of the scenario language. Point a TOML-aware editor at it
(for example with a "#:schema ./scenario.schema.json" comment at the top of a
file, or in the editor's settings) to have keys and types checked as you type.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return schemaRun(cmd.OutOrStdout())
		},
	}
}

func schemaRun(w io.Writer) error {
	b, err := scenario.JSONSchema()
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
