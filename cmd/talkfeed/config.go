package main

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/source"
)

// fileConfig is the YAML config file. Every field is optional.
type fileConfig struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	BaseURL     string `yaml:"base_url"`
	Language    string `yaml:"language"`
	TimeZone    string `yaml:"timezone"`
	Permalink   string `yaml:"permalink"`
	ImageBase   string `yaml:"image_base"`
	Icon        string `yaml:"icon"`
	FeedLimit   int    `yaml:"feed_limit"`
	// DefaultDuration is a timed talk's length in calendars when its page
	// gives no end ("1h30m"); DefaultDays an all-day talk's.
	DefaultDuration string `yaml:"default_duration"`
	DefaultDays     int    `yaml:"default_days"`
	// Schedule and Addr are for `talkfeed serve`.
	Schedule string `yaml:"schedule"`
	Addr     string `yaml:"addr"`
	// WebSubHub is the hub the feeds name and reloads ping.
	WebSubHub string `yaml:"websub_hub"`
	// Slack lists the webhooks to announce to; their URLs are secrets, so
	// the file names where they are, never the URLs.
	Slack  []slackConfig `yaml:"slack"`
	Fields fieldsMap     `yaml:"fields"`
	// StateDir holds the ledger and the announcer's outbox.
	StateDir string `yaml:"state_dir"`
	// RemovalGrace is how long a removed talk stays in calendars as a
	// cancellation ("720h").
	RemovalGrace string `yaml:"removal_grace"`
	// ReloadTimeout bounds one reload ("5m"); ReadyMaxAge makes /readyz
	// fail when the last successful reload is older ("1h"; off when
	// unset).
	ReloadTimeout string `yaml:"reload_timeout"`
	ReadyMaxAge   string `yaml:"ready_max_age"`
}

type slackConfig struct {
	Name       string   `yaml:"name"`
	URLEnv     string   `yaml:"url_env"`
	URLFile    string   `yaml:"url_file"`
	Categories []string `yaml:"categories"`
}

// fieldsMap maps a canonical field to front matter keys; each value may be
// one key or a list of keys.
type fieldsMap map[string][]string

func (f *fieldsMap) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: fields must map field names to front matter keys", n.Line)
	}
	*f = fieldsMap{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch v.Kind {
		case yaml.ScalarNode:
			(*f)[k.Value] = []string{v.Value}
		case yaml.SequenceNode:
			var keys []string
			if err := v.Decode(&keys); err != nil {
				return fmt.Errorf("line %d: fields.%s: %v", v.Line, k.Value, err)
			}
			(*f)[k.Value] = keys
		default:
			return fmt.Errorf("line %d: fields.%s must be a key or a list of keys", v.Line, k.Value)
		}
	}
	return nil
}

// settings are the resolved configuration: defaults, then the config
// file, then TALKFEED_* variables, then flags.
type settings struct {
	site      talkfeed.Site
	loader    source.Options
	feedLimit int
	// Calendar lengths of talks without an end.
	defaultDuration time.Duration
	defaultDays     int
	// schedule is the reload spec, interval its period: how long caches
	// and subscribers are told to keep an output.
	schedule     string
	cronSchedule cron.Schedule
	interval     time.Duration
	addr         string
	// baseURLSet tells whether the base URL was configured, rather than
	// the default.
	baseURLSet bool
	hub        string
	slack      []slackConfig
	// A git SOURCE's branch, folder of pages and clone cache.
	gitBranch, gitSubdir, cacheDir string
	// gitTimeout bounds a clone or a fetch; 0: the default.
	gitTimeout time.Duration
	// stateDir is the state folder as configured; "" for the default,
	// which depends on the source (stateFolder).
	stateDir string
	// removalGrace is how long a removed talk's tombstone stays.
	removalGrace time.Duration
	// reloadTimeout bounds a reload (a build); readyMaxAge is how old the
	// last successful reload may be for /readyz to answer ready (0: any).
	reloadTimeout, readyMaxAge time.Duration
}

// setBaseURL publishes the outputs at base: the site's and the
// loader's, which make page URLs absolute, always agree, and so do the
// page URLs the loader refuses as the tree's own.
func (s *settings) setBaseURL(base string) {
	if !strings.HasSuffix(base, "/") {
		// Output URLs are the base plus a relative path.
		base += "/"
	}
	s.site.BaseURL, s.loader.BaseURL = base, base
	s.loader.Reserved = func(pageURL string) string { return publish.ReservedPageURL(base, pageURL) }
}

// publishOptions are the URL tree's options for content c.
func (s settings) publishOptions(c *content) publish.Options {
	return publish.Options{
		Site:            s.site,
		Generator:       "talkfeed " + version,
		Version:         version,
		TTL:             s.interval,
		FeedLimit:       s.feedLimit,
		DefaultDuration: s.defaultDuration,
		DefaultDays:     s.defaultDays,
		Assets:          c.assets,
		Hub:             s.hub,
	}
}

// configFlags are the flags every command that loads content shares.
type configFlags struct {
	config, title, baseURL, timeZone, permalink, imageBase, schedule string
	gitBranch, gitSubdir, cacheDir, gitTimeout                       string
	stateDir, removalGrace, reloadTimeout, readyMaxAge               string
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "config file (YAML) `path` [TALKFEED_CONFIG]")
	fs.StringVar(&c.title, "title", "", "site title [TALKFEED_TITLE]")
	fs.StringVar(&c.baseURL, "base-url", "", "absolute URL the outputs are published at [TALKFEED_BASE_URL] (default "+source.DefaultBaseURL+")")
	fs.StringVar(&c.timeZone, "timezone", "", "IANA time zone for dates written without one [TALKFEED_TIMEZONE] (default UTC)")
	fs.StringVar(&c.permalink, "permalink", "", "page URL pattern [TALKFEED_PERMALINK] (default "+source.DefaultPermalink+")")
	fs.StringVar(&c.imageBase, "image-base", "", "where image file names resolve [TALKFEED_IMAGE_BASE] (default "+source.DefaultImageBase+")")
	fs.StringVar(&c.gitBranch, "git-branch", "", "branch of a git SOURCE [TALKFEED_GIT_BRANCH] (default: the remote's default branch)")
	fs.StringVar(&c.gitSubdir, "git-subdir", "", "folder of talk pages inside a git SOURCE [TALKFEED_GIT_SUBDIR]")
	fs.StringVar(&c.cacheDir, "cache-dir", "", "where a git SOURCE is cloned [TALKFEED_CACHE_DIR] (default: the user cache folder)")
	fs.StringVar(&c.gitTimeout, "git-timeout", "", "how long a git SOURCE's clone or fetch may take [TALKFEED_GIT_TIMEOUT] (default "+source.DefaultGitTimeout.String()+")")
	fs.StringVar(&c.stateDir, "state", "", "state `folder`: the ledger of what was published and the announcer's outbox [TALKFEED_STATE_DIR] (default: $STATE_DIRECTORY, else a folder per source under $XDG_STATE_HOME/talkfeed or ~/.local/state/talkfeed)")
	fs.StringVar(&c.removalGrace, "removal-grace", "", "how long a removed talk stays in calendars as cancelled [TALKFEED_REMOVAL_GRACE] (default 720h)")
	fs.StringVar(&c.reloadTimeout, "reload-timeout", "", "longest a reload (or a build) may take before it is abandoned and the last good snapshot kept [TALKFEED_RELOAD_TIMEOUT] (default "+defaultReloadTimeout.String()+")")
	fs.StringVar(&c.readyMaxAge, "ready-max-age", "", "/readyz fails when the last successful reload is older than this [TALKFEED_READY_MAX_AGE] (default: never)")
	fs.StringVar(&c.schedule, "schedule", "", "reload schedule, a cron spec [TALKFEED_SCHEDULE] (default \""+defaultSchedule+"\")")
}

// pick resolves one setting: the flag's value when given, else the
// environment variable's, else the config file's, else the default.
func pick(getenv func(string) string, flagValue, env, file, def string) string {
	return cmp.Or(flagValue, getenv(env), file, def)
}

// optBool is a boolean flag that remembers whether it was given, so that
// the environment and the defaults apply when it was not.
type optBool struct{ set, value bool }

func (b *optBool) IsBoolFlag() bool { return true }
func (b *optBool) String() string   { return strconv.FormatBool(b.value) }
func (b *optBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	b.set, b.value = true, v
	return err
}

// pickBool resolves a boolean setting as pick does.
func pickBool(getenv func(string) string, flagValue optBool, env string, def bool) (bool, error) {
	if flagValue.set {
		return flagValue.value, nil
	}
	v := getenv(env)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q is not true or false", env, v)
	}
	return b, nil
}

// resolve applies the layers in order and validates the result.
func (c *configFlags) resolve(getenv func(string) string) (settings, error) {
	pick := func(flagValue, env, file string) string { return pick(getenv, flagValue, env, file, "") }
	var fc fileConfig
	if p := pick(c.config, "TALKFEED_CONFIG", ""); p != "" {
		var err error
		if fc, err = readConfigFile(p); err != nil {
			return settings{}, err
		}
	}
	s := settings{
		site: talkfeed.Site{
			Title:       pick(c.title, "TALKFEED_TITLE", fc.Title),
			Description: fc.Description,
			BaseURL:     pick(c.baseURL, "TALKFEED_BASE_URL", fc.BaseURL),
			Language:    fc.Language,
			Icon:        fc.Icon,
		},
		feedLimit: fc.FeedLimit,
		loader: source.Options{
			BaseURL:   pick(c.baseURL, "TALKFEED_BASE_URL", fc.BaseURL),
			Permalink: pick(c.permalink, "TALKFEED_PERMALINK", fc.Permalink),
			ImageBase: pick(c.imageBase, "TALKFEED_IMAGE_BASE", fc.ImageBase),
			Fields:    fc.Fields,
		},
	}
	if s.site.Title == "" {
		s.site.Title = "Talks"
	}
	if s.site.Language == "" {
		s.site.Language = "en"
	}
	s.baseURLSet = s.site.BaseURL != ""
	s.setBaseURL(cmp.Or(s.site.BaseURL, source.DefaultBaseURL))
	if fc.DefaultDuration != "" {
		d, err := time.ParseDuration(fc.DefaultDuration)
		if err != nil || d <= 0 {
			return settings{}, fmt.Errorf("default_duration %q is not a positive duration like 1h30m", fc.DefaultDuration)
		}
		s.defaultDuration = d
	}
	if fc.DefaultDays < 0 {
		return settings{}, fmt.Errorf("default_days must be 1 or more, not %d", fc.DefaultDays)
	}
	s.defaultDays = fc.DefaultDays
	s.addr = fc.Addr
	s.gitBranch = pick(c.gitBranch, "TALKFEED_GIT_BRANCH", "")
	s.gitSubdir = pick(c.gitSubdir, "TALKFEED_GIT_SUBDIR", "")
	s.cacheDir = pick(c.cacheDir, "TALKFEED_CACHE_DIR", "")
	if gt := pick(c.gitTimeout, "TALKFEED_GIT_TIMEOUT", ""); gt != "" {
		d, err := time.ParseDuration(gt)
		if err != nil || d <= 0 {
			return settings{}, fmt.Errorf("git timeout %q is not a positive duration like 2m", gt)
		}
		s.gitTimeout = d
	}
	s.slack = fc.Slack
	s.stateDir = pick(c.stateDir, "TALKFEED_STATE_DIR", fc.StateDir)
	s.removalGrace = defaultRemovalGrace
	if g := pick(c.removalGrace, "TALKFEED_REMOVAL_GRACE", fc.RemovalGrace); g != "" {
		d, err := time.ParseDuration(g)
		if err != nil || d < 0 {
			return settings{}, fmt.Errorf("removal grace %q is not a duration like 720h (0 drops a removed talk at once)", g)
		}
		s.removalGrace = d
	}
	s.reloadTimeout = defaultReloadTimeout
	for _, d := range []struct {
		name, value string
		into        *time.Duration
	}{
		{"reload timeout", pick(c.reloadTimeout, "TALKFEED_RELOAD_TIMEOUT", fc.ReloadTimeout), &s.reloadTimeout},
		{"ready max age", pick(c.readyMaxAge, "TALKFEED_READY_MAX_AGE", fc.ReadyMaxAge), &s.readyMaxAge},
	} {
		if d.value == "" {
			continue
		}
		v, err := time.ParseDuration(d.value)
		if err != nil || v <= 0 {
			return settings{}, fmt.Errorf("%s %q is not a duration like 5m", d.name, d.value)
		}
		*d.into = v
	}
	s.hub = pick("", "TALKFEED_WEBSUB_HUB", fc.WebSubHub)
	if s.hub != "" {
		if u, err := url.Parse(s.hub); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return settings{}, fmt.Errorf("websub_hub %q is not an http(s) URL", s.hub)
		}
	}
	s.schedule = pick(c.schedule, "TALKFEED_SCHEDULE", fc.Schedule)
	if s.schedule == "" {
		s.schedule = defaultSchedule
	}
	var err error
	if s.cronSchedule, s.interval, err = parseSchedule(s.schedule); err != nil {
		return settings{}, err
	}
	if fc.FeedLimit < 0 {
		return settings{}, fmt.Errorf("feed_limit must be 0 (all) or more, not %d", fc.FeedLimit)
	}
	if tz := pick(c.timeZone, "TALKFEED_TIMEZONE", fc.TimeZone); tz != "" {
		loc, err := talkfeed.LoadZone(tz)
		if err != nil {
			return settings{}, err
		}
		s.loader.DefaultZone = loc
	}
	return s, nil
}

// maxConfigBytes bounds the config file like every other input.
const maxConfigBytes = 1 << 20

func readConfigFile(p string) (fileConfig, error) {
	var fc fileConfig
	f, err := os.Open(p)
	if err != nil {
		return fc, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return fc, fmt.Errorf("config %s: %w", p, err)
	}
	if len(data) > maxConfigBytes {
		return fc, fmt.Errorf("config %s: over 1 MiB", p)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
		return fc, fmt.Errorf("config %s: %s", p, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return fc, nil
}

// webhooks resolves the Slack webhooks: TALKFEED_SLACK_WEBHOOK (every
// category) and the config file's entries, each URL read from its
// environment variable or file.
func (s settings) webhooks(getenv func(string) string) ([]webhook, error) {
	var out []webhook
	if u := strings.TrimSpace(getenv("TALKFEED_SLACK_WEBHOOK")); u != "" {
		out = append(out, webhook{Name: "default", URL: u})
	}
	for i, c := range s.slack {
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("slack-%d", i+1)
		}
		var u string
		switch {
		case c.URLEnv != "":
			u = strings.TrimSpace(getenv(c.URLEnv))
		case c.URLFile != "":
			b, err := os.ReadFile(c.URLFile)
			if err != nil {
				return nil, fmt.Errorf("slack webhook %s: %w", name, err)
			}
			u = strings.TrimSpace(string(b))
		}
		if u == "" {
			return nil, fmt.Errorf("slack webhook %s: no URL in url_env or url_file", name)
		}
		out = append(out, webhook{Name: name, URL: u, Categories: c.Categories})
	}
	for _, h := range out {
		if pu, err := url.Parse(h.URL); err != nil || pu.Scheme != "https" && pu.Scheme != "http" {
			return nil, fmt.Errorf("slack webhook %s is not an http(s) URL", h.Name)
		}
	}
	return out, nil
}
