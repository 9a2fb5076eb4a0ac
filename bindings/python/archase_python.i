/* bindings/python/archase_python.i — the generated layer of the Python
 * package: archase.capi (C names, C shapes; see ../archase.i for the
 * pattern). The package's own modules (archase/*.py) are the API people use.
 * threads="1": the GIL is released while the C library runs. */
%module(package="archase", threads="1") capi

%include "typemaps.swg"
%include "archase.i"
%include "callbacks.swg"
%include "worklist.swg"
