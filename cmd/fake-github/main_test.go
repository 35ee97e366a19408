package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

func TestLoadSeed(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(`{"users":["alice"],"orgs":[{"name":"acme","members":{"alice":"admin"}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f := githubfake.New()
	if err := loadSeed(f, good); err != nil {
		t.Fatal(err)
	}
	if s := f.Snapshot(); len(s.Orgs) != 1 || s.Orgs[0].Members["alice"] != "admin" {
		t.Fatalf("snapshot = %+v", s)
	}

	// Inconsistent seeds are reported as errors naming the file.
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"orgs":[{"name":"acme","members":{"ghost":"member"}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := loadSeed(githubfake.New(), bad); err == nil || !strings.Contains(err.Error(), "ghost") || !strings.Contains(err.Error(), "bad.json") {
		t.Fatalf("err = %v", err)
	}
}
