package archase

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Another module uses this one through a replace directive, offline, as
// docs/go.md shows.
func TestAnotherModuleUsesThisOneThroughReplace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a second module")
	}
	goBin := os.Getenv("ARCHASE_GO")
	if goBin == "" {
		var err error
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to build with")
		}
	}
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	app := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/vendorapp\n\ngo 1.22\n\nrequire archase v0.0.0\n\nreplace archase => " + here + "\n",
		"main.go": `package main

import (
	"fmt"

	"archase"
)

func main() {
	total, err := archase.ParseMoney("100.00 EUR")
	if err != nil {
		panic(err)
	}
	parts, _ := total.Split(3)
	fmt.Println(archase.Version(), parts[0], parts[2])
}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(app, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goBin, "run", ".")
	cmd.Dir = app
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	want := Version() + " 33.34 EUR 33.33 EUR"
	if strings.TrimSpace(string(out)) != want {
		t.Fatalf("output %q, want %q", out, want)
	}
}
