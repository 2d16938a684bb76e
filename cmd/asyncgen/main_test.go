package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the asyncgen command of the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"asyncgen": func() { os.Exit(mainWithArgs(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the scripts of testdata/script. Each makes a small module
// whose go.mod replaces this repository by $REPO; the go command runs
// offline, with the caller's build and module caches.
func TestScript(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	goenv := goEnv(t, "GOCACHE", "GOMODCACHE", "GOPATH")
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"htmlspans": htmlSpans},
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPO", repo)
			e.Setenv("HOME", os.Getenv("HOME"))
			for k, v := range goenv {
				e.Setenv(k, v)
			}
			e.Setenv("GOFLAGS", "-mod=mod")
			e.Setenv("GOPROXY", "off")
			e.Setenv("GOSUMDB", "off")
			e.Setenv("GOTOOLCHAIN", "local")
			e.Setenv("GOWORK", "off")
			return expandGoMods(e.WorkDir, repo)
		},
	})
}

// expandGoMods replaces $REPO in every go.mod below dir: archive files are
// not expanded by testscript.
func expandGoMods(dir, repo string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "go.mod" {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(path, bytes.ReplaceAll(src, []byte("$REPO"), []byte(repo)), 0o666)
	})
}

// goEnv returns the values of the named go environment variables.
func goEnv(t *testing.T, names ...string) map[string]string {
	out, err := exec.Command("go", append([]string{"env", "-json"}, names...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	env := map[string]string{}
	if err := json.Unmarshal(out, &env); err != nil {
		t.Fatalf("go env: %v", err)
	}
	return env
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus\nusage: asyncgen [-check] [-explain] [-graph NAME] [-coverprofile FILE] [-tags list] [-abspaths] [packages | files]\n"},
		{[]string{"-check=maybe"}, 2, "invalid boolean value"},
		{[]string{"-h"}, 0, "usage: asyncgen"},
	} {
		var stdout, stderr bytes.Buffer
		status := mainWithArgs(tc.args, &stdout, &stderr)
		if status != tc.status || !strings.Contains(stderr.String(), tc.stderr) || stdout.Len() != 0 {
			t.Errorf("asyncgen %s: status %d, stdout %q, stderr %q; want status %d, stderr holding %q",
				strings.Join(tc.args, " "), status, stdout.String(), stderr.String(), tc.status, tc.stderr)
		}
	}
}

// htmlSpans is the script command "htmlspans FILE": every file of the
// coverage report FILE (go tool cover -html) opens and closes its spans in
// turn, none inside another or closed without being opened, as the report
// draws them when a file's units are disjoint.
func htmlSpans(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: htmlspans FILE")
	}
	html := ts.ReadFile(args[0])
	files := regexp.MustCompile(`(?s)<pre class="file" id="file\d+"[^>]*>(.*?)</pre>`).FindAllStringSubmatch(html, -1)
	if len(files) == 0 {
		ts.Fatalf("%s: no file in the report", args[0])
	}
	bad := 0
	for _, f := range files {
		depth, ok := 0, true
		for _, tag := range regexp.MustCompile(`<span|</span>`).FindAllString(f[1], -1) {
			if tag == "<span" {
				depth++
			} else {
				depth--
			}
			ok = ok && depth >= 0 && depth <= 1
		}
		if !ok || depth != 0 {
			bad++
		}
	}
	if bad > 0 && !neg {
		ts.Fatalf("%s: %d of %d files with overlapping units", args[0], bad, len(files))
	}
	if bad == 0 && neg {
		ts.Fatalf("%s: every file's units are disjoint", args[0])
	}
}
