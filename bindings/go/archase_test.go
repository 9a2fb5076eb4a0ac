package archase

import (
	"fmt"
	"regexp"
	"testing"

	"archase/internal/capi"
)

func TestVersionIsTheLibraryVersion(t *testing.T) {
	v := Version()
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(v) {
		t.Fatalf("Version() = %q", v)
	}
	var major, minor, patch int
	fmt.Sscanf(v, "%d.%d.%d", &major, &minor, &patch)
	if VersionNumber() != major*10000+minor*100+patch {
		t.Fatalf("VersionNumber() = %d for %s", VersionNumber(), v)
	}
}

func TestLibraryAndHeaderAgree(t *testing.T) {
	if VersionNumber() != capi.ARCHASE_VERSION_NUMBER {
		t.Fatalf("library %d, header %d", VersionNumber(), capi.ARCHASE_VERSION_NUMBER)
	}
}
