// Package readmecheck holds the test that keeps the README's Go snippets compiling: every
// ```go block that is a whole program (starts with "package main") is built and vetted against the
// module as it is, so a renamed field or method breaks `go test ./...`, not a new user.
package readmecheck
