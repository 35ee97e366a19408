package report

import "os"

// AppendFile appends s to the file at path, creating it: how the job
// summary and step outputs files of GitHub Actions are written.
func AppendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
