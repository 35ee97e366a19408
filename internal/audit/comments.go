package audit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// Comment is an issue or pull request comment that carries the gate's
// marker, whoever wrote it.
type Comment struct {
	ID        int64
	Number    int // the issue or pull request
	Author    string
	Body      string
	URL       string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// edited reports whether the comment changed after it was posted.
func (c Comment) edited() bool { return c.UpdatedAt.After(c.CreatedAt) }

func gateComment(number int, c *github.IssueComment) (Comment, bool) {
	if _, ok := seal.Parse(c.GetBody()); !ok {
		return Comment{}, false
	}
	return Comment{
		ID: c.GetID(), Number: number, Author: c.GetUser().GetLogin(), Body: c.GetBody(), URL: c.GetHTMLURL(),
		CreatedAt: c.GetCreatedAt().Time, UpdatedAt: c.GetUpdatedAt().Time,
	}, true
}

// GateComments lists the comments of owner/repo#number (all pages) whose
// first line is the gate's marker, oldest first.
func GateComments(ctx context.Context, client *github.Client, owner, repo string, number int) ([]Comment, error) {
	comments, err := ghclient.All(func(o github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		return client.Issues.ListComments(ctx, owner, repo, number, &github.IssueListCommentsOptions{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("listing comments of %s/%s#%d: %w", owner, repo, number, ghclient.Explain(err))
	}
	return gateComments(number, comments), nil
}

func gateComments(number int, comments []*github.IssueComment) []Comment {
	var out []Comment
	for _, c := range comments {
		if gc, ok := gateComment(number, c); ok {
			out = append(out, gc)
		}
	}
	return out
}

// commentPage lists one page (from 1) of owner/repo#number's comments: the
// gate comments on it, and whether a later page follows.
func commentPage(ctx context.Context, client *github.Client, owner, repo string, number, page int) ([]Comment, bool, error) {
	comments, resp, err := client.Issues.ListComments(ctx, owner, repo, number, &github.IssueListCommentsOptions{
		ListOptions: github.ListOptions{PerPage: ghclient.PerPage, Page: page},
	})
	if err != nil {
		return nil, false, fmt.Errorf("listing comments of %s/%s#%d: %w", owner, repo, number, ghclient.Explain(err))
	}
	return gateComments(number, comments), resp != nil && resp.NextPage != 0, nil
}

// addComment posts body as a new comment on owner/repo#number.
func addComment(ctx context.Context, client *github.Client, owner, repo string, number int, body string) (Comment, error) {
	c, _, err := client.Issues.CreateComment(ctx, owner, repo, number, &github.IssueComment{Body: &body})
	if err != nil {
		return Comment{}, fmt.Errorf("commenting on %s/%s#%d: %w", owner, repo, number, ghclient.Explain(err))
	}
	gc, _ := gateComment(number, c)
	return gc, nil
}

// UpsertComment writes body, which must start with the gate's marker, as the
// gate's informational comment on owner/repo#number. If a comment written
// by self carries a marker of the same kind, head commit and label, the
// latest such comment is edited; otherwise a new comment is created, so each
// head commit keeps its own report, and self's reports of the same kind and
// label on other heads are edited to say they are superseded, their text
// folded, so a reviewer does not act on an old ✅. Comments by anyone else
// are never touched, whatever marker they carry; audit records are never
// edited; nothing is ever deleted.
func UpsertComment(ctx context.Context, client *github.Client, owner, repo string, number int, self, body string) error {
	want, ok := seal.Parse(body)
	switch {
	case !ok:
		return errors.New("comment body does not start with the gate's marker")
	case want.Kind == seal.KindRecord:
		return errors.New("audit records are only ever added, never updated")
	}
	comments, err := GateComments(ctx, client, owner, repo, number)
	if err != nil {
		return err
	}
	var mine int64
	var older []Comment
	for _, c := range comments {
		m, _ := seal.Parse(c.Body)
		if !strings.EqualFold(c.Author, self) || m.Kind != want.Kind || m.Extra[seal.FieldLabel] != want.Extra[seal.FieldLabel] {
			continue
		}
		switch {
		case strings.EqualFold(m.Head, want.Head):
			mine = c.ID // comments are listed oldest first: keep the latest
		case m.Extra[seal.FieldSuperseded] == "":
			older = append(older, c)
		}
	}
	if mine != 0 {
		if _, _, err := client.Issues.EditComment(ctx, owner, repo, mine, &github.IssueComment{Body: &body}); err != nil {
			return fmt.Errorf("updating comment %d on %s/%s#%d: %w", mine, owner, repo, number, ghclient.Explain(err))
		}
		return nil
	}
	added, err := addComment(ctx, client, owner, repo, number, body)
	if err != nil {
		return err
	}
	for _, c := range older {
		old, err := superseded(c.Body, want.Head, added.URL)
		if err != nil {
			return err
		}
		if _, _, err := client.Issues.EditComment(ctx, owner, repo, c.ID, &github.IssueComment{Body: &old}); err != nil {
			return fmt.Errorf("marking comment %d on %s/%s#%d superseded: %w", c.ID, owner, repo, number, ghclient.Explain(err))
		}
	}
	return nil
}

// superseded rewrites an older head's report: its marker gains the head
// that replaced it, a line says so and links the new report, and the old
// text stays below, folded.
func superseded(body, head, newURL string) (string, error) {
	m, _ := seal.Parse(body)
	extra := maps.Clone(m.Extra)
	if extra == nil {
		extra = map[string]string{}
	}
	extra[seal.FieldSuperseded] = head
	line, err := seal.Marker{Kind: m.Kind, Head: m.Head, Extra: extra}.Format()
	if err != nil {
		return "", err
	}
	short := head
	if len(short) > 7 {
		short = short[:7]
	}
	link := "the report on `" + short + "`"
	if newURL != "" && !strings.ContainsAny(newURL, " ()[]<>") {
		link = "[" + link + "](" + newURL + ")"
	}
	return line + "\n**Superseded** by " + link + ": this report is for an older head commit; do not act on it.\n\n<details><summary>The old report</summary>\n\n" +
		seal.Content(body) + "\n</details>\n", nil
}
