// Command floor is the benchmark's lower bound for reading a plan in Go: it
// decodes `resource_changes` of a `terraform show -json` file into typed
// structs with encoding/json, the same shape jit-gate's reader starts from,
// and does nothing else. Usage: floor PLAN.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// change mirrors one resource_changes entry as internal/plan first decodes
// it: identity and actions typed, values kept as raw JSON.
type change struct {
	Address       string          `json:"address"`
	ModuleAddress string          `json:"module_address"`
	Mode          string          `json:"mode"`
	Type          string          `json:"type"`
	Name          string          `json:"name"`
	Index         json.RawMessage `json:"index"`
	Deposed       string          `json:"deposed"`
	Change        struct {
		Actions      []string        `json:"actions"`
		Before       json.RawMessage `json:"before"`
		After        json.RawMessage `json:"after"`
		AfterUnknown json.RawMessage `json:"after_unknown"`
	} `json:"change"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor PLAN.json")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	var p struct {
		ResourceChanges []change `json:"resource_changes"`
	}
	if err := json.NewDecoder(f).Decode(&p); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// The count keeps the decode observable (and checkable) at no cost.
	fmt.Println(len(p.ResourceChanges))
}
