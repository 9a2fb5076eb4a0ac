module example.com/chase

go 1.22

require archase v0.0.0

// The module the build assembles; `make build` (or ninja -C build) first.
replace archase => ../../build/bindings/go/archase
