/* bindings/go/archase_go.i — the generated layer of the Go module: package
 * archase/internal/capi (C names, C shapes; see ../archase.i for the
 * pattern). The package archase around it is the API people use. */
%module capi

%include "typemaps.swg"
%include "archase.i"
