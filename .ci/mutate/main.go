// Command mutate is a small mutation check: it applies each hand-written
// mutant of .ci/mutants.txt to a scratch copy of the repository, runs the
// tests that should notice, and reports which mutants the tests kill.
//
//	go run ./.ci/mutate [-list FILE] [-run REGEXP] [-timeout 3m] [-strict] [-v] [-dry]
//
// The list's format is described at the top of .ci/mutants.txt.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

type mutant struct {
	name, desc, file string
	pkgs             []string
	hunks            []hunk
}

// hunk is one exact replacement; old must occur exactly once in the file.
type hunk struct{ old, new string }

var (
	listFile = flag.String("list", ".ci/mutants.txt", "mutant `file`, relative to the repository root")
	run      = flag.String("run", "", "only mutants whose name matches `regexp`")
	timeout  = flag.Duration("timeout", 3*time.Minute, "time limit for one mutant's tests")
	strict   = flag.Bool("strict", false, "exit 1 when a mutant survives, is stale or does not build")
	verbose  = flag.Bool("v", false, "print the test output of every mutant")
	dry      = flag.Bool("dry", false, "only check that the mutants still match their files; run no tests")
)

// interrupted ends with ^C or SIGTERM. The tests run in process groups of
// their own (so that a timeout can kill them whole), out of reach of the
// terminal's ^C: this passes it on.
var interrupted context.Context

func main() {
	flag.Parse()
	var stop context.CancelFunc
	interrupted, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code, err := mutate()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		code = 2
	}
	os.Exit(code)
}

func mutate() (int, error) {
	match, err := regexp.Compile(*run)
	if err != nil {
		return 0, err
	}
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return 0, fmt.Errorf("not in a git checkout: %v", err)
	}
	repo := strings.TrimSpace(string(out))
	list := *listFile
	if !filepath.IsAbs(list) {
		list = filepath.Join(repo, list)
	}
	data, err := os.ReadFile(list)
	if err != nil {
		return 0, err
	}
	all, err := parse(string(data))
	if err != nil {
		return 0, fmt.Errorf("%s: %v", *listFile, err)
	}
	var ms []mutant
	var union []string
	for _, m := range all {
		if match.MatchString(m.name) {
			ms, union = append(ms, m), append(union, m.pkgs...)
		}
	}
	if len(ms) == 0 {
		return 0, fmt.Errorf("no mutant in %s matches %q", *listFile, *run)
	}
	root, env := repo, testEnv(repo)
	if !*dry {
		if root, err = os.MkdirTemp("", "talkfeed-mutate-"); err != nil {
			return 0, err
		}
		defer os.RemoveAll(root)
		if err := copyTracked(repo, root); err != nil {
			return 0, err
		}
		// The tests must pass unmutated, or every mutant would look killed.
		if status, log := test(root, union, env); status != "survived" {
			return 0, fmt.Errorf("the tests fail without a mutant (%s):\n%s", status, log)
		}
	}
	count := map[string]int{}
	for _, m := range ms {
		start := time.Now()
		status, log, err := try(root, m, env)
		if err != nil {
			return 0, err
		}
		if status == "interrupted" {
			return 0, errors.New("interrupted")
		}
		count[status]++
		fmt.Printf("%-8s %-30s %5.1fs  %s\n", strings.ToUpper(status), m.name, time.Since(start).Seconds(), m.desc)
		if *verbose || status == "broken" || status == "stale" {
			fmt.Println(indent(log))
		}
	}
	if *dry {
		fmt.Printf("%d of %d mutants match their files\n", count["ok"], len(ms))
		return 0, nil
	}
	k, s := count["killed"], count["survived"]
	fmt.Printf("score %d/%d (%d%%): %d killed, %d survived, %d stale, %d timeout, %d broken\n",
		k, k+s, 100*k/max(k+s, 1), k, s, count["stale"], count["timeout"], count["broken"])
	if *strict && s+count["stale"]+count["broken"] > 0 {
		return 1, nil
	}
	return 0, nil
}

// parse reads the mutant list: each mutant is a "== name: description"
// line, "file:" and "test:" lines (and "#" comments), then one or more
// hunks: a "---" line, the old text, a "+++" line and its replacement, up
// to the next "---" or "== " line or the comments before it. Text before
// the first "== " is free.
func parse(s string) ([]mutant, error) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var ms []mutant
	seen := map[string]bool{}
	for _, block := range strings.Split("\n"+s, "\n== ")[1:] {
		head, body, _ := strings.Cut(block+"\n", "\n---\n")
		lines := strings.Split(head, "\n")
		name, desc, _ := strings.Cut(lines[0], ":")
		m := mutant{name: strings.TrimSpace(name), desc: strings.TrimSpace(desc)}
		for _, l := range lines[1:] {
			switch k, v, _ := strings.Cut(l, ":"); {
			case k == "file":
				m.file = strings.TrimSpace(v)
			case k == "test":
				m.pkgs = strings.Fields(v)
			case strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#"):
				return nil, fmt.Errorf("mutant %s: %q is neither file:, test: nor a comment", m.name, l)
			}
		}
		for part := range strings.SplitSeq(body, "\n---\n") {
			old, repl, ok := strings.Cut(part, "\n+++\n")
			// Blank and comment lines after a replacement introduce the
			// next mutant.
			lines := strings.Split(repl, "\n")
			for len(lines) > 0 && (strings.TrimSpace(lines[len(lines)-1]) == "" || strings.HasPrefix(lines[len(lines)-1], "#")) {
				lines = lines[:len(lines)-1]
			}
			repl = strings.Join(lines, "\n")
			if !ok || old == "" || old == repl {
				return nil, fmt.Errorf("mutant %s: a hunk needs old text, +++ and a different replacement", m.name)
			}
			m.hunks = append(m.hunks, hunk{old, repl})
		}
		if m.file == "" || len(m.pkgs) == 0 || seen[m.name] {
			return nil, fmt.Errorf("mutant %q: needs a unique name, file: and test:", m.name)
		}
		seen[m.name] = true
		ms = append(ms, m)
	}
	return ms, nil
}

// copyTracked copies the tracked files, as the working tree has them now
// (edits included), so that the mutants never touch the real checkout.
func copyTracked(repo, dst string) error {
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %v", err)
	}
	for _, p := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src, to := filepath.Join(repo, p), filepath.Join(dst, p)
		info, err := os.Stat(src)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			return err
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, b, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// testEnv passes the environment through, without a go.work (the scratch
// copy's modules stand alone) and with the corpus the scratch copy's
// parent lacks.
func testEnv(repo string) []string {
	env := append(os.Environ(), "GOWORK=off")
	corpus := os.Getenv("TALKFEED_CORPUS")
	if corpus == "" {
		corpus = filepath.Join("..", "shared", "corpus")
	}
	if !filepath.IsAbs(corpus) {
		corpus = filepath.Join(repo, corpus) // the tests read it from the module root
	}
	return append(env, "TALKFEED_CORPUS="+corpus)
}

// try applies one mutant, runs its tests and restores the file.
func try(root string, m mutant, env []string) (status, log string, err error) {
	path := filepath.Join(root, filepath.FromSlash(m.file))
	orig, err := os.ReadFile(path)
	if err != nil {
		return "stale", err.Error(), nil
	}
	mutated := orig
	for i, h := range m.hunks {
		// Each hunk must match the original once: a list that no longer
		// fits the code says so instead of mutating something else.
		if n := bytes.Count(orig, []byte(h.old)); n != 1 {
			return "stale", fmt.Sprintf("hunk %d matches %d times in %s", i+1, n, m.file), nil
		}
		mutated = bytes.Replace(mutated, []byte(h.old), []byte(h.new), 1)
	}
	if *dry {
		return "ok", "", nil
	}
	if err := os.WriteFile(path, mutated, 0o644); err != nil {
		return "", "", err
	}
	defer func() {
		if werr := os.WriteFile(path, orig, 0o644); werr != nil && err == nil {
			err = werr
		}
	}()
	status, log = test(root, m.pkgs, env)
	return status, log, nil
}

// test runs go test on packages (patterns relative to the repository
// root), in the module each belongs to: survived (passed), killed
// (failed), broken (does not build) or timeout.
func test(root string, pkgs, env []string) (string, string) {
	byModule := map[string][]string{}
	var order []string
	for _, p := range pkgs {
		dir, suffix := strings.CutSuffix(filepath.FromSlash(p), string(filepath.Separator)+"...")
		mod := filepath.Join(root, dir)
		for ; mod != root; mod = filepath.Dir(mod) {
			if _, err := os.Stat(filepath.Join(mod, "go.mod")); err == nil {
				break
			}
		}
		rel, _ := filepath.Rel(mod, filepath.Join(root, dir))
		pattern := "./" + filepath.ToSlash(rel)
		if suffix {
			pattern += "/..."
		}
		if byModule[mod] == nil {
			order = append(order, mod)
		}
		byModule[mod] = append(byModule[mod], pattern)
	}
	var log bytes.Buffer
	for _, mod := range order {
		ctx, cancel := context.WithTimeout(interrupted, *timeout)
		cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-count=1"}, byModule[mod]...)...)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = mod, env, &log, &log
		// go test's children (test binaries, the daemons they start) go
		// too when time runs out: kill the whole process group.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.WaitDelay = 10 * time.Second
		err := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		switch {
		case interrupted.Err() != nil:
			return "interrupted", log.String()
		case timedOut:
			return "timeout", log.String()
		case err == nil:
			continue
		case bytes.Contains(log.Bytes(), []byte("[build failed]")) || bytes.Contains(log.Bytes(), []byte("[setup failed]")):
			return "broken", log.String()
		case errors.As(err, new(*exec.ExitError)):
			return "killed", log.String()
		default:
			return "broken", err.Error() + "\n" + log.String()
		}
	}
	return "survived", log.String()
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n\t")
}
