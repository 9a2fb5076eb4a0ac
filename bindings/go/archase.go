// Package archase decides which unpaid invoices to chase, how, when and with
// whose sign-off: the Go face of libarchase.
//
// It wraps the C library through a SWIG-generated package
// (archase/internal/capi) in Go terms: failing calls return an error (an
// *Error that errors.Is matches against the Err* values), money is an
// integer number of minor units with its currency, and dates are time.Time.
//
// The module is generated at build time (see docs/go.md): meson assembles it
// in the build tree with the library linked in statically, and other modules
// use it through a replace directive.
package archase

import "archase/internal/capi"

// Version returns the version of the linked library, "MAJOR.MINOR.PATCH".
func Version() string {
	return capi.Archase_version_string()
}

// VersionNumber returns the version as MAJOR*10000 + MINOR*100 + PATCH.
func VersionNumber() int {
	return capi.Archase_version()
}
