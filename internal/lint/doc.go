// Package lint holds no code: its test runs the static checks CI requires
// (go vet over the module, and Temporal's workflowcheck over workflows/) so
// that the README's single test command enforces them.
package lint
